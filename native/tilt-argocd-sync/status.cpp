#include "status.hpp"

#include <mutex>

#include "argocd_api.hpp"
#include "core/parallel.hpp"
#include "holder_store.hpp"
#include "pause_plan.hpp"

namespace tas {
using nlohmann::json;

json build_status(ath::KubeClient& kc, const std::string& ns, const std::string& journal_path, const Liveness& live,
                  int& exit_code) {
  Journal journal = load_journal(journal_path);
  json cm = HolderStore(kc, ns).read();
  GuardState state = GuardState::from_data(cm.is_object() ? cm.value("data", json::object()) : json::object());

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
      bool on = auto_sync_on(g.value);
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
    bool ok = g.ok() && application_set_paused(g.value);
    item["matches"] = ok;
    item["state"] = !g.ok() ? "unreadable: " + g.error->describe() : ok ? "paused" : "its pause is no longer in place";
    if (!ok) exit_code = 1;
    out["applicationSets"].push_back(item);
  }
  return out;
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

}  // namespace tas
