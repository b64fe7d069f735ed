#include "plan.hpp"

#include "isolated_plan.hpp"

#include <filesystem>

namespace ath::values_parity {

std::vector<std::string> tilt_value_files(const Component& c, const WorkspaceConfig& cfg, const std::string& root_rel,
                                          const std::string& env) {
  if (c.tilt_value_files) return *c.tilt_value_files;
  std::vector<std::string> out;
  for (const auto& pattern : {cfg.shared_values, cfg.env_values}) {
    std::string p = expand_convention(pattern, env, c.name);
    p = root_rel.empty() ? p : root_rel + "/" + p;
    out.push_back(normalize_relative(p).value_or(p));
  }
  return out;
}

AppPlan make_plan(const Component& c, const ArgoApp& argo, const std::string& application_set,
                  std::vector<std::string> value_files) {
  AppPlan p;
  p.name = c.app();
  p.component = c.name;
  p.component_file = c.file;
  p.element = c.element;
  p.application = argo.name;
  p.application_set = application_set;
  p.release = argo.release;
  p.namespace_ = argo.namespace_;
  p.chart = argo.chart;
  p.value_files = std::move(value_files);
  p.images = c.images;
  p.set = c.tilt_set;
  p.language = c.language;
  p.source = c.source;
  p.tier = c.tier;
  p.live_update = c.live_update;
  p.depends_on = c.depends_on;
  p.labels = c.labels;
  return p;
}

namespace {

std::string absolute(const PlanContext& ctx, const std::string& rel) {
  return (std::filesystem::path(ctx.repo_root) / rel).lexically_normal().string();
}

json app_json(const AppPlan& p, const PlanContext& ctx) {
  json images = json::array(), keys = json::array(), deps = json::array();
  for (const auto& i : p.images) {
    images.push_back({{"name", i.name},
                      {"context", i.context},
                      {"dockerfile", i.dockerfile.empty() ? (i.context.empty() ? "Dockerfile" : i.context + "/Dockerfile") : i.dockerfile},
                      {"target", i.target},
                      {"repository_key", i.repository_key},
                      {"tag_key", i.tag_key}});
    keys.push_back({{"image", i.name}, {"repository", i.repository_key}, {"tag", i.tag_key}});
  }
  for (const auto& d : p.depends_on) deps.push_back("apps-" + d);
  json sync = json::array(), run = json::array();
  for (const auto& s : p.live_update.sync) sync.push_back({{"local", s.local}, {"remote", s.remote}});
  for (const auto& r : p.live_update.run) run.push_back({{"cmd", r.cmd}, {"trigger", r.trigger}});
  json files_abs = json::array();
  for (const auto& f : p.value_files) files_abs.push_back(absolute(ctx, f));
  return {{"name", p.name},
          {"component", p.component},
          {"component_file", p.component_file},
          {"element", p.element},
          {"application", p.application},
          {"application_set", p.application_set},
          {"release", p.release},
          {"namespace", p.namespace_},
          {"chart", p.chart},
          {"chart_abs", absolute(ctx, p.chart)},
          {"value_files", p.value_files},
          {"value_files_abs", files_abs},
          {"image_keys", keys},
          {"images", images},
          {"set", p.set},
          {"language", p.language},
          {"source", p.source},
          {"tier", p.tier},
          {"live_update", {{"sync", sync}, {"run", run}, {"fall_back_on", p.live_update.fall_back_on}}},
          {"dependencies", p.depends_on},
          {"resource_deps", deps},
          {"labels", p.labels},
          {"isolated", isolated_plan_json(p)}};
}

}  // namespace

json plan_to_json(const std::vector<AppPlan>& plans, const PlanContext& ctx, const std::vector<std::string>& errors) {
  json apps = json::array();
  for (const auto& p : plans) apps.push_back(app_json(p, ctx));
  return {{"schema", "tilt-values-parity/plan/v1"},
          {"repo_root", ctx.repo_root},
          {"root", ctx.root},
          {"env", ctx.env},
          {"apps", apps},
          {"errors", errors}};
}

std::string plan_to_text(const std::vector<AppPlan>& plans, const PlanContext& ctx) {
  std::string out;
  for (const auto& p : plans) {
    out += p.name + "  (component " + p.component + ", " + p.language + ", env " + ctx.env + ")\n";
    out += "  helm upgrade --install " + p.release + " " + p.chart + " -n " + p.namespace_;
    for (const auto& f : p.value_files) out += " -f " + f;
    for (const auto& i : p.images) out += " --set " + i.repository_key + "=<" + i.name + " repo> --set " + i.tag_key + "=<tag>";
    out += "\n" + isolated_plan_text(p);
    for (const auto& i : p.images)
      out += "  image " + i.name + ": context " + (i.context.empty() ? "." : i.context) +
             (i.dockerfile.empty() ? "" : ", dockerfile " + i.dockerfile) + "\n";
    if (!p.depends_on.empty()) {
      out += "  after:";
      for (const auto& d : p.depends_on) out += " apps-" + d;
      out += "\n";
    }
  }
  return out;
}

}  // namespace ath::values_parity
