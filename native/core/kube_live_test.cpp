// The kube layer against the cluster fixture (test/cluster/serve), through a real kubectl proxy.
#include <doctest/doctest.h>

#include <atomic>
#include <cstdlib>

#include "core/kube_client.hpp"
#include "core/parallel.hpp"

using namespace ath;

namespace {
KubeClient& kube() {
  static KubeClient client = [] {
    const char* kc = std::getenv("ATH_TEST_KUBECONFIG");
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
  const char* kc = std::getenv("ATH_TEST_KUBECONFIG");
  REQUIRE(kc);
  CHECK_THROWS_WITH_AS(KubeClient::connect({.context = "no-such-context", .kubeconfig = kc}),
                       doctest::Contains("no-such-context"), std::runtime_error);
}
