#pragma once
// The deploy plan of one apps-* release: what the Tiltfile (helm_app) needs, taken from the
// Application Argo CD's template yields plus the component's Tilt-only hints. Pure code.
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "argo_template.hpp"
#include "component.hpp"
#include "workspace.hpp"

namespace ath::values_parity {
using json = nlohmann::json;

struct AppPlan {
  std::string name;             // Tilt resource name, "apps-<component>"
  std::string component;
  std::string component_file;   // repository-relative
  size_t element = 0;           // item of a component file that is a YAML list
  std::string application;      // the Argo CD Application's name
  std::string application_set;  // its ApplicationSet
  std::string release;
  std::string namespace_;
  std::string chart;                     // repository-relative
  std::vector<std::string> value_files;  // repository-relative, in helm's order
  std::vector<ImageSpec> images;
  json set = json::object();  // extra --set values (only image keys pass the check)
  std::string language;
  std::string source;
  std::string tier;
  LiveUpdateHints live_update;
  std::vector<std::string> depends_on;  // component names
  std::vector<std::string> labels;
};

// The value files Tilt passes: the component's `tilt.valueFiles` when set, else the
// workspace conventions: shared values, then the overlay of `env`.
std::vector<std::string> tilt_value_files(const Component& c, const WorkspaceConfig& cfg, const std::string& root_rel,
                                          const std::string& env);

AppPlan make_plan(const Component& c, const ArgoApp& argo, const std::string& application_set,
                  std::vector<std::string> value_files);

struct PlanContext {
  std::string repo_root;  // absolute
  std::string root;       // absolute workspace root
  std::string env;
};

// Schema "tilt-values-parity/plan/v1" (README.md beside this file).
json plan_to_json(const std::vector<AppPlan>& plans, const PlanContext& ctx, const std::vector<std::string>& errors);
std::string plan_to_text(const std::vector<AppPlan>& plans, const PlanContext& ctx);

}  // namespace ath::values_parity
