#include "holder_store.hpp"

#include "argocd_api.hpp"
#include "core/labels.hpp"

namespace ath::argocd_sync {
using nlohmann::json;

json HolderStore::read() {
  auto got = kc_.get(configmaps_resource(), ns_, kHoldersConfigMap);
  if (got.ok()) return got.value;
  if (got.error->kind == ath::KubeErrorKind::NotFound) return nullptr;
  throw std::runtime_error("cannot read ConfigMap " + ns_ + "/" + kHoldersConfigMap + ": " + got.error->describe() +
                           " (the holders of paused apps live there; grant get/create/patch on configmaps in " +
                           ns_ + ")");
}

GuardState HolderStore::update(const std::function<bool(GuardState&)>& change, bool dry_run,
                               std::optional<json> prefetched) {
  std::optional<ath::KubeError> last;  // the last failure that was not a lost race
  constexpr int kAttempts = 8;
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    if (attempt > 0) sleep_before_retry(attempt - 1);
    json cm = prefetched && attempt == 0 ? *prefetched : read();
    json data = cm.is_object() && cm.contains("data") ? cm["data"] : json::object();
    GuardState state = GuardState::from_data(data, ns_);
    if (!change(state) || dry_run) return state;
    json after = state.to_data();
    ath::Result<json> res;
    if (cm.is_null()) {
      json obj = {{"apiVersion", "v1"}, {"kind", "ConfigMap"},
                  {"metadata", {{"name", kHoldersConfigMap}, {"namespace", ns_},
                                {"labels", {{ath::kManagedByLabel, "tilt-argocd-sync"}}}}},
                  {"data", after}};
      res = kc_.create(configmaps_resource(), ns_, obj);
    } else {
      json patch = {{"data", data_patch(data, after)}};
      res = kc_.patch(configmaps_resource(), ns_, kHoldersConfigMap, ath::PatchType::Merge,
                      ath::with_resource_version(patch, cm["metadata"].value("resourceVersion", "")));
    }
    if (res.ok()) return state;
    auto kind = res.error->kind;
    if (kind != ath::KubeErrorKind::Conflict && kind != ath::KubeErrorKind::AlreadyExists && !res.error->transient())
      throw std::runtime_error("cannot write ConfigMap " + ns_ + "/" + kHoldersConfigMap + ": " +
                               res.error->describe());
    if (res.error->transient()) last = res.error;
    else last.reset();
  }
  if (last)
    throw std::runtime_error("cannot write ConfigMap " + ns_ + "/" + kHoldersConfigMap + ": " + last->describe() +
                             " (gave up after " + std::to_string(kAttempts) +
                             " attempts; run the command again once the API server answers)");
  throw std::runtime_error("ConfigMap " + ns_ + "/" + kHoldersConfigMap +
                           " kept changing under concurrent writers; run the command again");
}

}  // namespace ath::argocd_sync
