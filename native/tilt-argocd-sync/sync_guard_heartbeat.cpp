// SyncGuard::heartbeat and reverify: what serve's watcher does every --heartbeat seconds.
#include <spdlog/spdlog.h>

#include <mutex>

#include "argocd_api.hpp"
#include "core/parallel.hpp"
#include "holder_store.hpp"
#include "sync_guard.hpp"
#include "sync_guard_detail.hpp"

namespace ath::argocd_sync {
using nlohmann::json;
using namespace detail;

bool SyncGuard::heartbeat() {
  bool present = true;
  const std::string id = cfg_.me.holder_id();
  HolderStore(kc_, cfg_.ns).update(
      [&](GuardState& s) {
        auto it = s.holders.find(id);
        if (it == s.holders.end()) {
          present = false;
          return false;
        }
        it->second.heartbeat = format_time(Clock::now());
        return true;
      },
      cfg_.dry_run);
  return present;
}

std::vector<std::string> SyncGuard::reverify(const std::vector<std::string>& apps) {
  std::vector<std::string> warnings;
  std::mutex m;
  auto warn = [&](const std::string& what, const json& before, const std::vector<std::string>& path) {
    std::string who = last_writer(before, path);
    std::string w = what + " was undone by " + (who.empty() ? "someone (managedFields do not say who)" : who) +
                    "; paused again";
    spdlog::warn("{}", w);
    std::lock_guard lock(m);
    warnings.push_back(w);
  };
  std::set<std::string> parents;
  std::mutex pm;
  ath::parallel_for(apps.size(), kConcurrency, [&](size_t i) {
    json before;
    auto plan = [&](const json& obj) {
      if (before.is_null()) before = obj;
      return app_pause_ops(obj, decide_off_mode(cfg_.off_mode_flag, json(), {obj}).mode);
    };
    auto w = guarded_json_patch(kc_, applications_resource(), cfg_.ns, apps[i], nullptr, plan, cfg_.dry_run);
    if (!w.ok()) {
      spdlog::warn("cannot re-check Application {}: {}", apps[i], w.error->describe());
      return;
    }
    if (w.changed) warn("the pause of Application " + apps[i], before, {"spec", "syncPolicy", "automated"});
    std::lock_guard lock(pm);
    for (const auto& p : parent_application_sets(w.object)) parents.insert(p);
  });
  GuardState state = GuardState::from_data(
      [&] {
        json cm = HolderStore(kc_, cfg_.ns).read();
        return cm.is_object() ? cm.value("data", json::object()) : json::object();
      }(),
      cfg_.ns);
  std::vector<std::string> sets(parents.begin(), parents.end());
  ath::parallel_for(sets.size(), kConcurrency, [&](size_t i) {
    const AppSetRecord* rec = find_ptr(state.application_sets, sets[i]);
    if (!rec) return;  // not paused by anyone: nothing to keep in place
    const bool steps = std::find(rec->fields.begin(), rec->fields.end(), "strategy") != rec->fields.end();
    json before;
    auto plan = [&](const json& obj) {
      if (before.is_null()) before = obj;
      return application_set_pause_ops(obj, steps);
    };
    auto w = guarded_json_patch(kc_, application_sets_resource(), cfg_.ns, sets[i], nullptr, plan, cfg_.dry_run);
    if (!w.ok()) spdlog::warn("cannot re-check ApplicationSet {}: {}", sets[i], w.error->describe());
    else if (w.changed) warn("the pause of ApplicationSet " + sets[i], before, {"spec"});
  });
  return warnings;
}

}  // namespace ath::argocd_sync
