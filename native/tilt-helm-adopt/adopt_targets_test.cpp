#include "tilt-helm-adopt/adopt_targets.hpp"

#include <doctest/doctest.h>

#include "tilt-helm-adopt/adopt_plan.hpp"

using namespace ath;
using namespace ath::helm_adopt;

namespace {

ResourceIndex test_index() {
  const std::vector<std::string> all = {"get", "list", "patch", "watch"};
  return ResourceIndex({
      {"", "v1", "configmaps", "ConfigMap", true, all},
      {"", "v1", "events", "Event", true, all},
      {"", "v1", "namespaces", "Namespace", false, all},
      {"apps", "v1", "deployments", "Deployment", true, all},
      {"rbac.authorization.k8s.io", "v1", "clusterroles", "ClusterRole", false, all},
      {"authorization.k8s.io", "v1", "localsubjectaccessreviews", "LocalSubjectAccessReview", true, {"create"}},
      {"autoscaling", "v2", "horizontalpodautoscalers", "HorizontalPodAutoscaler", true, all},
      {"example.com", "v1", "widgets", "Widget", true, {"get", "list"}},
  });
}

}  // namespace

TEST_CASE("manifest objects: namespace defaults to the release's, cluster-scoped stays without, hooks and Lists") {
  ResourceIndex index = test_index();
  std::vector<json> docs = json::parse(R"([
    {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cfg"}},
    {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"other"}},
    {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRole","metadata":{"name":"reader","namespace":"x"}},
    {"apiVersion":"v1","kind":"List","items":[{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"in-list"}}]},
    {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"hook","annotations":{"helm.sh/hook":"pre-install"}}},
    {"apiVersion":"autoscaling/v1","kind":"HorizontalPodAutoscaler","metadata":{"name":"hpa"}},
    {"apiVersion":"example.com/v2","kind":"Gadget","metadata":{"name":"g"}},
    {"apiVersion":"v1","kind":"ConfigMap","metadata":{}},
    "not an object"
  ])").get<std::vector<json>>();
  Targets t = manifest_targets(docs, index, "apps");
  std::vector<std::string> keys;
  for (const auto& x : t.targets) keys.push_back(x.key() + " " + source_names(x.sources));
  CHECK(keys == std::vector<std::string>{
                    "/configmaps/apps/cfg manifest",
                    "apps/deployments/other/web manifest",
                    "rbac.authorization.k8s.io/clusterroles//reader manifest",
                    "/configmaps/apps/in-list manifest",
                    "autoscaling/horizontalpodautoscalers/apps/hpa manifest",  // another served version
                });
  REQUIRE(t.unresolved.size() == 2);
  CHECK(t.unresolved[0].reason == "no such type is served");
  CHECK(t.unresolved[0].what.find("Gadget") != std::string::npos);
  CHECK(manifest_objects(docs).size() == 7);
}

TEST_CASE("Argo CD status.resources resolve by group and kind") {
  ResourceIndex index = test_index();
  json app = json::parse(R"({"status":{"resources":[
    {"group":"apps","version":"v1","kind":"Deployment","namespace":"apps","name":"web","status":"Synced"},
    {"version":"v1","kind":"ConfigMap","namespace":"apps","name":"only-in-argo"},
    {"group":"rbac.authorization.k8s.io","version":"v1","kind":"ClusterRole","name":"reader"},
    {"group":"example.com","version":"v9","kind":"Nope","namespace":"apps","name":"x"},
    {"version":"v1","kind":"ConfigMap","name":"no-namespace"}
  ]}})");
  Targets t = argocd_targets(app, index);
  std::vector<std::string> keys;
  for (const auto& x : t.targets) keys.push_back(x.key());
  CHECK(keys == std::vector<std::string>{"apps/deployments/apps/web", "/configmaps/apps/only-in-argo",
                                          "rbac.authorization.k8s.io/clusterroles//reader"});
  CHECK(t.targets[0].sources == kFromArgoCd);
  CHECK(t.unresolved.size() == 2);
  CHECK(argocd_targets(json::parse(R"({"status":{}})"), index).targets.empty());
  CHECK(argocd_targets(json::object(), index).targets.empty());
}

TEST_CASE("scanned types: namespaced, listable, patchable, not noise") {
  ResourceIndex index = test_index();
  std::vector<std::string> names;
  for (const auto* r : scan_types(index)) names.push_back(r->display());
  CHECK(names == std::vector<std::string>{"configmaps", "deployments.apps", "horizontalpodautoscalers.autoscaling"});
}

TEST_CASE("the scan selector defaults to the instance label") {
  CHECK(scan_selector("apps-graph", "") == "app.kubernetes.io/instance=apps-graph");
  CHECK(scan_selector("apps-graph", "team=x") == "team=x");
}

TEST_CASE("a manifest document whose kind or name is not a string is reported, not a crash") {
  std::vector<json> docs = json::parse(R"([
    {"apiVersion":"v1","kind":["ConfigMap"],"metadata":{"name":"odd-kind"}},
    {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":42}},
    {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"fine"}}
  ])").get<std::vector<json>>();
  Targets t = manifest_targets(docs, test_index(), "apps");
  REQUIRE(t.targets.size() == 1);
  CHECK(t.targets[0].name == "fine");
  REQUIRE(t.unresolved.size() == 2);
  CHECK(t.unresolved[0].reason == "a manifest document needs apiVersion, kind and metadata.name");
}
