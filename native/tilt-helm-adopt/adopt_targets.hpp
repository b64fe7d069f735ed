#pragma once
// The objects a run is asked about, before any request: the rendered manifest's objects and
// the Argo CD Application's status.resources, resolved to served resource types. Pure.
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "core/helm_manifest.hpp"
#include "core/kube_resources.hpp"

namespace ath::helm_adopt {
using json = nlohmann::json;

// One object to look up, addressed the way the API serves it.
struct Target {
  const ApiResource* type = nullptr;  // points into the ResourceIndex
  std::string namespace_;             // empty for cluster-scoped types
  std::string name;
  unsigned sources = 0;               // adopt_plan.hpp's Source bits

  // Identity across sources and versions: group, plural, namespace, name.
  std::string key() const;
};
std::string object_key(const ApiResource& type, const std::string& ns, const std::string& name);

// A reference that names no served type (a CRD not installed yet) or is malformed.
struct Unresolved {
  std::string what;    // "Widget example.com/v1 apps/w1"
  std::string reason;  // "no such type is served"
};

struct Targets {
  std::vector<Target> targets;
  std::vector<Unresolved> unresolved;
};

// The selector of the label scan: `selector` or app.kubernetes.io/instance=RELEASE.
std::string scan_selector(const std::string& release, const std::string& selector);

// Objects of the rendered chart (`helm template` output: documents, maybe `List`s, maybe empty).
// Namespaced objects without a namespace are in the release namespace; hooks are left out:
// Helm creates and deletes them around each operation and never checks their ownership.
Targets manifest_targets(const std::vector<json>& docs, const ResourceIndex& index,
                         const std::string& release_namespace);
// The rendered objects themselves, for duplicate detection: ath::manifest_objects
// (core/helm_manifest.hpp), which manifest_targets reads too.

// Argo CD's status.resources[] entries: {group, version, kind, namespace, name}.
Targets argocd_targets(const json& application, const ResourceIndex& index);

// The types the label scan lists: namespaced, listable, patchable, not discovery noise.
std::vector<const ApiResource*> scan_types(const ResourceIndex& index);

}  // namespace ath::helm_adopt
