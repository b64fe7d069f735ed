// SyncGuard::resume and recover: release the holders' claims, mark what nobody holds any more as
// being written back by this process, and write it back (resume_plan.hpp), syncs included.
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <functional>
#include <mutex>

#include "argocd_api.hpp"
#include "core/parallel.hpp"
#include "holder_store.hpp"
#include "resume_plan.hpp"
#include "sync_guard.hpp"
#include "sync_guard_detail.hpp"

namespace ath::argocd_sync {
using nlohmann::json;
using namespace detail;

namespace {

const AppRecord& record_of(const std::optional<AppRecord>& r) { return *r; }
const AppSetRecord& record_of(const AppSetRecord& r) { return r; }

}  // namespace

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

Report SyncGuard::recover() {
  ResumeRequest req;
  return resume(req);
}

}  // namespace ath::argocd_sync
