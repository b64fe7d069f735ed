#include "core/kube_resources.hpp"

#include <doctest/doctest.h>

#include "core/testdata.hpp"

using namespace ath;
using ath::testing::testdata;

TEST_CASE("discovery documents parse into resource types, subresources left out") {
  CHECK(parse_core_versions(json::parse(testdata("api.json"))) == std::vector<std::string>{"v1"});
  auto gvs = parse_preferred_group_versions(json::parse(testdata("apis.json")));
  CHECK(gvs == std::vector<std::string>{"apps/v1", "argoproj.io/v1alpha1", "metrics.k8s.io/v1beta1"});

  auto core = parse_resource_list(json::parse(testdata("api_v1.json")));
  REQUIRE(core.size() == 6);  // pods/log is a subresource
  auto apps = parse_resource_list(json::parse(testdata("apps_v1.json")));
  REQUIRE(apps.size() == 2);
  CHECK(apps[0].group == "apps");
  CHECK(apps[0].version == "v1");
  CHECK(apps[0].kind == "Deployment");
  CHECK(apps[0].namespaced);
  CHECK(apps[0].can("list"));
  CHECK_FALSE(apps[0].can("proxy"));
}

TEST_CASE("scan noise: events, metrics and bindings") {
  auto core = parse_resource_list(json::parse(testdata("api_v1.json")));
  std::vector<std::string> kept;
  for (const auto& r : core)
    if (!is_scan_noise(r) && r.namespaced && r.can("list")) kept.push_back(r.resource);
  CHECK(kept == std::vector<std::string>{"configmaps", "pods", "secrets"});
  ApiResource metrics{"metrics.k8s.io", "v1beta1", "pods", "PodMetrics", true, {"get", "list"}};
  CHECK(is_scan_noise(metrics));
}

TEST_CASE("resource index lookups and REST paths") {
  auto all = parse_resource_list(json::parse(testdata("api_v1.json")));
  for (auto& r : parse_resource_list(json::parse(testdata("apps_v1.json")))) all.push_back(r);
  ResourceIndex index(all);
  const ApiResource* deploy = index.by_kind("apps/v1", "Deployment");
  REQUIRE(deploy);
  CHECK(resource_path(*deploy, "apps", "web") == "/apis/apps/v1/namespaces/apps/deployments/web");
  CHECK(resource_path(*deploy, "", "") == "/apis/apps/v1/deployments");
  const ApiResource* ns = index.by_resource("", "namespaces");
  REQUIRE(ns);
  // Cluster-scoped: a namespace argument is ignored.
  CHECK(resource_path(*ns, "apps", "apps") == "/api/v1/namespaces/apps");
  CHECK(index.by_group_kind("apps", "ReplicaSet"));
  CHECK_FALSE(index.by_kind("apps/v1beta1", "Deployment"));
}

TEST_CASE("ObjectRef from an object") {
  auto ref = ObjectRef::of(json::parse(R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"apps"}})"));
  CHECK(ref.group() == "apps");
  CHECK(ref.display() == "Deployment apps/web");
  CHECK(ObjectRef::of(json::parse(R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":"apps"}})")).group() == "");
}

TEST_CASE("ObjectRef of a hand-written object with fields that are not strings reads them as empty") {
  auto ref = ObjectRef::of(json::parse(R"({"apiVersion":1,"kind":["ConfigMap"],"metadata":{"name":7,"namespace":"apps"}})"));
  CHECK(ref.api_version.empty());
  CHECK(ref.kind.empty());
  CHECK(ref.name.empty());
  CHECK(ref.namespace_ == "apps");
  CHECK(ObjectRef::of(json::parse(R"({"metadata":"x"})")).name.empty());
  CHECK(ObjectRef::of(json::array({1, 2})).kind.empty());
}

TEST_CASE("url_encode escapes selector syntax") {
  CHECK(url_encode("app.kubernetes.io/instance=apps-graph") == "app.kubernetes.io%2Finstance%3Dapps-graph");
  CHECK(url_encode("tier in (a,b)") == "tier%20in%20%28a%2Cb%29");
}
