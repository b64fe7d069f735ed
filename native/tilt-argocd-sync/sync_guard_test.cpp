// SyncGuard against an in-memory API server (a fake Transport): the decisions that need more
// than one object (journal vs cluster records, retries, the sync operation as written).
#include "sync_guard.hpp"

#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <mutex>

#include "argocd_api.hpp"
#include "core/kube_client.hpp"
#include "resume_plan.hpp"

using namespace tas;
namespace fs = std::filesystem;

namespace {

const std::string kApps = "/apis/argoproj.io/v1alpha1/namespaces/argocd/applications";
const std::string kSets = "/apis/argoproj.io/v1alpha1/namespaces/argocd/applicationsets";
const std::string kConfigMaps = "/api/v1/namespaces/argocd/configmaps";

json status(int code, const std::string& reason) {
  return {{"kind", "Status"}, {"apiVersion", "v1"}, {"status", "Failure"}, {"reason", reason}, {"code", code},
          {"message", reason}};
}

// Objects by path, resourceVersions, JSON and merge patches with a failed `test` -> 422 with a
// generic message (as kube-apiserver 1.32 answers), and scripted failures per method+path.
class FakeApi : public ath::Transport {
 public:
  std::map<std::string, json> objects;
  std::map<std::string, std::vector<int>> fail;  // "PATCH path" -> codes to answer first (0 = pass)
  std::vector<std::string> seen;
  std::mutex m;
  int rv = 100;

  void put(const std::string& path, json obj) {
    obj["metadata"]["resourceVersion"] = std::to_string(++rv);
    objects[path] = std::move(obj);
  }

  ath::HttpAnswer send(const std::string& method, const std::string& target, const std::string& body,
                       const std::string& ctype) override {
    std::lock_guard lock(m);
    seen.push_back(method + " " + target);
    std::string path = target.substr(0, target.find('?'));
    if (auto f = fail.find(method + " " + path); f != fail.end() && !f->second.empty()) {
      int code = f->second.front();
      f->second.erase(f->second.begin());
      if (code) return {code, status(code, code == 409 ? "Conflict" : "ServiceUnavailable").dump(), ""};
    }
    if (method == "GET") {
      if (objects.count(path)) return {200, objects[path].dump(), ""};
      if (path == kSets) {
        json list = {{"items", json::array()}, {"metadata", json::object()}};
        for (auto& [p, o] : objects)
          if (p.rfind(kSets + "/", 0) == 0) list["items"].push_back(o);
        return {200, list.dump(), ""};
      }
      return {404, status(404, "NotFound").dump(), ""};
    }
    if (method == "POST") {
      json obj = json::parse(body);
      std::string p = path + "/" + obj["metadata"]["name"].get<std::string>();
      if (objects.count(p)) return {409, status(409, "AlreadyExists").dump(), ""};
      put(p, obj);
      return {201, objects[p].dump(), ""};
    }
    if (method == "PATCH") {
      if (!objects.count(path)) return {404, status(404, "NotFound").dump(), ""};
      json obj = objects[path];
      json patch = json::parse(body);
      try {
        if (ctype == "application/json-patch+json") {
          obj = obj.patch(patch);
        } else {
          std::string want = patch["metadata"].value("resourceVersion", "");
          if (!want.empty() && want != obj["metadata"]["resourceVersion"]) return {409, status(409, "Conflict").dump(), ""};
          obj.merge_patch(patch);
        }
      } catch (const json::exception&) {
        return {422, status(422, "Invalid").dump(), ""};
      }
      put(path, obj);
      return {200, objects[path].dump(), ""};
    }
    return {405, status(405, "MethodNotAllowed").dump(), ""};
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
  std::shared_ptr<FakeApi> api = std::make_shared<FakeApi>();
  ath::KubeClient kc{api};
  fs::path dir;
  GuardConfig cfg;
  World() {
    char tmpl[] = "/tmp/tas-guard-XXXXXX";
    dir = ::mkdtemp(tmpl);
    cfg.journal_path = journal_path(dir.string());
    cfg.me = Identity{"alice", "laptop", 0, 3600};
  }
  ~World() { fs::remove_all(dir); }
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
  w.api->fail["PATCH " + kApps + "/a"] = {503, 503, 503, 503};
  auto plan = [](const json& obj) { return app_pause_ops(obj, OffMode::RemoveAutomated); };
  auto out = guarded_json_patch(w.kc, applications_resource(), "argocd", "a", nullptr, plan, false, 4);
  REQUIRE_FALSE(out.ok());
  CHECK(out.error->kind == ath::KubeErrorKind::Unavailable);
  CHECK(out.error->describe().find("503") != std::string::npos);
  CHECK(out.error->describe().find("kept changing") == std::string::npos);
  CHECK(out.error->describe().find("gave up after 4 attempts") != std::string::npos);
  // A run of lost races is still a conflict, and a later success wins.
  w.api->fail["PATCH " + kApps + "/a"] = {409, 409, 0};
  auto ok = guarded_json_patch(w.kc, applications_resource(), "argocd", "a", nullptr, plan, false, 4);
  CHECK(ok.ok());
  CHECK_FALSE(auto_sync_on(w.app("a")));
}

// Issue 13, point 1: the resume sync carried prune: true and none of the app's options.
TEST_CASE("resume's sync carries the app's syncOptions and retry, and prunes only as its policy says") {
  World w;
  json policy = {{"automated", {{"prune", false}, {"selfHeal", true}}},
                 {"syncOptions", {"CreateNamespace=true", "ApplyOutOfSyncOnly=true"}}};
  w.api->put(kApps + "/apps-dev", application("apps-dev", policy));
  w.guard().pause({"apps-dev"});
  CHECK_FALSE(auto_sync_on(w.app("apps-dev")));
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
  CHECK(auto_sync_on(w.app("a")));  // nothing changed
  CHECK_THROWS_WITH(w.guard().resume(resume_all(w.cfg.me)), doctest::Contains("key 'app.a'"));
}
