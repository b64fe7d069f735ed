#pragma once
// Isolated mode (issue 18): Tilt deploys its own release `<release>-tilt` (or `<release>-<suffix>`)
// next to Argo CD's, with Argo CD's value files plus only the image keys and the full name. These
// are the pure decisions of that mode in tilt-helm-apply: the marker labels helm stores on the
// release record, whether the rendered objects collide with what Argo CD manages, and whether
// `tilt down` may uninstall a release. The release name and the distinct-names decision are
// core/isolated_names.hpp (tilt-values-parity's check uses them too); the I/O is isolated_io.cpp.
#include <nlohmann/json.hpp>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/isolated_names.hpp"
#include "core/labels.hpp"

namespace ath::helm_apply {
using json = nlohmann::json;

// Release labels (helm upgrade --labels, stored on the release record, read back with
// `helm list --selector`): the proof that a release is Tilt's and whose. With ath::kManagedByLabel:
inline constexpr const char* kManagedByTilt = "tilt";
inline constexpr const char* kTiltUserLabel = "ameide.io/tilt-user";
inline constexpr const char* kTiltModeLabel = "ameide.io/tilt-mode";
inline constexpr const char* kArgoReleaseLabel = "ameide.io/argocd-release";

// A user name as a label value: lower-case, [a-z0-9-_.] only, at most 63 characters, starting
// and ending with an alphanumeric. Empty when nothing usable is left.
std::string user_label_value(const std::string& user);

// The labels the isolated apply puts on its release, and helm's `k=v,k=v` form of them.
std::map<std::string, std::string> isolated_release_labels(const std::string& user, const std::string& argo_release);
std::string labels_flag_value(const std::map<std::string, std::string>& labels);
// The selector `helm list --selector` uses to find this user's Tilt releases.
std::string isolated_release_selector(const std::string& user);

// The identities Argo CD manages in `ns`: every Application's status.resources there.
// `applications` is the items of an Application list. Each identity is returned with the app.
struct ArgoObject {
  std::string identity;
  std::string application;
};
std::vector<ArgoObject> argo_objects_in(const std::vector<json>& applications, const std::string& ns);

// Why the isolated release may not go into `ns`, or nullopt. `ours` are the identities the
// isolated release renders; `argo` what Argo CD manages there (argo_objects_in) plus what
// same_object_names found in Argo CD's own render (application "" = the app's own release).
std::optional<std::string> namespace_refusal(const std::string& release, const std::string& ns,
                                             const std::vector<std::string>& ours, const std::vector<ArgoObject>& argo);

// The parity proof: with the same chart, value files and images, Tilt's render (`ours`, release
// `release`) and Argo CD's (`theirs`, release `argo_release`) must be equal once Tilt's release
// name is read as Argo CD's. Returns the identities (as Argo CD's render names them) that differ
// beyond the name, or exist in only one render; empty = only the name suffix differs.
std::vector<std::string> differences_beyond_name(const std::vector<json>& ours, const std::vector<json>& theirs,
                                                 const std::string& release, const std::string& argo_release,
                                                 const std::string& ns);

// Whether `tilt down` may uninstall `release`: only when its record carries Tilt's labels for this
// user. `labels` is the release's labels as helm stores them (null when helm shows none).
std::optional<std::string> uninstall_refusal(const std::string& release, const std::string& ns, const json& labels,
                                             const std::string& user);

}  // namespace ath::helm_apply
