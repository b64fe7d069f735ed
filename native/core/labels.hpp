#pragma once
// Label keys that more than one helper writes or reads. Kubernetes' recommended labels:
// https://kubernetes.io/docs/concepts/overview/working-with-objects/common-labels/
namespace ath {

// Who manages an object: Helm ("Helm", which helm pkg/action/validate.go checks), Tilt's
// isolated releases ("tilt"), tilt-argocd-sync's holders ConfigMap ("tilt-argocd-sync").
inline constexpr const char* kManagedByLabel = "app.kubernetes.io/managed-by";

}  // namespace ath
