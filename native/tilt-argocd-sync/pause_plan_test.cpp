#include "pause_plan.hpp"

#include <doctest/doctest.h>

using namespace ath::argocd_sync;
using json = nlohmann::json;

namespace {

json app(json sync_policy) {
  json a = {{"apiVersion", "argoproj.io/v1alpha1"}, {"kind", "Application"},
            {"metadata", {{"name", "apps-web"}, {"namespace", "argocd"},
                          {"ownerReferences", {{{"apiVersion", "argoproj.io/v1alpha1"}, {"kind", "ApplicationSet"},
                                                {"name", "apps-dev"}}}}}},
            {"spec", {{"project", "default"}}}};
  if (!sync_policy.is_null()) a["spec"]["syncPolicy"] = sync_policy;
  return a;
}

json rolling_set() {
  return json::parse(R"({"metadata":{"name":"apps-dev"},"spec":{
    "ignoreApplicationDifferences":[{"jsonPointers":["/spec/source/targetRevision"]}],
    "strategy":{"type":"RollingSync","rollingSync":{"steps":[
      {"matchExpressions":[{"key":"tier","operator":"In","values":["a"]}]},
      {"matchExpressions":[{"key":"tier","operator":"In","values":["b"]}],"maxUpdate":"25%"}]}},
    "syncPolicy":{"applicationsSync":"create-update"}}})");
}

}  // namespace

TEST_CASE("record_app keeps the exact automated value or its absence") {
  auto r = record_app(app({{"automated", {{"prune", true}, {"selfHeal", false}}}}), "T", "h");
  CHECK(r.saved == json{{"automated", {{"prune", true}, {"selfHeal", false}}}});
  CHECK(r.application_sets == std::vector<std::string>{"apps-dev"});
  CHECK(record_app(app(nullptr), "T", "h").saved == json::object());
  CHECK(record_app(app({{"automated", nullptr}}), "T", "h").saved == json{{"automated", nullptr}});
}

TEST_CASE("app_pause_ops per mode, and nothing for an app already off") {
  json on = app({{"automated", {{"prune", true}, {"selfHeal", true}}}});
  CHECK(app_pause_ops(on, OffMode::RemoveAutomated) ==
        json::parse(R"([{"op":"remove","path":"/spec/syncPolicy/automated"}])"));
  CHECK(app_pause_ops(on, OffMode::EnabledFalse) ==
        json::parse(R"([{"op":"add","path":"/spec/syncPolicy/automated/enabled","value":false}])"));
  CHECK(app_pause_ops(app(nullptr), OffMode::EnabledFalse).empty());
  CHECK(app_pause_ops(app({{"automated", {{"enabled", false}}}}), OffMode::RemoveAutomated).empty());
}

TEST_CASE("decide_off_mode: flag, then CRD schema, then what the apps carry") {
  json with_enabled = json::parse(R"({"spec":{"versions":[{"name":"v1alpha1","schema":{"openAPIV3Schema":{"properties":
    {"spec":{"properties":{"syncPolicy":{"properties":{"automated":{"properties":{"prune":{},"enabled":{}}}}}}}}}}}]}})");
  json without = with_enabled;
  without["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]["properties"]["syncPolicy"]
         ["properties"]["automated"]["properties"].erase("enabled");
  json loose = json::parse(R"({"spec":{"versions":[{"name":"v1alpha1","schema":{"openAPIV3Schema":
    {"type":"object","x-kubernetes-preserve-unknown-fields":true}}}]}})");
  std::vector<json> plain = {app({{"automated", {{"prune", true}}}})};
  std::vector<json> carrying = {app(nullptr), app({{"automated", {{"enabled", true}}}})};

  CHECK(decide_off_mode("remove", with_enabled, carrying).mode == OffMode::RemoveAutomated);
  CHECK(decide_off_mode("enabled-false", without, plain).mode == OffMode::EnabledFalse);
  CHECK(decide_off_mode("auto", with_enabled, plain).mode == OffMode::EnabledFalse);
  CHECK(decide_off_mode("auto", without, carrying).mode == OffMode::RemoveAutomated);
  CHECK(decide_off_mode("auto", loose, carrying).mode == OffMode::EnabledFalse);
  CHECK(decide_off_mode("auto", loose, plain).mode == OffMode::RemoveAutomated);
  CHECK(decide_off_mode("auto", nullptr, plain).mode == OffMode::RemoveAutomated);
}

TEST_CASE("application set pause keeps existing entries and pauses every step") {
  json set = rolling_set();
  json ops = application_set_pause_ops(set);
  REQUIRE(ops.size() == 2);
  CHECK(ops[0] == json::parse(R"({"op":"add","path":"/spec/ignoreApplicationDifferences/-",
                                  "value":{"jsonPointers":["/spec/syncPolicy/automated"]}})"));
  CHECK(ops[1]["op"] == "replace");
  CHECK(ops[1]["value"].size() == 2);
  CHECK(ops[1]["value"][0]["maxUpdate"] == 0);
  CHECK(ops[1]["value"][1]["maxUpdate"] == 0);
  CHECK(ops[1]["value"][1]["matchExpressions"] == set["spec"]["strategy"]["rollingSync"]["steps"][1]["matchExpressions"]);
  CHECK_FALSE(application_set_paused(set));

  json paused = set;
  paused["spec"]["ignoreApplicationDifferences"].push_back(pause_ignore_entry());
  paused["spec"]["strategy"]["rollingSync"]["steps"] = ops[1]["value"];
  CHECK(application_set_paused(paused));
  CHECK(application_set_pause_ops(paused).empty());  // idempotent

  json plain = {{"metadata", {{"name", "s"}}}, {"spec", {{"template", json::object()}}}};
  CHECK(application_set_pause_ops(plain) ==
        json::parse(R"([{"op":"add","path":"/spec/ignoreApplicationDifferences",
                         "value":[{"jsonPointers":["/spec/syncPolicy/automated"]}]}])"));
}

TEST_CASE("an entry scoped to one app name does not cover the whole set") {
  json set = {{"spec", {{"ignoreApplicationDifferences",
                         {{{"name", "x"}, {"jsonPointers", {"/spec/syncPolicy/automated"}}}}}}}};
  CHECK_FALSE(ignores_automated(set));
  set["spec"]["ignoreApplicationDifferences"].push_back({{"jsonPointers", {"/spec/syncPolicy"}}});
  CHECK(ignores_automated(set));
}

TEST_CASE("record_application_set saves only the fields that exist") {
  auto r = record_application_set(rolling_set(), "T", "h");
  CHECK(r.saved.size() == 2);
  CHECK(r.fields == std::vector<std::string>{"ignoreApplicationDifferences", "strategy"});
  CHECK_FALSE(r.saved.contains("applicationsSync"));  // pause never changes it, so never writes it back
  json bare = {{"spec", json::object()}};
  CHECK(record_application_set(bare, "T", "h").saved == json::object());
}

// argo-cd v3.3.14 applicationset/controllers/applicationset_controller.go:1321-1339 (same at
// v2.14.0 :1172-1190): intstr scaling, then any string other than "0%" counts as at least 1.
TEST_CASE("maxUpdate blocks a step exactly as applicationset_controller.go:1328 reads it") {
  auto step = [](json m) { return json{{"matchExpressions", json::array()}, {"maxUpdate", m}}; };
  CHECK(max_update_blocks(step(0)));
  CHECK(max_update_blocks(step(-1)));
  CHECK(max_update_blocks(step("0%")));
  CHECK_FALSE(max_update_blocks(step("0")));    // no %: does not parse, counts as 1 (issue 13, point 3)
  CHECK_FALSE(max_update_blocks(step("00%")));  // scales to 0, but only "0%" itself is let through as 0
  CHECK_FALSE(max_update_blocks(step("abc")));
  CHECK_FALSE(max_update_blocks(step(1)));
  CHECK_FALSE(max_update_blocks(step("25%")));
  CHECK_FALSE(max_update_blocks(json{{"matchExpressions", json::array()}}));  // unset: no limit
  // A step at "0" is therefore not paused: pause writes 0 over it.
  json set = json::parse(R"({"spec":{"ignoreApplicationDifferences":[{"jsonPointers":["/spec/syncPolicy/automated"]}],
    "strategy":{"type":"RollingSync","rollingSync":{"steps":[{"matchExpressions":[],"maxUpdate":"0"}]}}}})");
  CHECK_FALSE(application_set_paused(set));
  json ops = application_set_pause_ops(set);
  REQUIRE(ops.size() == 1);
  CHECK(ops[0]["value"][0]["maxUpdate"] == 0);
}

// manifests/base/applicationset-controller/argocd-applicationset-controller-deployment.yaml:100
// (v2.14.0): the key feeds ARGOCD_APPLICATIONSET_CONTROLLER_ENABLE_PROGRESSIVE_SYNCS, a Go bool,
// default false.
TEST_CASE("progressive syncs are on only when argocd-cmd-params-cm says a Go true") {
  auto cm = [](std::string v) { return json{{"data", {{kProgressiveSyncsKey, v}}}}; };
  CHECK(progressive_syncs_enabled(cm("true")));
  CHECK(progressive_syncs_enabled(cm("1")));
  CHECK(progressive_syncs_enabled(cm("TRUE")));
  CHECK_FALSE(progressive_syncs_enabled(cm("false")));
  CHECK_FALSE(progressive_syncs_enabled(cm("yes")));
  CHECK_FALSE(progressive_syncs_enabled(json{{"data", json::object()}}));
  CHECK_FALSE(progressive_syncs_enabled(nullptr));
}

TEST_CASE("each new record gets its own uid") {
  json a = {{"metadata", {{"name", "a"}}}, {"spec", json::object()}};
  auto r1 = record_app(a, "T", "h"), r2 = record_app(a, "T", "h");
  CHECK(r1.uid.size() == 16);
  CHECK(r1.uid != r2.uid);
}

TEST_CASE("last_writer names the newest manager that owns the field") {
  json app = json::parse(R"({"metadata":{"managedFields":[
    {"manager":"argocd-applicationset-controller","operation":"Update","time":"2026-01-01T00:00:01Z",
     "fieldsV1":{"f:spec":{"f:syncPolicy":{"f:automated":{".":{},"f:prune":{}}}}}},
    {"manager":"kubectl-edit","operation":"Update","time":"2026-01-01T00:00:09Z",
     "fieldsV1":{"f:spec":{"f:syncPolicy":{"f:automated":{"f:selfHeal":{}}}}}},
    {"manager":"tilt","operation":"Update","time":"2026-01-01T00:00:20Z","fieldsV1":{"f:metadata":{}}}]}})");
  CHECK(last_writer(app, {"spec", "syncPolicy", "automated"}) == "kubectl-edit (Update, 2026-01-01T00:00:09Z)");
  CHECK(last_writer(app, {"spec", "source"}) == "");
  CHECK(last_writer(json::object(), {"spec"}) == "");
}

TEST_CASE("the managing Application comes from the tracking annotation, else the instance label") {
  json set = json::parse(R"({"metadata":{"name":"apps-dev","annotations":{
    "argocd.argoproj.io/tracking-id":"root:argoproj.io/ApplicationSet:argocd/apps-dev"},
    "labels":{"app.kubernetes.io/instance":"other"}}})");
  CHECK(managing_application(set, "argocd") == "root");
  set["metadata"]["annotations"]["argocd.argoproj.io/tracking-id"] = "team_root:argoproj.io/ApplicationSet:argocd/apps-dev";
  CHECK(managing_application(set, "argocd") == "");
  CHECK(managing_application(set, "team") == "root");
  set["metadata"].erase("annotations");
  CHECK(managing_application(set, "argocd") == "other");
  CHECK(managing_application(json::object(), "argocd") == "");
}

// argo-cd v3.3.0 applicationset/controllers/applicationset_controller.go:1294-1316: how many apps
// of a step may update at once (the batch size of resume's step-ordered syncs).
TEST_CASE("max_update_limit scales as the controller does and agrees with max_update_blocks") {
  auto step = [](json m) { return json{{"matchExpressions", json::array()}, {"maxUpdate", m}}; };
  CHECK_FALSE(max_update_limit(json{{"matchExpressions", json::array()}}, 4).has_value());  // no limit
  CHECK(max_update_limit(step(2), 10) == 2);
  CHECK(max_update_limit(step(0), 10) == 0);
  CHECK(max_update_limit(step(-3), 10) == -3);
  CHECK(max_update_limit(step("50%"), 5) == 2);   // rounded down
  CHECK(max_update_limit(step("50%"), 1) == 1);   // 0, raised to 1: not "0%"
  CHECK(max_update_limit(step("100%"), 7) == 7);
  CHECK(max_update_limit(step("0%"), 7) == 0);
  CHECK(max_update_limit(step("0"), 7) == 1);     // not a percentage: error, read as 0, raised to 1
  CHECK(max_update_limit(step("x%"), 7) == 1);
  CHECK(max_update_limit(step("5 %"), 7) == 1);
  for (json m : {json(0), json(-1), json(1), json(3), json("0%"), json("0"), json("00%"), json("25%"), json("abc")})
    for (long long n : {1, 2, 10}) CHECK(max_update_blocks(step(m)) == (*max_update_limit(step(m), n) <= 0));
}

// v3.3.0 applicationset_controller.go:987-1056: every expression must select the app; a missing
// label fails only `In`; other operators never match; the first selecting step wins.
TEST_CASE("rolling_step_of selects steps as buildAppDependencyList does") {
  json steps = json::parse(R"([
    {"matchExpressions":[{"key":"tier","operator":"In","values":["backend"]}]},
    {"matchExpressions":[{"key":"tier","operator":"NotIn","values":["backend"]},{"key":"env","operator":"In","values":["dev"]}]},
    {"matchExpressions":[{"key":"tier","operator":"Exists"}]},
    {"matchExpressions":[{"key":"zone","operator":"NotIn","values":["eu"]}]}])");
  auto labelled = [](json labels) { return json{{"metadata", {{"name", "a"}, {"labels", labels}}}}; };
  CHECK(rolling_step_of(labelled({{"tier", "backend"}}), steps) == 0);
  CHECK(rolling_step_of(labelled({{"tier", "frontend"}, {"env", "dev"}}), steps) == 1);
  CHECK(rolling_step_of(labelled({{"tier", "frontend"}}), steps) == 3);  // missing env fails In; zone NotIn passes
  CHECK(rolling_step_of(labelled({{"tier", "frontend"}, {"zone", "eu"}}), steps) == -1);
  // no labels: a missing key fails only `In`, so even the Exists step selects it (as in Go)
  CHECK(rolling_step_of(json{{"metadata", {{"name", "a"}}}}, steps) == 2);
  CHECK(rolling_step_of(labelled({{"tier", "backend"}}), json::array()) == -1);
}

TEST_CASE("operation_in_flight: a pending operation or a Running/Terminating one") {
  CHECK_FALSE(operation_in_flight(app(nullptr)));
  json a = app(nullptr);
  a["operation"] = nullptr;
  CHECK_FALSE(operation_in_flight(a));
  a["operation"] = {{"sync", json::object()}};
  CHECK(operation_in_flight(a));
  a.erase("operation");
  for (const char* phase : {"Running", "Terminating"}) {
    a["status"]["operationState"]["phase"] = phase;
    CHECK(operation_in_flight(a));
  }
  for (const char* phase : {"Succeeded", "Failed", "Error"}) {
    a["status"]["operationState"]["phase"] = phase;
    CHECK_FALSE(operation_in_flight(a));
  }
}

TEST_CASE("policy_self_heals only while automated is on") {
  CHECK(policy_self_heals({{"selfHeal", true}}));
  CHECK(policy_self_heals({{"selfHeal", true}, {"enabled", true}}));
  CHECK_FALSE(policy_self_heals({{"selfHeal", true}, {"enabled", false}}));
  CHECK_FALSE(policy_self_heals({{"prune", true}}));
  CHECK_FALSE(policy_self_heals(nullptr));
}
