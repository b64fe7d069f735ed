#pragma once
// `check --isolated` (issue 18): Tilt's isolated release `<release>-tilt` must render distinct
// object names from Argo CD's release, or it would take Argo CD's objects over. helm renders both
// releases of every app (same chart, value files and images; Tilt's adds fullnameOverride), and a
// chart that names an object the same in both is a finding with the fix, before anything is
// deployed. The decision is core/isolated_names.hpp's, the one tilt-helm-apply refuses with.
#include <filesystem>
#include <string>
#include <vector>

#include "finding.hpp"
#include "plan.hpp"

namespace ath::values_parity {

struct IsolatedCheck {
  std::string helm;        // the helm binary
  std::string suffix;      // --isolate-suffix: release <release>-<suffix>; empty: <release>-tilt
  std::string namespace_;  // --isolate-namespace: Tilt's release goes there; empty: the app's namespace
};

// The finding for one app, or none. Pure: `ours` is Tilt's render (release `release`, into
// `ns`), `argo` Argo CD's (the plan's release and namespace).
std::vector<Finding> isolated_names_findings(const AppPlan& p, const std::string& chart_file, const std::string& release,
                                             const std::string& ns, const std::vector<json>& ours,
                                             const std::vector<json>& argo);

// Renders both releases of each app with helm (a few at a time) and appends the findings.
void check_isolated(const std::vector<AppPlan>& plans, const std::filesystem::path& repo_root, const IsolatedCheck& how,
                    std::vector<Finding>& out);

}  // namespace ath::values_parity
