// SyncGuard against an in-memory API server (a fake Transport): the decisions that need more
// than one object (journal vs cluster records, retries, the sync operation as written).
#include "sync_guard.hpp"

#include <doctest/doctest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "argocd_api.hpp"
#include "core/fake_api_server.hpp"
#include "core/kube_client.hpp"
#include "core/test_util.hpp"
#include "resume_plan.hpp"

using namespace ath::argocd_sync;
namespace fs = std::filesystem;

namespace {

const std::string kApps = "/apis/argoproj.io/v1alpha1/namespaces/argocd/applications";
const std::string kSets = "/apis/argoproj.io/v1alpha1/namespaces/argocd/applicationsets";
const std::string kConfigMaps = "/api/v1/namespaces/argocd/configmaps";

// Objects by path, resourceVersions, JSON and merge patches with a failed `test` -> 422 with a
// generic message (as kube-apiserver 1.32 answers), and scripted failures per method+path.
class FakeApi : public ath::testing::FakeApiServer {
 protected:
  ath::HttpAnswer answer(const std::string& method, const std::string& path, bool, const std::string& body,
                         const std::string& ctype) override {
    if (method == "GET") {
      if (objects.count(path)) return ok(200, objects[path]);
      if (path == kSets) {
        json list = {{"items", json::array()}, {"metadata", json::object()}};
        for (auto& [p, o] : objects)
          if (p.rfind(kSets + "/", 0) == 0) list["items"].push_back(o);
        return ok(200, list);
      }
      return failure(404);
    }
    if (method == "POST") {
      json obj = json::parse(body);
      std::string p = path + "/" + obj["metadata"]["name"].get<std::string>();
      if (objects.count(p)) return failure(409, "AlreadyExists");
      put(p, obj);
      return ok(201, objects[p]);
    }
    if (method == "PATCH") {
      if (!objects.count(path)) return failure(404);
      json obj = objects[path];
      json patch = json::parse(body);
      try {
        if (ctype == "application/json-patch+json") {
          obj = obj.patch(patch);
        } else {
          std::string want = patch["metadata"].value("resourceVersion", "");
          if (!want.empty() && want != obj["metadata"]["resourceVersion"]) return failure(409);
          obj.merge_patch(patch);
        }
      } catch (const json::exception&) {
        return failure(422);
      }
      put(path, obj);
      return ok(200, objects[path]);
    }
    return failure(405);
  }
};

json application(const std::string& name, json sync_policy) {
  json a = {{"apiVersion", "argoproj.io/v1alpha1"}, {"kind", "Application"},
            {"metadata", {{"name", name}, {"namespace", "argocd"}}},
            {"spec", {{"project", "default"}, {"destination", {{"namespace", "apps"}}}}}};
  if (!sync_policy.is_null()) a["spec"]["syncPolicy"] = std::move(sync_policy);
  return a;
}

struct World {
  std::shared_ptr<FakeApi> api;
  ath::KubeClient kc;
  ath::testing::TempDir tmp;
  const fs::path& dir = tmp.path;
  GuardConfig cfg;
  explicit World(std::shared_ptr<FakeApi> a = std::make_shared<FakeApi>()) : api(std::move(a)), kc(api) {
    cfg.journal_path = journal_path(dir.string());
    cfg.me = Identity{"alice", "laptop", 0, 3600};
  }
  json app(const std::string& name) { return api->objects.at(kApps + "/" + name); }
  SyncGuard guard() { return SyncGuard(kc, cfg); }
};

ResumeRequest resume_all(const Identity& me) {
  ResumeRequest r;
  r.holder_ids = {me.holder_id()};
  r.release_own_stale = true;
  return r;
}

}  // namespace

TEST_CASE("conflict backoff grows exponentially with full jitter and a cap") {
  using std::chrono::milliseconds;
  CHECK(conflict_backoff(0, 0.999) < milliseconds(21));
  CHECK(conflict_backoff(3, 0.999) >= milliseconds(150));
  CHECK(conflict_backoff(3, 0.0) == milliseconds(0));
  CHECK(conflict_backoff(30, 0.999) <= milliseconds(1000));
  CHECK(conflict_backoff(5, 0.5) > conflict_backoff(2, 0.5));
}

// Issue 12, defect 9: exhausted retries on 503 were reported as "409 ... kept changing".
TEST_CASE("exhausted retries on 503 report the 503, not a conflict") {
  World w;
  w.api->put(kApps + "/a", application("a", {{"automated", {{"prune", true}}}}));
  w.api->scripted["PATCH " + kApps + "/a"] = {503, 503, 503, 503};
  auto plan = [](const json& obj) { return app_pause_ops(obj, OffMode::RemoveAutomated); };
  auto out = guarded_json_patch(w.kc, applications_resource(), "argocd", "a", nullptr, plan, false, 4);
  REQUIRE_FALSE(out.ok());
  CHECK(out.error->kind == ath::KubeErrorKind::Unavailable);
  CHECK(out.error->describe().find("503") != std::string::npos);
  CHECK(out.error->describe().find("kept changing") == std::string::npos);
  CHECK(out.error->describe().find("gave up after 4 attempts") != std::string::npos);
  // A run of lost races is still a conflict, and a later success wins.
  w.api->scripted["PATCH " + kApps + "/a"] = {409, 409, 0};
  auto ok = guarded_json_patch(w.kc, applications_resource(), "argocd", "a", nullptr, plan, false, 4);
  CHECK(ok.ok());
  CHECK_FALSE(app_auto_sync_on(w.app("a")));
}

// Issue 13, point 1: the resume sync carried prune: true and none of the app's options.
TEST_CASE("resume's sync carries the app's syncOptions and retry, and prunes only as its policy says") {
  World w;
  json policy = {{"automated", {{"prune", false}, {"selfHeal", true}}},
                 {"syncOptions", {"CreateNamespace=true", "ApplyOutOfSyncOnly=true"}}};
  w.api->put(kApps + "/apps-dev", application("apps-dev", policy));
  w.guard().pause({"apps-dev"});
  CHECK_FALSE(app_auto_sync_on(w.app("apps-dev")));
  Report r = w.guard().resume(resume_all(w.cfg.me));
  CHECK(r.exit_code() == 0);
  json a = w.app("apps-dev");
  CHECK(a["spec"]["syncPolicy"] == policy);
  CHECK(a["operation"]["sync"]["prune"] == false);
  CHECK(a["operation"]["sync"]["syncOptions"] == policy["syncOptions"]);
  CHECK(a["operation"]["retry"] == json{{"limit", 5}});
  CHECK(a["operation"]["sync"]["syncStrategy"] == json{{"hook", json::object()}});
}

TEST_CASE("an explicit --prune prunes even where the policy does not") {
  World w;
  w.api->put(kApps + "/a", application("a", {{"automated", {{"selfHeal", true}}}, {"retry", {{"limit", 2}}}}));
  w.guard().pause({"a"});
  ResumeRequest req = resume_all(w.cfg.me);
  req.prune = true;
  w.guard().resume(req);
  CHECK(w.app("a")["operation"]["sync"]["prune"] == true);
  CHECK(w.app("a")["operation"]["retry"] == json{{"limit", 2}});
}

// Issue 12, defect 1: alice's journal copy must not win once bob has written the record back.
TEST_CASE("a journal record another holder already restored never overwrites the cluster") {
  World w;
  w.api->put(kApps + "/apps-x", application("apps-x", {{"automated", {{"prune", true}, {"selfHeal", true}}}}));
  GuardConfig bob_cfg = w.cfg;
  bob_cfg.journal_path = journal_path((w.dir / "bob").string());
  bob_cfg.me = Identity{"bob", "desk", 0, 3600};
  w.guard().pause({"apps-x"});
  SyncGuard(w.kc, bob_cfg).pause({"apps-x"});
  Report alice1 = w.guard().resume(resume_all(w.cfg.me));
  CHECK(alice1.text().find("kept paused") != std::string::npos);
  SyncGuard(w.kc, bob_cfg).resume(resume_all(bob_cfg.me));
  CHECK(w.app("apps-x")["spec"]["syncPolicy"]["automated"]["prune"] == true);
  // The operator turns prune off; alice's old journal record still says prune: true.
  json a = w.app("apps-x");
  a["spec"]["syncPolicy"]["automated"] = {{"prune", false}, {"selfHeal", true}};
  a.erase("operation");
  w.api->put(kApps + "/apps-x", a);
  REQUIRE(load_journal(w.cfg.journal_path).apps.count("apps-x"));
  Report alice2 = w.guard().resume(resume_all(w.cfg.me));
  CHECK(w.app("apps-x")["spec"]["syncPolicy"]["automated"] == json{{"prune", false}, {"selfHeal", true}});
  CHECK_FALSE(w.app("apps-x").contains("operation"));
  CHECK(alice2.text().find("already written back by bob@desk/pause") != std::string::npos);
  CHECK_FALSE(load_journal(w.cfg.journal_path).apps.count("apps-x"));
}

TEST_CASE("pause then resume after a stale journal records the operator's newest policy") {
  World w;
  w.api->put(kApps + "/apps-x", application("apps-x", {{"automated", {{"prune", true}}}}));
  GuardConfig bob_cfg = w.cfg;
  bob_cfg.journal_path = journal_path((w.dir / "bob").string());
  bob_cfg.me = Identity{"bob", "desk", 0, 3600};
  w.guard().pause({"apps-x"});
  SyncGuard(w.kc, bob_cfg).pause({"apps-x"});
  w.guard().resume(resume_all(w.cfg.me));
  SyncGuard(w.kc, bob_cfg).resume(resume_all(bob_cfg.me));
  json a = w.app("apps-x");
  a["spec"]["syncPolicy"]["automated"] = {{"prune", false}};
  a.erase("operation");
  w.api->put(kApps + "/apps-x", a);
  // Before the fix this pause took alice's journal record ({prune: true}) as the truth.
  w.guard().pause({"apps-x"});
  w.guard().resume(resume_all(w.cfg.me));
  CHECK(w.app("apps-x")["spec"]["syncPolicy"]["automated"] == json{{"prune", false}});
  CHECK(w.app("apps-x")["operation"]["sync"]["prune"] == false);
}

// Issue 12, defect 3, through SyncGuard: the holders ConfigMap carries a 150,000-level record.
TEST_CASE("a hostile holders ConfigMap stops pause, resume and status with the key named") {
  World w;
  w.api->put(kApps + "/a", application("a", {{"automated", {{"prune", true}}}}));
  json cm = {{"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"metadata", {{"name", kHoldersConfigMap}}},
             {"data", {{"app.a", std::string(150000, '[') + std::string(150000, ']')}}}};
  w.api->put(kConfigMaps + "/" + kHoldersConfigMap, cm);
  CHECK_THROWS_WITH(w.guard().pause({"a"}), doctest::Contains("key 'app.a'"));
  CHECK(app_auto_sync_on(w.app("a")));  // nothing changed
  CHECK_THROWS_WITH(w.guard().resume(resume_all(w.cfg.me)), doctest::Contains("key 'app.a'"));
}

namespace {

// An app of apps: ApplicationSet apps-dev (RollingSync, backend then frontend, maxUpdate 1),
// applied by Application root (tracking annotation), generating be1, be2 (backend), fe1
// (frontend).
void app_of_apps(World& w, json root_policy, bool progressive) {
  w.api->put(kApps + "/root", application("root", root_policy));
  json set = json::parse(R"({"apiVersion":"argoproj.io/v1alpha1","kind":"ApplicationSet",
    "metadata":{"name":"apps-dev","namespace":"argocd",
      "annotations":{"argocd.argoproj.io/tracking-id":"root:argoproj.io/ApplicationSet:argocd/apps-dev"}},
    "spec":{"generators":[],"template":{"metadata":{},"spec":{}},
      "strategy":{"type":"RollingSync","rollingSync":{"steps":[
        {"matchExpressions":[{"key":"tier","operator":"In","values":["backend"]}],"maxUpdate":1},
        {"matchExpressions":[{"key":"tier","operator":"In","values":["frontend"]}]}]}}}})");
  w.api->put(kSets + "/apps-dev", set);
  for (auto [name, tier] : {std::pair{"be1", "backend"}, {"be2", "backend"}, {"fe1", "frontend"}}) {
    json a = application(name, {{"automated", {{"prune", true}}}, {"syncOptions", {"CreateNamespace=true"}}});
    a["metadata"]["labels"] = {{"tier", tier}};
    a["metadata"]["ownerReferences"] = {{{"apiVersion", "argoproj.io/v1alpha1"}, {"kind", "ApplicationSet"},
                                         {"name", "apps-dev"}, {"controller", true}}};
    w.api->put(kApps + "/" + name, a);
  }
  if (progressive)
    w.api->put(kConfigMaps + "/argocd-cmd-params-cm",
               {{"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"metadata", {{"name", "argocd-cmd-params-cm"}}},
                {"data", {{"applicationsetcontroller.enable.progressive.syncs", "true"}}}});
}

size_t first_index(const std::vector<std::string>& seen, const std::string& line) {
  return static_cast<size_t>(std::find(seen.begin(), seen.end(), line) - seen.begin());
}

// Runs each sync the moment it is requested (operation -> operationState Succeeded, Synced,
// Healthy) and records the order: a stand-in for the Application controller.
class SyncingApi : public FakeApi {
 public:
  std::vector<std::string> synced;
  ath::HttpAnswer send(const std::string& method, const std::string& target, const std::string& body,
                       const std::string& ctype) override {
    ath::HttpAnswer a = FakeApi::send(method, target, body, ctype);
    std::lock_guard lock(mutex);
    std::string path = target.substr(0, target.find('?'));
    if (method == "PATCH" && a.status == 200 && path.rfind(kApps + "/", 0) == 0 && objects[path].contains("operation") &&
        !objects[path]["operation"].is_null()) {
      json obj = objects[path];
      synced.push_back(obj["metadata"]["name"].get<std::string>());
      obj["status"] = {{"operationState", {{"phase", "Succeeded"}, {"operation", obj["operation"]}}},
                       {"sync", {{"status", "Synced"}}}, {"health", {{"status", "Healthy"}}}};
      obj.erase("operation");
      put(path, obj);
    }
    return a;
  }
};

}  // namespace

// Issue 13, point 5: a self-healing parent re-applies the ApplicationSet from git as soon as it
// drifts, so pause stops the parent (and lets it settle) before it edits the ApplicationSet,
// and resume restores the ApplicationSet before the parent's self-heal comes back.
TEST_CASE("the parent Application is paused before its ApplicationSet and restored after it") {
  World w;
  json root_policy = {{"automated", {{"prune", false}, {"selfHeal", true}}}};
  app_of_apps(w, root_policy, false);
  const auto t0 = std::chrono::steady_clock::now();
  Report p = w.guard().pause({"be1", "fe1"});
  CHECK(p.exit_code() == 0);
  CHECK(std::chrono::steady_clock::now() - t0 >= kParentSettle);  // the self-healing parent settled
  const auto& seen = w.api->log;
  size_t root_patch = first_index(seen, "PATCH " + kApps + "/root");
  size_t set_patch = first_index(seen, "PATCH " + kSets + "/apps-dev");
  size_t app_patch = first_index(seen, "PATCH " + kApps + "/be1");
  REQUIRE(set_patch < seen.size());
  CHECK(root_patch < set_patch);
  CHECK(set_patch < app_patch);
  CHECK_FALSE(app_auto_sync_on(w.app("root")));
  w.api->log.clear();
  Report r = w.guard().resume(resume_all(w.cfg.me));
  CHECK(r.exit_code() == 0);
  CHECK(first_index(w.api->log, "PATCH " + kSets + "/apps-dev") < first_index(w.api->log, "PATCH " + kApps + "/root"));
  CHECK(first_index(w.api->log, "PATCH " + kApps + "/be1") < first_index(w.api->log, "PATCH " + kApps + "/root"));
  CHECK(w.app("root")["spec"]["syncPolicy"] == root_policy);
}

TEST_CASE("a parent without self-heal is paused first but not waited for") {
  World w;
  app_of_apps(w, {{"automated", {{"prune", true}}}}, false);
  const auto t0 = std::chrono::steady_clock::now();
  CHECK(w.guard().pause({"be1"}).exit_code() == 0);
  CHECK(std::chrono::steady_clock::now() - t0 < kParentSettle);
  CHECK(first_index(w.api->log, "PATCH " + kApps + "/root") < first_index(w.api->log, "PATCH " + kSets + "/apps-dev"));
}

// Issue 13: from 3.3 the ApplicationSet controller does not sync merely OutOfSync apps, so the
// resume syncs a RollingSync set's apps itself, step by step, maxUpdate at a time.
TEST_CASE("under progressive syncs resume syncs the apps in RollingSync step order") {
  auto api = std::make_shared<SyncingApi>();
  World w(api);
  app_of_apps(w, {{"automated", {{"prune", false}}}}, true);
  CHECK(w.guard().pause({"fe1", "be2", "be1"}).exit_code() == 0);
  Report r = w.guard().resume(resume_all(w.cfg.me));
  CHECK(r.exit_code() == 0);
  // The restore itself requests no sync of the set's apps; the parent gets its own.
  CHECK(api->synced == std::vector<std::string>{"root"});
  REQUIRE(r.step_syncs.size() == 3);
  CHECK(r.step_syncs[0].apps == std::vector<std::string>{"be1"});  // step 1, maxUpdate 1
  CHECK(r.step_syncs[1].apps == std::vector<std::string>{"be2"});
  CHECK(r.step_syncs[2].apps == std::vector<std::string>{"fe1"});  // step 2
  Report s = w.guard().sync_steps(r, std::chrono::seconds(5), stderr);
  CHECK(s.exit_code() == 0);
  CHECK(api->synced == std::vector<std::string>{"root", "be1", "be2", "fe1"});
  json op = w.app("be1")["status"]["operationState"]["operation"];
  CHECK(op["sync"]["syncOptions"] == json{"CreateNamespace=true"});
  CHECK(op["sync"]["prune"] == true);
  CHECK(op["retry"] == json{{"limit", 5}});
}

namespace {

// Calls `before` (outside the lock) ahead of each request, so a test can run a second writer at
// an exact point of the first one's writes.
class HookedApi : public FakeApi {
 public:
  std::function<void(const std::string& method, const std::string& path)> before;
  ath::HttpAnswer send(const std::string& method, const std::string& target, const std::string& body,
                       const std::string& ctype) override {
    if (before) before(method, target.substr(0, target.find('?')));
    return FakeApi::send(method, target, body, ctype);
  }
};

}  // namespace

// Issue 13, point 6: alice's resume has decided apps-x is nobody's and is about to write its
// policy back when bob pauses it. Before the Restoring marks, bob's pause could land first and
// alice's write-back then turned auto-sync on under bob's pause.
TEST_CASE("a pause racing a resume of the same app lands after the write-back, never under it") {
  auto api = std::make_shared<HookedApi>();
  World w(api);
  const json policy = {{"automated", {{"prune", true}, {"selfHeal", true}}}};
  w.api->put(kApps + "/apps-x", application("apps-x", policy));
  GuardConfig bob_cfg = w.cfg;
  bob_cfg.journal_path = journal_path((w.dir / "bob").string());
  bob_cfg.me = Identity{"bob", "desk", 0, 3600};
  REQUIRE(w.guard().pause({"apps-x"}).exit_code() == 0);

  std::atomic<bool> fired = false, bob_done = false;
  std::thread bob;
  Report bob_report;
  api->before = [&](const std::string& method, const std::string& path) {
    if (method != "PATCH" || path != kApps + "/apps-x" || fired.exchange(true)) return;
    // alice's first write of apps-x: bob pauses it now, and gets up to 300 ms to finish first
    bob = std::thread([&] {
      bob_report = SyncGuard(w.kc, bob_cfg).pause({"apps-x"});
      bob_done = true;
    });
    for (int i = 0; i < 30 && !bob_done; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  };
  Report alice = w.guard().resume(resume_all(w.cfg.me));
  REQUIRE(fired);
  bob.join();
  api->before = nullptr;
  CHECK(alice.exit_code() == 0);
  CHECK(bob_report.exit_code() == 0);
  // bob's pause stands: auto-sync off, bob holds it, and the record is still the real policy
  CHECK_FALSE(app_auto_sync_on(w.app("apps-x")));
  GuardState st = GuardState::from_data(w.api->objects.at(kConfigMaps + "/" + kHoldersConfigMap)["data"]);
  CHECK(holders_of(st, "apps-x") == std::vector<std::string>{"bob@desk/pause"});
  REQUIRE(st.apps.count("apps-x"));
  CHECK(saved_automated(st.apps.at("apps-x")) == policy["automated"]);
  CHECK(st.restoring_apps.empty());  // alice's mark is gone
  // and bob's resume writes the real policy back
  SyncGuard(w.kc, bob_cfg).resume(resume_all(bob_cfg.me));
  CHECK(w.app("apps-x")["spec"]["syncPolicy"] == policy);
}

TEST_CASE("a resume leaves alone what another live run is writing back, and what was paused again") {
  World w;
  w.api->put(kApps + "/a", application("a", {{"automated", {{"prune", true}}}}));
  w.api->put(kApps + "/b", application("b", {{"automated", {{"prune", true}}}}));
  w.guard().pause({"a", "b"});
  // carol (another machine) is writing `a` back right now
  json cm = w.api->objects.at(kConfigMaps + "/" + kHoldersConfigMap);
  cm["data"]["restoring.app.a"] =
      Restoring{"carol@box/pause", "box", 99, format_time(Clock::now())}.to_json().dump();
  w.api->put(kConfigMaps + "/" + kHoldersConfigMap, cm);
  Report r = w.guard().resume(resume_all(w.cfg.me));
  CHECK(r.text().find("Application a: not written back (being written back by carol@box/pause)") != std::string::npos);
  CHECK_FALSE(app_auto_sync_on(w.app("a")));  // carol's to write
  CHECK(app_auto_sync_on(w.app("b")));
  GuardState st = GuardState::from_data(w.api->objects.at(kConfigMaps + "/" + kHoldersConfigMap)["data"]);
  CHECK(st.restoring_apps.count("a"));   // carol's mark stays
  CHECK(st.restoring_apps.size() == 1);  // alice's own marks are gone
  CHECK(st.apps.count("a"));
  CHECK_FALSE(st.apps.count("b"));
}
