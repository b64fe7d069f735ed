#include "isolated_names.hpp"

#include <set>

#include "names.hpp"

namespace ath {

std::vector<std::string> isolated_name_args(const std::string& release) {
  return {"--set-string", std::string(kFullnameKey) + "=" + release};
}

IsolatedName isolated_release_name(const std::string& base, const std::string& suffix) {
  const std::string tail = suffix.empty() ? "tilt" : suffix;
  const std::string name = base + "-" + tail;
  if (auto err = check_dns1123_label(tail))
    return {name, "isolate suffix " + *err + " (DNS-1123); pick a suffix such as your user name in lower case"};
  // Helm refuses release names over 53 characters (pkg/chartutil/validate_name.go:61 at helm
  // v3.17.2, maxReleaseNameLen): its objects' names and labels are derived from them.
  if (auto err = check_helm_release_name(name))
    return {name, "isolated release " + *err + " (Helm's 53-character release-name limit); use a shorter " +
                      (suffix.empty() ? std::string("release") : std::string("--isolate-suffix"))};
  return {name, ""};
}

namespace {
// Kinds that have no namespace: a rendered one never gets the release namespace.
bool cluster_scoped(const std::string& kind) {
  static const std::set<std::string> kinds{"Namespace", "ClusterRole", "ClusterRoleBinding",
                                           "CustomResourceDefinition", "PersistentVolume", "StorageClass",
                                           "PriorityClass", "MutatingWebhookConfiguration",
                                           "ValidatingWebhookConfiguration", "IngressClass"};
  return kinds.count(kind) > 0;
}
}  // namespace

std::vector<std::string> object_identities(const std::vector<nlohmann::json>& objects, const std::string& ns) {
  std::vector<std::string> out;
  for (const auto& o : objects) {
    if (!o.is_object()) continue;
    const std::string kind = o.value("kind", "");
    const nlohmann::json meta = o.value("metadata", nlohmann::json::object());
    const std::string name = meta.is_object() ? meta.value("name", "") : "";
    if (kind.empty() || name.empty()) continue;
    const std::string object_ns = cluster_scoped(kind) ? "" : meta.value("namespace", ns);
    out.push_back(kind + " " + (object_ns.empty() ? "" : object_ns + "/") + name);
  }
  return out;
}

std::vector<std::string> same_object_names(const std::vector<nlohmann::json>& isolated, const std::string& isolated_ns,
                                           const std::vector<nlohmann::json>& argo, const std::string& argo_ns) {
  const auto theirs = object_identities(argo, argo_ns);
  const std::set<std::string> argo_ids(theirs.begin(), theirs.end());
  std::set<std::string> seen;
  std::vector<std::string> out;
  for (const auto& id : object_identities(isolated, isolated_ns))
    if (argo_ids.count(id) && seen.insert(id).second) out.push_back(id);
  return out;
}

}  // namespace ath
