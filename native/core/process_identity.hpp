#pragma once
// A process named so that a reused pid is not mistaken for it: its pid and its start time
// (/proc/<pid>/stat field 22, clock ticks since boot). Tilt's session (the apply's parent) and a
// session proxy's keeper are told apart from their successors this way.
#include <sys/types.h>

#include <optional>
#include <string>

namespace ath {

struct ProcessIdentity {
  pid_t pid = 0;
  std::string start;  // decimal clock ticks since boot
  bool operator==(const ProcessIdentity&) const = default;
};

// The start time in a /proc/<pid>/stat line; nullopt when it is malformed or the process has
// ended (state Z, zombie, or X, dead). The command name may hold spaces and parentheses.
std::optional<std::string> start_time_of_stat(const std::string& stat_line);

// The process now running under `pid`, or nullopt when there is none (or it has ended).
std::optional<ProcessIdentity> process_identity(pid_t pid);
// Whether `id` still runs: same pid, same start time.
bool still_running(const ProcessIdentity& id);

// "pid:start", and back (nullopt when malformed).
std::string to_string(const ProcessIdentity& id);
std::optional<ProcessIdentity> parse_process_identity(const std::string& text);

}  // namespace ath
