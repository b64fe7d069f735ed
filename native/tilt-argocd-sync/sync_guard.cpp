#include "sync_guard.hpp"

#include <pwd.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <mutex>
#include <thread>

#include "argocd_api.hpp"
#include "core/cli.hpp"
#include "core/parallel.hpp"
#include "holder_store.hpp"
#include "resume_plan.hpp"
#include "sync_trigger.hpp"

namespace ath::argocd_sync {
using nlohmann::json;

namespace {

constexpr size_t kConcurrency = 32;

std::string join(const std::vector<std::string>& v, const char* sep = ", ") {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : sep) + s;
  return out;
}

const AppRecord& record_of(const std::optional<AppRecord>& r) { return *r; }
const AppSetRecord& record_of(const AppSetRecord& r) { return r; }

std::string automated_text(const json& saved) {
  return saved.contains("automated") ? "automated " + saved["automated"].dump() : "no automated";
}

}  // namespace

bool pid_alive(int pid) { return pid > 0 && (::kill(pid, 0) == 0 || errno == EPERM); }

std::string Identity::holder_id() const {
  return user + "@" + host + "/" + (pid > 0 ? std::to_string(pid) : std::string("pause"));
}

Identity Identity::current(int pid, int ttl_seconds) {
  Identity me;
  if (const char* u = std::getenv("USER"); u && *u) {
    me.user = u;
  } else if (const passwd* pw = ::getpwuid(::getuid())) {
    me.user = pw->pw_name;
  } else {
    me.user = "uid" + std::to_string(::getuid());
  }
  char host[256] = {0};
  ::gethostname(host, sizeof host - 1);
  me.host = host[0] ? host : "localhost";
  me.pid = pid;
  me.ttl_seconds = ttl_seconds;
  return me;
}

Liveness SyncGuard::liveness() const { return {Clock::now(), cfg_.me.host, pid_alive}; }

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

  // The shared record wins, then this machine's journal, then the app as it is. A journal copy
  // counts only while nobody has written it back since (defect 1 of issue 12) and the app is
  // still paused: an app with auto-sync on shows its own policy, newer than any local copy.
  GuardState shared = GuardState::from_data(cm.is_object() ? cm.value("data", json::object()) : json::object(), cfg_.ns);
  const std::string now = format_time(Clock::now());
  const std::string holder = cfg_.me.holder_id();
  std::map<std::string, AppRecord> app_records;
  std::map<std::string, AppSetRecord> set_records;
  std::set<std::string> stale_apps, stale_sets;
  for (const auto& [name, obj] : app_objs) {
    if (auto it = shared.apps.find(name); it != shared.apps.end()) {
      app_records[name] = it->second;
    } else if (auto jt = journal.apps.find(name); jt != journal.apps.end() &&
                                                   !superseded(jt->second.uid, jt->second.paused_at,
                                                               find_ptr(shared.restored_apps, name)) &&
                                                   !auto_sync_on(obj)) {
      app_records[name] = jt->second;
    } else {
      if (journal.apps.count(name)) stale_apps.insert(name);
      app_records[name] = record_app(obj, now, holder);
    }
    for (const auto& parent : parent_application_sets(obj)) {
      if (!set_objs.count(parent)) {
        report.items.push_back({"ApplicationSet", parent, Action::NotFound, "only its app " + name + " is paused", true});
        continue;
      }
      if (set_records.count(parent)) continue;
      if (auto it = shared.application_sets.find(parent); it != shared.application_sets.end()) {
        set_records[parent] = it->second;
      } else if (auto jt = journal.application_sets.find(parent);
                 jt != journal.application_sets.end() &&
                 !superseded(jt->second.uid, jt->second.paused_at, find_ptr(shared.restored_sets, parent)) &&
                 ignores_automated(set_objs[parent])) {
        set_records[parent] = jt->second;
      } else {
        if (journal.application_sets.count(parent)) stale_sets.insert(parent);
        set_records[parent] = record_application_set(set_objs[parent], now, holder, touch_strategy);
      }
    }
  }

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
                  w.ok() ? "journaled " + automated_text(app_records[apps[i]].saved) +
                               (parent_apps.count(apps[i]) ? "; it manages a parent ApplicationSet" : "")
                         : w.error->describe(),
                  w.ok()};
    if (w.ok() && w.changed && parent_apps.count(apps[i]) && policy_self_heals(saved_automated(app_records[apps[i]])))
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
        if (!w.ok() || auto_sync_on(w.object)) {
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

Report SyncGuard::resume(const ResumeRequest& req) {
  Report report;
  const auto app_r = applications_resource();
  HolderStore store(kc_, cfg_.ns);
  // The journal is locked (and its folder proven writable) before the first cluster write, so
  // a read-only or full disk stops the resume while nothing has changed (defect 2 of issue 12).
  std::optional<JournalLock> lock;
  Journal journal = load_journal(cfg_.journal_path);
  if (!cfg_.dry_run && !journal.empty()) {
    lock.emplace(cfg_.journal_path);
    journal = load_journal(cfg_.journal_path);  // as it is under the lock
  }

  // The apps we will likely write are read together with the holders.
  std::vector<std::string> candidates = req.apps;
  if (candidates.empty())
    for (const auto& [name, _] : journal.apps) candidates.push_back(name);
  std::map<std::string, json> fetched;
  std::mutex fetched_mutex;
  json cm;
  std::exception_ptr cm_error;
  ath::parallel_for(candidates.size() + 1, kConcurrency, [&](size_t i) {
    if (i == candidates.size()) {
      try {
        cm = store.read();
      } catch (...) {
        cm_error = std::current_exception();
      }
      return;
    }
    auto g = kc_.get(app_r, cfg_.ns, candidates[i]);
    std::lock_guard guard(fetched_mutex);
    if (g.ok()) fetched[candidates[i]] = std::move(g.value);
  });
  if (cm_error) std::rethrow_exception(cm_error);
  // Refuses a malformed or hostile ConfigMap before anything is released.
  (void)GuardState::from_data(cm.is_object() ? cm.value("data", json::object()) : json::object(), cfg_.ns);

  // Release the claims; whatever nobody holds any more is written back.
  const Liveness live = liveness();
  GuardState state = store.update(
      [&](GuardState& s) {
        bool changed = !prune_dead_holders(s, live).empty();
        std::vector<std::string> ids = req.holder_ids;
        if (req.release_own_stale)
          for (const auto& [id, h] : s.holders)
            if (h.user == cfg_.me.user && h.host == cfg_.me.host && (h.pid == 0 || !pid_alive(h.pid))) ids.push_back(id);
        for (const auto& id : ids) {
          if (!s.holders.count(id)) continue;
          release(s, id, req.apps);
          changed = true;
        }
        return changed;
      },
      cfg_.dry_run, cm);

  Orphans orphans = orphaned_records(state);
  std::map<std::string, std::optional<AppRecord>> apps;
  std::map<std::string, AppSetRecord> sets;
  for (const auto& a : orphans.apps) apps[a] = state.apps.at(a);
  for (const auto& s : orphans.application_sets) sets[s] = state.application_sets.at(s);
  // Apps the cluster has no record of: this machine's journal unless someone has written that
  // record back since; else, for an app named on the command line, its ApplicationSet's template.
  std::set<std::string> held_sets, stale_apps, stale_sets;
  for (const auto& [name, r] : state.apps)
    if (!holders_of(state, name).empty()) held_sets.insert(r.application_sets.begin(), r.application_sets.end());
  for (const auto& name : candidates) {
    if (apps.count(name)) continue;
    auto holders = holders_of(state, name);
    if (!holders.empty()) {
      report.items.push_back({"Application", name, Action::KeptPaused, "still held by " + join(holders), true});
      continue;
    }
    if (state.apps.count(name)) continue;
    auto jt = journal.apps.find(name);
    if (jt != journal.apps.end() &&
        superseded(jt->second.uid, jt->second.paused_at, find_ptr(state.restored_apps, name))) {
      const Restored& r = state.restored_apps.at(name);
      stale_apps.insert(name);
      report.items.push_back({"Application", name, Action::NotWrittenBack,
                              "its local record was already written back by " + r.by + " at " + r.at +
                                  "; the cluster's policy stands and the local record is dropped",
                              true});
      continue;
    }
    if (jt != journal.apps.end()) {
      apps[name] = jt->second;
      for (const auto& s : jt->second.application_sets) {
        auto st = journal.application_sets.find(s);
        if (st == journal.application_sets.end() || state.application_sets.count(s) || held_sets.count(s)) continue;
        if (superseded(st->second.uid, st->second.paused_at, find_ptr(state.restored_sets, s)))
          stale_sets.insert(s);
        else
          sets[s] = st->second;
      }
    } else if (req.default_when_unrecorded) {
      apps[name] = template_policy(fetched.count(name) ? fetched[name] : json());
      if (!apps[name])
        report.items.push_back({"Application", name, Action::LeftAsItIs,
                                "no record and no ApplicationSet template to restore from; turn auto-sync on "
                                "in its own spec if you want it",
                                true});
    }
  }
  std::erase_if(apps, [](const auto& kv) { return !kv.second; });
  if (apps.empty() && sets.empty() && report.items.empty())
    report.items.push_back({"Application", "-", Action::NothingToResume, "no journaled or held app", true});
  if (!cfg_.dry_run) claim_write_backs(apps, sets, report);
  restore(apps, sets, req, fetched, {stale_apps, stale_sets}, lock ? &*lock : nullptr, report);
  return report;
}

std::optional<AppRecord> SyncGuard::template_policy(const json& app) {
  if (!app.is_object()) return std::nullopt;
  for (const auto& parent : parent_application_sets(app)) {
    auto g = kc_.get(application_sets_resource(), cfg_.ns, parent);
    if (!g.ok()) {
      spdlog::warn("cannot read ApplicationSet {}/{}: {}", cfg_.ns, parent, g.error->describe());
      continue;
    }
    if (g.value.contains(json::json_pointer("/spec/templatePatch")))
      spdlog::warn("ApplicationSet {} has a templatePatch, which is not evaluated: its template's automated is used",
                   parent);
    return template_record(g.value);
  }
  return std::nullopt;
}

void SyncGuard::claim_write_backs(std::map<std::string, std::optional<AppRecord>>& apps,
                                  std::map<std::string, AppSetRecord>& sets, Report& report) {
  if (apps.empty() && sets.empty()) return;
  const auto want_apps = apps;
  const auto want_sets = sets;
  std::vector<Outcome> dropped;
  const std::string now = format_time(Clock::now());
  const Restoring mark{cfg_.me.holder_id(), cfg_.me.host, static_cast<int>(::getpid()), now};
  HolderStore(kc_, cfg_.ns).update(
      [&](GuardState& s) {
        apps = want_apps;
        sets = want_sets;
        dropped.clear();
        const Liveness live = liveness();
        std::set<std::string> held_sets;
        for (const auto& [name, r] : s.apps)
          if (!holders_of(s, name).empty()) held_sets.insert(r.application_sets.begin(), r.application_sets.end());
        auto foreign = [&](const std::map<std::string, Restoring>& marks, const std::string& name) -> std::string {
          auto it = marks.find(name);
          if (it == marks.end() || restoring_mine(it->second, cfg_.me.host, ::getpid()) ||
              !restoring_live(it->second, live))
            return "";
          return it->second.by;
        };
        auto keep_unclaimed = [&](auto& wanted, const auto& records, const std::map<std::string, Restored>& restored,
                                  const std::map<std::string, Restoring>& marks, const char* kind,
                                  const std::function<std::string(const std::string&)>& held) {
          for (auto it = wanted.begin(); it != wanted.end();) {
            const std::string name = it->first;
            const auto& rec = record_of(it->second);
            auto c = records.find(name);
            std::string why = held(name);
            if (!why.empty()) {
            } else if (c != records.end() && c->second.uid != rec.uid) {
              why = "paused again meanwhile by " + c->second.paused_by;
            } else if (c == records.end() && superseded(rec.uid, rec.paused_at, find_ptr(restored, name))) {
              why = "written back meanwhile by " + restored.at(name).by;
            } else if (std::string by = foreign(marks, name); !by.empty()) {
              why = "being written back by " + by;
            }
            if (why.empty()) {
              ++it;
              continue;
            }
            dropped.push_back({kind, name, Action::NotWrittenBack, why, true});
            it = wanted.erase(it);
          }
        };
        keep_unclaimed(apps, s.apps, s.restored_apps, s.restoring_apps, "Application", [&](const std::string& n) {
          auto h = holders_of(s, n);
          return h.empty() ? std::string() : "paused again meanwhile by " + join(h);
        });
        keep_unclaimed(sets, s.application_sets, s.restored_sets, s.restoring_sets, "ApplicationSet",
                       [&](const std::string& n) {
                         return held_sets.count(n) ? std::string("an app relying on its pause was paused again meanwhile")
                                                   : std::string();
                       });
        for (const auto& [name, _] : apps) s.restoring_apps[name] = mark;
        for (const auto& [name, _] : sets) s.restoring_sets[name] = mark;
        return !apps.empty() || !sets.empty();
      },
      false);
  for (auto& o : dropped) report.items.push_back(std::move(o));
}

void SyncGuard::restore(const std::map<std::string, std::optional<AppRecord>>& apps,
                        const std::map<std::string, AppSetRecord>& sets, const ResumeRequest& req,
                        const std::map<std::string, json>& fetched, const StaleRecords& stale, JournalLock* lock,
                        Report& report) {
  std::vector<std::string> app_names, set_names;
  for (const auto& [a, _] : apps) app_names.push_back(a);
  for (const auto& [s, _] : sets) set_names.push_back(s);
  std::vector<Outcome> out(app_names.size() + set_names.size());
  std::vector<json> written(app_names.size());
  // Under progressive syncs (strategy recorded) a RollingSync set's apps are synced after the
  // restore, in its step order (sync_steps), not all at once.
  std::set<std::string> stepped_sets;
  for (const auto& [name, r] : sets)
    if (std::find(r.fields.begin(), r.fields.end(), "strategy") != r.fields.end() && r.saved.contains("strategy") &&
        is_rolling_sync(json{{"spec", {{"strategy", r.saved["strategy"]}}}}))
      stepped_sets.insert(name);
  auto stepped_set_of = [&](const AppRecord& rec) {
    std::string stepped;
    for (const auto& s : rec.application_sets)
      if (stepped_sets.count(s)) stepped = s;
    return stepped;
  };
  std::map<std::string, SyncRequest> requests;
  std::mutex requests_mutex;

  // 1. The ApplicationSets, so that 3. the Applications managing them (app of apps) get their
  // self-heal back only once there is nothing left to re-apply from git (issue 13, point 5).
  std::set<std::string> managers;
  std::mutex managers_mutex;
  ath::parallel_for(set_names.size(), kConcurrency, [&](size_t k) {
    const auto& name = set_names[k];
    const auto& rec = sets.at(name);
    auto plan = [&](const json& obj) { return application_set_restore_ops(obj, rec); };
    auto w = guarded_json_patch(kc_, application_sets_resource(), cfg_.ns, name, nullptr, plan, cfg_.dry_run);
    Outcome& o = out[app_names.size() + k];
    if (!w.ok() && w.error->kind == ath::KubeErrorKind::NotFound)
      o = {"ApplicationSet", name, Action::Gone, "deleted while paused; its record is dropped", true};
    else
      o = {"ApplicationSet", name, w.ok() ? Action::Resumed : Action::Failed,
           w.ok() ? join(rec.fields) + " restored" : w.error->describe(), w.ok()};
    if (std::string m = w.object.is_object() ? managing_application(w.object, cfg_.ns) : ""; !m.empty()) {
      std::lock_guard guard(managers_mutex);
      managers.insert(m);
    }
  });
  auto restore_app = [&](size_t i) {
    const auto& name = app_names[i];
    const AppRecord& rec = *apps.at(name);
    const std::string stepped = stepped_set_of(rec);
    SyncRequest sync_req{"tilt-argocd-sync (" + cfg_.me.holder_id() + ")",
                         "tilt-argocd-sync: Tilt stopped; reconcile drift",
                         req.prune || policy_prunes(saved_automated(rec))};
    const bool ask_sync = req.request_sync && stepped.empty();
    bool sync_sent = false;
    auto plan = [&](const json& obj) {
      json ops = app_restore_ops(obj, rec);
      sync_sent = false;
      if (ask_sync) {
        json sync = sync_request_ops(obj, sync_req);
        sync_sent = !sync.empty();
        for (auto& op : sync) ops.push_back(op);
      }
      return ops;
    };
    auto it = fetched.find(name);
    auto w = guarded_json_patch(kc_, applications_resource(), cfg_.ns, name, it == fetched.end() ? json() : it->second,
                                plan, cfg_.dry_run);
    std::string detail = (rec.paused_by.empty() ? "restored its ApplicationSet template's " : "restored ") +
                         automated_text(rec.saved);
    if (req.request_sync && !stepped.empty())
      detail += "; synced after the restore in ApplicationSet " + stepped + "'s RollingSync step order";
    else if (req.request_sync)
      detail += sync_sent ? std::string("; sync requested (prune ") + (sync_req.prune ? "on" : "off") + ")"
                          : "; an operation is already pending, no sync requested";
    if (!w.ok() && w.error->kind == ath::KubeErrorKind::NotFound) {
      out[i] = {"Application", name, Action::Gone, "deleted while paused; its record is dropped", true};
      return;
    }
    out[i] = {"Application", name, w.ok() ? Action::Resumed : Action::Failed, w.ok() ? detail : w.error->describe(), w.ok()};
    if (w.ok() && req.request_sync && !stepped.empty()) {
      written[i] = w.object;
      std::lock_guard guard(requests_mutex);
      requests[name] = sync_req;
    }
  };
  // 2. The Applications, then 3. those managing a restored ApplicationSet.
  std::vector<size_t> first, last;
  for (size_t i = 0; i < app_names.size(); ++i) (managers.count(app_names[i]) ? last : first).push_back(i);
  ath::parallel_for(first.size(), kConcurrency, [&](size_t k) { restore_app(first[k]); });
  ath::parallel_for(last.size(), kConcurrency, [&](size_t k) { restore_app(last[k]); });

  // 4. The step order of the syncs each stepped set's apps get after this restore.
  for (const auto& set : stepped_sets) {
    std::vector<json> members;
    for (size_t i = 0; i < app_names.size(); ++i)
      if (written[i].is_object() && stepped_set_of(*apps.at(app_names[i])) == set) members.push_back(written[i]);
    if (members.empty()) continue;
    StepSyncPlan plan = plan_step_syncs(set, sets.at(set).saved["strategy"], members);
    for (auto& b : plan.batches) {
      for (const auto& a : b.apps) report.sync_requests[a] = requests.at(a);
      report.step_syncs.push_back(std::move(b));
    }
    for (const auto& a : plan.held_back) {
      auto i = static_cast<size_t>(std::find(app_names.begin(), app_names.end(), a) - app_names.begin());
      out[i].detail += "; not synced: step " + std::to_string(plan.blocking_step) + " of ApplicationSet " + set +
                       " has a maxUpdate of its own that blocks it, so its controller would not roll it out either";
    }
  }
  for (auto& o : out) report.items.push_back(o);
  if (cfg_.dry_run) return;
  // Forget what was written back, first in the cluster (only records nobody claimed meanwhile;
  // each restore is noted so that any local copy of it is known to be stale), then in this
  // machine's journal. A failure here is reported per object and exits 1; the tombstones make
  // a journal that could not be cleaned harmless.
  std::set<std::string> done_apps, done_sets;
  for (const auto& o : out) {
    if (!o.ok) continue;
    (o.kind == "Application" ? done_apps : done_sets).insert(o.name);
  }
  const std::string now = format_time(Clock::now());
  const std::string me = cfg_.me.holder_id();
  try {
    HolderStore(kc_, cfg_.ns).update(
        [&](GuardState& s) {
          Orphans still = orphaned_records(s);
          bool changed = false;
          for (const auto& a : done_apps) {
            if (s.apps.count(a) && !still.apps.count(a)) continue;  // claimed again meanwhile
            note_restored(s.restored_apps, a, apps.at(a)->uid, now, me);
            s.apps.erase(a);
            changed = true;
          }
          for (const auto& x : done_sets) {
            if (s.application_sets.count(x) && !still.application_sets.count(x)) continue;
            note_restored(s.restored_sets, x, sets.at(x).uid, now, me);
            s.application_sets.erase(x);
            changed = true;
          }
          // This run's marks go, written back or not (a failed object keeps its record).
          auto unmark = [&](std::map<std::string, Restoring>& marks, const std::string& name) {
            auto it = marks.find(name);
            if (it == marks.end() || !restoring_mine(it->second, cfg_.me.host, ::getpid())) return;
            marks.erase(it);
            changed = true;
          };
          for (const auto& [a, _] : apps) unmark(s.restoring_apps, a);
          for (const auto& [x, _] : sets) unmark(s.restoring_sets, x);
          return changed;
        },
        false);
  } catch (const std::exception& e) {
    report.items.push_back({"ConfigMap", cfg_.ns + "/" + kHoldersConfigMap, Action::Failed,
                            std::string(e.what()) + "; the records of the objects above stay and the next run "
                                                    "writes them back again",
                            false});
  }
  try {
    auto forget = [&](Journal& j) {
      bool changed = false;
      for (const auto& a : done_apps) changed |= j.apps.erase(a) > 0;
      for (const auto& a : stale.apps) changed |= j.apps.erase(a) > 0;
      for (const auto& s : done_sets) changed |= j.application_sets.erase(s) > 0;
      for (const auto& s : stale.sets) changed |= j.application_sets.erase(s) > 0;
      return changed;
    };
    if (lock) lock->update(forget);
    else update_journal(cfg_.journal_path, forget);
  } catch (const std::exception& e) {
    report.items.push_back({"Journal", cfg_.journal_path, Action::Failed,
                            std::string(e.what()) + "; the objects above are written back and the cluster knows; "
                                                    "the next run drops these local records",
                            false});
  }
}

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

Report SyncGuard::recover() {
  ResumeRequest req;
  return resume(req);
}

}  // namespace ath::argocd_sync
