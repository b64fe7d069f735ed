#include "core/argocd.hpp"

#include "core/json_at.hpp"

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
  const json* automated = json_at(app, kAutomatedPointer);
  return automated && auto_sync_on(*automated);
}

}  // namespace ath::argocd
