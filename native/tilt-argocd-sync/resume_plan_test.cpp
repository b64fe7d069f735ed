#include "resume_plan.hpp"

#include <doctest/doctest.h>

#include "pause_plan.hpp"

using namespace tas;
using json = nlohmann::json;

namespace {

// Applies the operations this planner emits (add/remove/replace) the way an API server does.
json apply_ops(json doc, const json& ops) { return doc.patch(ops); }

json app(json sync_policy) {
  json a = {{"metadata", {{"name", "a"}}}, {"spec", {{"project", "default"}}}};
  if (!sync_policy.is_null()) a["spec"]["syncPolicy"] = sync_policy;
  return a;
}

}  // namespace

TEST_CASE("pause then resume is an exact round trip for every automated shape") {
  std::vector<json> policies = {
      {{"automated", {{"prune", true}, {"selfHeal", true}}}, {"syncOptions", {"CreateNamespace=true"}}},
      {{"automated", {{"selfHeal", false}}}},
      {{"syncOptions", {"X=1"}}},
      {{"automated", {{"enabled", false}, {"prune", true}}}},
      {{"automated", {{"enabled", nullptr}}}},
      nullptr,
  };
  for (auto mode : {OffMode::RemoveAutomated, OffMode::EnabledFalse}) {
    for (const auto& p : policies) {
      CAPTURE(p.dump());
      json before = app(p);
      AppRecord rec = record_app(before, "T", "h");
      json paused = apply_ops(before, app_pause_ops(before, mode));
      CHECK_FALSE(auto_sync_on(paused));
      // A second pause records nothing new: the caller keeps the first record; the ops are empty.
      CHECK(app_pause_ops(paused, mode).empty());
      json restored = apply_ops(paused, app_restore_ops(paused, &rec));
      CHECK(restored == before);
      CHECK(app_matches_record(restored, rec));
      CHECK(app_restore_ops(restored, &rec).empty());
    }
  }
}

TEST_CASE("without a record, resume enables prune and selfHeal unless auto-sync is on") {
  json off = app({{"syncOptions", {"X=1"}}});
  CHECK(apply_ops(off, app_restore_ops(off, nullptr))["spec"]["syncPolicy"]["automated"] == default_automated());
  json bare = app(nullptr);
  CHECK(apply_ops(bare, app_restore_ops(bare, nullptr))["spec"]["syncPolicy"] == json{{"automated", default_automated()}});
  json disabled = app({{"automated", {{"enabled", false}, {"prune", false}}}});
  CHECK(apply_ops(disabled, app_restore_ops(disabled, nullptr))["spec"]["syncPolicy"]["automated"] == default_automated());
  json on = app({{"automated", {{"prune", false}}}});
  CHECK(app_restore_ops(on, nullptr).empty());
}

TEST_CASE("application set restore writes every journaled field back exactly") {
  json before = json::parse(R"({"metadata":{"name":"apps-dev"},"spec":{
    "ignoreApplicationDifferences":[{"jsonPointers":["/spec/source/targetRevision"]}],
    "strategy":{"type":"RollingSync","rollingSync":{"steps":[
      {"matchExpressions":[{"key":"t","operator":"In","values":["a"]}]},
      {"matchExpressions":[{"key":"t","operator":"In","values":["b"]}],"maxUpdate":"25%"}]}},
    "syncPolicy":{"applicationsSync":"create-update"}}})");
  AppSetRecord rec = record_application_set(before, "T", "h");
  json paused = apply_ops(before, application_set_pause_ops(before));
  CHECK(application_set_paused(paused));
  // Someone changes applicationsSync while paused: resume restores the journaled value.
  paused["spec"]["syncPolicy"].erase("applicationsSync");
  json restored = apply_ops(paused, application_set_restore_ops(paused, rec));
  CHECK(restored == before);
  CHECK(application_set_restore_ops(restored, rec).empty());

  json bare = {{"metadata", {{"name", "s"}}}, {"spec", {{"template", json::object()}}}};
  AppSetRecord bare_rec = record_application_set(bare, "T", "h");
  json bare_paused = apply_ops(bare, application_set_pause_ops(bare));
  CHECK(apply_ops(bare_paused, application_set_restore_ops(bare_paused, bare_rec)) == bare);
}

TEST_CASE("restore_field_ops creates missing parents") {
  json obj = {{"spec", json::object()}};
  json v = {{"prune", true}};
  json ops = restore_field_ops(obj, "/spec/syncPolicy/automated", &v);
  CHECK(ops == json::parse(R"([{"op":"add","path":"/spec/syncPolicy","value":{"automated":{"prune":true}}}])"));
  CHECK(restore_field_ops(obj, "/spec/syncPolicy/automated", nullptr).empty());
}

TEST_CASE("a sync is requested only when no operation is pending") {
  json a = app(nullptr);
  json ops = sync_request_ops(a, "tilt-argocd-sync");
  REQUIRE(ops.size() == 1);
  CHECK(ops[0]["path"] == "/operation");
  CHECK(ops[0]["value"]["sync"]["prune"] == true);
  CHECK(ops[0]["value"]["initiatedBy"]["username"] == "tilt-argocd-sync");
  CHECK_FALSE(ops[0]["value"]["sync"].contains("revision"));
  a["operation"] = nullptr;
  CHECK(sync_request_ops(a, "x").size() == 1);
  a["operation"] = {{"sync", json::object()}};
  CHECK(sync_request_ops(a, "x").empty());
}
