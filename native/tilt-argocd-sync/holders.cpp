#include "holders.hpp"

#include <algorithm>
#include <cctype>
#include <ctime>
#include <stdexcept>

#include "core/json_limits.hpp"

namespace ath::argocd_sync {

json Holder::to_json() const {
  return {{"id", id}, {"user", user}, {"host", host}, {"pid", pid},
          {"heartbeat", heartbeat}, {"ttlSeconds", ttl_seconds}, {"apps", apps}};
}

Holder Holder::from_json(const json& j) {
  Holder h;
  h.id = j.at("id").get<std::string>();
  h.user = j.value("user", "");
  h.host = j.value("host", "");
  h.pid = j.value("pid", 0);
  h.heartbeat = j.at("heartbeat").get<std::string>();
  h.ttl_seconds = j.value("ttlSeconds", 60);
  for (const auto& a : j.at("apps")) h.apps.push_back(a.get<std::string>());
  parse_time(h.heartbeat);  // validates
  return h;
}

std::string holder_key(const std::string& id) {
  std::string key = "holder.";
  for (char c : id) key += (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_') ? c : '_';
  return key;
}

json Restored::to_json() const { return {{"uids", uids}, {"at", at}, {"by", by}}; }

Restored Restored::from_json(const json& j) {
  Restored r;
  for (const auto& u : j.at("uids")) r.uids.push_back(u.get<std::string>());
  r.at = j.value("at", "");
  r.by = j.value("by", "");
  return r;
}

json Restoring::to_json() const { return {{"by", by}, {"host", host}, {"pid", pid}, {"at", at}}; }

Restoring Restoring::from_json(const json& j) {
  Restoring r;
  r.by = j.value("by", "");
  r.host = j.value("host", "");
  r.pid = j.value("pid", 0);
  r.at = j.at("at").get<std::string>();
  parse_time(r.at);  // validates
  return r;
}

json GuardState::to_data() const {
  json data = json::object();
  for (const auto& [id, h] : holders) data[holder_key(id)] = h.to_json().dump();
  for (const auto& [name, r] : apps) data["app." + name] = r.to_json().dump();
  for (const auto& [name, r] : application_sets) data["appset." + name] = r.to_json().dump();
  for (const auto& [name, r] : restored_apps) data["restored.app." + name] = r.to_json().dump();
  for (const auto& [name, r] : restored_sets) data["restored.appset." + name] = r.to_json().dump();
  for (const auto& [name, r] : restoring_apps) data["restoring.app." + name] = r.to_json().dump();
  for (const auto& [name, r] : restoring_sets) data["restoring.appset." + name] = r.to_json().dump();
  return data;
}

GuardState GuardState::from_data(const json& data, const std::string& ns) {
  GuardState s;
  if (data.is_null()) return s;
  const std::string cm = "ConfigMap " + (ns.empty() ? "" : ns + "/") + kHoldersConfigMap;
  const std::string fix = "; repair or delete that key (kubectl edit configmap " + std::string(kHoldersConfigMap) +
                          (ns.empty() ? "" : " -n " + ns) + "), nothing was changed";
  for (const auto& [key, value] : data.items()) {
    const std::string what = cm + " key '" + key + "'";
    if (!value.is_string()) throw ath::InputLimitError(what + " is not a string" + fix);
    json j = ath::parse_json_bounded(value.get_ref<const std::string&>(), what);
    try {
      if (key.rfind("holder.", 0) == 0) {
        Holder h = Holder::from_json(j);
        s.holders[h.id] = h;
      } else if (key.rfind("app.", 0) == 0) {
        s.apps[key.substr(4)] = AppRecord::from_json(j);
      } else if (key.rfind("appset.", 0) == 0) {
        s.application_sets[key.substr(7)] = AppSetRecord::from_json(j);
      } else if (key.rfind("restored.app.", 0) == 0) {
        s.restored_apps[key.substr(13)] = Restored::from_json(j);
      } else if (key.rfind("restored.appset.", 0) == 0) {
        s.restored_sets[key.substr(16)] = Restored::from_json(j);
      } else if (key.rfind("restoring.app.", 0) == 0) {
        s.restoring_apps[key.substr(14)] = Restoring::from_json(j);
      } else if (key.rfind("restoring.appset.", 0) == 0) {
        s.restoring_sets[key.substr(17)] = Restoring::from_json(j);
      }
    } catch (const std::exception& e) {
      throw ath::InputLimitError(what + " is malformed: " + e.what() + fix);
    }
  }
  return s;
}

bool superseded(const std::string& uid, const std::string& paused_at, const Restored* restored) {
  if (!restored) return false;
  if (!uid.empty() && std::find(restored->uids.begin(), restored->uids.end(), uid) != restored->uids.end()) return true;
  // RFC 3339 UTC strings of one format order as the times do.
  return !paused_at.empty() && !restored->at.empty() && paused_at < restored->at;
}

void note_restored(std::map<std::string, Restored>& restored, const std::string& name, const std::string& uid,
                   const std::string& at, const std::string& by) {
  Restored& r = restored[name];
  if (!uid.empty()) r.uids.push_back(uid);
  if (r.uids.size() > kRestoredUidsKept) r.uids.erase(r.uids.begin(), r.uids.end() - kRestoredUidsKept);
  r.at = at;
  r.by = by;
}

json data_patch(const json& before, const json& after) {
  json patch = json::object();
  for (const auto& [k, v] : after.items())
    if (!before.contains(k) || before[k] != v) patch[k] = v;
  for (const auto& [k, v] : before.items())
    if (!after.contains(k)) patch[k] = nullptr;
  return patch;
}

std::string format_time(Clock::time_point t) {
  std::time_t tt = Clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

Clock::time_point parse_time(const std::string& text) {
  std::tm tm{};
  const char* end = strptime(text.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm);
  if (!end || *end) throw std::runtime_error("malformed time '" + text + "'");
  return Clock::from_time_t(timegm(&tm));
}

namespace {

// Younger than `ttl` and, for a process on this machine, that process still runs.
bool live_since(const std::string& at, std::chrono::seconds ttl, const std::string& host, int pid,
                const Liveness& live) {
  Clock::time_point t;
  try {
    t = parse_time(at);
  } catch (const std::exception&) {
    return false;
  }
  if (live.now - t > ttl) return false;
  return !(pid > 0 && host == live.host && live.pid_alive && !live.pid_alive(pid));
}

}  // namespace

bool holder_live(const Holder& h, const Liveness& live) {
  return live_since(h.heartbeat, std::chrono::seconds(h.ttl_seconds), h.host, h.pid, live);
}

std::vector<std::string> prune_dead_holders(GuardState& state, const Liveness& live) {
  std::vector<std::string> gone;
  for (auto it = state.holders.begin(); it != state.holders.end();) {
    if (holder_live(it->second, live)) {
      ++it;
    } else {
      gone.push_back(it->first);
      it = state.holders.erase(it);
    }
  }
  return gone;
}

bool restoring_live(const Restoring& r, const Liveness& live) {
  return live_since(r.at, kRestoringTtl, r.host, r.pid, live);
}

bool restoring_mine(const Restoring& r, const std::string& host, int pid) { return r.host == host && r.pid == pid; }

std::vector<std::string> restores_in_progress(const GuardState& state, const std::vector<std::string>& apps,
                                              const std::vector<std::string>& sets, const Liveness& live, int my_pid) {
  std::vector<std::string> out;
  auto check = [&](const std::map<std::string, Restoring>& marks, const std::vector<std::string>& names,
                   const char* kind) {
    for (const auto& n : names) {
      auto it = marks.find(n);
      if (it == marks.end() || restoring_mine(it->second, live.host, my_pid) || !restoring_live(it->second, live))
        continue;
      out.push_back(std::string(kind) + " " + n + " (being written back by " + it->second.by + ")");
    }
  };
  check(state.restoring_apps, apps, "Application");
  check(state.restoring_sets, sets, "ApplicationSet");
  return out;
}

std::vector<std::string> holders_of(const GuardState& state, const std::string& app) {
  std::vector<std::string> ids;
  for (const auto& [id, h] : state.holders)
    for (const auto& a : h.apps)
      if (a == app) ids.push_back(id);
  return ids;
}

Orphans orphaned_records(const GuardState& state) {
  Orphans o;
  std::set<std::string> held_sets;
  for (const auto& [name, r] : state.apps) {
    if (holders_of(state, name).empty()) {
      o.apps.insert(name);
    } else {
      for (const auto& s : r.application_sets) held_sets.insert(s);
    }
  }
  for (const auto& [name, r] : state.application_sets)
    if (!held_sets.count(name)) o.application_sets.insert(name);
  return o;
}

void release(GuardState& state, const std::string& holder_id, const std::vector<std::string>& apps) {
  auto it = state.holders.find(holder_id);
  if (it == state.holders.end()) return;
  if (apps.empty()) {
    state.holders.erase(it);
    return;
  }
  auto& held = it->second.apps;
  std::erase_if(held, [&](const std::string& a) { return std::find(apps.begin(), apps.end(), a) != apps.end(); });
  if (held.empty()) state.holders.erase(it);
}

}  // namespace ath::argocd_sync
