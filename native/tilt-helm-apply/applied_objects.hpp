#pragma once
// What apply prints on stdout (Tilt tracks these objects) and what delete must not uninstall.
// Pure: takes manifests and live objects as JSON.
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "core/yaml_json.hpp"

namespace ath::helm_apply {
using json = nlohmann::json;

// The objects of a rendered manifest (helm template / helm get manifest), read as Helm reads it
// (ath::add_manifest_objects, core/helm_manifest.hpp: lists flattened, empty documents and hook
// documents dropped). Objects without a namespace keep none: only the caller, knowing which
// types are namespaced, can place them in the release namespace.
std::vector<json> release_objects(const std::vector<YamlDocument>& docs);

// Objects as Tilt gets them: managedFields dropped (noise) and Secret data redacted: Tilt only
// needs identities, uids and pod templates, and Secret data is never printed.
std::vector<json> tilt_output(const std::vector<json>& live_objects);

// Objects Argo CD tracks (annotation argocd.argoproj.io/tracking-id or label
// argocd.argoproj.io/instance), as "Kind namespace/name"; such a release is not Tilt's to uninstall.
std::vector<std::string> argo_tracked(const std::vector<json>& live_objects);

// "Deployment ameide/apps-graph" (no namespace part for cluster-scoped objects).
std::string describe(const json& object);

}  // namespace ath::helm_apply
