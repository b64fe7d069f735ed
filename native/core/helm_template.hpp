#pragma once
// `helm template` of one release: the helm binary, its argv (never a shell line) and a run that
// returns the rendered objects. tilt-helm-apply renders before it deploys; tilt-values-parity
// renders both releases of isolated mode.
#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

#include "core/kubeconfig.hpp"

namespace ath {

// AMEIDE_HELM_BIN, else `helm` on PATH; throws UsageError naming the fix when neither is there.
std::string locate_helm(const EnvLookup& getenv);

// `--namespace NS [--kubeconfig F] [--kube-context C]`, as every helm command here passes them.
std::vector<std::string> helm_kube_flags(const std::string& ns, const std::string& kubeconfig,
                                         const std::string& context);

struct HelmTemplate {
  std::string helm;  // the helm binary
  std::string release;
  std::string namespace_;
  std::string chart;
  std::vector<std::string> value_files;  // --values, in helm's order (later files win)
  std::vector<std::string> set_args;     // e.g. {"--set-string", "image.tag=t"}, after the value files
  std::string kubeconfig;                // empty: helm's default
  std::string context;                   // empty: the kubeconfig's current context
};

std::vector<std::string> helm_template_argv(const HelmTemplate& t);

// Runs `helm template` (120 s limit) and returns its non-empty documents. Throws
// std::runtime_error with helm's stderr when helm fails or prints something that is not YAML.
std::vector<nlohmann::json> render_helm_template(const HelmTemplate& t);

}  // namespace ath
