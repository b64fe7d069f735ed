#pragma once
// The thin I/O layer under apply and delete: helm runs (output to the log, never stdout) and
// reads of the live objects a manifest names.
#include <nlohmann/json.hpp>

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/kube_client.hpp"
#include "core/process.hpp"
#include "helm_argv.hpp"
#include "release_status.hpp"

namespace ath::helm_apply {
using json = nlohmann::json;

// Runs helm (argv only) with a time limit and extra environment; logs the command at debug level.
ProcessResult run_helm(const std::vector<std::string>& argv, std::chrono::seconds timeout,
                       const std::map<std::string, std::string>& env = {});
// Runs helm with its output going to files in `dir` rather than pipes: the apply starts
// `kubectl proxy` on another thread while helm runs, and a process forked in between would
// inherit the write end of a pipe and hold its end-of-file (and the apply) as long as it lives.
// `started` runs once helm runs, before the wait (the apply starts its cluster thread there, so
// that the thread does not compete with helm's start for a loaded CPU); if it throws, helm is
// killed and the exception goes on.
ProcessResult run_helm_to_files(const std::vector<std::string>& argv, std::chrono::seconds timeout,
                                const std::map<std::string, std::string>& env, const std::string& dir,
                                const std::function<void()>& started = {});
// Non-empty lines of a text.
std::vector<std::string> split_lines(const std::string& text);
// helm's text output as info lines on stderr (stdout is Tilt's YAML), without the chart's NOTES
// (helm_output.hpp): they may print a value such as a password.
void log_helm_output(const ProcessResult& result, const std::string& release);

// The release's objects from `helm get manifest`; nullopt when the release does not exist.
// Throws std::runtime_error on any other helm failure.
std::optional<std::vector<json>> installed_manifest(const HelmTarget& target);

// `helm uninstall` of the release; on failure logs what to run by hand and returns false.
bool uninstall_release(const HelmTarget& target, bool dry_run);

// GETs each manifest object, concurrently (namespaced ones without a namespace live in `release_namespace`).
// Objects already gone are left out; a type the server does not serve is a warning. Throws
// std::runtime_error naming the object on any other error.
std::vector<json> fetch_live(KubeClient& client, const ResourceIndex& index, const std::vector<json>& objects,
                             const std::string& release_namespace);

// Discovery as a ResourceIndex; throws std::runtime_error when the server cannot be asked.
ResourceIndex discover_index(KubeClient& client);

// The revisions of the release in Helm's storage (HELM_DRIVER secret, the default, or configmap;
// read through the API, labels only); nullopt for another driver or when they cannot be read.
std::optional<std::vector<ReleaseRevision>> read_release_revisions(KubeClient& client, const ResourceIndex& index,
                                                                          const std::string& release,
                                                                          const std::string& ns,
                                                                          const std::optional<std::string>& helm_driver);

// Logs the recovery when the release's newest revision is stuck pending (release_status.hpp) and
// returns true; `revisions` as read_release_revisions returned them (nullopt: not checked).
bool report_stuck(const std::string& release, const std::string& ns,
                  const std::optional<std::vector<ReleaseRevision>>& revisions);

// After a failed `helm upgrade --install`: when helm refused because another operation is in
// progress, reads the release's records and reports it if stuck (true); false otherwise.
bool report_stuck_after_failure(const ProcessResult& upgrade, KubeClient& client, const ResourceIndex& index,
                                const std::string& release, const std::string& ns,
                                const std::optional<std::string>& helm_driver);

}  // namespace ath::helm_apply
