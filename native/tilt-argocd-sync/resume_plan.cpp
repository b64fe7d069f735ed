#include "resume_plan.hpp"

#include "pause_plan.hpp"

namespace tas {

namespace {

const json* at_pointer(const json& j, const json::json_pointer& p) {
  try {
    return j.contains(p) ? &j.at(p) : nullptr;
  } catch (const json::exception&) {
    return nullptr;
  }
}

const json* saved_field(const json& saved, const char* key) {
  auto it = saved.find(key);
  return it == saved.end() ? nullptr : &*it;
}

}  // namespace

json default_automated() { return {{"prune", true}, {"selfHeal", true}}; }

json restore_field_ops(const json& object, const std::string& pointer, const json* saved) {
  json ops = json::array();
  json::json_pointer p(pointer);
  const json* current = at_pointer(object, p);
  if (!saved) {
    if (current) ops.push_back({{"op", "remove"}, {"path", pointer}});
    return ops;
  }
  if (current && *current == *saved) return ops;
  // Walk up to the deepest existing parent and add the missing part as one object.
  json value = *saved;
  json::json_pointer target = p;
  while (!target.parent_pointer().empty() && !at_pointer(object, target.parent_pointer())) {
    value = json{{target.back(), value}};
    target = target.parent_pointer();
  }
  ops.push_back({{"op", "add"}, {"path", target.to_string()}, {"value", value}});
  return ops;
}

json app_restore_ops(const json& app, const AppRecord* record) {
  if (record) return restore_field_ops(app, kAutomatedPointer, saved_field(record->saved, "automated"));
  if (auto_sync_on(app)) return json::array();
  json value = default_automated();
  return restore_field_ops(app, kAutomatedPointer, &value);
}

json application_set_restore_ops(const json& appset, const AppSetRecord& record) {
  json ops = json::array();
  for (auto& op : restore_field_ops(appset, "/spec/strategy", saved_field(record.saved, "strategy"))) ops.push_back(op);
  for (auto& op : restore_field_ops(appset, "/spec/syncPolicy/applicationsSync",
                                    saved_field(record.saved, "applicationsSync")))
    ops.push_back(op);
  for (auto& op : restore_field_ops(appset, "/spec/ignoreApplicationDifferences",
                                    saved_field(record.saved, "ignoreApplicationDifferences")))
    ops.push_back(op);
  return ops;
}

bool app_matches_record(const json& app, const AppRecord& record) { return app_restore_ops(app, &record).empty(); }

json sync_operation(const std::string& initiated_by) {
  return {{"initiatedBy", {{"username", initiated_by}}},
          {"info", json::array({{{"name", "Reason"}, {"value", "tilt-argocd-sync: Tilt stopped; reconcile drift"}}})},
          {"sync", {{"prune", true}, {"syncStrategy", {{"hook", json::object()}}}}}};
}

bool can_request_sync(const json& app) { return !app.contains("operation") || app["operation"].is_null(); }

json sync_request_ops(const json& app, const std::string& initiated_by) {
  json ops = json::array();
  if (can_request_sync(app)) ops.push_back({{"op", "add"}, {"path", "/operation"}, {"value", sync_operation(initiated_by)}});
  return ops;
}

}  // namespace tas
