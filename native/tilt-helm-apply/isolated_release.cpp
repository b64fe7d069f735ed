#include "isolated_release.hpp"

#include <algorithm>
#include <cctype>
#include <set>

namespace ath::helm_apply {

std::string user_label_value(const std::string& user) {
  std::string v;
  for (char c : user) {
    auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u)) v += static_cast<char>(std::tolower(u));
    else if (c == '-' || c == '_' || c == '.') v += c;
    else v += '-';
  }
  if (v.size() > 63) v.resize(63);
  auto alnum = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; };
  while (!v.empty() && !alnum(v.front())) v.erase(v.begin());
  while (!v.empty() && !alnum(v.back())) v.pop_back();
  return v;
}

std::map<std::string, std::string> isolated_release_labels(const std::string& user, const std::string& argo_release) {
  return {{kManagedByLabel, kManagedByTilt},
          {kTiltUserLabel, user_label_value(user)},
          {kTiltModeLabel, "isolated"},
          {kArgoReleaseLabel, argo_release}};
}

std::string labels_flag_value(const std::map<std::string, std::string>& labels) {
  std::string out;
  for (const auto& [k, v] : labels) out += (out.empty() ? "" : ",") + k + "=" + v;
  return out;
}

std::string isolated_release_selector(const std::string& user) {
  return std::string(kManagedByLabel) + "=" + kManagedByTilt + "," + kTiltUserLabel + "=" + user_label_value(user);
}

std::vector<ArgoObject> argo_objects_in(const std::vector<json>& applications, const std::string& ns) {
  std::vector<ArgoObject> out;
  for (const auto& app : applications) {
    const std::string name = app.value("metadata", json::object()).value("name", "");
    const json resources = app.value("status", json::object()).value("resources", json::array());
    for (const auto& r : resources) {
      if (!r.is_object() || r.value("namespace", "") != ns) continue;
      const json object{{"kind", r.value("kind", "")}, {"metadata", {{"name", r.value("name", "")}, {"namespace", ns}}}};
      for (auto& id : object_identities({object}, ns)) out.push_back({std::move(id), name});
    }
  }
  return out;
}

std::optional<std::string> namespace_refusal(const std::string& release, const std::string& ns,
                                             const std::vector<std::string>& ours, const std::vector<ArgoObject>& argo) {
  std::string list;
  for (const auto& a : argo) {
    if (std::find(ours.begin(), ours.end(), a.identity) == ours.end()) continue;
    if (list.find(a.identity) != std::string::npos) continue;
    list += (list.empty() ? "" : ", ") + a.identity +
            (a.application.empty() ? " (Argo CD's own release)" : " (Application " + a.application + ")");
  }
  if (list.empty()) return std::nullopt;
  return release + ": not deployed into namespace " + ns +
         ": the chart renders the same object names as Argo CD there, so Tilt would take over " + list +
         ": " + kDistinctNamesFix;
}

std::vector<std::string> differences_beyond_name(const std::vector<json>& ours, const std::vector<json>& theirs,
                                                 const std::string& release, const std::string& argo_release,
                                                 const std::string& ns) {
  // Read Tilt's release name as Argo CD's everywhere (names, labels, references), then compare.
  std::map<std::string, std::string> by_id;
  for (const auto& o : ours) {
    std::string text = o.dump();
    for (size_t at = text.find(release); at != std::string::npos; at = text.find(release, at + argo_release.size()))
      text.replace(at, release.size(), argo_release);
    json renamed = json::parse(text);
    auto ids = object_identities({renamed}, ns);
    if (!ids.empty()) by_id[ids.front()] = renamed.dump();
  }
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (const auto& t : theirs) {
    auto ids = object_identities({t}, ns);
    if (ids.empty()) continue;
    seen.insert(ids.front());
    auto it = by_id.find(ids.front());
    if (it == by_id.end() || it->second != t.dump()) out.push_back(ids.front());
  }
  for (const auto& [id, _] : by_id)
    if (!seen.count(id)) out.push_back(id);
  return out;
}

std::optional<std::string> uninstall_refusal(const std::string& release, const std::string& ns, const json& labels,
                                             const std::string& user) {
  const auto get = [&](const char* key) {
    return labels.is_object() && labels.contains(key) && labels[key].is_string() ? labels[key].get<std::string>()
                                                                                 : std::string();
  };
  if (get(kManagedByLabel) != kManagedByTilt || get(kTiltModeLabel) != "isolated")
    return release + " in namespace " + ns + ": not uninstalled: its Helm release record is not labelled as Tilt's (" +
           kManagedByLabel + "=" + kManagedByTilt + ", " + kTiltModeLabel +
           "=isolated); tilt down only removes isolated releases Tilt installed: remove it by hand if it is yours";
  if (get(kTiltUserLabel) != user_label_value(user))
    return release + " in namespace " + ns + ": not uninstalled: it belongs to Tilt user '" + get(kTiltUserLabel) +
           "', not '" + user_label_value(user) + "'; each developer's tilt down removes only their own";
  return std::nullopt;
}

}  // namespace ath::helm_apply
