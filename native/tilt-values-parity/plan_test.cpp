#include "plan.hpp"

#include <doctest/doctest.h>

using namespace ath::values_parity;

namespace {
Component graph() {
  static LoadedFile file = parse_loaded("values/components/graph/component.yaml", R"(name: graph
namespace: ameide
chart: values/charts/app
language: go
images: [{name: graph, context: services/graph}]
liveUpdate: {sync: [{local: services/graph, remote: /app}], run: [{cmd: go build, trigger: [go.mod]}]}
dependsOn: [platform]
labels: [apps]
)", {});
  std::vector<Finding> ignored;
  return parse_components(file, ignored).at(0);
}
}  // namespace

TEST_CASE("tilt_value_files follows the conventions unless the component overrides them") {
  WorkspaceConfig cfg;
  Component c = graph();
  CHECK(tilt_value_files(c, cfg, "values", "dev") ==
        std::vector<std::string>{"values/_shared/apps/apps-graph.yaml", "values/dev/apps/apps-graph.yaml"});
  CHECK(tilt_value_files(c, cfg, "", "qa")[1] == "qa/apps/apps-graph.yaml");
  c.tilt_value_files = std::vector<std::string>{"x.yaml"};
  CHECK(tilt_value_files(c, cfg, "values", "dev") == std::vector<std::string>{"x.yaml"});
}

TEST_CASE("plan_to_json carries what helm_app needs") {
  ArgoApp argo;
  argo.name = "apps-graph";
  argo.release = "apps-graph";
  argo.namespace_ = "ameide";
  argo.chart = "values/charts/app";
  AppPlan p = make_plan(graph(), argo, "apps-dev", {"values/_shared/apps/apps-graph.yaml", "values/dev/apps/apps-graph.yaml"});
  json j = plan_to_json({p}, {"/repo", "/repo/values", "dev"}, {});
  CHECK(j["schema"] == "tilt-values-parity/plan/v1");
  const json& app = j["apps"][0];
  CHECK(app["name"] == "apps-graph");
  CHECK(app["chart_abs"] == "/repo/values/charts/app");
  CHECK(app["value_files_abs"][1] == "/repo/values/dev/apps/apps-graph.yaml");
  CHECK(app["image_keys"][0] == json({{"image", "graph"}, {"repository", "image.repository"}, {"tag", "image.tag"}}));
  CHECK(app["images"][0]["dockerfile"] == "services/graph/Dockerfile");
  CHECK(app["resource_deps"] == json({"apps-platform"}));
  CHECK(app["live_update"]["run"][0]["trigger"] == json({"go.mod"}));
  CHECK(app["language"] == "go");
  std::string text = plan_to_text({p}, {"/repo", "/repo/values", "dev"});
  CHECK(text.find("-f values/_shared/apps/apps-graph.yaml -f values/dev/apps/apps-graph.yaml") != std::string::npos);
}
