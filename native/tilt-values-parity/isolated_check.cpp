#include "isolated_check.hpp"

#include <optional>

#include "core/helm_template.hpp"
#include "core/isolated_names.hpp"
#include "core/parallel.hpp"

namespace ath::values_parity {
namespace fs = std::filesystem;

namespace {

constexpr const char* kRule = "isolated-names";

// The same stand-in image on both sides: only the names may differ.
std::vector<std::string> image_args(const AppPlan& p) {
  std::vector<std::string> args;
  for (const auto& i : p.images)
    args.insert(args.end(), {"--set-string", i.repository_key + "=isolated-check.invalid/" + i.name, "--set-string",
                             i.tag_key + "=check"});
  return args;
}

std::string first_line(const std::string& text) {
  auto end = text.find('\n');
  return end == std::string::npos ? text : text.substr(0, end);
}

struct Renders {
  std::vector<json> ours, argo;
  std::string error;  // helm failed on either side
};

}  // namespace

std::vector<Finding> isolated_names_findings(const AppPlan& p, const std::string& chart_file, const std::string& release,
                                             const std::string& ns, const std::vector<json>& ours,
                                             const std::vector<json>& argo) {
  const auto same = ath::same_object_names(ours, ns, argo, p.namespace_);
  if (same.empty()) return {};
  std::string list;
  for (const auto& id : same) list += (list.empty() ? "" : ", ") + id;
  return {{kRule, chart_file, 0, 0, p.name,
           "in isolated mode Tilt's release " + release + " (namespace " + ns +
               ") renders the same object names as Argo CD's release " + p.release + ": " + list +
               "; it would take them over, so tilt-helm-apply refuses to deploy it",
           ath::kDistinctNamesFix}};
}

void check_isolated(const std::vector<AppPlan>& plans, const fs::path& repo_root, const IsolatedCheck& how,
                    std::vector<Finding>& out) {
  std::vector<ath::IsolatedName> names;
  for (const auto& p : plans) names.push_back(ath::isolated_release_name(p.release, how.suffix));
  std::vector<Renders> renders(plans.size());
  ath::parallel_for(plans.size(), 4, [&](size_t i) {
    const AppPlan& p = plans[i];
    if (!names[i].error.empty()) return;
    std::vector<std::string> files;
    for (const auto& f : p.value_files) files.push_back((repo_root / f).string());
    const std::string chart = (repo_root / p.chart).string();
    ath::HelmTemplate argo{how.helm, p.release, p.namespace_, chart, files, image_args(p), "", ""};
    ath::HelmTemplate ours = argo;
    ours.release = names[i].name;
    ours.namespace_ = how.namespace_.empty() ? p.namespace_ : how.namespace_;
    for (auto& a : ath::isolated_name_args(ours.release)) ours.set_args.push_back(std::move(a));
    try {
      renders[i].argo = ath::render_helm_template(argo);
      renders[i].ours = ath::render_helm_template(ours);
    } catch (const std::exception& e) {
      renders[i].error = first_line(e.what());
    }
  });
  for (size_t i = 0; i < plans.size(); ++i) {
    const AppPlan& p = plans[i];
    std::error_code ec;
    const std::string chart_file = fs::is_directory(repo_root / p.chart, ec) ? p.chart + "/Chart.yaml" : p.chart;
    if (!names[i].error.empty()) {
      out.push_back({kRule, p.component_file, 0, 0, p.name, "Tilt's isolated release of " + p.name + ": " + names[i].error,
                     "shorten the component's name or the --isolate-suffix"});
      continue;
    }
    if (!renders[i].error.empty()) {
      out.push_back({kRule, chart_file, 0, 0, p.name,
                     "isolated mode renders " + p.name + " with helm to compare object names, and helm failed: " +
                         renders[i].error,
                     "make `helm template` of the chart with Argo CD's value files succeed"});
      continue;
    }
    const std::string ns = how.namespace_.empty() ? p.namespace_ : how.namespace_;
    for (auto& f : isolated_names_findings(p, chart_file, names[i].name, ns, renders[i].ours, renders[i].argo))
      out.push_back(std::move(f));
  }
}

}  // namespace ath::values_parity
