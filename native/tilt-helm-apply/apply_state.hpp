#pragma once
// What tilt-helm-apply remembers between runs, under $XDG_CACHE_HOME/ath/helm-apply (else
// ~/.cache/ath/helm-apply): per release the last apply's record (scan_plan.hpp), and the version
// of each helm binary. A cache: unreadable files are misses, write failures are ignored.
#include <optional>
#include <string>

#include "core/discovery_cache.hpp"
#include "scan_plan.hpp"

namespace ath::helm_apply {

std::optional<std::string> apply_state_dir(const EnvLookup& getenv);

// The apply's session: the process that runs it (Tilt runs the apply command directly), named
// by pid and start time so a reused pid is another session. Empty when it cannot be told.
std::string session_id();

std::optional<ApplyRecord> load_record(const std::string& dir, const std::string& server, const std::string& ns,
                                       const std::string& release);
void store_record(const std::string& dir, const std::string& server, const std::string& ns,
                  const std::string& release, const ApplyRecord& record);
// Forgets the record, so the next apply scans (after a failed apply).
void drop_record(const std::string& dir, const std::string& server, const std::string& ns,
                 const std::string& release);

// `helm version` of the binary at `path`, remembered by path, size and modification time.
std::optional<std::string> cached_helm_version(const std::string& dir, const std::string& path);
void store_helm_version(const std::string& dir, const std::string& path, const std::string& version);

}  // namespace ath::helm_apply
