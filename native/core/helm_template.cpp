#include "helm_template.hpp"

#include <spdlog/spdlog.h>

#include "cli.hpp"
#include "helm_version.hpp"
#include "process.hpp"
#include "yaml_json.hpp"

namespace ath {

std::string locate_helm(const EnvLookup& getenv) {
  if (auto bin = getenv("AMEIDE_HELM_BIN"); bin && !bin->empty()) {
    if (auto found = find_program(*bin)) return *found;
    throw UsageError("helm not found: AMEIDE_HELM_BIN=" + *bin + " is not an executable file; fix AMEIDE_HELM_BIN");
  }
  if (auto found = find_program("helm")) return *found;
  throw UsageError(std::string("helm not found on PATH: install helm ") + kDefaultHelmPin +
                   " (scripts/install-helm.sh) or set AMEIDE_HELM_BIN");
}

std::vector<std::string> helm_kube_flags(const std::string& ns, const std::string& kubeconfig,
                                         const std::string& context) {
  std::vector<std::string> flags{"--namespace", ns};
  if (!kubeconfig.empty()) flags.insert(flags.end(), {"--kubeconfig", kubeconfig});
  if (!context.empty()) flags.insert(flags.end(), {"--kube-context", context});
  return flags;
}

std::vector<std::string> helm_template_argv(const HelmTemplate& t) {
  std::vector<std::string> argv{t.helm, "template"};
  for (auto& f : helm_kube_flags(t.namespace_, t.kubeconfig, t.context)) argv.push_back(std::move(f));
  for (const auto& f : t.value_files) argv.insert(argv.end(), {"--values", f});
  argv.insert(argv.end(), t.set_args.begin(), t.set_args.end());
  // `--` keeps a release or chart that starts with '-' from being read as a flag.
  argv.insert(argv.end(), {"--", t.release, t.chart});
  return argv;
}

std::vector<nlohmann::json> render_helm_template(const HelmTemplate& t) {
  const auto argv = helm_template_argv(t);
  std::string line;
  for (const auto& a : argv) line += (line.empty() ? "" : " ") + a;
  spdlog::debug("running {}", line);
  auto res = run_process({.argv = argv, .timeout = std::chrono::seconds(120)});
  if (!res.ok())
    throw std::runtime_error("helm template " + t.release + " " + t.chart + " failed (" + res.describe() +
                             "): " + res.err);
  std::vector<nlohmann::json> out;
  for (auto& d : parse_yaml_stream(res.out, "helm template " + t.release))
    if (!d.value.is_null()) out.push_back(std::move(d.value));
  return out;
}

}  // namespace ath
