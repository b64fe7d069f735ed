// SyncGuard::sync_steps: the syncs a resume left in RollingSync step order, batch by batch.
#include <cstdio>

#include "argocd_api.hpp"
#include "core/parallel.hpp"
#include "holder_store.hpp"
#include "sync_guard.hpp"
#include "sync_guard_detail.hpp"
#include "sync_trigger.hpp"

namespace ath::argocd_sync {
using nlohmann::json;
using namespace detail;

Report SyncGuard::sync_steps(const Report& resumed, std::chrono::seconds batch_timeout, std::FILE* progress) {
  Report report;
  if (cfg_.dry_run) return report;
  for (const auto& batch : resumed.step_syncs) {
    const std::string where = batch.step > 0 ? "step " + std::to_string(batch.step) : std::string("no step");
    // Paused again meanwhile (Tilt restarted, another developer): not ours to sync any more.
    GuardState state = GuardState::from_data(
        [&] {
          json cm = HolderStore(kc_, cfg_.ns).read();
          return cm.is_object() ? cm.value("data", json::object()) : json::object();
        }(),
        cfg_.ns);
    std::vector<std::string> wait;
    std::vector<Outcome> out(batch.apps.size());
    std::vector<bool> requested(batch.apps.size(), false);
    ath::parallel_for(batch.apps.size(), kConcurrency, [&](size_t i) {
      const std::string& name = batch.apps[i];
      if (state.apps.count(name)) {
        out[i] = {"Application", name, Action::NotSynced,
                  "paused again by " + state.apps.at(name).paused_by + " before its turn (" + where + ")", true};
        return;
      }
      const SyncRequest& req = resumed.sync_requests.at(name);
      bool sent = false;
      auto plan = [&](const json& obj) {
        json ops = sync_request_ops(obj, req);
        sent = !ops.empty();
        return ops;
      };
      auto w = guarded_json_patch(kc_, applications_resource(), cfg_.ns, name, nullptr, plan, false);
      if (!w.ok()) {
        out[i] = {"Application", name, Action::Failed, "sync in " + where + ": " + w.error->describe(), false};
        return;
      }
      requested[i] = true;
      out[i] = {"Application", name, sent ? Action::SyncRequested : Action::AlreadySyncing,
                "ApplicationSet " + batch.application_set + " " + where +
                    (sent ? std::string(", prune ") + (req.prune ? "on" : "off") : std::string(", an operation was pending")),
                true};
    });
    for (size_t i = 0; i < batch.apps.size(); ++i) {
      std::fprintf(progress, "%s %s: %s (%s)\n", out[i].kind.c_str(), out[i].name.c_str(),
                   std::string(action_text(out[i].action)).c_str(),
                   out[i].detail.c_str());
      if (requested[i]) wait.push_back(batch.apps[i]);
      report.items.push_back(std::move(out[i]));
    }
    std::fflush(progress);
    if (wait.empty()) continue;
    Report w = wait_for_syncs(kc_, cfg_.ns, wait, batch_timeout, progress);
    for (auto& i : w.items) report.items.push_back(std::move(i));
  }
  return report;
}

}  // namespace ath::argocd_sync
