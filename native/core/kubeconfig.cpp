#include "core/kubeconfig.hpp"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <vector>

#include "core/yaml_json.hpp"

namespace ath {

namespace fs = std::filesystem;

namespace {

const char* kFix =
    "set KUBECONFIG to your kubeconfig file, or pass --kubeconfig FILE, and --context NAME to pick the cluster";

// "does not exist", "is not a file" or "cannot be read", or nullopt when kubectl can read it.
std::optional<std::string> file_problem(const std::string& path) {
  std::error_code ec;
  auto st = fs::status(path, ec);
  if (!fs::exists(st)) return "does not exist";
  if (fs::is_directory(st)) return "is a directory, not a file";
  if (::access(path.c_str(), R_OK) != 0) return "cannot be read (permissions)";
  return std::nullopt;
}

std::vector<std::string> split_path_list(const std::string& list) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= list.size()) {
    size_t end = list.find(':', start);
    if (end == std::string::npos) end = list.size();
    if (end > start) out.push_back(list.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

}  // namespace

std::vector<std::string> kubeconfig_files(const KubeAccess& access, const EnvLookup& env) {
  if (!access.kubeconfig.empty()) return {access.kubeconfig};
  if (auto list = env("KUBECONFIG"); list && !list->empty()) return split_path_list(*list);
  if (auto home = env("HOME"); home && !home->empty()) return {(fs::path(*home) / ".kube" / "config").string()};
  return {};
}

std::optional<std::string> kubeconfig_problem(const KubeAccess& access, const EnvLookup& env) {
  // kubectl's loading rules: --kubeconfig must exist; $KUBECONFIG's files are merged, missing ones
  // skipped; else ~/.kube/config; with nothing to read, in-cluster config inside a pod.
  if (!access.kubeconfig.empty()) {
    if (auto p = file_problem(access.kubeconfig))
      return "kubeconfig " + access.kubeconfig + " (from --kubeconfig) " + *p + "; " + kFix;
    return std::nullopt;
  }
  if (auto in_pod = env("KUBERNETES_SERVICE_HOST"); in_pod && !in_pod->empty()) return std::nullopt;
  if (auto list = env("KUBECONFIG"); list && !list->empty()) {
    auto files = split_path_list(*list);
    std::string problems;
    for (const auto& f : files) {
      auto p = file_problem(f);
      if (!p) return std::nullopt;
      problems += (problems.empty() ? "" : ", ") + f + " " + *p;
    }
    return "no usable kubeconfig: KUBECONFIG names " + problems + "; " + kFix;
  }
  auto home = env("HOME");
  if (!home || home->empty()) return "no kubeconfig: KUBECONFIG and HOME are not set; " + std::string(kFix);
  const std::string dflt = (fs::path(*home) / ".kube" / "config").string();
  if (auto p = file_problem(dflt)) return "no kubeconfig: " + dflt + " " + *p + " and KUBECONFIG is not set; " + kFix;
  return std::nullopt;
}

std::string describe_api_server(const KubeAccess& access) {
  // Read here, not with `kubectl config view`: kubectl behind the Cloud SDK dispatcher asks the
  // (possibly silent) server its version first. kubectl's merge rule, simplified: the first file
  // that names a current-context or defines a context/cluster wins.
  std::vector<json> configs;
  for (const auto& f : kubeconfig_files(access)) {
    try {
      auto doc = parse_yaml_document(read_text_file(f), f, {.keep_positions = false});
      if (doc.value.is_object()) configs.push_back(std::move(doc.value));
    } catch (const std::exception&) {
    }
  }
  std::string context = access.context;
  for (const auto& c : configs)
    if (context.empty() && c.value("current-context", json()).is_string()) context = c["current-context"];
  const std::string which = context.empty() ? "the current context" : "context '" + context + "'";
  auto find_named = [&](const char* list, const std::string& name, const char* field) -> json {
    for (const auto& c : configs)
      if (c.contains(list) && c[list].is_array())
        for (const auto& e : c[list])
          if (e.is_object() && e.value("name", json()) == name && e.contains(field)) return e[field];
    return nullptr;
  };
  json ctx = find_named("contexts", context, "context");
  json cluster = ctx.is_object() && ctx.value("cluster", json()).is_string()
                     ? find_named("clusters", ctx["cluster"].get<std::string>(), "cluster")
                     : json();
  if (cluster.is_object() && cluster.value("server", json()).is_string())
    return cluster["server"].get<std::string>() + " (" + which + ")";
  return "of " + which;
}

}  // namespace ath
