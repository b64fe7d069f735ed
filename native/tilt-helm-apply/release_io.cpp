#include "release_io.hpp"

#include <spdlog/spdlog.h>

#include <sstream>

#include "applied_objects.hpp"
#include "core/yaml_json.hpp"

namespace ath::helm_apply {

ProcessResult run_helm(const std::vector<std::string>& argv, std::chrono::seconds timeout) {
  std::string line;
  for (const auto& a : argv) line += (line.empty() ? "" : " ") + a;
  spdlog::debug("running {}", line);
  return run_process({.argv = argv, .timeout = timeout});
}

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) lines.push_back(line);
  return lines;
}

void log_helm_output(const ProcessResult& result) {
  for (const auto& line : split_lines(result.out + result.err)) spdlog::info("helm: {}", line);
}

std::optional<std::vector<json>> installed_manifest(const HelmTarget& target) {
  auto res = run_helm(helm_get_manifest_argv(target), std::chrono::seconds(120));
  if (!res.ok()) {
    if (res.err.find("not found") != std::string::npos) return std::nullopt;
    throw std::runtime_error("helm get manifest " + target.release + " failed (" + res.describe() + "): " + res.err);
  }
  return release_objects(parse_yaml_stream(res.out, "helm get manifest " + target.release));
}

bool uninstall_release(const HelmTarget& target, bool dry_run) {
  auto res = run_helm(helm_uninstall_argv(target, dry_run), std::chrono::seconds(600));
  log_helm_output(res);
  if (res.ok()) return true;
  spdlog::error("{}: helm uninstall failed ({}); run `helm uninstall {} -n {}` by hand once the cause is fixed",
                target.release, res.describe(), target.release, target.namespace_);
  return false;
}

std::vector<json> fetch_live(KubeClient& client, const ResourceIndex& index, const std::vector<json>& objects,
                             const std::string& release_namespace) {
  std::vector<json> live;
  for (const auto& o : objects) {
    const auto* type = index.by_kind(o.value("apiVersion", ""), o.value("kind", ""));
    if (!type) {
      spdlog::warn("{}: the server does not serve {} {}; not reported to Tilt", describe(o), o.value("apiVersion", ""),
                   o.value("kind", ""));
      continue;
    }
    const json md = o.value("metadata", json::object());
    std::string ns = type->namespaced ? md.value("namespace", release_namespace) : "";
    auto got = client.get(*type, ns, md.value("name", ""));
    if (!got.ok()) {
      if (got.error->kind == KubeErrorKind::NotFound) continue;
      throw std::runtime_error("cannot read " + describe(o) + ": " + got.error->describe());
    }
    if (!got.value.contains("apiVersion")) got.value["apiVersion"] = type->group_version();
    if (!got.value.contains("kind")) got.value["kind"] = type->kind;
    live.push_back(std::move(got.value));
  }
  return live;
}

ResourceIndex discover_index(KubeClient& client) {
  auto types = client.discover();
  if (!types.ok()) throw std::runtime_error("API discovery failed: " + types.error->describe());
  return ResourceIndex(std::move(types.value));
}

}  // namespace ath::helm_apply
