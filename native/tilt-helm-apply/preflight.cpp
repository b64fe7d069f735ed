#include "preflight.hpp"

#include <spdlog/spdlog.h>

#include <filesystem>
#include <fstream>

#include "core/cli.hpp"
#include "core/process.hpp"
#include "apply_state.hpp"
#include "helm_argv.hpp"

namespace ath::helm_apply {
namespace fs = std::filesystem;

std::optional<std::string> check_chart(const std::string& chart) {
  if (chart.starts_with("oci://") || chart.starts_with("https://") || chart.starts_with("http://")) return std::nullopt;
  std::error_code ec;
  if (fs::is_directory(chart, ec)) {
    if (fs::is_regular_file(fs::path(chart) / "Chart.yaml", ec)) return std::nullopt;
    return "chart folder " + chart + " has no Chart.yaml: pass the folder that holds the chart's Chart.yaml";
  }
  if (fs::is_regular_file(chart, ec) && (chart.ends_with(".tgz") || chart.ends_with(".tar.gz"))) return std::nullopt;
  return "chart not found: " + chart + " (a local chart folder or .tgz, or an oci:// reference): check --chart";
}

std::optional<std::string> check_value_files(const std::vector<std::string>& files) {
  for (const auto& f : files) {
    std::error_code ec;
    if (!fs::exists(f, ec)) return "value file not found: " + f + ": Argo CD deploys with it, so Tilt must too; check --values";
    if (!fs::is_regular_file(f, ec)) return "value file " + f + " is not a regular file";
    std::ifstream in(f);
    if (!in) return "value file " + f + " cannot be read: check its permissions";
  }
  return std::nullopt;
}

std::string locate_kubectl(const std::string& kubectl) {
  if (auto found = find_program(kubectl)) return *found;
  throw UsageError("kubectl not found (" + kubectl + "): install kubectl or set AMEIDE_KUBECTL to its path");
}

HelmSetup setup_helm(const Getenv& getenv, const std::optional<std::string>& state_dir) {
  HelmSetup s;
  s.helm = locate_helm(getenv);
  const std::string pin_text = getenv("AMEIDE_HELM_VERSION").value_or("");
  auto pin = parse_helm_version(pin_text.empty() ? kDefaultHelmPin : pin_text);
  if (!pin) throw UsageError("AMEIDE_HELM_VERSION='" + pin_text + "' is not a helm version like " + kDefaultHelmPin);
  const std::string ss_text = getenv("AMEIDE_HELM_SERVER_SIDE").value_or("");
  auto ss = parse_server_side(ss_text);
  if (!ss) throw UsageError("AMEIDE_HELM_SERVER_SIDE='" + ss_text + "' must be true, auto or false (the default)");

  std::optional<HelmVersion> version;
  if (state_dir)
    if (auto cached = cached_helm_version(*state_dir, s.helm)) version = parse_helm_version(*cached);
  if (!version) {
    auto res = run_process({.argv = helm_version_argv(s.helm), .timeout = std::chrono::seconds(30)});
    if (!res.ok()) throw UsageError(s.helm + " version failed (" + res.describe() + "): " + res.err);
    version = parse_helm_version(res.out);
    if (!version) throw UsageError(s.helm + " reported version '" + res.out + "', which is not a version");
    if (state_dir) store_helm_version(*state_dir, s.helm, version->text());
  }
  s.version = *version;
  s.decision = decide_helm(*version, *pin, *ss);
  if (s.decision.refused) throw UsageError(s.decision.message);
  return s;
}

ApplyInputs check_apply_inputs(const std::string& chart, const std::vector<std::string>& value_files,
                               const std::vector<std::string>& image_key_pairs, const std::string& kubectl,
                               const Getenv& getenv, const std::optional<std::string>& state_dir) {
  if (auto err = check_chart(chart)) throw UsageError(*err);
  if (auto err = check_value_files(value_files)) throw UsageError(*err);
  ApplyInputs in{ChartInput{chart, value_files, {}}, {}};
  try {
    std::vector<ImageKeys> keys;
    for (const auto& p : image_key_pairs) keys.push_back(parse_image_keys(p));
    if (keys.empty()) keys.push_back(ImageKeys{});  // one image: image.repository, image.tag
    in.input.images = image_values(keys, getenv);
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
  in.helm = setup_helm(getenv, state_dir);
  for (const auto& w : in.helm.decision.warnings) spdlog::warn("{}", w);
  locate_kubectl(kubectl);
  return in;
}

}  // namespace ath::helm_apply
