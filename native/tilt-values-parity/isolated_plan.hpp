#pragma once
// Isolated mode in the plan (issue 18): the release Tilt deploys next to Argo CD's, with exactly
// Argo CD's value files and, beyond them, only the image keys and the full name. Pure.
#include <nlohmann/json.hpp>

#include "plan.hpp"

namespace ath::values_parity {

// `<release>-tilt`: the default isolated release (helm_app's isolate_suffix changes the tail).
std::string isolated_release(const AppPlan& p);

// {"release", "argocd_release", "value_files", "set": [every key set beyond Argo CD's files]}.
json isolated_plan_json(const AppPlan& p);

// One text line: the isolated release's helm command next to Argo CD's.
std::string isolated_plan_text(const AppPlan& p);

}  // namespace ath::values_parity
