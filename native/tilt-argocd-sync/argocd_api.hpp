#pragma once
// The few types this helper touches, built directly: discovery would cost round trips and the
// types are fixed (Argo CD's: core/argocd.hpp).
#include <chrono>

#include "core/argocd.hpp"
#include "core/kube_client.hpp"
#include "core/kube_resources.hpp"

namespace ath::argocd_sync {

using ath::argocd::application_sets_resource;
using ath::argocd::applications_resource;
using ath::argocd::crds_resource;
using ath::argocd::kApplicationCrd;
ath::ApiResource configmaps_resource();

// The outcome of one guarded write.
struct WriteOutcome {
  nlohmann::json object;  // the object after the write (or as read when nothing was needed)
  bool changed = false;
  std::optional<ath::KubeError> error;
  bool ok() const { return !error; }
};

// How long to wait before retry `attempt` (0-based) of a write that lost a race: exponential
// from 20 ms, capped at 1 s, with full jitter (a random point in [0, bound]) so that writers
// that collided do not collide again in step. `unit` in [0, 1) is the random draw.
std::chrono::milliseconds conflict_backoff(int attempt, double unit);
// Sleeps conflict_backoff(attempt, random).
void sleep_before_retry(int attempt);

// Applies plan(current) as a JSON patch guarded by a test of metadata.resourceVersion, so a
// concurrent writer (the ApplicationSet controller, another developer) is never overwritten:
// on a conflict the object is read again and planned again (up to `attempts` times). An empty
// plan writes nothing. `current` may be null: the object is read first. Retries wait
// sleep_before_retry(). When the attempts run out the error is the last real one (a 503 stays
// a 503); only a run of lost races is reported as "kept changing".
WriteOutcome guarded_json_patch(ath::KubeClient& kc, const ath::ApiResource& r, const std::string& ns,
                                const std::string& name, nlohmann::json current,
                                const std::function<nlohmann::json(const nlohmann::json&)>& plan, bool dry_run,
                                int attempts = 6);

}  // namespace ath::argocd_sync
