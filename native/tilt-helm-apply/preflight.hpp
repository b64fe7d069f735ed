#pragma once
// Checks made before anything touches the cluster, each failing with a sentence that names the
// missing piece and the fix: chart, value files, image variables, helm, kubectl, helm's version.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "helm_pin.hpp"
#include "image_values.hpp"

namespace ath::helm_apply {

using Getenv = std::function<std::optional<std::string>(const std::string&)>;
// The process environment, as a Getenv.
std::optional<std::string> process_getenv(const std::string& name);

// A local chart folder (with Chart.yaml) or packaged .tgz; oci:// and http(s):// references are
// left to helm. nullopt when fine, else the sentence.
std::optional<std::string> check_chart(const std::string& chart);
// Every value file exists and is a readable regular file.
std::optional<std::string> check_value_files(const std::vector<std::string>& files);

// AMEIDE_HELM_BIN, else `helm` on PATH; throws UsageError when neither is there.
std::string locate_helm(const Getenv& getenv);
// The kubectl the kube layer runs (ATH_KUBECTL or PATH); throws UsageError when missing.
std::string locate_kubectl(const std::string& kubectl);

struct HelmSetup {
  std::string helm;
  HelmVersion version;
  HelmDecision decision;
};
// Locates helm, asks its version and applies the pin rules (AMEIDE_HELM_VERSION,
// AMEIDE_HELM_SERVER_SIDE). Throws UsageError when helm is missing, unreadable or refused.
// With `state_dir`, the version is remembered per binary (path, size, mtime) and helm is not
// asked again.
HelmSetup setup_helm(const Getenv& getenv, const std::optional<std::string>& state_dir = std::nullopt);

}  // namespace ath::helm_apply
