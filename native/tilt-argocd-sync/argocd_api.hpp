#pragma once
// The few types this helper touches, built directly: discovery would cost round trips and the
// types are fixed (argoproj.io/v1alpha1 since Argo CD 1.0).
#include "core/kube_client.hpp"
#include "core/kube_resources.hpp"

namespace tas {

ath::ApiResource applications_resource();
ath::ApiResource application_sets_resource();
ath::ApiResource configmaps_resource();
ath::ApiResource crds_resource();
inline const char* kApplicationCrd = "applications.argoproj.io";

// The outcome of one guarded write.
struct WriteOutcome {
  nlohmann::json object;  // the object after the write (or as read when nothing was needed)
  bool changed = false;
  std::optional<ath::KubeError> error;
  bool ok() const { return !error; }
};

// Applies plan(current) as a JSON patch guarded by a test of metadata.resourceVersion, so a
// concurrent writer (the ApplicationSet controller, another developer) is never overwritten:
// on a conflict the object is read again and planned again (up to `attempts` times). An empty
// plan writes nothing. `current` may be null: the object is read first.
WriteOutcome guarded_json_patch(ath::KubeClient& kc, const ath::ApiResource& r, const std::string& ns,
                                const std::string& name, nlohmann::json current,
                                const std::function<nlohmann::json(const nlohmann::json&)>& plan, bool dry_run,
                                int attempts = 6);

}  // namespace tas
