#pragma once
// The in-process entry point of the adoption (tilt-helm-adopt's main and tilt-helm-apply both
// call it): collect the release's objects, decide per object, write what is missing.
#include <nlohmann/json.hpp>

#include <stdexcept>
#include <string>
#include <vector>

#include "core/kube_client.hpp"
#include "core/kube_resources.hpp"
#include "tilt-helm-adopt/adopt_report.hpp"

namespace ath::helm_adopt {
using json = nlohmann::json;

struct AdoptOptions {
  std::string release;
  std::string release_namespace;
  bool use_manifest = false;
  std::vector<json> manifest;         // rendered chart documents (helm template output)
  std::string argocd_app;             // empty: no Argo CD source
  std::string argocd_namespace = "argocd";
  bool label_scan = true;
  std::string selector;               // empty: app.kubernetes.io/instance=RELEASE
  bool scrub_managed_fields = false;  // resolved already (see scrub_rule.hpp for `auto`)
  bool prune_duplicates = false;
  bool force = false;
  bool dry_run = false;
  size_t concurrency = 16;
  int max_attempts = 3;  // per write: the first try plus re-read-and-retry on 409 or a transient error
};

// Input the run cannot work with (the Application does not exist, it cannot be read): nothing
// was written. Callers exit 2 with this message.
class AdoptSetupError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Never throws for a per-object or per-type failure: those are in the report (exit_code() 1).
// `already`: reads made ahead (adopt_collect.hpp's Prefetch); they are not repeated.
struct Prefetch;
AdoptReport adopt(KubeClient& client, const ResourceIndex& index, const AdoptOptions& options,
                  const Prefetch* already = nullptr);

}  // namespace ath::helm_adopt
