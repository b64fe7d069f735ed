#include "release_io.hpp"

#include <spdlog/spdlog.h>

#include <sys/wait.h>

#include <boost/process.hpp>
#include <sstream>

#include "applied_objects.hpp"
#include "core/child_fds.hpp"
#include "core/parallel.hpp"
#include "core/yaml_json.hpp"
#include "helm_output.hpp"
#include "release_status.hpp"

namespace ath::helm_apply {

ProcessResult run_helm(const std::vector<std::string>& argv, std::chrono::seconds timeout,
                       const std::map<std::string, std::string>& env) {
  std::string line;
  for (const auto& a : argv) line += (line.empty() ? "" : " ") + a;
  spdlog::debug("running {}", line);
  return run_process({.argv = argv, .env = env, .timeout = timeout});
}

ProcessResult run_helm_to_files(const std::vector<std::string>& argv, std::chrono::seconds timeout,
                                const std::map<std::string, std::string>& env, const std::string& dir) {
  namespace bp = boost::process;
  std::string line;
  for (const auto& a : argv) line += (line.empty() ? "" : " ") + a;
  spdlog::debug("running {}", line);
  ProcessResult r;
  const std::string out_file = dir + "/helm.out", err_file = dir + "/helm.err";
  bp::environment child_env = boost::this_process::environment();
  for (const auto& [k, v] : env) child_env[k] = v;
  std::error_code ec;
  bp::child child(bp::exe = argv.front(), bp::args = std::vector<std::string>(argv.begin() + 1, argv.end()),
                  child_env, bp::std_out > out_file, bp::std_err > err_file, bp::std_in < bp::null, InheritStdioOnly{}, ec);
  if (ec) {
    r.spawn_error = ec.message();
    return r;
  }
  if (!child.wait_for(timeout, ec)) {
    child.terminate(ec);
    r.timed_out = true;
  } else {
    const int status = child.native_exit_code();
    if (WIFSIGNALED(status)) r.term_signal = WTERMSIG(status);
    else r.exit_code = WEXITSTATUS(status);
  }
  r.out = read_text_file(out_file);
  r.err = read_text_file(err_file);
  return r;
}

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) lines.push_back(line);
  return lines;
}

void log_helm_output(const ProcessResult& result, const std::string& release) {
  const HelmOutput shown = loggable_helm_output(result.out, result.err);
  for (const auto& line : shown.lines) spdlog::info("helm: {}", line);
  if (shown.notes_lines_dropped > 0)
    spdlog::info("helm: the chart's NOTES are not logged (they may print secrets); read them with "
                 "`helm get notes {}`",
                 release);
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
  log_helm_output(res, target.release);
  if (res.ok()) return true;
  spdlog::error("{}: helm uninstall failed ({}); run `helm uninstall {} -n {}` by hand once the cause is fixed",
                target.release, res.describe(), target.release, target.namespace_);
  return false;
}

std::vector<json> fetch_live(KubeClient& client, const ResourceIndex& index, const std::vector<json>& objects,
                             const std::string& release_namespace) {
  std::vector<std::optional<json>> found(objects.size());
  parallel_for(objects.size(), 16, [&](size_t i) {
    const json& o = objects[i];
    const auto* type = index.by_kind(o.value("apiVersion", ""), o.value("kind", ""));
    if (!type) {
      spdlog::warn("{}: the server does not serve {} {}; not reported to Tilt", describe(o), o.value("apiVersion", ""),
                   o.value("kind", ""));
      return;
    }
    const json md = o.value("metadata", json::object());
    std::string ns = type->namespaced ? md.value("namespace", release_namespace) : "";
    auto got = client.get(*type, ns, md.value("name", ""));
    if (!got.ok()) {
      if (got.error->kind == KubeErrorKind::NotFound) return;
      throw std::runtime_error("cannot read " + describe(o) + ": " + got.error->describe());
    }
    if (!got.value.contains("apiVersion")) got.value["apiVersion"] = type->group_version();
    if (!got.value.contains("kind")) got.value["kind"] = type->kind;
    found[i] = std::move(got.value);
  });
  std::vector<json> live;
  for (auto& f : found)
    if (f) live.push_back(std::move(*f));
  return live;
}

ResourceIndex discover_index(KubeClient& client) {
  auto types = client.discover();
  if (!types.ok()) throw std::runtime_error("API discovery failed: " + types.error->describe());
  return ResourceIndex(std::move(types.value));
}

}  // namespace ath::helm_apply

namespace ath::helm_apply {

std::optional<std::vector<ReleaseRevision>> read_release_revisions(KubeClient& client, const ResourceIndex& index,
                                                                   const std::string& release, const std::string& ns,
                                                                   const std::optional<std::string>& helm_driver) {
  // HELM_DRIVER as helm reads it (pkg/action/action.go Init at v3.17.2): "secret(s)" or empty,
  // "configmap(s)"; the others (memory, sql) keep no records in the cluster's API.
  const std::string driver = helm_driver.value_or("");
  const char* resource = driver.empty() || driver == "secret" || driver == "secrets" ? "secrets"
                         : driver == "configmap" || driver == "configmaps"            ? "configmaps"
                                                                                      : nullptr;
  const ApiResource* type = resource ? index.by_resource("", resource) : nullptr;
  if (!type) return std::nullopt;
  auto records = client.list(*type, ns, ListOptions{"owner=helm,name=" + release});
  if (!records.ok()) {
    spdlog::warn("{}: cannot read helm's release records ({}); the release status is not checked", release,
                 records.error->describe());
    return std::nullopt;
  }
  return release_revisions(records.value);
}

bool report_stuck(const std::string& release, const std::string& ns,
                  const std::optional<std::vector<ReleaseRevision>>& revisions) {
  auto stuck = revisions ? stuck_release(*revisions) : std::nullopt;
  if (!stuck) return false;
  spdlog::error("{}", stuck_advice(release, ns, *stuck));
  return true;
}

bool report_stuck_after_failure(const ProcessResult& upgrade, KubeClient& client, const ResourceIndex& index,
                                const std::string& release, const std::string& ns,
                                const std::optional<std::string>& helm_driver) {
  if (!is_operation_in_progress_error(upgrade.err)) return false;
  return report_stuck(release, ns, read_release_revisions(client, index, release, ns, helm_driver));
}

}  // namespace ath::helm_apply
