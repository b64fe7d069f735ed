#pragma once
// One parity violation, located at file:line so that editors and CI can point at it.
#include <string>
#include <vector>

namespace ath::values_parity {

struct Finding {
  std::string rule;     // stable id, e.g. "value-files-mismatch" (see rule_catalog())
  std::string file;     // repository-relative path, '/'-separated
  int line = 0;         // 1-based; 0 when the file itself is meant
  int column = 0;       // 1-based; 0 when unknown
  std::string app;      // "apps-<component>" when the finding concerns one app
  std::string message;  // what is wrong
  std::string fix;      // what to do about it
  // A finding in the ApplicationSet is reported once per line and rule for every app that hits
  // it: the apps after `app` (so a reader, and the differential test, knows each app it concerns).
  std::vector<std::string> more_apps{};
};

struct RuleInfo {
  const char* id;
  const char* summary;
};

// Every rule the checker reports, in a fixed order (SARIF's tool.driver.rules).
const std::vector<RuleInfo>& rule_catalog();

// By file, line, column, rule, message: reports are stable from run to run.
void sort_findings(std::vector<Finding>& findings);

}  // namespace ath::values_parity
