#pragma once
// One `kubectl proxy` for a whole Tilt session instead of one per helper run, so a re-apply
// starts no kubectl (its start costs ~0.2 CPU-s). A small keeper process (`tilt-helm-apply
// __session-proxy`, session_proxy_keeper.hpp) runs the proxy and describes it in a record file;
// clients find the record by a key of everything that selects kubectl's credentials.
//
//   <state dir>/session-proxies/            0700, owned by the user, else not used
//     <fnv64 of key>.json                   the record (0600, written atomically by the keeper)
//     <fnv64 of key>.lock                   flock: one client at a time checks or starts a keeper
//     <fnv64 of key>.log                    the keeper's log
//
// The keeper stops (and kubectl with it) when the session's process is gone, when no client
// has used the record for `idle`, on SIGTERM, or when kubectl exits. Anything that does not
// work here makes the caller fall back to a per-run proxy: never a reason to fail a run.
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "core/kube_client.hpp"
#include "core/kubeconfig.hpp"
#include "core/process_identity.hpp"

namespace ath {

struct SessionProxyRecord {
  ProxyEndpoint endpoint;
  ProcessIdentity keeper;
  std::string key;
};

// What selects the proxy's credentials, and the session; any change gives another proxy. A JSON
// text of the session ("pid:start"), the kubectl binary (resolved path), --kubeconfig, --context,
// and every file kubectl reads for its config, each with size, mtime (ns) and inode (a rewritten
// kubeconfig, e.g. `kubectl config use-context`, changes the key). Holds no file content.
std::string session_proxy_key(const KubeAccess& access, const std::string& kubectl_path, const std::string& session,
                              const EnvLookup& env = process_env);

// The record's file content and back; nullopt unless every field is present and well-formed
// (port 1-65535, prefix "/" + 32 lowercase hex digits, keeper pid and start time, key).
std::string session_proxy_record_text(const SessionProxyRecord& record);
std::optional<SessionProxyRecord> parse_session_proxy_record(const std::string& text);

// "<dir>/<16 hex digits of FNV-1a 64 of key><suffix>", suffix ".json", ".lock" or ".log".
std::string session_proxy_file(const std::string& dir, const std::string& key, const std::string& suffix);

// A client may use the record: it is for this key and its keeper still runs (same pid, same
// start time as recorded). It then still has to answer GET /version in time.
bool may_reuse(const std::optional<SessionProxyRecord>& record, const std::string& key,
               const std::optional<ProcessIdentity>& keeper_now);

// Why a keeper stops, checked about once a second; None: keep serving.
enum class KeeperStop { None, Signal, SessionEnded, ProxyExited, RecordGone, Idle };
struct KeeperState {
  bool signalled = false;
  bool session_running = true;
  bool proxy_running = true;
  bool record_is_ours = true;                 // the record file names this keeper
  std::chrono::seconds since_last_use{0};     // now - the record's mtime (clients touch it)
};
KeeperStop keeper_stop(const KeeperState& state, std::chrono::seconds idle);
const char* describe(KeeperStop stop);

// --- I/O ---

// Creates `dir` (0700) when missing; nullopt when it is usable, else why not (a symlink, not
// ours, or open to group or others: a record someone else can plant would send our requests to
// their port).
std::optional<std::string> private_dir_problem(const std::string& dir);

std::optional<SessionProxyRecord> read_session_proxy_record(const std::string& path);
// Writes 0600 through a temporary file and rename; throws std::runtime_error on failure.
void write_session_proxy_record(const std::string& path, const SessionProxyRecord& record);

// Holds an flock on a lock file; waits at most `wait`. locked() is false when it did not get it.
class FileLock {
 public:
  FileLock(const std::string& path, std::chrono::milliseconds wait);
  ~FileLock();
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  bool locked() const { return locked_; }

 private:
  int fd_ = -1;
  bool locked_ = false;
};

struct SessionProxySettings {
  std::string dir;                   // <state dir>/session-proxies
  std::string session;               // "pid:start" of the session's process
  std::vector<std::string> keeper;   // argv that runs the keeper, e.g. {self, "__session-proxy"}
  std::chrono::seconds idle{15 * 60};
};

// A client on the session's proxy: reuses a live keeper (record valid, keeper running, /version
// answered within 1 s, then the record is touched) or starts one and waits for its record (at
// most 30 s, never past the run's deadline). Throws std::runtime_error with the reason when it
// cannot; callers fall back to KubeClient::connect (a per-run proxy).
KubeClient connect_session_proxy(const KubeAccess& access, const SessionProxySettings& settings);

}  // namespace ath
