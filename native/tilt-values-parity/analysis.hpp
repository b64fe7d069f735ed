#pragma once
// The whole run: open the workspace, expand the generators, parse components, render Argo
// CD's template for each, derive Tilt's plan, load the value files both sides name, apply the
// parity rules. `check` prints the findings, `plan` the plans.
#include <filesystem>
#include <string>
#include <vector>

#include "plan.hpp"
#include "workspace.hpp"

namespace ath::values_parity {

struct Analysis {
  Workspace ws;
  std::vector<AppPlan> plans;      // sorted by name
  std::vector<Finding> findings;   // sorted
  std::vector<std::string> unplanned;  // component files that could not be planned
  // Problems that make the whole plan untrustworthy (broken workspace.yaml or ApplicationSet, a
  // generator that matches nothing), as "file:line: message": `plan` exits 1 on them.
  std::vector<std::string> plan_errors;
};

// Throws WorkspaceError when the workspace cannot be checked at all (exit 2).
Analysis analyse_workspace(const std::filesystem::path& root, const std::string& env, const LoadLimits& limits = {});

}  // namespace ath::values_parity
