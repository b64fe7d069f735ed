#include "core/helm_version.hpp"

#include <regex>

#include "core/process.hpp"

namespace ath {

std::string HelmVersion::text() const {
  return "v" + std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(patch);
}

std::optional<HelmVersion> parse_helm_version(const std::string& text) {
  static const std::regex re(R"(^\s*v?(\d{1,4})\.(\d{1,4})\.(\d{1,4})([-+][0-9A-Za-z.+-]*)?\s*$)");
  std::smatch m;
  if (!std::regex_match(text, m, re)) return std::nullopt;
  return HelmVersion{std::stoi(m[1]), std::stoi(m[2]), std::stoi(m[3])};
}

std::optional<HelmVersion> find_helm_version(const std::string& output) {
  static const std::regex re(R"(v(\d{1,4})\.(\d{1,4})\.(\d{1,4}))");
  std::smatch m;
  if (!std::regex_search(output, m, re)) return std::nullopt;
  return HelmVersion{std::stoi(m[1]), std::stoi(m[2]), std::stoi(m[3])};
}

std::optional<HelmVersion> detect_helm_version(const std::string& helm) {
  auto res = run_process({.argv = {helm, "version", "--template", "{{.Version}}"}, .timeout = std::chrono::seconds(30)});
  if (!res.ok()) return std::nullopt;
  return parse_helm_version(res.out);
}

}  // namespace ath
