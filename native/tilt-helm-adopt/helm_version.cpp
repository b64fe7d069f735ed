#include "tilt-helm-adopt/helm_version.hpp"

#include <regex>

#include "core/process.hpp"

namespace ath::adopt {

std::optional<HelmVersion> parse_helm_version(const std::string& output) {
  static const std::regex version_re(R"(v(\d+)\.(\d+)\.(\d+))");
  std::smatch m;
  if (!std::regex_search(output, m, version_re)) return std::nullopt;
  return HelmVersion{std::stoi(m[1]), std::stoi(m[2]), std::stoi(m[3]), m[0]};
}

ScrubDecision scrub_rule(const std::optional<HelmVersion>& helm) {
  if (!helm)
    return {true, "helm's version is unknown: resetting managedFields on adopted objects, which every helm accepts"};
  if (helm->major >= 4)
    return {true, "helm " + helm->text +
                      " applies server-side by default: resetting managedFields so the first apply does not "
                      "meet other managers' field ownership"};
  return {false, "helm " + helm->text + " applies client-side and never reads managedFields: leaving them alone"};
}

std::optional<HelmVersion> detect_helm_version(const std::string& helm) {
  ProcessSpec spec;
  spec.argv = {helm, "version", "--short"};
  spec.timeout = std::chrono::seconds(10);
  ProcessResult res = run_process(spec);
  if (!res.ok()) return std::nullopt;
  return parse_helm_version(res.out);
}

ScrubDecision resolve_scrub(const std::string& mode, const std::string& helm) {
  if (mode == "always") return {true, "--scrub-managed-fields always"};
  if (mode == "never") return {false, "--scrub-managed-fields never"};
  return scrub_rule(detect_helm_version(helm));
}

}  // namespace ath::adopt
