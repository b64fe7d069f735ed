#include "report.hpp"

#include <doctest/doctest.h>

using namespace ath::values_parity;

namespace {
std::vector<Finding> sample() {
  return {{"dev-registry", "values/prod/apps/apps-graph.yaml", 2, 15, "apps-graph", "prod image.repository points at a dev registry",
           "use the prod registry"},
          {"missing-values-file", "values/components/x/component.yaml", 0, 0, "", "gone", ""},
          {"value-files-mismatch", "values/argocd/apps-dev.yaml", 51, 17, "apps-a", "differ (2 more apps hit this line)", "",
           {"apps-b", "apps-c"}}};
}
ReportContext ctx() { return {"/repo", "/repo/values", "dev", {"apps-graph"}, ""}; }
}  // namespace

TEST_CASE("report_text: file:line:col, rule, fix and a summary") {
  std::string text = report_text(sample(), ctx());
  CHECK(text.find("values/prod/apps/apps-graph.yaml:2:15: error[dev-registry]: prod image.repository") == 0);
  CHECK(text.find("    fix: use the prod registry\n") != std::string::npos);
  CHECK(text.find("values/components/x/component.yaml: error[missing-values-file]: gone\n") != std::string::npos);
  CHECK(text.find("3 parity violations (env dev)") != std::string::npos);
  CHECK(report_text({}, ctx()) == "values parity ok: 1 apps, env dev\n");
}

TEST_CASE("report_json") {
  json j = report_json(sample(), ctx());
  CHECK(j["ok"] == false);
  CHECK(j["findings"][0]["line"] == 2);
  CHECK(j["findings"][0]["rule"] == "dev-registry");
  CHECK(j["findings"][0]["more_apps"] == json::array());
  CHECK(j["findings"][2]["app"] == "apps-a");
  CHECK(j["findings"][2]["more_apps"] == json::array({"apps-b", "apps-c"}));
  CHECK(report_json({}, ctx())["ok"] == true);
}

TEST_CASE("report_sarif is SARIF 2.1.0 with rules and located results") {
  json s = report_sarif(sample(), ctx(), "0.1.0");
  CHECK(s["version"] == "2.1.0");
  const json& run = s["runs"][0];
  CHECK(run["tool"]["driver"]["name"] == "tilt-values-parity");
  CHECK(run["tool"]["driver"]["rules"].size() == rule_catalog().size());
  CHECK(run["originalUriBaseIds"]["SRCROOT"]["uri"] == "file:///repo/");
  const json& r0 = run["results"][0];
  CHECK(run["tool"]["driver"]["rules"][r0["ruleIndex"].get<int>()]["id"] == "dev-registry");
  CHECK(r0["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "values/prod/apps/apps-graph.yaml");
  CHECK(r0["locations"][0]["physicalLocation"]["region"]["startLine"] == 2);
  CHECK(r0["locations"][0]["physicalLocation"]["region"]["startColumn"] == 15);
  CHECK_FALSE(run["results"][1]["locations"][0]["physicalLocation"].contains("region"));
  CHECK_FALSE(r0["properties"].contains("moreApps"));
  CHECK(run["results"][2]["properties"]["moreApps"] == json::array({"apps-b", "apps-c"}));
}
