// SyncGuard::pause: read everything at once, decide the records (pause_plan.hpp), journal them,
// claim them in the holders ConfigMap, then pause parent Applications, ApplicationSets and apps.
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "argocd_api.hpp"
#include "core/cli.hpp"
#include "core/parallel.hpp"
#include "holder_store.hpp"
#include "record_choice.hpp"
#include "sync_guard.hpp"
#include "sync_guard_detail.hpp"

namespace ath::argocd_sync {
using nlohmann::json;
using namespace detail;

void SyncGuard::settle_parents(const std::vector<std::string>& apps, const std::vector<size_t>& parents,
                               std::vector<Outcome>& out, OffMode mode, bool self_heal_was_on,
                               std::chrono::steady_clock::time_point paused_at) {
  // Read back: the pause is in the API server's copy (a controller may have undone it between
  // our write and now: pause it once more), and no sync of the parent is pending or running
  // (one started before the pause would still re-apply the ApplicationSet from git).
  const auto deadline = std::chrono::steady_clock::now() + kParentOperationWait;
  ath::parallel_for(parents.size(), kConcurrency, [&](size_t k) {
    const size_t i = parents[k];
    if (!out[i].ok) return;
    while (true) {
      auto plan = [&](const json& obj) { return app_pause_ops(obj, mode); };
      auto w = guarded_json_patch(kc_, applications_resource(), cfg_.ns, apps[i], nullptr, plan, false);
      if (!w.ok()) {
        spdlog::warn("cannot read back parent Application {}: {}", apps[i], w.error->describe());
        return;
      }
      if (w.changed) out[i].detail += "; re-paused after a controller reverted it";
      if (!operation_in_flight(w.object)) return;
      if (std::chrono::steady_clock::now() >= deadline) {
        spdlog::warn("parent Application {} still has a sync in flight after {} s; pausing its ApplicationSet anyway "
                     "(the heartbeat puts the pause back if that sync undoes it)",
                     apps[i], kParentOperationWait.count());
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  });
  // A reconcile of the parent that read it just before the pause still decides on the old
  // policy: argo-cd's auto-sync sets the operation without re-reading `automated`
  // (v3.2.0 util/argo/argo.go SetAppOperation; controller/appcontroller.go:2096-2230). Such a
  // decision is seen only when the ApplicationSet drifts during it, so the ApplicationSet is
  // edited once that reconcile is over.
  if (self_heal_was_on) std::this_thread::sleep_until(paused_at + kParentSettle);
}

Report SyncGuard::pause(const std::vector<std::string>& requested) {
  // A resume writing some of these objects back right now (issue 13, point 6): wait until it is
  // done, then plan again from what it wrote.
  for (int attempt = 0;; ++attempt) {
    WriteBacks busy;
    if (std::optional<Report> r = pause_once(requested, busy)) return *r;
    if (attempt + 1 >= kPauseAttempts)
      throw std::runtime_error("objects kept being written back by other runs (" + join(busy.lines) +
                               "); run pause again");
    spdlog::info("waiting for a write-back in progress: {}", join(busy.lines));
    wait_for_write_backs(busy);
  }
}

void SyncGuard::wait_for_write_backs(const WriteBacks& busy) {
  const auto deadline = std::chrono::steady_clock::now() + kRestoringTtl + std::chrono::seconds(1);
  HolderStore store(kc_, cfg_.ns);
  while (std::chrono::steady_clock::now() < deadline) {
    json cm = store.read();
    GuardState s = GuardState::from_data(cm.is_object() ? cm.value("data", json::object()) : json::object(), cfg_.ns);
    if (restores_in_progress(s, busy.apps, busy.sets, liveness(), ::getpid()).empty()) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

std::optional<Report> SyncGuard::pause_once(const std::vector<std::string>& requested, WriteBacks& busy) {
  Report report;
  std::vector<std::string> apps = requested;
  const auto app_r = applications_resource();
  const auto set_r = application_sets_resource();
  HolderStore store(kc_, cfg_.ns);
  Journal journal = load_journal(cfg_.journal_path);  // a corrupt journal stops us before any change

  // Every read at once: the apps, the holders, the CRD (for the enabled rule), the sets, and
  // whether progressive syncs are on (argocd-cmd-params-cm).
  std::vector<ath::Result<json>> got(apps.size());
  json cm, crd;
  std::exception_ptr cm_error;
  ath::Result<std::vector<json>> sets;
  ath::Result<json> params;
  const size_t n = apps.size();
  ath::parallel_for(n + 4, kConcurrency, [&](size_t i) {
    if (i < n) {
      got[i] = kc_.get(app_r, cfg_.ns, apps[i]);
    } else if (i == n) {
      try {
        cm = store.read();
      } catch (...) {
        cm_error = std::current_exception();
      }
    } else if (i == n + 1) {
      if (cfg_.off_mode_flag != "auto") return;
      auto c = kc_.get(crds_resource(), "", kApplicationCrd);
      if (c.ok()) crd = std::move(c.value);
      else spdlog::debug("cannot read CRD {}: {}", kApplicationCrd, c.error->describe());
    } else if (i == n + 2) {
      sets = kc_.list(set_r, cfg_.ns);
    } else {
      params = kc_.get(configmaps_resource(), cfg_.ns, kCmdParamsConfigMap);
    }
  });
  if (cm_error) std::rethrow_exception(cm_error);
  std::vector<std::string> missing;
  std::map<std::string, json> app_objs;
  for (size_t i = 0; i < n; ++i) {
    if (got[i].ok()) {
      app_objs[apps[i]] = got[i].value;
    } else if (got[i].error->kind == ath::KubeErrorKind::NotFound) {
      missing.push_back(apps[i]);
    } else {
      throw std::runtime_error("cannot read Application " + cfg_.ns + "/" + apps[i] + ": " +
                               got[i].error->describe() + " (nothing was changed)");
    }
  }
  if (!missing.empty())
    throw ath::UsageError("Application(s) not found in namespace " + cfg_.ns + ": " + join(missing) +
                          "; nothing was changed (check the names or --argocd-namespace)");
  if (!sets.ok())
    throw std::runtime_error("cannot list ApplicationSets in " + cfg_.ns + ": " + sets.error->describe() +
                             " (nothing was changed)");
  std::map<std::string, json> set_objs;
  for (auto& s : sets.value) set_objs[s["metadata"].value("name", "")] = s;

  // The Application that manages a parent ApplicationSet (app of apps) would, with self-heal,
  // re-apply the ApplicationSet from git and undo its pause: it is journaled and paused like
  // the apps, under the same holder, and written back exactly with them (issue 13, point 5).
  std::set<std::string> parent_apps;
  for (const auto& name : requested)
    for (const auto& set : parent_application_sets(app_objs[name])) {
      auto it = set_objs.find(set);
      if (it == set_objs.end()) continue;
      std::string parent = managing_application(it->second, cfg_.ns);
      if (parent.empty() || app_objs.count(parent)) continue;
      auto g = kc_.get(app_r, cfg_.ns, parent);
      if (!g.ok()) {
        spdlog::warn("ApplicationSet {} is managed by Application {}, which cannot be read ({}); its self-heal may "
                     "undo the pause (the heartbeat puts it back)",
                     set, parent, g.error->describe());
        continue;
      }
      app_objs[parent] = std::move(g.value);
      apps.push_back(parent);
      parent_apps.insert(parent);
    }

  std::vector<json> app_list;
  for (auto& [_, a] : app_objs) app_list.push_back(a);
  OffModeDecision decision = decide_off_mode(cfg_.off_mode_flag, crd, app_list);
  report.off_mode = std::string(decision.mode == OffMode::EnabledFalse ? "automated.enabled: false" : "remove automated") +
                    " because " + decision.reason;
  // spec.strategy only matters when the ApplicationSet controller runs progressive syncs. When
  // we cannot tell (no RBAC on argocd-cmd-params-cm), the steps are paused as well.
  bool touch_strategy = true;
  if (params.ok()) {
    touch_strategy = progressive_syncs_enabled(params.value);
  } else if (params.error->kind == ath::KubeErrorKind::NotFound) {
    touch_strategy = false;
  } else {
    spdlog::warn("cannot read ConfigMap {}/{} ({}); pausing RollingSync steps in case progressive syncs are on",
                 cfg_.ns, kCmdParamsConfigMap, params.error->describe());
  }
  spdlog::debug("progressive syncs {}", touch_strategy ? "on (or unknown)" : "off: spec.strategy is left alone");

  // Which record of each policy to keep (record_choice.hpp).
  GuardState shared = GuardState::from_data(cm.is_object() ? cm.value("data", json::object()) : json::object(), cfg_.ns);
  const std::string now = format_time(Clock::now());
  const std::string holder = cfg_.me.holder_id();
  RecordChoice chosen = choose_records(app_objs, set_objs, shared, journal, now, holder, touch_strategy);
  for (const auto& [set, app] : chosen.missing_sets)
    report.items.push_back({"ApplicationSet", set, Action::NotFound, "only its app " + app + " is paused", true});
  const auto& app_records = chosen.apps;
  const auto& set_records = chosen.application_sets;
  const auto& stale_apps = chosen.stale_apps;
  const auto& stale_sets = chosen.stale_sets;

  // A write-back in progress on any of these objects: wait for it (pause()), then plan again.
  std::vector<std::string> set_list;
  for (const auto& [name, _] : set_records) set_list.push_back(name);
  busy = {apps, set_list, restores_in_progress(shared, apps, set_list, liveness(), ::getpid())};
  if (!busy.lines.empty() && !cfg_.dry_run) return std::nullopt;

  // 1. The journal, before the cluster changes.
  if (!cfg_.dry_run) {
    update_journal(cfg_.journal_path, [&](Journal& j) {
      bool changed = false;
      for (const auto& [name, r] : app_records) {
        auto it = j.apps.find(name);
        if (it != j.apps.end() && (it->second == r || !stale_apps.count(name))) continue;
        j.apps.insert_or_assign(name, r);
        changed = true;
      }
      for (const auto& [name, r] : set_records) {
        auto it = j.application_sets.find(name);
        if (it != j.application_sets.end() && (it->second == r || !stale_sets.count(name))) continue;
        j.application_sets.insert_or_assign(name, r);
        changed = true;
      }
      return changed;
    });
  }
  // 2. The shared holders and records.
  GuardState after = store.update(
      [&](GuardState& s) {
        // The check a resume's mark relies on: this claim either came first (the resume sees it
        // and keeps its hands off) or it meets the mark and waits.
        busy.lines = restores_in_progress(s, apps, set_list, liveness(), ::getpid());
        // Written back since this pause read the objects: what it recorded from them is stale.
        auto restored_json = [](const std::map<std::string, Restored>& m, const std::string& n) {
          const Restored* r = find_ptr(m, n);
          return r ? r->to_json() : json();
        };
        for (const auto& a : apps)
          if (restored_json(s.restored_apps, a) != restored_json(shared.restored_apps, a))
            busy.lines.push_back("Application " + a + " (written back since this pause read it)");
        for (const auto& x : set_list)
          if (restored_json(s.restored_sets, x) != restored_json(shared.restored_sets, x))
            busy.lines.push_back("ApplicationSet " + x + " (written back since this pause read it)");
        if (!busy.lines.empty()) return false;
        for (const auto& id : prune_dead_holders(s, liveness())) spdlog::info("holder {} is gone or expired", id);
        for (const auto& [name, r] : app_records) s.apps.emplace(name, r);
        for (const auto& [name, r] : set_records) s.application_sets.emplace(name, r);
        Holder& h = s.holders[holder];
        h.id = holder;
        h.user = cfg_.me.user;
        h.host = cfg_.me.host;
        h.pid = cfg_.me.pid;
        h.ttl_seconds = cfg_.me.ttl_seconds;
        h.heartbeat = now;
        for (const auto& a : apps)
          if (std::find(h.apps.begin(), h.apps.end(), a) == h.apps.end()) h.apps.push_back(a);
        return true;
      },
      cfg_.dry_run, cm);
  if (!busy.lines.empty() && !cfg_.dry_run) return std::nullopt;

  // 3. Parent Applications first, and their pause settled: a self-healing parent re-applies the
  // ApplicationSet from git as soon as it drifts, so it must have stopped before the
  // ApplicationSet is edited (issue 13, point 5). 4. The sets, so that their controller neither
  // reverts the apps nor rolls out. 5. The apps.
  std::vector<std::string> set_names;
  for (const auto& [name, _] : set_records) set_names.push_back(name);
  auto set_touches_strategy = [&](const std::string& name) {
    const auto& f = set_records.at(name).fields;
    return std::find(f.begin(), f.end(), "strategy") != f.end();
  };
  std::vector<Outcome> set_out(set_names.size()), app_out(apps.size());
  std::vector<size_t> parent_idx, child_idx;
  for (size_t i = 0; i < apps.size(); ++i) (parent_apps.count(apps[i]) ? parent_idx : child_idx).push_back(i);
  std::atomic<bool> healing_parent_paused = false;
  auto pause_app = [&](size_t i) {
    auto plan = [&](const json& obj) { return app_pause_ops(obj, decision.mode); };
    auto w = guarded_json_patch(kc_, app_r, cfg_.ns, apps[i], app_objs[apps[i]], plan, cfg_.dry_run);
    app_out[i] = {"Application", apps[i], w.ok() ? (w.changed ? Action::Paused : Action::AlreadyPaused) : Action::Failed,
                  w.ok() ? "journaled " + automated_text(app_records.at(apps[i]).saved) +
                               (parent_apps.count(apps[i]) ? "; it manages a parent ApplicationSet" : "")
                         : w.error->describe(),
                  w.ok()};
    if (w.ok() && w.changed && parent_apps.count(apps[i]) && policy_self_heals(saved_automated(app_records.at(apps[i]))))
      healing_parent_paused = true;
  };
  const auto parents_paused_at = std::chrono::steady_clock::now();
  ath::parallel_for(parent_idx.size(), kConcurrency, [&](size_t k) { pause_app(parent_idx[k]); });
  if (!cfg_.dry_run && !parent_idx.empty()) settle_parents(apps, parent_idx, app_out, decision.mode, healing_parent_paused,
                   parents_paused_at);
  ath::parallel_for(set_names.size(), kConcurrency, [&](size_t i) {
    const bool steps = set_touches_strategy(set_names[i]);
    auto plan = [&](const json& obj) { return application_set_pause_ops(obj, steps); };
    auto w = guarded_json_patch(kc_, set_r, cfg_.ns, set_names[i], set_objs[set_names[i]], plan, cfg_.dry_run);
    set_out[i] = {"ApplicationSet", set_names[i], w.ok() ? (w.changed ? Action::Paused : Action::AlreadyPaused) : Action::Failed,
                  w.ok() ? std::string("ignoreApplicationDifferences covers automated") +
                               (steps ? "; RollingSync steps at maxUpdate 0" : "")
                         : w.error->describe(),
                  w.ok()};
  });
  ath::parallel_for(child_idx.size(), kConcurrency, [&](size_t k) { pause_app(child_idx[k]); });

  // 6. Re-read and verify: a controller may have undone a write between our patch and now.
  if (!cfg_.dry_run) {
    ath::parallel_for(apps.size() + set_names.size(), kConcurrency, [&](size_t i) {
      if (i < apps.size()) {
        if (!app_out[i].ok) return;
        auto plan = [&](const json& obj) { return app_pause_ops(obj, decision.mode); };
        auto w = guarded_json_patch(kc_, app_r, cfg_.ns, apps[i], nullptr, plan, false);
        if (!w.ok() || app_auto_sync_on(w.object)) {
          app_out[i].ok = false;
          app_out[i].action = Action::Failed;
          app_out[i].detail = "auto-sync is still on after pausing: " + (w.ok() ? "something re-enabled it" : w.error->describe());
        } else if (w.changed) {
          app_out[i].detail += "; re-paused after a controller reverted it";
        }
      } else {
        size_t k = i - apps.size();
        if (!set_out[k].ok) return;
        const bool steps = set_touches_strategy(set_names[k]);
        auto plan = [&](const json& obj) { return application_set_pause_ops(obj, steps); };
        auto w = guarded_json_patch(kc_, set_r, cfg_.ns, set_names[k], nullptr, plan, false);
        if (!w.ok() || !application_set_paused(w.object, steps)) {
          set_out[k].ok = false;
          set_out[k].action = Action::Failed;
          set_out[k].detail = w.ok() ? "the pause did not stick" : w.error->describe();
        }
      }
    });
  }
  for (auto& o : set_out) report.items.push_back(std::move(o));
  for (auto& o : app_out) report.items.push_back(std::move(o));

  // 7. Recovery: what dead or expired holders left paused (never the apps just paused).
  if (!cfg_.dry_run) {
    Orphans orphans = orphaned_records(after);
    if (!orphans.apps.empty() || !orphans.application_sets.empty()) {
      std::map<std::string, std::optional<AppRecord>> rec_apps;
      std::map<std::string, AppSetRecord> rec_sets;
      for (const auto& a : orphans.apps) rec_apps[a] = after.apps.at(a);
      for (const auto& s : orphans.application_sets) rec_sets[s] = after.application_sets.at(s);
      ResumeRequest req;
      claim_write_backs(rec_apps, rec_sets, report);
      restore(rec_apps, rec_sets, req, {}, {}, nullptr, report);
    }
  }
  return report;
}

}  // namespace ath::argocd_sync
