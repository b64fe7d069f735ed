#include "sync_guard.hpp"

#include <pwd.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <mutex>

#include "argocd_api.hpp"
#include "core/cli.hpp"
#include "core/parallel.hpp"
#include "holder_store.hpp"
#include "resume_plan.hpp"

namespace tas {
using nlohmann::json;

namespace {

constexpr size_t kConcurrency = 32;

std::string join(const std::vector<std::string>& v, const char* sep = ", ") {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : sep) + s;
  return out;
}

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

int Report::exit_code() const {
  for (const auto& i : items)
    if (!i.ok) return ath::kExitFindings;
  return ath::kExitOk;
}

std::string Report::text() const {
  std::string out;
  for (const auto& i : items)
    out += i.kind + " " + i.name + ": " + i.action + (i.detail.empty() ? "" : " (" + i.detail + ")") + "\n";
  return out;
}

Liveness SyncGuard::liveness() const { return {Clock::now(), cfg_.me.host, pid_alive}; }

Report SyncGuard::pause(const std::vector<std::string>& apps) {
  Report report;
  const auto app_r = applications_resource();
  const auto set_r = application_sets_resource();
  HolderStore store(kc_, cfg_.ns);
  Journal journal = load_journal(cfg_.journal_path);  // a corrupt journal stops us before any change

  // Every read at once: the apps, the holders, the CRD (for the enabled rule), the sets.
  std::vector<ath::Result<json>> got(apps.size());
  json cm, crd;
  std::exception_ptr cm_error;
  ath::Result<std::vector<json>> sets;
  const size_t n = apps.size();
  ath::parallel_for(n + 3, kConcurrency, [&](size_t i) {
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
    } else {
      sets = kc_.list(set_r, cfg_.ns);
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

  std::vector<json> app_list;
  for (auto& [_, a] : app_objs) app_list.push_back(a);
  OffModeDecision decision = decide_off_mode(cfg_.off_mode_flag, crd, app_list);
  report.off_mode = std::string(decision.mode == OffMode::EnabledFalse ? "automated.enabled: false" : "remove automated") +
                    " because " + decision.reason;

  // First pause wins: the shared record, then this machine's journal, then the app as it is.
  GuardState shared = GuardState::from_data(cm.is_object() ? cm.value("data", json::object()) : json::object());
  const std::string now = format_time(Clock::now());
  const std::string holder = cfg_.me.holder_id();
  std::map<std::string, AppRecord> app_records;
  std::map<std::string, AppSetRecord> set_records;
  for (const auto& [name, obj] : app_objs) {
    if (auto it = shared.apps.find(name); it != shared.apps.end()) app_records[name] = it->second;
    else if (auto jt = journal.apps.find(name); jt != journal.apps.end()) app_records[name] = jt->second;
    else app_records[name] = record_app(obj, now, holder);
    for (const auto& parent : parent_application_sets(obj)) {
      if (!set_objs.count(parent)) {
        report.items.push_back({"ApplicationSet", parent, "not found", "only its app " + name + " is paused", true});
        continue;
      }
      if (set_records.count(parent)) continue;
      if (auto it = shared.application_sets.find(parent); it != shared.application_sets.end())
        set_records[parent] = it->second;
      else if (auto jt = journal.application_sets.find(parent); jt != journal.application_sets.end())
        set_records[parent] = jt->second;
      else
        set_records[parent] = record_application_set(set_objs[parent], now, holder);
    }
  }

  // 1. The journal, before the cluster changes.
  if (!cfg_.dry_run) {
    update_journal(cfg_.journal_path, [&](Journal& j) {
      bool changed = false;
      for (const auto& [name, r] : app_records) changed |= j.apps.emplace(name, r).second;
      for (const auto& [name, r] : set_records) changed |= j.application_sets.emplace(name, r).second;
      return changed;
    });
  }
  // 2. The shared holders and records.
  GuardState after = store.update(
      [&](GuardState& s) {
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

  // 3. The sets first, so that their controller neither reverts the apps nor rolls out; 4. the apps.
  std::vector<std::string> set_names;
  for (const auto& [name, _] : set_records) set_names.push_back(name);
  std::vector<Outcome> set_out(set_names.size()), app_out(apps.size());
  std::vector<json> set_after(set_names.size()), app_after(apps.size());
  ath::parallel_for(set_names.size(), kConcurrency, [&](size_t i) {
    auto w = guarded_json_patch(kc_, set_r, cfg_.ns, set_names[i], set_objs[set_names[i]],
                                application_set_pause_ops, cfg_.dry_run);
    set_after[i] = w.object;
    set_out[i] = {"ApplicationSet", set_names[i], w.ok() ? (w.changed ? "paused" : "already paused") : "failed",
                  w.ok() ? "ignoreApplicationDifferences covers automated; RollingSync steps at maxUpdate 0"
                         : w.error->describe(),
                  w.ok()};
  });
  ath::parallel_for(apps.size(), kConcurrency, [&](size_t i) {
    auto plan = [&](const json& obj) { return app_pause_ops(obj, decision.mode); };
    auto w = guarded_json_patch(kc_, app_r, cfg_.ns, apps[i], app_objs[apps[i]], plan, cfg_.dry_run);
    app_after[i] = w.object;
    app_out[i] = {"Application", apps[i], w.ok() ? (w.changed ? "paused" : "already paused") : "failed",
                  w.ok() ? "journaled " + automated_text(app_records[apps[i]].saved) : w.error->describe(), w.ok()};
  });

  // 5. Re-read and verify: a controller may have undone a write between our patch and now.
  if (!cfg_.dry_run) {
    ath::parallel_for(apps.size() + set_names.size(), kConcurrency, [&](size_t i) {
      if (i < apps.size()) {
        if (!app_out[i].ok) return;
        auto plan = [&](const json& obj) { return app_pause_ops(obj, decision.mode); };
        auto w = guarded_json_patch(kc_, app_r, cfg_.ns, apps[i], nullptr, plan, false);
        if (!w.ok() || auto_sync_on(w.object)) {
          app_out[i].ok = false;
          app_out[i].action = "failed";
          app_out[i].detail = "auto-sync is still on after pausing: " + (w.ok() ? "something re-enabled it" : w.error->describe());
        } else if (w.changed) {
          app_out[i].detail += "; re-paused after a controller reverted it";
        }
      } else {
        size_t k = i - apps.size();
        if (!set_out[k].ok) return;
        auto w = guarded_json_patch(kc_, set_r, cfg_.ns, set_names[k], nullptr, application_set_pause_ops, false);
        if (!w.ok() || !application_set_paused(w.object)) {
          set_out[k].ok = false;
          set_out[k].action = "failed";
          set_out[k].detail = w.ok() ? "the pause did not stick" : w.error->describe();
        }
      }
    });
  }
  for (auto& o : set_out) report.items.push_back(std::move(o));
  for (auto& o : app_out) report.items.push_back(std::move(o));

  // 6. Recovery: what dead or expired holders left paused (never the apps just paused).
  if (!cfg_.dry_run) {
    Orphans orphans = orphaned_records(after);
    if (!orphans.apps.empty() || !orphans.application_sets.empty()) {
      std::map<std::string, std::optional<AppRecord>> rec_apps;
      std::map<std::string, AppSetRecord> rec_sets;
      for (const auto& a : orphans.apps) rec_apps[a] = after.apps.at(a);
      for (const auto& s : orphans.application_sets) rec_sets[s] = after.application_sets.at(s);
      ResumeRequest req;
      restore(rec_apps, rec_sets, req, {}, report);
    }
  }
  return report;
}

Report SyncGuard::resume(const ResumeRequest& req) {
  Report report;
  const auto app_r = applications_resource();
  HolderStore store(kc_, cfg_.ns);
  Journal journal = load_journal(cfg_.journal_path);

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
    std::lock_guard lock(fetched_mutex);
    if (g.ok()) fetched[candidates[i]] = std::move(g.value);
  });
  if (cm_error) std::rethrow_exception(cm_error);

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
  // Apps the cluster has no record of: this machine's journal, else (named apps) the default.
  std::set<std::string> held_sets;
  for (const auto& [name, r] : state.apps)
    if (!holders_of(state, name).empty()) held_sets.insert(r.application_sets.begin(), r.application_sets.end());
  for (const auto& name : candidates) {
    if (apps.count(name)) continue;
    auto holders = holders_of(state, name);
    if (!holders.empty()) {
      report.items.push_back({"Application", name, "kept paused", "still held by " + join(holders), true});
      continue;
    }
    if (state.apps.count(name)) continue;
    if (auto jt = journal.apps.find(name); jt != journal.apps.end()) {
      apps[name] = jt->second;
      for (const auto& s : jt->second.application_sets) {
        auto st = journal.application_sets.find(s);
        if (st != journal.application_sets.end() && !state.application_sets.count(s) && !held_sets.count(s))
          sets[s] = st->second;
      }
    } else if (req.default_when_unrecorded) {
      apps[name] = std::nullopt;
    }
  }
  if (apps.empty() && sets.empty() && report.items.empty())
    report.items.push_back({"Application", "-", "nothing to resume", "no journaled or held app", true});
  restore(apps, sets, req, fetched, report);
  return report;
}

void SyncGuard::restore(const std::map<std::string, std::optional<AppRecord>>& apps,
                        const std::map<std::string, AppSetRecord>& sets, const ResumeRequest& req,
                        const std::map<std::string, json>& fetched, Report& report) {
  std::vector<std::string> app_names, set_names;
  for (const auto& [a, _] : apps) app_names.push_back(a);
  for (const auto& [s, _] : sets) set_names.push_back(s);
  std::vector<Outcome> out(app_names.size() + set_names.size());
  const std::string initiator = "tilt-argocd-sync (" + cfg_.me.holder_id() + ")";
  ath::parallel_for(out.size(), kConcurrency, [&](size_t i) {
    if (i < app_names.size()) {
      const auto& name = app_names[i];
      const auto& rec = apps.at(name);
      bool sync_sent = false;
      auto plan = [&](const json& obj) {
        json ops = app_restore_ops(obj, rec ? &*rec : nullptr);
        sync_sent = false;
        if (req.request_sync) {
          json sync = sync_request_ops(obj, initiator);
          sync_sent = !sync.empty();
          for (auto& op : sync) ops.push_back(op);
        }
        return ops;
      };
      auto it = fetched.find(name);
      auto w = guarded_json_patch(kc_, applications_resource(), cfg_.ns, name, it == fetched.end() ? json() : it->second,
                                  plan, cfg_.dry_run);
      std::string detail = rec ? "restored " + automated_text(rec->saved) : "no record: enabled automated prune+selfHeal";
      if (req.request_sync) detail += sync_sent ? "; sync requested" : "; an operation is already pending, no sync requested";
      if (!w.ok() && w.error->kind == ath::KubeErrorKind::NotFound) {
        out[i] = {"Application", name, "gone", "deleted while paused; its record is dropped", true};
      } else {
        out[i] = {"Application", name, w.ok() ? "resumed" : "failed", w.ok() ? detail : w.error->describe(), w.ok()};
      }
    } else {
      const auto& name = set_names[i - app_names.size()];
      const auto& rec = sets.at(name);
      auto plan = [&](const json& obj) { return application_set_restore_ops(obj, rec); };
      auto w = guarded_json_patch(kc_, application_sets_resource(), cfg_.ns, name, nullptr, plan, cfg_.dry_run);
      if (!w.ok() && w.error->kind == ath::KubeErrorKind::NotFound)
        out[i] = {"ApplicationSet", name, "gone", "deleted while paused; its record is dropped", true};
      else
        out[i] = {"ApplicationSet", name, w.ok() ? "resumed" : "failed",
                  w.ok() ? "strategy, applicationsSync and ignoreApplicationDifferences restored" : w.error->describe(),
                  w.ok()};
    }
  });
  if (cfg_.dry_run) {
    for (auto& o : out) report.items.push_back(std::move(o));
    return;
  }
  // Forget what was written back: this machine's journal, then the shared records (only those
  // nobody claimed meanwhile).
  std::set<std::string> done_apps, done_sets;
  for (const auto& o : out) {
    if (!o.ok) continue;
    (o.kind == "Application" ? done_apps : done_sets).insert(o.name);
  }
  update_journal(cfg_.journal_path, [&](Journal& j) {
    bool changed = false;
    for (const auto& a : done_apps) changed |= j.apps.erase(a) > 0;
    for (const auto& s : done_sets) changed |= j.application_sets.erase(s) > 0;
    return changed;
  });
  HolderStore(kc_, cfg_.ns).update(
      [&](GuardState& s) {
        Orphans still = orphaned_records(s);
        bool changed = false;
        for (const auto& a : done_apps)
          if (still.apps.count(a)) changed |= s.apps.erase(a) > 0;
        for (const auto& x : done_sets)
          if (still.application_sets.count(x)) changed |= s.application_sets.erase(x) > 0;
        return changed;
      },
      false);
  for (auto& o : out) report.items.push_back(std::move(o));
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

Report SyncGuard::recover() {
  ResumeRequest req;
  return resume(req);
}

}  // namespace tas
