#include "applied_objects.hpp"

#include <doctest/doctest.h>

using namespace ath;
using namespace ath::helm_apply;

TEST_CASE("release objects: lists flattened, hooks and empty documents dropped") {
  auto docs = parse_yaml_stream(R"(---
apiVersion: v1
kind: List
items:
  - {apiVersion: v1, kind: ConfigMap, metadata: {name: a}}
  - {apiVersion: v1, kind: Service, metadata: {name: b, namespace: x}}
---
# only a comment
---
apiVersion: batch/v1
kind: Job
metadata:
  name: migrate
  annotations: {helm.sh/hook: pre-upgrade}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: c}
)",
                                "t.yaml");
  auto objs = release_objects(docs);
  REQUIRE(objs.size() == 3);
  CHECK(describe(objs[0]) == "ConfigMap a");
  CHECK(describe(objs[1]) == "Service x/b");
  CHECK(describe(objs[2]) == "Deployment c");
}

TEST_CASE("Tilt's copy drops managedFields and never carries Secret data") {
  json secret = {{"apiVersion", "v1"},
                 {"kind", "Secret"},
                 {"metadata", {{"name", "s"}, {"uid", "u1"}, {"managedFields", json::array({{{"manager", "helm"}}})}}},
                 {"data", {{"password", "c2VjcmV0"}}}};
  auto out = tilt_output({secret});
  REQUIRE(out.size() == 1);
  CHECK_FALSE(out[0]["metadata"].contains("managedFields"));
  CHECK(out[0]["metadata"]["uid"] == "u1");
  CHECK(out[0].dump().find("c2VjcmV0") == std::string::npos);
}

TEST_CASE("objects Argo CD tracks are named") {
  json tracked = {{"kind", "Deployment"},
                  {"metadata", {{"name", "apps-graph"}, {"namespace", "ameide"},
                                {"annotations", {{"argocd.argoproj.io/tracking-id", "apps-graph:apps/Deployment:ameide/apps-graph"}}}}}};
  json labelled = {{"kind", "Service"},
                   {"metadata", {{"name", "svc"}, {"namespace", "ameide"}, {"labels", {{"argocd.argoproj.io/instance", "apps-graph"}}}}}};
  json mine = {{"kind", "ConfigMap"}, {"metadata", {{"name", "cm"}, {"namespace", "ameide"}}}};
  CHECK(argo_tracked({tracked, mine, labelled}) == std::vector<std::string>{"Deployment ameide/apps-graph", "Service ameide/svc"});
  CHECK(argo_tracked({mine}).empty());
}
