#pragma once
// The thin I/O layer under apply and delete: helm runs (output to the log, never stdout) and
// reads of the live objects a manifest names.
#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

#include "core/kube_client.hpp"
#include "core/process.hpp"
#include "helm_argv.hpp"

namespace ath::helm_apply {
using json = nlohmann::json;

// Runs helm (argv only) with a time limit; logs the command at debug level.
ProcessResult run_helm(const std::vector<std::string>& argv, std::chrono::seconds timeout);
// Non-empty lines of a text.
std::vector<std::string> split_lines(const std::string& text);
// helm's text output (progress, NOTES) as info lines on stderr: stdout is Tilt's YAML.
void log_helm_output(const ProcessResult& result);

// The release's objects from `helm get manifest`; nullopt when the release does not exist.
// Throws std::runtime_error on any other helm failure.
std::optional<std::vector<json>> installed_manifest(const HelmTarget& target);

// `helm uninstall` of the release; on failure logs what to run by hand and returns false.
bool uninstall_release(const HelmTarget& target, bool dry_run);

// GETs each manifest object (namespaced ones without a namespace live in `release_namespace`).
// Objects already gone are left out; a type the server does not serve is a warning. Throws
// std::runtime_error naming the object on any other error.
std::vector<json> fetch_live(KubeClient& client, const ResourceIndex& index, const std::vector<json>& objects,
                             const std::string& release_namespace);

// Discovery as a ResourceIndex; throws std::runtime_error when the server cannot be asked.
ResourceIndex discover_index(KubeClient& client);

}  // namespace ath::helm_apply
