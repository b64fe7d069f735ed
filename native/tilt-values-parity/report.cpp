#include "report.hpp"

namespace ath::values_parity {

std::string report_text(const std::vector<Finding>& findings, const ReportContext& ctx) {
  std::string out;
  std::vector<std::string> apps;
  for (const auto& f : findings) {
    out += ctx.display_prefix + f.file;
    if (f.line > 0) out += ":" + std::to_string(f.line);
    if (f.line > 0 && f.column > 0) out += ":" + std::to_string(f.column);
    out += ": error[" + f.rule + "]: " + f.message + "\n";
    if (!f.fix.empty()) out += "    fix: " + f.fix + "\n";
  }
  if (findings.empty())
    out += "values parity ok: " + std::to_string(ctx.apps.size()) + " apps, env " + ctx.env + "\n";
  else
    out += std::to_string(findings.size()) + " parity violation" + (findings.size() == 1 ? "" : "s") + " (env " + ctx.env + ")\n";
  return out;
}

json report_json(const std::vector<Finding>& findings, const ReportContext& ctx) {
  json list = json::array();
  for (const auto& f : findings)
    list.push_back({{"rule", f.rule},
                    {"file", f.file},
                    {"line", f.line},
                    {"column", f.column},
                    {"app", f.app},
                    {"more_apps", f.more_apps},
                    {"message", f.message},
                    {"fix", f.fix}});
  return {{"schema", "tilt-values-parity/check/v1"},
          {"ok", findings.empty()},
          {"env", ctx.env},
          {"root", ctx.root},
          {"repo_root", ctx.repo_root},
          {"apps", ctx.apps},
          {"findings", list}};
}

json report_sarif(const std::vector<Finding>& findings, const ReportContext& ctx, const std::string& version) {
  json rules = json::array();
  const auto& catalog = rule_catalog();
  for (const auto& r : catalog)
    rules.push_back({{"id", r.id},
                     {"shortDescription", {{"text", r.summary}}},
                     {"defaultConfiguration", {{"level", "error"}}}});
  json results = json::array();
  for (const auto& f : findings) {
    int index = -1;
    for (size_t i = 0; i < catalog.size(); ++i)
      if (f.rule == catalog[i].id) index = static_cast<int>(i);
    json physical = {{"artifactLocation", {{"uri", f.file}, {"uriBaseId", "SRCROOT"}}}};
    if (f.line > 0) {
      physical["region"] = {{"startLine", f.line}};
      if (f.column > 0) physical["region"]["startColumn"] = f.column;
    }
    json result = {{"ruleId", f.rule},
                   {"level", "error"},
                   {"message", {{"text", f.message + (f.fix.empty() ? "" : ". Fix: " + f.fix)}}},
                   {"locations", json::array({{{"physicalLocation", physical}}})}};
    if (index >= 0) result["ruleIndex"] = index;
    if (!f.app.empty()) result["properties"] = {{"app", f.app}};
    if (!f.more_apps.empty()) result["properties"]["moreApps"] = f.more_apps;
    results.push_back(result);
  }
  std::string base = ctx.repo_root;
  if (base.empty() || base.back() != '/') base += '/';
  return {{"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
          {"version", "2.1.0"},
          {"runs", json::array({{{"tool", {{"driver", {{"name", "tilt-values-parity"},
                                                       {"semanticVersion", version},
                                                       {"rules", rules}}}}},
                                 {"originalUriBaseIds", {{"SRCROOT", {{"uri", "file://" + base}}}}},
                                 {"results", results}}})}};
}

}  // namespace ath::values_parity
