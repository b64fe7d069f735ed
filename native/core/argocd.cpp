#include "core/argocd.hpp"

namespace ath::argocd {
using nlohmann::json;

ath::ApiResource applications_resource() {
  return {kGroup, "v1alpha1", kApplicationsResource, kApplicationKind, true, {"get", "list", "patch"}};
}
ath::ApiResource application_sets_resource() {
  return {kGroup, "v1alpha1", "applicationsets", kApplicationSetKind, true, {"get", "list", "patch"}};
}
ath::ApiResource crds_resource() {
  return {"apiextensions.k8s.io", "v1", "customresourcedefinitions", "CustomResourceDefinition", false, {"get"}};
}

bool auto_sync_on(const json& automated) {
  if (!automated.is_object()) return false;
  auto it = automated.find("enabled");
  return it == automated.end() || !(it->is_boolean() && !it->get<bool>());
}

bool app_auto_sync_on(const json& app) {
  const json* cur = &app;
  for (const char* key : {"spec", "syncPolicy", "automated"}) {
    if (!cur->is_object()) return false;
    auto it = cur->find(key);
    if (it == cur->end()) return false;
    cur = &*it;
  }
  return auto_sync_on(*cur);
}

}  // namespace ath::argocd
