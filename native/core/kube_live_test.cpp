// The kube layer against the cluster fixture (test/cluster/serve), through a real kubectl proxy.
#include <doctest/doctest.h>

#include <atomic>
#include <cstdlib>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <httplib.h>

#include <chrono>
#include <regex>
#include <thread>

#include "core/kube_client.hpp"
#include "core/parallel.hpp"

using namespace ath;

namespace {
KubeClient& kube() {
  static KubeClient client = [] {
    const char* kc = std::getenv("AMEIDE_TEST_KUBECONFIG");
    REQUIRE_MESSAGE(kc, "run through with_fixture.sh");
    return KubeClient::connect({.kubeconfig = kc});
  }();
  return client;
}
const ResourceIndex& index() {
  static ResourceIndex idx = [] {
    auto r = kube().discover();
    REQUIRE(r.ok());
    return ResourceIndex(r.value);
  }();
  return idx;
}
}  // namespace

TEST_CASE("discovery finds built-in and custom types") {
  CHECK(index().by_kind("v1", "ConfigMap"));
  CHECK(index().by_kind("apps/v1", "Deployment"));
  CHECK(index().by_resource("", "namespaces"));
  CHECK_FALSE(index().by_resource("", "namespaces")->namespaced);
}

TEST_CASE("create, conflict on a stale resourceVersion, patch, list with paging, delete") {
  const ApiResource& cm = *index().by_kind("v1", "ConfigMap");
  for (int i = 0; i < 5; ++i) {
    json obj = {{"apiVersion", "v1"}, {"kind", "ConfigMap"},
                {"metadata", {{"name", "live-" + std::to_string(i)}, {"labels", {{"suite", "live"}}}}},
                {"data", {{"i", std::to_string(i)}}}};
    REQUIRE(kube().create(cm, "default", obj).ok());
  }
  json dup = {{"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"metadata", {{"name", "live-0"}}}};
  auto again = kube().create(cm, "default", dup);
  REQUIRE_FALSE(again.ok());
  CHECK(again.error->kind == KubeErrorKind::AlreadyExists);

  auto got = kube().get(cm, "default", "live-0");
  REQUIRE(got.ok());
  const std::string rv = got.value["metadata"]["resourceVersion"];
  auto patched = kube().patch(cm, "default", "live-0", PatchType::Merge,
                              with_resource_version({{"data", {{"i", "patched"}}}}, rv));
  REQUIRE(patched.ok());
  CHECK(patched.value["data"]["i"] == "patched");
  // The same precondition again is now stale.
  auto stale = kube().patch(cm, "default", "live-0", PatchType::Merge,
                            with_resource_version({{"data", {{"i", "lost"}}}}, rv));
  REQUIRE_FALSE(stale.ok());
  CHECK(stale.error->kind == KubeErrorKind::Conflict);

  auto listed = kube().list(cm, "default", {.label_selector = "suite=live", .limit = 2});
  REQUIRE(listed.ok());
  CHECK(listed.value.size() == 5);
  auto all_ns = kube().list(cm, "", {.label_selector = "suite in (live)"});
  REQUIRE(all_ns.ok());
  CHECK(all_ns.value.size() == 5);

  CHECK(kube().remove(cm, "default", "live-4").ok());
  auto gone = kube().get(cm, "default", "live-4");
  REQUIRE_FALSE(gone.ok());
  CHECK(gone.error->kind == KubeErrorKind::NotFound);
}

TEST_CASE("a forbidden type answers a typed Forbidden error") {
  const ApiResource& secrets = *index().by_kind("v1", "Secret");
  auto r = kube().list(secrets, "default");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error->kind == KubeErrorKind::Forbidden);
}

TEST_CASE("many requests in flight from many threads") {
  const ApiResource& cm = *index().by_kind("v1", "ConfigMap");
  std::atomic<int> ok{0};
  parallel_for(64, 16, [&](size_t) {
    if (kube().list(cm, "default").ok()) ++ok;
  });
  CHECK(ok == 64);
}

TEST_CASE("an unknown context is an error naming kubectl's reason") {
  const char* kc = std::getenv("AMEIDE_TEST_KUBECONFIG");
  REQUIRE(kc);
  CHECK_THROWS_WITH_AS(KubeClient::connect({.context = "no-such-context", .kubeconfig = kc}),
                       doctest::Contains("no-such-context"), std::runtime_error);
}

TEST_CASE("the proxy serves the API only under its random prefix, and keeps kubectl's exec filter") {
  const char* kc = std::getenv("AMEIDE_TEST_KUBECONFIG");
  REQUIRE(kc);
  KubeProxy proxy({.kubeconfig = kc});
  const ProxyEndpoint& at = proxy.endpoint();
  CHECK(std::regex_match(at.prefix, std::regex("/[0-9a-f]{32}")));
  CHECK(KubeProxy({.kubeconfig = kc}).endpoint().prefix != at.prefix);
  httplib::Client raw("127.0.0.1", at.port);
  for (const char* path : {"/version", "/api/v1/namespaces", "/api", "/"}) {
    auto res = raw.Get(path);
    REQUIRE(res);
    CHECK_MESSAGE(res->status == 404, path);
    CHECK(res->body.find("NamespaceList") == std::string::npos);
  }
  auto listed = raw.Get((at.prefix + "/api/v1/namespaces").c_str());
  REQUIRE(listed);
  CHECK(listed->status == 200);
  auto exec = raw.Post((at.prefix + "/api/v1/namespaces/default/pods/p/exec").c_str(), "", "text/plain");
  REQUIRE(exec);
  CHECK(exec->status == 403);
  CHECK(KubeClient(make_http_transport(at)).get_path("/version").ok());
  // A client with the port but a wrong prefix gets nothing.
  CHECK_FALSE(KubeClient(make_http_transport({at.port, "/0123456789abcdef0123456789abcdef"})).get_path("/version").ok());
}

TEST_CASE("connect through a serving proxy reads the server's version; a dead port throws") {
  const char* kc = std::getenv("AMEIDE_TEST_KUBECONFIG");
  REQUIRE(kc);
  KubeAccess access{.kubeconfig = kc};
  auto proxy = std::make_shared<KubeProxy>(access);
  KubeClient client = KubeClient::connect(access, proxy->endpoint(), std::chrono::seconds(1), proxy);
  CHECK_FALSE(client.server_version().empty());
  CHECK(client.get_path("/api").ok());
  ProxyEndpoint gone = proxy->endpoint();
  gone.prefix = "/0123456789abcdef0123456789abcdef";
  CHECK_THROWS_AS(KubeClient::connect(access, gone, std::chrono::seconds(1)), std::runtime_error);
}

TEST_CASE("the proxy dies with a helper killed by SIGKILL") {
  const char* kc = std::getenv("AMEIDE_TEST_KUBECONFIG");
  REQUIRE(kc);
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    ::close(fds[0]);
    KubeAccess access;
    access.kubeconfig = kc;
    KubeProxy proxy(access);
    const ProxyEndpoint at = proxy.endpoint();
    char prefix[33] = {};
    at.prefix.copy(prefix, 32, 1);
    if (::write(fds[1], &at.port, sizeof at.port) != sizeof at.port || ::write(fds[1], prefix, 32) != 32) ::_exit(3);
    ::pause();
    ::_exit(0);
  }
  ::close(fds[1]);
  ProxyEndpoint at;
  char prefix[33] = {};
  REQUIRE(::read(fds[0], &at.port, sizeof at.port) == sizeof at.port);
  REQUIRE(::read(fds[0], prefix, 32) == 32);
  at.prefix = std::string("/") + prefix;
  ::close(fds[0]);
  KubeClient via_child_proxy(make_http_transport(at));
  CHECK(via_child_proxy.get_path("/version").ok());
  ::kill(child, SIGKILL);
  ::waitpid(child, nullptr, 0);
  bool gone = false;
  for (int i = 0; i < 50 && !gone; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    gone = !KubeClient(make_http_transport(at)).get_path("/version").ok();
  }
  CHECK(gone);
}
