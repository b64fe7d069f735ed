#pragma once
// Printing findings: text for people, JSON for scripts, SARIF 2.1.0 for CI annotations.
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "finding.hpp"

namespace ath::values_parity {
using json = nlohmann::json;

struct ReportContext {
  std::string repo_root;  // absolute; SARIF's %SRCROOT%
  std::string root;       // absolute workspace root
  std::string env;
  std::vector<std::string> apps;  // the apps checked
  std::string display_prefix;     // prepended to file names in text output ("" or "../")
};

// "file:line:col: error[rule]: message\n    fix: ...", then a summary line.
std::string report_text(const std::vector<Finding>& findings, const ReportContext& ctx);
// Schema "tilt-values-parity/check/v1": {schema, ok, env, root, repo_root, apps, findings[]}.
json report_json(const std::vector<Finding>& findings, const ReportContext& ctx);
// One run, tool.driver.rules = rule_catalog(), results with physicalLocation under %SRCROOT%.
json report_sarif(const std::vector<Finding>& findings, const ReportContext& ctx, const std::string& version);

}  // namespace ath::values_parity
