#include "core/kube_client.hpp"

#include <doctest/doctest.h>

#include <map>
#include <mutex>

#include "core/testdata.hpp"

using namespace ath;
using ath::testing::testdata;

namespace {

// Serves fixture files by request target and records what was sent.
class FakeTransport : public Transport {
 public:
  std::map<std::string, std::pair<int, std::string>> answers;
  std::vector<std::string> seen;
  std::vector<std::string> bodies;
  std::vector<std::string> types;
  std::mutex mutex;

  HttpAnswer send(const std::string& method, const std::string& target, const std::string& body,
                  const std::string& ctype) override {
    std::lock_guard lock(mutex);
    seen.push_back(method + " " + target);
    bodies.push_back(body);
    types.push_back(ctype);
    auto it = answers.find(method + " " + target);
    if (it == answers.end()) return {404, testdata("status_not_found.json"), ""};
    return {it->second.first, it->second.second, ""};
  }
};

}  // namespace

TEST_CASE("list follows continue tokens and fills apiVersion/kind") {
  auto fake = std::make_shared<FakeTransport>();
  const std::string sel = "labelSelector=app.kubernetes.io%2Finstance%3Dapps-graph";
  fake->answers["GET /api/v1/namespaces/apps/configmaps?limit=2&" + sel] = {200, testdata("configmaps_page1.json")};
  fake->answers["GET /api/v1/namespaces/apps/configmaps?limit=2&" + sel +
                "&continue=eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6MTIwMSwic3RhcnQiOiJhcHBzL2IifQ"] = {
      200, testdata("configmaps_page2.json")};
  KubeClient kube(fake);
  ApiResource cm{"", "v1", "configmaps", "ConfigMap", true, {"list"}};
  auto r = kube.list(cm, "apps", {.label_selector = "app.kubernetes.io/instance=apps-graph", .limit = 2});
  REQUIRE(r.ok());
  REQUIRE(r.value.size() == 3);
  CHECK(r.value[2]["metadata"]["name"] == "c");
  CHECK(r.value[0]["kind"] == "ConfigMap");
  CHECK(r.value[0]["apiVersion"] == "v1");
  CHECK(kube.requests_sent() == 2);
}

TEST_CASE("a failing page fails the whole list with the typed error") {
  auto fake = std::make_shared<FakeTransport>();
  fake->answers["GET /api/v1/secrets?limit=500"] = {403, testdata("status_forbidden.json")};
  KubeClient kube(fake);
  ApiResource secrets{"", "v1", "secrets", "Secret", true, {"list"}};
  auto r = kube.list(secrets, "", {});
  REQUIRE_FALSE(r.ok());
  CHECK(r.error->kind == KubeErrorKind::Forbidden);
}

TEST_CASE("discovery reads /api, /apis and each group version; a broken group is skipped") {
  auto fake = std::make_shared<FakeTransport>();
  fake->answers["GET /api"] = {200, testdata("api.json")};
  fake->answers["GET /apis"] = {200, testdata("apis.json")};
  fake->answers["GET /api/v1"] = {200, testdata("api_v1.json")};
  fake->answers["GET /apis/apps/v1"] = {200, testdata("apps_v1.json")};
  fake->answers["GET /apis/argoproj.io/v1alpha1"] = {200, testdata("argoproj_v1alpha1.json")};
  fake->answers["GET /apis/metrics.k8s.io/v1beta1"] = {503, testdata("status_unavailable.json")};
  KubeClient kube(fake);
  auto r = kube.discover(4);
  REQUIRE(r.ok());
  ResourceIndex index(r.value);
  CHECK(index.by_kind("argoproj.io/v1alpha1", "Application"));
  CHECK(index.by_kind("apps/v1", "Deployment"));
  CHECK(r.value.size() == 6 + 2 + 2);
}

TEST_CASE("patches carry the content type and the resourceVersion precondition") {
  auto fake = std::make_shared<FakeTransport>();
  fake->answers["PATCH /api/v1/namespaces/apps/configmaps/a"] = {409, testdata("status_conflict.json")};
  KubeClient kube(fake);
  ApiResource cm{"", "v1", "configmaps", "ConfigMap", true, {"patch"}};
  json patch = with_resource_version({{"metadata", {{"labels", {{"x", "y"}}}}}}, "1100");
  auto r = kube.patch(cm, "apps", "a", PatchType::Merge, patch);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error->kind == KubeErrorKind::Conflict);
  CHECK(fake->types.back() == "application/merge-patch+json");
  CHECK(json::parse(fake->bodies.back())["metadata"]["resourceVersion"] == "1100");

  json ops = json_patch_with_resource_version(json::array({{{"op", "remove"}, {"path", "/spec/x"}}}), "7");
  CHECK(ops[0]["op"] == "test");
  CHECK(ops[0]["value"] == "7");
  CHECK(ops[1]["op"] == "remove");
  kube.patch(cm, "apps", "a", PatchType::Json, ops);
  CHECK(fake->types.back() == "application/json-patch+json");
}

TEST_CASE("transport failures and invalid JSON are errors, not crashes") {
  class Down : public Transport {
    HttpAnswer send(const std::string&, const std::string&, const std::string&, const std::string&) override {
      return {0, "", "connection refused"};
    }
  };
  KubeClient kube(std::make_shared<Down>(), {.retry = {.base_delay = std::chrono::milliseconds(1)}});
  auto r = kube.get_path("/version");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error->kind == KubeErrorKind::Unavailable);

  auto fake = std::make_shared<FakeTransport>();
  fake->answers["GET /version"] = {200, "{not json"};
  KubeClient kube2(fake);
  auto bad = kube2.get_path("/version");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error->message.find("not valid JSON") != std::string::npos);

  fake->answers["GET /api/v1/namespaces/argocd/configmaps/deep"] = {200, std::string(150'000, '[')};
  auto deep = kube2.get_path("/api/v1/namespaces/argocd/configmaps/deep");
  REQUIRE_FALSE(deep.ok());
  CHECK(deep.error->message.find("GET /api/v1/namespaces/argocd/configmaps/deep: nested deeper than 256 levels") !=
        std::string::npos);
}

namespace {

// Answers each request with the next scripted answer (the last one repeats).
class ScriptedTransport : public Transport {
 public:
  explicit ScriptedTransport(std::vector<HttpAnswer> script) : script_(std::move(script)) {}
  std::vector<std::string> seen;

  HttpAnswer send(const std::string& method, const std::string& target, const std::string&,
                  const std::string&) override {
    std::lock_guard lock(mutex_);
    seen.push_back(method + " " + target);
    return script_[std::min(seen.size(), script_.size()) - 1];
  }

 private:
  std::vector<HttpAnswer> script_;
  std::mutex mutex_;
};

const std::string kInternal =
    R"({"kind":"Status","status":"Failure","message":"etcdserver: request timed out","reason":"InternalError","code":500})";

KubeClientOptions fast_retries() {
  KubeClientOptions o;
  o.retry.base_delay = std::chrono::milliseconds(1);
  o.describe_server = [] { return std::string("https://10.0.0.1:6443 (context 'dev')"); };
  return o;
}

}  // namespace

TEST_CASE("a GET is sent again after 503, 429 and a reset connection (issue 12, defect 10)") {
  auto t = std::make_shared<ScriptedTransport>(std::vector<HttpAnswer>{
      {503, testdata("status_unavailable.json"), ""}, {429, "", ""}, {0, "", "connection reset", false},
      {200, R"({"major":"1"})", ""}});
  KubeClient kube(t, fast_retries());
  auto r = kube.get_path("/version");
  REQUIRE(r.ok());
  CHECK(r.value["major"] == "1");
  CHECK(t->seen.size() == 4);
}

TEST_CASE("exhausted GET retries report the last real error, never a conflict (issue 12, defect 9)") {
  auto t = std::make_shared<ScriptedTransport>(std::vector<HttpAnswer>{
      {503, testdata("status_unavailable.json"), ""}, {500, kInternal, ""}});
  KubeClient kube(t, fast_retries());
  auto r = kube.get_path("/apis/argoproj.io/v1alpha1/namespaces/argocd/applications/apps-x");
  REQUIRE_FALSE(r.ok());
  CHECK(t->seen.size() == 4);
  CHECK(r.error->kind == KubeErrorKind::Internal);
  CHECK(r.error->describe() == "InternalError (500): etcdserver: request timed out");
}

TEST_CASE("writes and definite answers are sent once") {
  auto t = std::make_shared<ScriptedTransport>(std::vector<HttpAnswer>{{503, testdata("status_unavailable.json"), ""}});
  KubeClient kube(t, fast_retries());
  ApiResource cm{"", "v1", "configmaps", "ConfigMap", true, {"patch"}};
  CHECK_FALSE(kube.patch(cm, "apps", "a", PatchType::Merge, json::object()).ok());
  CHECK_FALSE(kube.create(cm, "apps", json::object()).ok());
  CHECK(t->seen.size() == 2);

  auto nf = std::make_shared<ScriptedTransport>(std::vector<HttpAnswer>{{404, testdata("status_not_found.json"), ""}});
  KubeClient kube2(nf, fast_retries());
  CHECK_FALSE(kube2.get_path("/api/v1/namespaces/apps/configmaps/a").ok());
  CHECK(nf->seen.size() == 1);
}

TEST_CASE("a silent server is not asked again; the message names the server and what to check (issue 12, defect 10)") {
  auto t = std::make_shared<ScriptedTransport>(std::vector<HttpAnswer>{{0, "", "no answer within 5 s", true}});
  KubeClient kube(t, fast_retries());
  auto r = kube.get_path("/version");
  REQUIRE_FALSE(r.ok());
  CHECK(t->seen.size() == 1);
  CHECK(r.error->kind == KubeErrorKind::Timeout);
  CHECK(r.error->message ==
        "GET /version: no answer within 5 s from the API server https://10.0.0.1:6443 (context 'dev'); check that "
        "the cluster is up and reachable from here (VPN, firewall, the server address in the kubeconfig), or raise "
        "--request-timeout");
}

TEST_CASE("no retry starts past the run's deadline; the last error is kept") {
  auto t = std::make_shared<ScriptedTransport>(std::vector<HttpAnswer>{{503, testdata("status_unavailable.json"), ""}});
  KubeClientOptions o = fast_retries();
  o.retry.base_delay = std::chrono::milliseconds(2000);
  o.deadline = Deadline::after(std::chrono::milliseconds(500));
  KubeClient kube(t, o);
  auto start = std::chrono::steady_clock::now();
  auto r = kube.get_path("/version");
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::milliseconds(400));
  REQUIRE_FALSE(r.ok());
  CHECK(t->seen.size() == 1);
  CHECK(r.error->kind == KubeErrorKind::Unavailable);
}
