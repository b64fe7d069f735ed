#include "pause_plan.hpp"

#include "core/json_at.hpp"

namespace ath::argocd_sync {

bool is_rolling_sync(const json& appset) {
  const json* type = json_at(appset, "/spec/strategy/type");
  const json* steps = json_at(appset, "/spec/strategy/rollingSync/steps");
  return type && type->is_string() && *type == "RollingSync" && steps && steps->is_array();
}

bool max_update_blocks(const json& step) {
  if (!step.is_object() || !step.contains("maxUpdate")) return false;
  const json& m = step["maxUpdate"];
  if (m.is_number_integer()) return m.get<long long>() <= 0;
  return m.is_string() && m == "0%";
}

std::optional<long long> max_update_limit(const json& step, long long total) {
  if (!step.is_object() || !step.contains("maxUpdate") || step["maxUpdate"].is_null()) return std::nullopt;
  const json& m = step["maxUpdate"];
  if (m.is_number_integer()) return m.get<long long>();
  if (!m.is_string()) return 1;  // not an IntOrString: the API server would have refused it
  const std::string s = m.get<std::string>();
  long long val = 0;
  if (!s.empty() && s.back() == '%') {
    const std::string digits = s.substr(0, s.size() - 1);
    try {
      size_t used = 0;
      long long pct = std::stoll(digits, &used);
      if (used == digits.size() && !digits.empty() && digits[0] != ' ') val = pct * total / 100;
    } catch (const std::exception&) {
      val = 0;
    }
  }
  if (s != "0%" && val < 1) val = 1;
  return val;
}

namespace {

bool label_matches(const std::string& value, const json& expr) {
  const std::string op = expr.value("operator", "");
  if (op != "In" && op != "NotIn") return false;
  if (expr.contains("values") && expr["values"].is_array())
    for (const auto& v : expr["values"])
      if (v.is_string() && v.get<std::string>() == value) return op == "In";
  return op == "NotIn";
}

}  // namespace

int rolling_step_of(const json& app, const json& steps) {
  if (!steps.is_array()) return -1;
  const json* labels = json_at(app, "/metadata/labels");
  for (size_t i = 0; i < steps.size(); ++i) {
    const json& step = steps[i];
    bool selected = true;
    if (step.is_object() && step.contains("matchExpressions") && step["matchExpressions"].is_array())
      for (const auto& e : step["matchExpressions"]) {
        if (!e.is_object()) continue;
        const std::string key = e.value("key", "");
        if (labels && labels->is_object() && labels->contains(key) && (*labels)[key].is_string()) {
          if (!label_matches((*labels)[key].get<std::string>(), e)) {
            selected = false;
            break;
          }
        } else if (e.value("operator", "") == "In") {
          selected = false;
          break;
        }
      }
    if (selected) return static_cast<int>(i);
  }
  return -1;
}

bool operation_in_flight(const json& app) {
  if (app.is_object() && app.contains("operation") && !app["operation"].is_null()) return true;
  const json* phase = json_at(app, "/status/operationState/phase");
  return phase && phase->is_string() && (*phase == "Running" || *phase == "Terminating");
}

bool policy_self_heals(const json& automated) {
  if (!automated.is_object()) return false;
  auto enabled = automated.find("enabled");
  if (enabled != automated.end() && enabled->is_boolean() && !enabled->get<bool>()) return false;
  auto heal = automated.find("selfHeal");
  return heal != automated.end() && heal->is_boolean() && heal->get<bool>();
}

std::string managing_application(const json& appset, const std::string& ns) {
  const json* tracking = json_at(appset, "/metadata/annotations/argocd.argoproj.io~1tracking-id");
  if (tracking && tracking->is_string()) {
    std::string id = tracking->get<std::string>();
    std::string app = id.substr(0, id.find(':'));
    if (auto us = app.find('_'); us != std::string::npos) {
      if (app.substr(0, us) != ns) return "";
      app = app.substr(us + 1);
    }
    return app;
  }
  return string_at(appset, "/metadata/labels/app.kubernetes.io~1instance");
}

std::string last_writer(const json& object, const std::vector<std::string>& path) {
  const json* entries = json_at(object, "/metadata/managedFields");
  if (!entries || !entries->is_array()) return "";
  const json* best = nullptr;
  for (const auto& e : *entries) {
    if (!e.is_object() || !e.contains("fieldsV1")) continue;
    const json* node = &e["fieldsV1"];
    for (const auto& key : path) {
      auto it = node->is_object() ? node->find("f:" + key) : node->end();
      if (!node->is_object() || it == node->end()) {
        node = nullptr;
        break;
      }
      node = &*it;
    }
    if (node && (!best || e.value("time", "") >= best->value("time", ""))) best = &e;
  }
  if (!best) return "";
  return best->value("manager", "?") + " (" + best->value("operation", "?") + ", " + best->value("time", "?") + ")";
}

bool progressive_syncs_enabled(const json& cm) {
  const json* v = json_at(cm, std::string("/data/") + kProgressiveSyncsKey);
  // Parsed with strconv.ParseBool: 1, t, T, TRUE, true, True.
  if (!v || !v->is_string()) return false;
  const std::string s = v->get<std::string>();
  return s == "1" || s == "t" || s == "T" || s == "true" || s == "TRUE" || s == "True";
}

OffModeDecision decide_off_mode(const std::string& flag, const json& crd, const std::vector<json>& apps) {
  if (flag == "remove") return {OffMode::RemoveAutomated, "--auto-sync-off=remove"};
  if (flag == "enabled-false") return {OffMode::EnabledFalse, "--auto-sync-off=enabled-false"};
  if (crd.is_object() && crd.contains("spec") && crd["spec"].contains("versions")) {
    for (const auto& v : crd["spec"]["versions"]) {
      const json* automated =
          json_at(v, "/schema/openAPIV3Schema/properties/spec/properties/syncPolicy/properties/automated");
      if (!automated || !automated->contains("properties")) continue;
      if ((*automated)["properties"].contains("enabled"))
        return {OffMode::EnabledFalse, "the Application CRD (version " + v.value("name", "?") + ") has automated.enabled"};
      return {OffMode::RemoveAutomated,
              "the Application CRD (version " + v.value("name", "?") + ") has no automated.enabled"};
    }
  }
  for (const auto& app : apps) {
    const json* automated = json_at(app, kAutomatedPointer);
    if (automated && automated->is_object() && automated->contains("enabled"))
      return {OffMode::EnabledFalse, "Application " + app["metadata"].value("name", "?") +
                                         " carries automated.enabled (the CRD schema does not say)"};
  }
  return {OffMode::RemoveAutomated, "neither the CRD schema nor any Application shows automated.enabled"};
}

std::vector<std::string> parent_application_sets(const json& app) {
  std::vector<std::string> out;
  const json* refs = json_at(app, "/metadata/ownerReferences");
  if (!refs || !refs->is_array()) return out;
  for (const auto& r : *refs)
    if (r.value("kind", "") == "ApplicationSet" && r.value("apiVersion", "").rfind("argoproj.io/", 0) == 0)
      out.push_back(r.value("name", ""));
  return out;
}

AppRecord record_app(const json& app, const std::string& now, const std::string& holder) {
  AppRecord r;
  if (const json* automated = json_at(app, kAutomatedPointer)) r.saved["automated"] = *automated;
  r.paused_at = now;
  r.paused_by = holder;
  r.uid = new_record_uid();
  r.application_sets = parent_application_sets(app);
  return r;
}

AppSetRecord record_application_set(const json& appset, const std::string& now, const std::string& holder,
                                    bool touch_strategy) {
  AppSetRecord r;
  r.fields = {"ignoreApplicationDifferences"};
  if (const json* v = json_at(appset, "/spec/ignoreApplicationDifferences"))
    r.saved["ignoreApplicationDifferences"] = *v;
  if (touch_strategy) {
    r.fields.push_back("strategy");
    if (const json* v = json_at(appset, "/spec/strategy")) r.saved["strategy"] = *v;
  }
  r.paused_at = now;
  r.paused_by = holder;
  r.uid = new_record_uid();
  return r;
}

AppRecord template_record(const json& appset) {
  AppRecord r;
  if (const json* v = json_at(appset, "/spec/template/spec/syncPolicy/automated")) r.saved["automated"] = *v;
  return r;
}

json app_pause_ops(const json& app, OffMode mode) {
  json ops = json::array();
  if (!app_auto_sync_on(app)) return ops;
  if (mode == OffMode::RemoveAutomated)
    ops.push_back({{"op", "remove"}, {"path", kAutomatedPointer}});
  else  // `add` replaces an existing member, so this also overwrites enabled: null
    ops.push_back({{"op", "add"}, {"path", std::string(kAutomatedPointer) + "/enabled"}, {"value", false}});
  return ops;
}

json pause_ignore_entry() { return {{"jsonPointers", json::array({kAutomatedPointer})}}; }

bool ignores_automated(const json& appset) {
  const json* entries = json_at(appset, "/spec/ignoreApplicationDifferences");
  if (!entries || !entries->is_array()) return false;
  for (const auto& e : *entries) {
    if (!e.is_object() || e.contains("name") || !e.contains("jsonPointers") || !e["jsonPointers"].is_array()) continue;
    for (const auto& p : e["jsonPointers"]) {
      if (!p.is_string()) continue;
      std::string s = p.get<std::string>();
      if (s == "/spec/syncPolicy/automated" || s == "/spec/syncPolicy" || s == "/spec" || s == "") return true;
    }
  }
  return false;
}

json application_set_pause_ops(const json& appset, bool touch_strategy) {
  json ops = json::array();
  if (!ignores_automated(appset)) {
    const json* entries = json_at(appset, "/spec/ignoreApplicationDifferences");
    if (entries && entries->is_array())
      ops.push_back({{"op", "add"}, {"path", "/spec/ignoreApplicationDifferences/-"}, {"value", pause_ignore_entry()}});
    else
      ops.push_back({{"op", "add"}, {"path", "/spec/ignoreApplicationDifferences"},
                     {"value", json::array({pause_ignore_entry()})}});
  }
  if (touch_strategy && is_rolling_sync(appset)) {
    json steps = appset["spec"]["strategy"]["rollingSync"]["steps"];
    bool changed = false;
    for (auto& step : steps) {
      if (!step.is_object() || max_update_blocks(step)) continue;
      step["maxUpdate"] = 0;
      changed = true;
    }
    // The whole list is sent: steps have no merge key, so a partial list would drop steps.
    if (changed) ops.push_back({{"op", "replace"}, {"path", "/spec/strategy/rollingSync/steps"}, {"value", steps}});
  }
  return ops;
}

bool application_set_paused(const json& appset, bool touch_strategy) {
  if (!ignores_automated(appset)) return false;
  if (!touch_strategy || !is_rolling_sync(appset)) return true;
  for (const auto& step : appset["spec"]["strategy"]["rollingSync"]["steps"])
    if (step.is_object() && !max_update_blocks(step)) return false;
  return true;
}

}  // namespace ath::argocd_sync
