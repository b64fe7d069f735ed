#pragma once
// The names of isolated mode (issue 18): Tilt's own release `<release>-tilt` next to Argo CD's, and
// whether a chart renders distinct object names for the two. tilt-helm-apply refuses to deploy a
// chart that does not, and `tilt-values-parity check --isolated` reports it before anything is
// deployed: both decide with this code. Pure.
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace ath {

// The chart value that sets every object's name (values/charts/app/templates/_helpers.tpl): the
// one value the isolated release sets besides the image keys.
inline constexpr const char* kFullnameKey = "fullnameOverride";

// `--set-string fullnameOverride=<release>`: what Tilt's isolated release adds to Argo CD's values.
std::vector<std::string> isolated_name_args(const std::string& release);

// `<base>-tilt`, or `<base>-<suffix>` when a suffix is given. The error names the rule broken
// (DNS-1123, or Helm's 53-character release-name limit) and the fix.
struct IsolatedName {
  std::string name;
  std::string error;  // empty when `name` is valid
};
IsolatedName isolated_release_name(const std::string& base, const std::string& suffix);

// "Kind namespace/name" of each rendered object (namespaced objects without a namespace live in
// `ns`; cluster-scoped kinds have no namespace).
std::vector<std::string> object_identities(const std::vector<nlohmann::json>& objects, const std::string& ns);

// The distinct-names decision: the identities that Tilt's render (`isolated`, into `isolated_ns`)
// and Argo CD's render (`argo`, into `argo_ns`) both name, each once, in Tilt's order. Empty: the
// chart renders distinct names, and the isolated release takes nothing of Argo CD's.
std::vector<std::string> same_object_names(const std::vector<nlohmann::json>& isolated, const std::string& isolated_ns,
                                           const std::vector<nlohmann::json>& argo, const std::string& argo_ns);

// The fix for a chart whose names collide, as both tools print it.
inline constexpr const char* kDistinctNamesFix =
    "give the chart distinct names (derive every object name from fullnameOverride or the release name, as "
    "values/charts/app does) or deploy into your own namespace (--isolate-namespace)";

}  // namespace ath
