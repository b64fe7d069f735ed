#pragma once
// Who holds which apps paused, shared by everyone working on one cluster: the ConfigMap
// `tilt-argocd-sync` in the Argo CD namespace. Keys:
//   holder.<id>  {"id","user","host","pid","heartbeat","ttlSeconds","apps"}
//   app.<name>   AppRecord of the first pause (first pause wins)
//   appset.<name> AppSetRecord
//   restored.app.<name>, restored.appset.<name>  Restored: which records were written back
//   restoring.app.<name>, restoring.appset.<name>  Restoring: a write-back in progress
// This file is the pure part: parsing, liveness and the decisions; holder_store does the I/O.
#include <nlohmann/json.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "sync_guard_journal.hpp"

namespace ath::argocd_sync {
using json = nlohmann::json;
using Clock = std::chrono::system_clock;

inline const char* kHoldersConfigMap = "tilt-argocd-sync";

struct Holder {
  std::string id;  // user@host/pid (serve) or user@host/pause (a plain `pause`)
  std::string user;
  std::string host;
  int pid = 0;  // 0: no process to watch (plain pause); liveness is the heartbeat alone
  std::string heartbeat;  // RFC 3339 UTC
  int ttl_seconds = 60;
  std::vector<std::string> apps;

  json to_json() const;
  static Holder from_json(const json& j);
};

// What was last written back for one object: the uids of the records restored (the newest
// kRestoredUidsKept), when and by whom. A journal copy of one of those records, or one paused
// before that restore, is stale: writing it back would undo whatever happened since (issue 12,
// defect 1).
struct Restored {
  std::vector<std::string> uids;
  std::string at;  // RFC 3339 UTC
  std::string by;
  json to_json() const;
  static Restored from_json(const json& j);
};
inline constexpr size_t kRestoredUidsKept = 8;

// A write-back in progress (issue 13, point 6). A resume marks each object it is about to write
// back in the same resourceVersion-guarded update of this ConfigMap that re-checks nobody holds
// it, and removes the mark once it has written it back. A pause that meets a live mark of
// another process on one of its objects (its claim came after that check) waits until the mark
// is gone before it writes: its pause lands after the write-back, never under it.
struct Restoring {
  std::string by;    // the resumer's holder id, for messages
  std::string host;  // where the writing process runs
  int pid = 0;       // the writing process
  std::string at;    // RFC 3339 UTC, when it was marked
  json to_json() const;
  static Restoring from_json(const json& j);
};
// A mark counts this long at most (a resumer that died keeps nobody waiting longer); the writes
// it covers take milliseconds to seconds.
inline constexpr std::chrono::seconds kRestoringTtl{60};

struct GuardState {
  std::map<std::string, Holder> holders;  // by id
  std::map<std::string, AppRecord> apps;
  std::map<std::string, AppSetRecord> application_sets;
  std::map<std::string, Restored> restored_apps;
  std::map<std::string, Restored> restored_sets;
  std::map<std::string, Restoring> restoring_apps;
  std::map<std::string, Restoring> restoring_sets;

  // The ConfigMap's `data` for this state.
  json to_data() const;
  // Every entry is parsed with ath::parse_json_bounded. Throws ath::InputLimitError naming the
  // ConfigMap key when an entry is too large, too deep or does not parse.
  static GuardState from_data(const json& data, const std::string& ns = "");
};

// True when a local copy of a record (uid, pausedAt) was already written back by someone, or
// was taken before the last write-back of that object.
bool superseded(const std::string& uid, const std::string& paused_at, const Restored* restored);
// Notes that the record `uid` of `name` was written back at `at` by `by`.
void note_restored(std::map<std::string, Restored>& restored, const std::string& name, const std::string& uid,
                   const std::string& at, const std::string& by);

// The merge patch for ConfigMap data going from `before` to `after` (null removes a key).
json data_patch(const json& before, const json& after);

std::string holder_key(const std::string& id);  // "holder." + id with [^-._a-zA-Z0-9] -> '_'

std::string format_time(Clock::time_point t);
// Throws std::runtime_error on a malformed timestamp.
Clock::time_point parse_time(const std::string& text);

struct Liveness {
  Clock::time_point now;
  std::string host;  // this machine: its holders' pids can be checked directly
  std::function<bool(int pid)> pid_alive;
};

// A holder counts while its heartbeat is younger than its TTL and, when it names a process on
// this machine, that process still runs.
bool holder_live(const Holder& h, const Liveness& live);
// Drops holders that no longer count; returns their ids.
std::vector<std::string> prune_dead_holders(GuardState& state, const Liveness& live);
// A Restoring mark counts while it is younger than kRestoringTtl and, on this machine, while its
// process runs.
bool restoring_live(const Restoring& r, const Liveness& live);
// Whether the mark is this process's own (host and pid).
bool restoring_mine(const Restoring& r, const std::string& host, int pid);
// The live marks of other processes on any of these apps or sets: "Application X (being
// written back by ID)", one line each; empty when a pause may write them.
std::vector<std::string> restores_in_progress(const GuardState& state, const std::vector<std::string>& apps,
                                              const std::vector<std::string>& sets, const Liveness& live, int my_pid);

// Ids of the (remaining) holders that hold `app`.
std::vector<std::string> holders_of(const GuardState& state, const std::string& app);

// Records no holder needs any more: apps nobody holds, and application sets none of whose
// paused apps is still held. These are what a resume (or recovery) writes back.
struct Orphans {
  std::set<std::string> apps;
  std::set<std::string> application_sets;
};
Orphans orphaned_records(const GuardState& state);

// Removes `apps` (every app when empty) from the holder's list, and the holder when its list
// becomes empty.
void release(GuardState& state, const std::string& holder_id, const std::vector<std::string>& apps);

}  // namespace ath::argocd_sync
