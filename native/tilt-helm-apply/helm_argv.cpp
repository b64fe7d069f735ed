#include "helm_argv.hpp"

namespace ath::helm_apply {

namespace {

void add_kube_flags(std::vector<std::string>& argv, const HelmTarget& t) {
  for (auto& f : helm_kube_flags(t.namespace_, t.kubeconfig, t.context)) argv.push_back(std::move(f));
}

void add_chart_input(std::vector<std::string>& argv, const ChartInput& in) {
  for (const auto& f : in.value_files) argv.insert(argv.end(), {"--values", f});
  auto sets = set_string_args(in.images);
  argv.insert(argv.end(), sets.begin(), sets.end());
}

}  // namespace

std::vector<std::string> helm_version_argv(const std::string& helm) {
  return {helm, "version", "--template", "{{.Version}}"};
}

HelmTemplate helm_template_of(const HelmTarget& t, const ChartInput& in) {
  return {t.helm, t.release, t.namespace_, in.chart, in.value_files, set_string_args(in.images), t.kubeconfig, t.context};
}

std::vector<std::string> helm_template_argv(const HelmTarget& t, const ChartInput& in) {
  return ath::helm_template_argv(helm_template_of(t, in));
}

std::vector<std::string> helm_upgrade_argv(const HelmTarget& t, const ChartInput& in, const std::vector<std::string>& extra) {
  std::vector<std::string> argv{t.helm, "upgrade", "--install"};
  add_kube_flags(argv, t);
  add_chart_input(argv, in);
  argv.insert(argv.end(), extra.begin(), extra.end());
  // `--` keeps a release or chart that starts with '-' from being read as a flag.
  argv.insert(argv.end(), {"--", t.release, in.chart});
  return argv;
}

std::vector<std::string> helm_get_manifest_argv(const HelmTarget& t) {
  std::vector<std::string> argv{t.helm, "get", "manifest"};
  add_kube_flags(argv, t);
  argv.insert(argv.end(), {"--", t.release});
  return argv;
}

std::vector<std::string> helm_uninstall_argv(const HelmTarget& t, bool dry_run) {
  std::vector<std::string> argv{t.helm, "uninstall", "--ignore-not-found"};
  if (dry_run) argv.push_back("--dry-run");
  add_kube_flags(argv, t);
  argv.insert(argv.end(), {"--", t.release});
  return argv;
}

}  // namespace ath::helm_apply
