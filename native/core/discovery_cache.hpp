#pragma once
// API discovery kept on disk between runs, as kubectl keeps ~/.kube/cache/discovery: keyed by the
// API server's URL and thrown away when the server reports another version. A cache only: a
// file that cannot be read, parsed or written is a miss, never an error.
//
// What a version key cannot see: a CRD installed since the last run adds a type without
// changing the server's version. Callers therefore re-discover when a type they need is missing
// from the cached index (kubectl does the same on "no matches for kind").
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/env.hpp"
#include "core/kube_proxy.hpp"
#include "core/kube_resources.hpp"

namespace ath {

// The server URL of the context kubectl would use: --kubeconfig, else the files of KUBECONFIG
// (':'-separated, the first file that sets a value wins, as kubectl merges them), else
// ~/.kube/config; --context, else current-context. nullopt when any link is missing.
std::optional<std::string> kubeconfig_server(const KubeAccess& access, const EnvLookup& getenv);

// $XDG_CACHE_HOME/ath/discovery, else $HOME/.cache/ath/discovery; nullopt without either.
std::optional<std::string> discovery_cache_dir(const EnvLookup& getenv);

// The cache file's content, and back; nullopt when `server_version` differs or the JSON is not
// a discovery record.
std::string discovery_record(const std::string& server_version, const std::vector<ApiResource>& resources);
std::optional<std::vector<ApiResource>> parse_discovery_record(const std::string& text, const std::string& server_version);

// The file of one server inside `dir` (the URL made into a file name).
std::string discovery_cache_file(const std::string& dir, const std::string& server);

std::optional<std::vector<ApiResource>> load_discovery(const std::string& dir, const std::string& server,
                                                       const std::string& server_version);
// Written atomically (temporary file, then rename); failures are ignored.
void store_discovery(const std::string& dir, const std::string& server, const std::string& server_version,
                     const std::vector<ApiResource>& resources);

}  // namespace ath
