#pragma once
// Checks made before anything touches the cluster, each failing with a sentence that names the
// missing piece and the fix: chart, value files, image variables, helm, kubectl, helm's version.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/helm_template.hpp"
#include "helm_argv.hpp"
#include "helm_pin.hpp"
#include "image_values.hpp"

namespace ath::helm_apply {

// An environment lookup; ath::process_env reads the process's. locate_helm is core's
// (core/helm_template.hpp).
using Getenv = ath::EnvLookup;

// A local chart folder (with Chart.yaml) or packaged .tgz; oci:// and http(s):// references are
// left to helm. nullopt when fine, else the sentence.
std::optional<std::string> check_chart(const std::string& chart);
// Every value file exists and is a readable regular file.
std::optional<std::string> check_value_files(const std::vector<std::string>& files);

// The kubectl the kube layer runs (AMEIDE_KUBECTL or PATH); throws UsageError when missing.
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

// Everything an apply checks before any request to the cluster, in both modes: the chart, the
// value files, TILT_IMAGE_<i> for each "REPO_KEY,TAG_KEY" pair (default: image.repository,
// image.tag), helm and its version (warnings logged), kubectl. Throws UsageError naming the fix.
struct ApplyInputs {
  ChartInput input;
  HelmSetup helm;
};
ApplyInputs check_apply_inputs(const std::string& chart, const std::vector<std::string>& value_files,
                               const std::vector<std::string>& image_key_pairs, const std::string& kubectl,
                               const Getenv& getenv, const std::optional<std::string>& state_dir = std::nullopt);

}  // namespace ath::helm_apply
