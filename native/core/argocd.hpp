#pragma once
// Argo CD's own types as the helpers read and write them: the argoproj.io/v1alpha1 resources
// (fixed since Argo CD 1.0, so a helper that touches only these needs no discovery round trip)
// and when an Application auto-syncs.
#include <nlohmann/json.hpp>

#include "core/kube_resources.hpp"

namespace ath::argocd {

inline constexpr const char* kGroup = "argoproj.io";
inline constexpr const char* kApplicationKind = "Application";
inline constexpr const char* kApplicationSetKind = "ApplicationSet";
inline constexpr const char* kApplicationsResource = "applications";
// The Application CRD, whose schema says whether spec.syncPolicy.automated has `enabled`.
inline constexpr const char* kApplicationCrd = "applications.argoproj.io";
inline constexpr const char* kAutomatedPointer = "/spec/syncPolicy/automated";
// How Argo CD marks the objects it manages (annotation tracking, the default since 3.0, or label
// tracking): "<app>:<group>/<kind>:<namespace>/<name>" / "<app>".
inline constexpr const char* kTrackingIdAnnotation = "argocd.argoproj.io/tracking-id";
inline constexpr const char* kInstanceLabel = "argocd.argoproj.io/instance";

ath::ApiResource applications_resource();      // namespaced; get, list, patch
ath::ApiResource application_sets_resource();  // namespaced; get, list, patch
ath::ApiResource crds_resource();              // apiextensions.k8s.io/v1, cluster-scoped; get

// Whether Argo CD auto-syncs under this spec.syncPolicy.automated value (null when absent):
// an object whose `enabled` is absent, null or anything but false, as SyncPolicy's
// IsAutomatedSyncEnabled (pkg/apis/application/v1alpha1/types.go:1531, v3.5.1) reads it.
bool auto_sync_on(const nlohmann::json& automated);
// The same for a whole Application: auto_sync_on of its spec.syncPolicy.automated; false when
// spec or syncPolicy is missing or not an object.
bool app_auto_sync_on(const nlohmann::json& app);

}  // namespace ath::argocd
