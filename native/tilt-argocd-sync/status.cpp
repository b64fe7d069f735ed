#include "status.hpp"

#include <mutex>

#include "argocd_api.hpp"
#include "core/parallel.hpp"
#include "holder_store.hpp"
#include "pause_plan.hpp"
#include "sync_guard.hpp"

namespace ath::argocd_sync {
using nlohmann::json;

json build_status(ath::KubeClient& kc, const std::string& ns, const std::string& journal_path, const Liveness& live,
                  int& exit_code) {
  Journal journal = load_journal(journal_path);
  json cm = HolderStore(kc, ns).read();
  GuardState state = GuardState::from_data(cm.is_object() ? cm.value("data", json::object()) : json::object(), ns);

  std::map<std::string, const AppRecord*> apps;
  for (const auto& [n, r] : journal.apps) apps[n] = &r;
  for (const auto& [n, r] : state.apps) apps[n] = &r;  // the shared record wins
  std::map<std::string, const AppSetRecord*> sets;
  for (const auto& [n, r] : journal.application_sets) sets[n] = &r;
  for (const auto& [n, r] : state.application_sets) sets[n] = &r;

  std::vector<std::pair<bool, std::string>> targets;
  for (const auto& [n, _] : apps) targets.emplace_back(true, n);
  for (const auto& [n, _] : sets) targets.emplace_back(false, n);
  std::map<std::string, ath::Result<json>> got_apps, got_sets;
  std::mutex m;
  ath::parallel_for(targets.size(), 32, [&](size_t i) {
    auto [is_app, name] = targets[i];
    auto r = kc.get(is_app ? applications_resource() : application_sets_resource(), ns, name);
    std::lock_guard lock(m);
    (is_app ? got_apps : got_sets)[name] = std::move(r);
  });

  json out = {{"namespace", ns}, {"holders", json::array()}, {"applications", json::array()},
              {"applicationSets", json::array()}};
  for (const auto& [id, h] : state.holders) {
    json j = h.to_json();
    j["live"] = holder_live(h, live);
    out["holders"].push_back(j);
  }
  exit_code = 0;
  for (const auto& [name, rec] : apps) {
    json holders = json::array();
    bool any_live = false;
    for (const auto& id : holders_of(state, name)) {
      bool l = holder_live(state.holders.at(id), live);
      any_live |= l;
      holders.push_back({{"id", id}, {"live", l}});
    }
    const auto& g = got_apps[name];
    json item = {{"name", name}, {"pausedAt", rec->paused_at}, {"pausedBy", rec->paused_by}, {"saved", rec->saved},
                 {"holders", holders}, {"recordIn", json::array()}};
    if (state.apps.count(name)) item["recordIn"].push_back("cluster");
    if (journal.apps.count(name)) item["recordIn"].push_back("journal");
    if (!g.ok()) {
      item["state"] = "unreadable: " + g.error->describe();
      item["matches"] = false;
    } else {
      bool on = app_auto_sync_on(g.value);
      item["autoSyncOn"] = on;
      item["matches"] = !on;
      item["state"] = on ? "auto-sync is ON although the app is journaled as paused"
                         : (any_live ? "paused" : "paused, but no live holder: the next run resumes it");
    }
    if (!item["matches"].get<bool>()) exit_code = 1;
    out["applications"].push_back(item);
  }
  for (const auto& [name, rec] : sets) {
    const auto& g = got_sets[name];
    json item = {{"name", name}, {"pausedAt", rec->paused_at}, {"pausedBy", rec->paused_by}, {"saved", rec->saved}};
    const bool steps = std::find(rec->fields.begin(), rec->fields.end(), "strategy") != rec->fields.end();
    bool ok = g.ok() && application_set_paused(g.value, steps);
    item["matches"] = ok;
    item["state"] = !g.ok() ? "unreadable: " + g.error->describe() : ok ? "paused" : "its pause is no longer in place";
    if (!ok) exit_code = 1;
    out["applicationSets"].push_back(item);
  }
  return out;
}

int ready_status(ath::KubeClient& kc, const std::string& ns, const std::vector<std::string>& apps,
                 const Liveness& live, const std::string& user, std::string& out) {
  json cm = HolderStore(kc, ns).read();
  GuardState state = GuardState::from_data(cm.is_object() ? cm.value("data", json::object()) : json::object(), ns);
  const std::string mine = user + "@" + live.host + "/";
  std::vector<ath::Result<json>> got(apps.size());
  ath::parallel_for(apps.size(), 32, [&](size_t i) { got[i] = kc.get(applications_resource(), ns, apps[i]); });
  std::map<std::string, ath::Result<json>> sets;
  for (const auto& g : got)
    if (g.ok())
      for (const auto& p : parent_application_sets(g.value)) sets[p];
  std::vector<std::string> set_names;
  for (const auto& [n, _] : sets) set_names.push_back(n);
  std::vector<ath::Result<json>> set_got(set_names.size());
  ath::parallel_for(set_names.size(), 32,
                    [&](size_t i) { set_got[i] = kc.get(application_sets_resource(), ns, set_names[i]); });
  for (size_t i = 0; i < set_names.size(); ++i) sets[set_names[i]] = std::move(set_got[i]);

  int code = 0;
  for (size_t i = 0; i < apps.size(); ++i) {
    std::vector<std::string> why;
    bool held = false;
    for (const auto& id : holders_of(state, apps[i]))
      if (id.rfind(mine, 0) == 0 && holder_live(state.holders.at(id), live)) held = true;
    if (!held) why.push_back("not held by a live holder of " + mine.substr(0, mine.size() - 1));
    if (!got[i].ok()) {
      why.push_back("cannot read it: " + got[i].error->describe());
    } else {
      if (app_auto_sync_on(got[i].value)) why.push_back("auto-sync is still on");
      for (const auto& p : parent_application_sets(got[i].value)) {
        const auto& s = sets[p];
        if (!s.ok()) {
          if (s.error->kind != ath::KubeErrorKind::NotFound)
            why.push_back("cannot read ApplicationSet " + p + ": " + s.error->describe());
          continue;
        }
        const AppSetRecord* rec = find_ptr(state.application_sets, p);
        bool steps = rec && std::find(rec->fields.begin(), rec->fields.end(), "strategy") != rec->fields.end();
        if (!application_set_paused(s.value, steps))
          why.push_back("ApplicationSet " + p + " does not yet keep its controller off the app's auto-sync");
      }
    }
    if (why.empty()) {
      out += "Application " + apps[i] + ": ready\n";
    } else {
      code = 1;
      std::string line;
      for (const auto& w : why) line += (line.empty() ? "" : "; ") + w;
      out += "Application " + apps[i] + ": not ready (" + line + ")\n";
    }
  }
  return code;
}

std::string status_text(const json& s) {
  std::string out;
  if (s["applications"].empty() && s["applicationSets"].empty()) return "nothing is paused\n";
  for (const auto& a : s["applications"]) {
    std::string holders;
    for (const auto& h : a["holders"])
      holders += (holders.empty() ? "" : ", ") + h["id"].get<std::string>() + (h["live"].get<bool>() ? "" : " (expired)");
    out += "Application " + a["name"].get<std::string>() + ": " + a["state"].get<std::string>() + "; since " +
           a["pausedAt"].get<std::string>() + "; held by " + (holders.empty() ? "nobody" : holders) + "\n";
  }
  for (const auto& a : s["applicationSets"])
    out += "ApplicationSet " + a["name"].get<std::string>() + ": " + a["state"].get<std::string>() + "; since " +
           a["pausedAt"].get<std::string>() + "\n";
  return out;
}

}  // namespace ath::argocd_sync
