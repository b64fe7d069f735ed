#pragma once
// The adoption that runs before every `helm upgrade --install`: tilt-helm-adopt's logic linked
// in-process (ath_helm_adopt), scoped by the rendered manifest, Argo CD's Application and the label
// scan.
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "core/kube_client.hpp"
#include "core/kube_resources.hpp"
#include "tilt-helm-adopt/adopt_collect.hpp"

namespace ath::helm_apply {
using json = nlohmann::json;

struct AdoptStep {
  std::string release;
  std::string namespace_;
  std::vector<json> manifest;  // `helm template` documents, same arguments as the upgrade
  std::string argocd_app;      // empty: no Argo CD source
  std::string argocd_namespace = "argocd";
  std::string helm_version;    // "v3.17.2": decides the managedFields reset (tilt-helm-adopt's rule)
  bool dry_run = false;
  bool label_scan = true;      // scan_plan.hpp decides; tilt-helm-adopt always scans
};

struct AdoptResult {
  int exit_code = 0;    // 0 all adoptable, 1 conflicts or failures, 2 setup error
  std::string report;   // the adoption's text report (names only)
};

// `already`: reads made while helm rendered (helm_adopt::prefetch), not repeated.
AdoptResult run_adoption(KubeClient& client, const ResourceIndex& index, const AdoptStep& step,
                         const helm_adopt::Prefetch* already = nullptr);

}  // namespace ath::helm_apply
