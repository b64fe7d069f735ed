#pragma once
// Reads and writes the shared holders ConfigMap (see holders.hpp) with optimistic concurrency:
// every write carries the resourceVersion it was computed from; a conflict re-reads and
// recomputes, so two developers' runs never lose each other's holders or records.
#include <functional>
#include <string>

#include "core/kube_client.hpp"
#include "holders.hpp"

namespace ath::argocd_sync {

class HolderStore {
 public:
  HolderStore(ath::KubeClient& kc, std::string ns) : kc_(kc), ns_(std::move(ns)) {}

  // The ConfigMap object, or null when it does not exist. Throws std::runtime_error when it
  // cannot be read (e.g. Forbidden), naming what to do.
  nlohmann::json read();
  // Runs change(state) on the current state and writes the result when change returns true.
  // `prefetched` (an object from read(), or null for "absent") saves the first GET.
  // Returns the state as stored afterwards. Throws std::runtime_error on failure.
  GuardState update(const std::function<bool(GuardState&)>& change, bool dry_run,
                    std::optional<nlohmann::json> prefetched = std::nullopt);

 private:
  ath::KubeClient& kc_;
  std::string ns_;
};

}  // namespace ath::argocd_sync
