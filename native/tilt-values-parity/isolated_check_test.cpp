#include "isolated_check.hpp"

#include <doctest/doctest.h>

using namespace ath::values_parity;

namespace {
AppPlan graph() {
  AppPlan p;
  p.name = p.release = "apps-graph";
  p.namespace_ = "ameide";
  p.chart = "values/charts/app";
  p.component_file = "values/components/graph/component.yaml";
  return p;
}
json object(const std::string& kind, const std::string& name) { return {{"kind", kind}, {"metadata", {{"name", name}}}}; }
}  // namespace

TEST_CASE("isolated names: a chart with distinct names has no finding") {
  CHECK(isolated_names_findings(graph(), "values/charts/app/Chart.yaml", "apps-graph-tilt", "ameide",
                                {object("Deployment", "apps-graph-tilt")}, {object("Deployment", "apps-graph")})
            .empty());
}

TEST_CASE("isolated names: fixed names are a finding that names the objects and the fix") {
  auto f = isolated_names_findings(graph(), "values/charts/app/Chart.yaml", "apps-graph-tilt", "ameide",
                                   {object("Deployment", "apps-graph"), object("Service", "apps-graph")},
                                   {object("Deployment", "apps-graph"), object("Service", "apps-graph")});
  REQUIRE(f.size() == 1);
  CHECK(f[0].rule == "isolated-names");
  CHECK(f[0].file == "values/charts/app/Chart.yaml");
  CHECK(f[0].app == "apps-graph");
  CHECK(f[0].message.find("Deployment ameide/apps-graph, Service ameide/apps-graph") != std::string::npos);
  CHECK(f[0].fix.find("fullnameOverride") != std::string::npos);
  // In the developer's own namespace the same names are distinct objects.
  CHECK(isolated_names_findings(graph(), "c", "apps-graph-tilt", "dev-alice", {object("Deployment", "apps-graph")},
                                {object("Deployment", "apps-graph")})
            .empty());
}

TEST_CASE("isolated names: a release over Helm's limit and a helm that fails are findings, not crashes") {
  AppPlan long_name = graph();
  long_name.name = long_name.release = std::string(50, 'a');
  std::vector<Finding> out;
  check_isolated({long_name, graph()}, "/nonexistent-repo", {"/bin/false", "", ""}, out);
  REQUIRE(out.size() == 2);
  CHECK(out[0].file == long_name.component_file);
  CHECK(out[0].message.find("53-character") != std::string::npos);
  CHECK(out[1].message.find("helm failed") != std::string::npos);
  CHECK(out[1].file == "values/charts/app");  // not a folder here: the chart path itself
}
