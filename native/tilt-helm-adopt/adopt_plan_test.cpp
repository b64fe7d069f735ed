#include "tilt-helm-adopt/adopt_plan.hpp"

#include <doctest/doctest.h>

using namespace ath::helm_adopt;
using json = nlohmann::json;

namespace {

json object(json labels = json::object(), json annotations = json::object()) {
  json md = {{"name", "web"}, {"namespace", "apps"}, {"resourceVersion", "42"}, {"uid", "u-1"}};
  if (!labels.empty()) md["labels"] = labels;
  if (!annotations.empty()) md["annotations"] = annotations;
  return {{"apiVersion", "apps/v1"}, {"kind", "Deployment"}, {"metadata", md}};
}

json owned_by(const std::string& release, const std::string& ns = "apps") {
  return object({{"app.kubernetes.io/managed-by", "Helm"}},
                {{"meta.helm.sh/release-name", release}, {"meta.helm.sh/release-namespace", ns}});
}

const PlanSettings kSettings{"apps-graph", "apps", false, false};

}  // namespace

TEST_CASE("an Argo-applied object gets Helm's label and both annotations in one guarded merge patch") {
  json live = object({{"app.kubernetes.io/instance", "apps-graph"}},
                     {{"argocd.argoproj.io/tracking-id", "apps-graph:apps/Deployment:apps/web"}});
  Decision d = plan_adoption(live, kFromLabelScan, kSettings);
  CHECK(d.action == Action::Adopt);
  CHECK(d.patch == json::parse(R"({"metadata":{"resourceVersion":"42",
      "labels":{"app.kubernetes.io/managed-by":"Helm"},
      "annotations":{"meta.helm.sh/release-name":"apps-graph","meta.helm.sh/release-namespace":"apps"}}})"));
  CHECK(describe_patch(d.patch) ==
        "app.kubernetes.io/managed-by=Helm, meta.helm.sh/release-name=apps-graph, meta.helm.sh/release-namespace=apps");
}

TEST_CASE("only the keys that are wrong are written") {
  json live = object({{"app.kubernetes.io/managed-by", "Helm"}}, {{"meta.helm.sh/release-name", "apps-graph"}});
  Decision d = plan_adoption(live, kFromManifest, kSettings);
  REQUIRE(d.action == Action::Adopt);
  CHECK_FALSE(d.patch["metadata"].contains("labels"));
  CHECK(d.patch["metadata"]["annotations"] == json{{"meta.helm.sh/release-namespace", "apps"}});
}

TEST_CASE("managed-by with another case is not Helm's") {
  json live = object({{"app.kubernetes.io/managed-by", "helm"}},
                     {{"meta.helm.sh/release-name", "apps-graph"}, {"meta.helm.sh/release-namespace", "apps"}});
  Decision d = plan_adoption(live, kFromManifest, kSettings);
  REQUIRE(d.action == Action::Adopt);
  CHECK(d.patch["metadata"]["labels"]["app.kubernetes.io/managed-by"] == "Helm");
}

TEST_CASE("an object the release already owns needs nothing, whatever its managedFields") {
  json live = owned_by("apps-graph");
  live["metadata"]["managedFields"] = json::array({{{"manager", "helm"}, {"operation", "Update"}}});
  PlanSettings scrub = kSettings;
  scrub.scrub_managed_fields = true;
  Decision d = plan_adoption(live, kFromLabelScan | kFromManifest, scrub);
  CHECK(d.action == Action::AlreadyOwned);
  CHECK(d.patch.is_null());
}

TEST_CASE("the managedFields reset rides along with an adoption when asked for and there are fields") {
  json live = object();
  live["metadata"]["managedFields"] = json::array({{{"manager", "argocd-controller"}, {"operation", "Update"}}});
  PlanSettings scrub = kSettings;
  scrub.scrub_managed_fields = true;
  Decision d = plan_adoption(live, kFromArgoCd, scrub);
  REQUIRE(d.action == Action::Adopt);
  CHECK(d.patch["metadata"]["managedFields"] == json::parse("[{}]"));
  CHECK(describe_patch(d.patch).ends_with("managedFields reset"));

  CHECK_FALSE(plan_adoption(live, kFromArgoCd, kSettings).patch["metadata"].contains("managedFields"));
  json bare = object();
  CHECK_FALSE(plan_adoption(bare, kFromArgoCd, scrub).patch["metadata"].contains("managedFields"));
}

TEST_CASE("another release's object is a conflict unless forced") {
  Decision d = plan_adoption(owned_by("apps-other"), kFromLabelScan, kSettings);
  CHECK(d.action == Action::Conflict);
  CHECK(d.owner_release == "apps-other");
  CHECK(d.reason.find("--force") != std::string::npos);
  CHECK(d.patch.is_null());

  PlanSettings force = kSettings;
  force.force = true;
  Decision taken = plan_adoption(owned_by("apps-other"), kFromLabelScan, force);
  CHECK(taken.action == Action::Adopt);
  CHECK(taken.patch["metadata"]["annotations"]["meta.helm.sh/release-name"] == "apps-graph");
  CHECK(taken.reason.find("apps-other") != std::string::npos);
}

TEST_CASE("the same release name in another namespace is another release") {
  Decision d = plan_adoption(owned_by("apps-graph", "staging"), kFromManifest, kSettings);
  CHECK(d.action == Action::Conflict);
  CHECK(d.owner_release == "staging/apps-graph");
  CHECK(current_owner(owned_by("apps-graph", "apps"), "apps") == "apps-graph");
  CHECK(current_owner(object(), "apps").empty());
}

TEST_CASE("controller-owned objects are skipped unless the manifest renders them") {
  json rs = object({{"app.kubernetes.io/instance", "apps-graph"}});
  rs["kind"] = "ReplicaSet";
  rs["metadata"]["ownerReferences"] = json::parse(R"([{"apiVersion":"apps/v1","kind":"Deployment","name":"web",
      "uid":"u-1","controller":true}])");
  CHECK(controller_owned(rs));
  CHECK(plan_adoption(rs, kFromLabelScan, kSettings).action == Action::Controlled);
  CHECK(plan_adoption(rs, kFromLabelScan | kFromArgoCd, kSettings).action == Action::Controlled);
  CHECK(plan_adoption(rs, kFromManifest, kSettings).action == Action::Adopt);

  json plain_owner = rs;
  plain_owner["metadata"]["ownerReferences"][0].erase("controller");
  CHECK_FALSE(controller_owned(plain_owner));
  CHECK(plan_adoption(plain_owner, kFromLabelScan, kSettings).action == Action::Adopt);
}

TEST_CASE("source names") {
  CHECK(source_names(kFromManifest) == "manifest");
  CHECK(source_names(kFromManifest | kFromLabelScan) == "manifest+label-scan");
  CHECK(source_names(kFromArgoCd) == "argocd");
}

TEST_CASE("duplicate workloads: same name and component labels, a name the manifest no longer renders") {
  auto workload = [](std::string kind, std::string name, std::string app, std::string component, std::string ns = "") {
    json md = {{"name", name}, {"labels", {{"app.kubernetes.io/name", app}}}};
    if (!component.empty()) md["labels"]["app.kubernetes.io/component"] = component;
    if (!ns.empty()) md["namespace"] = ns;
    return json{{"apiVersion", "apps/v1"}, {"kind", kind}, {"metadata", md}};
  };
  std::vector<json> manifest = {workload("Deployment", "graph-api", "graph", "api"),
                                workload("StatefulSet", "graph-db", "graph", "db"),
                                json{{"apiVersion", "v1"}, {"kind", "Service"}, {"metadata", {{"name", "graph"}}}}};
  std::vector<json> live = {
      workload("Deployment", "graph-api", "graph", "api", "apps"),         // rendered: kept
      workload("Deployment", "graph", "graph", "api", "apps"),             // old name: duplicate
      workload("Deployment", "graph-worker", "graph", "worker", "apps"),   // other component: kept
      workload("StatefulSet", "graph-db-old", "graph", "db", "apps"),      // old name: duplicate
      workload("Deployment", "graph-api-x", "graph", "api", "other-ns"),  // other namespace: kept
      workload("DaemonSet", "unnamed", "", "", "apps"),                    // no name label: kept
  };
  CHECK(find_duplicate_workloads(live, manifest, "apps") == std::vector<size_t>{1, 3});
  CHECK(find_duplicate_workloads(live, {}, "apps").empty());
  CHECK(is_workload_kind("apps/v1", "DaemonSet"));
  CHECK_FALSE(is_workload_kind("apps/v1", "ReplicaSet"));
  CHECK_FALSE(is_workload_kind("v1", "Deployment"));
}
