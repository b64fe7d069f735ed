#include "resume_plan.hpp"

#include "pause_plan.hpp"

#include <algorithm>

#include "core/json_at.hpp"

namespace ath::argocd_sync {

namespace {

const json* saved_field(const json& saved, const char* key) {
  auto it = saved.find(key);
  return it == saved.end() ? nullptr : &*it;
}

}  // namespace

json restore_field_ops(const json& object, const std::string& pointer, const json* saved) {
  json ops = json::array();
  json::json_pointer p(pointer);
  const json* current = json_at(object, p);
  if (!saved) {
    if (current) ops.push_back({{"op", "remove"}, {"path", pointer}});
    return ops;
  }
  if (current && *current == *saved) return ops;
  // Walk up to the deepest existing parent and add the missing part as one object.
  json value = *saved;
  json::json_pointer target = p;
  while (!target.parent_pointer().empty() && !json_at(object, target.parent_pointer())) {
    value = json{{target.back(), value}};
    target = target.parent_pointer();
  }
  ops.push_back({{"op", "add"}, {"path", target.to_string()}, {"value", value}});
  return ops;
}

json app_restore_ops(const json& app, const AppRecord& record) {
  return restore_field_ops(app, kAutomatedPointer, saved_field(record.saved, "automated"));
}

json application_set_restore_ops(const json& appset, const AppSetRecord& record) {
  json ops = json::array();
  for (const auto& field : record.fields) {
    std::string pointer = "/spec/" + field;
    if (field != "strategy" && field != "ignoreApplicationDifferences") continue;
    for (auto& op : restore_field_ops(appset, pointer, saved_field(record.saved, field.c_str()))) ops.push_back(op);
  }
  return ops;
}

bool app_matches_record(const json& app, const AppRecord& record) { return app_restore_ops(app, record).empty(); }

const json& saved_automated(const AppRecord& record) {
  static const json none;
  auto it = record.saved.find("automated");
  return it == record.saved.end() ? none : *it;
}

bool policy_prunes(const json& automated) {
  if (!automated.is_object()) return false;
  auto it = automated.find("prune");
  return it != automated.end() && it->is_boolean() && it->get<bool>();
}

json sync_operation(const json& app, const SyncRequest& req) {
  json sync = {{"prune", req.prune}, {"syncStrategy", {{"hook", json::object()}}}};
  json retry = {{"limit", 5}};
  if (const json* options = json_at(app, json::json_pointer("/spec/syncPolicy/syncOptions"));
      options && options->is_array() && !options->empty())
    sync["syncOptions"] = *options;
  if (const json* r = json_at(app, json::json_pointer("/spec/syncPolicy/retry")); r && r->is_object()) retry = *r;
  return {{"initiatedBy", {{"username", req.initiated_by}}},
          {"info", json::array({{{"name", "Reason"}, {"value", req.reason}}})},
          {"sync", sync},
          {"retry", retry}};
}

bool can_request_sync(const json& app) { return !app.contains("operation") || app["operation"].is_null(); }

json sync_request_ops(const json& app, const SyncRequest& req) {
  json ops = json::array();
  if (can_request_sync(app)) ops.push_back({{"op", "add"}, {"path", "/operation"}, {"value", sync_operation(app, req)}});
  return ops;
}

StepSyncPlan plan_step_syncs(const std::string& application_set, const json& strategy, const std::vector<json>& apps) {
  StepSyncPlan plan;
  const json* steps_ptr = json_at(strategy, json::json_pointer("/rollingSync/steps"));
  const json steps = steps_ptr && steps_ptr->is_array() ? *steps_ptr : json::array();
  std::vector<std::vector<std::string>> by_step(steps.size());
  std::vector<std::string> in_no_step;
  for (const auto& app : apps) {
    std::string name = app.is_object() && app.contains("metadata") ? app["metadata"].value("name", "") : "";
    if (name.empty()) continue;
    int i = rolling_step_of(app, steps);
    (i < 0 ? in_no_step : by_step[static_cast<size_t>(i)]).push_back(name);
  }
  for (size_t i = 0; i < by_step.size(); ++i) {
    if (by_step[i].empty()) continue;
    const int step = static_cast<int>(i) + 1;
    auto limit = max_update_limit(steps[i], static_cast<long long>(by_step[i].size()));
    if (limit && *limit <= 0) {
      plan.blocking_step = step;
      for (size_t k = i; k < by_step.size(); ++k)
        plan.held_back.insert(plan.held_back.end(), by_step[k].begin(), by_step[k].end());
      plan.held_back.insert(plan.held_back.end(), in_no_step.begin(), in_no_step.end());
      return plan;
    }
    const size_t size = limit ? static_cast<size_t>(*limit) : by_step[i].size();
    for (size_t k = 0; k < by_step[i].size(); k += size)
      plan.batches.push_back({application_set, step,
                              std::vector<std::string>(by_step[i].begin() + static_cast<long>(k),
                                                       by_step[i].begin() + static_cast<long>(std::min(k + size, by_step[i].size())))});
  }
  if (!in_no_step.empty()) plan.batches.push_back({application_set, 0, in_no_step});
  return plan;
}

}  // namespace ath::argocd_sync
