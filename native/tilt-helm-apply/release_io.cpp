#include "release_io.hpp"

#include <spdlog/spdlog.h>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <sstream>
#include <string_view>
#include <thread>

#include "applied_objects.hpp"
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

namespace {

// posix_spawn, not fork: glibc spawns with CLONE_VM | CLONE_VFORK, so this multi-threaded process's
// page tables are not copied. After a fork() every page the apply's threads write again takes a
// copy-on-write fault with a TLB shootdown across the CPUs its threads run on; measured on a
// re-apply (perf, 2 loaded cores), that and the fork were ~5% of the apply's own CPU.
struct SpawnFileActions {
  posix_spawn_file_actions_t fa;
  SpawnFileActions() { ::posix_spawn_file_actions_init(&fa); }
  ~SpawnFileActions() { ::posix_spawn_file_actions_destroy(&fa); }
  SpawnFileActions(const SpawnFileActions&) = delete;
  SpawnFileActions& operator=(const SpawnFileActions&) = delete;
};

// Waits for `pid` up to `timeout`; false when it is still running then. A pidfd makes the wait a
// single poll; without one (kernel < 5.3) it checks every 10 ms.
bool wait_child(pid_t pid, std::chrono::seconds timeout, int& status) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  // syscall(): glibc 2.36's <sys/pidfd.h> declares pidfd_open without C linkage for C++.
  const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  for (;;) {
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid || (done < 0 && errno != EINTR)) break;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      if (pidfd >= 0) ::close(pidfd);
      return false;
    }
    if (pidfd >= 0) {
      pollfd p{pidfd, POLLIN, 0};
      ::poll(&p, 1, static_cast<int>(std::min<long long>(left.count(), 60'000)));
    } else {
      std::this_thread::sleep_for(std::min(left, std::chrono::milliseconds(10)));
    }
  }
  if (pidfd >= 0) ::close(pidfd);
  return true;
}

}  // namespace

ProcessResult run_helm_to_files(const std::vector<std::string>& argv, std::chrono::seconds timeout,
                                const std::map<std::string, std::string>& env, const std::string& dir,
                                const std::function<void()>& started) {
  std::string line;
  for (const auto& a : argv) line += (line.empty() ? "" : " ") + a;
  spdlog::debug("running {}", line);
  ProcessResult r;
  const std::string out_file = dir + "/helm.out", err_file = dir + "/helm.err";
  // The environment: this process's, with `env` replacing or adding variables.
  std::vector<std::string> env_strings;
  for (char** e = environ; *e; ++e) {
    const std::string_view kv(*e);
    if (!env.contains(std::string(kv.substr(0, kv.find('='))))) env_strings.emplace_back(kv);
  }
  for (const auto& [k, v] : env) env_strings.push_back(k + "=" + v);
  std::vector<char*> envp, args;
  for (auto& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::vector<std::string> argv_copy = argv;
  for (auto& a : argv_copy) args.push_back(a.data());
  args.push_back(nullptr);
  // stdin from /dev/null, output to the files, and no other descriptor (child_fds.hpp: another
  // thread's pipes and sockets must not live on in helm).
  SpawnFileActions actions;
  ::posix_spawn_file_actions_addopen(&actions.fa, 0, "/dev/null", O_RDONLY, 0);
  ::posix_spawn_file_actions_addopen(&actions.fa, 1, out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  ::posix_spawn_file_actions_addopen(&actions.fa, 2, err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  ::posix_spawn_file_actions_addclosefrom_np(&actions.fa, 3);
  pid_t pid = -1;
  if (const int err = ::posix_spawnp(&pid, args[0], &actions.fa, nullptr, args.data(), envp.data())) {
    r.spawn_error = std::strerror(err);
    return r;
  }
  int status = 0;
  if (started) {
    try {
      started();
    } catch (...) {
      ::kill(pid, SIGKILL);
      while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
      throw;
    }
  }
  if (!wait_child(pid, timeout, status)) {
    ::kill(pid, SIGKILL);
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    r.timed_out = true;
  } else if (WIFSIGNALED(status)) {
    r.term_signal = WTERMSIG(status);
  } else {
    r.exit_code = WEXITSTATUS(status);
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
