#include "resume_plan.hpp"

#include <doctest/doctest.h>

#include "pause_plan.hpp"

using namespace ath::argocd_sync;
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
      CHECK_FALSE(app_auto_sync_on(paused));
      // A second pause records nothing new: the caller keeps the first record; the ops are empty.
      CHECK(app_pause_ops(paused, mode).empty());
      json restored = apply_ops(paused, app_restore_ops(paused, rec));
      CHECK(restored == before);
      CHECK(app_matches_record(restored, rec));
      CHECK(app_restore_ops(restored, rec).empty());
    }
  }
}

// Issue 13, point 4: without a record, resume writes what the ApplicationSet controller would
// put back at once anyway: the template's automated, or none (not a made-up {prune, selfHeal}).
TEST_CASE("without a record, resume restores the ApplicationSet template's policy") {
  json set = json::parse(R"({"spec":{"template":{"spec":{"syncPolicy":{"automated":{"selfHeal":true}}}}}})");
  AppRecord t = template_record(set);
  CHECK(t.saved == json::parse(R"({"automated":{"selfHeal":true}})"));
  json off = app({{"syncOptions", {"X=1"}}});
  CHECK(apply_ops(off, app_restore_ops(off, t))["spec"]["syncPolicy"] ==
        json::parse(R"({"syncOptions":["X=1"],"automated":{"selfHeal":true}})"));
  CHECK_FALSE(policy_prunes(saved_automated(t)));
  json manual_set = json::parse(R"({"spec":{"template":{"spec":{"project":"default"}}}})");
  AppRecord none = template_record(manual_set);
  json on = app({{"automated", {{"prune", true}}}});
  CHECK(apply_ops(on, app_restore_ops(on, none))["spec"]["syncPolicy"] == json::object());
}

TEST_CASE("application set restore writes back what pause changed, and only that") {
  json before = json::parse(R"({"metadata":{"name":"apps-dev"},"spec":{
    "ignoreApplicationDifferences":[{"jsonPointers":["/spec/source/targetRevision"]}],
    "strategy":{"type":"RollingSync","rollingSync":{"steps":[
      {"matchExpressions":[{"key":"t","operator":"In","values":["a"]}]},
      {"matchExpressions":[{"key":"t","operator":"In","values":["b"]}],"maxUpdate":"25%"}]}},
    "syncPolicy":{"applicationsSync":"create-update"}}})");
  AppSetRecord rec = record_application_set(before, "T", "h", true);
  json paused = apply_ops(before, application_set_pause_ops(before, true));
  CHECK(application_set_paused(paused, true));
  json restored = apply_ops(paused, application_set_restore_ops(paused, rec));
  CHECK(restored == before);
  CHECK(application_set_restore_ops(restored, rec).empty());
  // An operator changes applicationsSync while paused: pause never touched it, so it stands
  // (issue 12, defect 1).
  json edited = paused;
  edited["spec"]["syncPolicy"]["applicationsSync"] = "create-only";
  CHECK(apply_ops(edited, application_set_restore_ops(edited, rec))["spec"]["syncPolicy"]["applicationsSync"] ==
        "create-only");

  // Progressive syncs off: the steps are neither paused nor recorded nor written back.
  AppSetRecord plain = record_application_set(before, "T", "h", false);
  CHECK(plain.fields == std::vector<std::string>{"ignoreApplicationDifferences"});
  json paused_plain = apply_ops(before, application_set_pause_ops(before, false));
  CHECK(paused_plain["spec"]["strategy"] == before["spec"]["strategy"]);
  CHECK(application_set_paused(paused_plain, false));
  CHECK_FALSE(application_set_paused(paused_plain, true));
  CHECK(apply_ops(paused_plain, application_set_restore_ops(paused_plain, plain)) == before);

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
  SyncRequest req{"tilt-argocd-sync", "why", false};
  json ops = sync_request_ops(a, req);
  REQUIRE(ops.size() == 1);
  CHECK(ops[0]["path"] == "/operation");
  CHECK(ops[0]["value"]["initiatedBy"]["username"] == "tilt-argocd-sync");
  CHECK(ops[0]["value"]["info"] == json::parse(R"([{"name":"Reason","value":"why"}])"));
  CHECK_FALSE(ops[0]["value"]["sync"].contains("revision"));
  a["operation"] = nullptr;
  CHECK(sync_request_ops(a, req).size() == 1);
  a["operation"] = {{"sync", json::object()}};
  CHECK(sync_request_ops(a, req).empty());
}

// argo-cd v2.14.0 controller/appcontroller.go:2096-2111 and v3.3.14 :2269-2283 (auto-sync):
// syncOptions from spec.syncPolicy, prune from automated.prune, retry from spec.syncPolicy.retry
// else {limit: 5}. server/application/application.go v2.14.0:1955-1997 (manual sync): the same
// options and retry, the hook strategy the UI sends.
TEST_CASE("the sync operation carries the app's own syncOptions and retry (appcontroller.go:2096 v2.14.0)") {
  json a = app({{"automated", {{"prune", false}, {"selfHeal", true}}},
                {"syncOptions", {"CreateNamespace=true", "ApplyOutOfSyncOnly=true"}},
                {"retry", {{"limit", 3}, {"backoff", {{"duration", "5s"}, {"factor", 2}}}}}});
  json op = sync_operation(a, {"me", "r", false});
  CHECK(op["sync"] == json::parse(R"({"prune":false,"syncOptions":["CreateNamespace=true","ApplyOutOfSyncOnly=true"],
                                      "syncStrategy":{"hook":{}}})"));
  CHECK(op["retry"] == json::parse(R"({"limit":3,"backoff":{"duration":"5s","factor":2}})"));
  // Without spec.syncPolicy.retry, auto-sync's default (appcontroller.go:2104 v2.14.0).
  json bare = app(nullptr);
  json op2 = sync_operation(bare, {"me", "r", false});
  CHECK(op2["retry"] == json{{"limit", 5}});
  CHECK_FALSE(op2["sync"].contains("syncOptions"));
  CHECK(op2["sync"]["prune"] == false);
}

TEST_CASE("prune follows the restored policy's automated.prune, or an explicit request") {
  CHECK(policy_prunes(json{{"prune", true}}));
  CHECK(policy_prunes(json{{"prune", true}, {"enabled", false}}));  // the policy, not whether it runs
  CHECK_FALSE(policy_prunes(json{{"prune", false}, {"selfHeal", true}}));
  CHECK_FALSE(policy_prunes(json{{"selfHeal", true}}));
  CHECK_FALSE(policy_prunes(nullptr));
  CHECK_FALSE(policy_prunes(json{{"prune", "true"}}));
  CHECK(sync_operation(app(nullptr), {"me", "r", true})["sync"]["prune"] == true);
}

namespace {

json labelled(const std::string& name, const std::string& tier) {
  return {{"metadata", {{"name", name}, {"labels", {{"tier", tier}}}}}};
}

json strategy(json first_max, json second_max) {
  json s = json::parse(R"({"type":"RollingSync","rollingSync":{"steps":[
    {"matchExpressions":[{"key":"tier","operator":"In","values":["backend"]}]},
    {"matchExpressions":[{"key":"tier","operator":"In","values":["frontend"]}]}]}})");
  if (!first_max.is_null()) s["rollingSync"]["steps"][0]["maxUpdate"] = first_max;
  if (!second_max.is_null()) s["rollingSync"]["steps"][1]["maxUpdate"] = second_max;
  return s;
}

std::vector<std::vector<std::string>> names(const StepSyncPlan& p) {
  std::vector<std::vector<std::string>> out;
  for (const auto& b : p.batches) out.push_back(b.apps);
  return out;
}

}  // namespace

// Issue 13: from Argo CD 3.3 nobody but resume syncs apps that are merely OutOfSync under
// RollingSync (v3.3.0 applicationset_controller.go:1180-1203), so resume does, step by step.
TEST_CASE("step syncs follow the steps, in batches of the step's own maxUpdate") {
  std::vector<json> apps = {labelled("fe1", "frontend"), labelled("be1", "backend"), labelled("fe2", "frontend"),
                            labelled("be2", "backend"), labelled("other", "ops"), labelled("be3", "backend")};
  StepSyncPlan p = plan_step_syncs("apps-dev", strategy(2, "50%"), apps);
  CHECK(names(p) == std::vector<std::vector<std::string>>{{"be1", "be2"}, {"be3"}, {"fe1"}, {"fe2"}, {"other"}});
  CHECK(p.batches[0].step == 1);
  CHECK(p.batches[2].step == 2);
  CHECK(p.batches[4].step == 0);  // in no step: after the steps
  CHECK(p.batches[0].application_set == "apps-dev");
  CHECK(p.held_back.empty());
  // No maxUpdate: the whole step at once.
  CHECK(names(plan_step_syncs("s", strategy(nullptr, nullptr), apps)) ==
        std::vector<std::vector<std::string>>{{"be1", "be2", "be3"}, {"fe1", "fe2"}, {"other"}});
}

TEST_CASE("a step whose own maxUpdate blocks holds it and every later step back") {
  std::vector<json> apps = {labelled("be1", "backend"), labelled("fe1", "frontend"), labelled("other", "ops")};
  StepSyncPlan p = plan_step_syncs("s", strategy(1, "0%"), apps);
  CHECK(names(p) == std::vector<std::vector<std::string>>{{"be1"}});
  CHECK(p.blocking_step == 2);
  CHECK(p.held_back == std::vector<std::string>{"fe1", "other"});
  // "0" is not a block (Argo reads it as 1): issue 13, point 3.
  CHECK(plan_step_syncs("s", strategy(1, "0"), apps).held_back.empty());
  // A blocking step without apps of this resume holds nothing back: its apps are not drifted.
  StepSyncPlan q = plan_step_syncs("s", strategy(0, nullptr), {labelled("fe1", "frontend")});
  CHECK(names(q) == std::vector<std::vector<std::string>>{{"fe1"}});
  CHECK(q.held_back.empty());
}
