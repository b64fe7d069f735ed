#pragma once
// The thin kube layer of pause and resume: reads what the plans need (concurrently), writes the
// journal and the holders ConfigMap, then performs the planned patches (concurrently).
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/kube_client.hpp"
#include "holders.hpp"
#include "pause_plan.hpp"

namespace tas {

struct Identity {
  std::string user;
  std::string host;
  int pid = 0;  // 0 for a plain `pause` (no process keeps it alive)
  int ttl_seconds = 60;
  std::string holder_id() const;  // user@host/pid, or user@host/pause
  static Identity current(int pid, int ttl_seconds);
};

struct GuardConfig {
  std::string ns = "argocd";
  std::string journal_path;
  std::string off_mode_flag = "auto";  // auto | remove | enabled-false
  bool dry_run = false;
  Identity me;
};

// One line of a report.
struct Outcome {
  std::string kind;  // "Application" or "ApplicationSet"
  std::string name;
  std::string action;  // "paused", "already paused", "resumed", "kept paused", "failed", ...
  std::string detail;
  bool ok = true;
};

struct Report {
  std::vector<Outcome> items;
  std::string off_mode;  // the decision and its reason (pause)
  int exit_code() const;  // 0, or 1 when an item failed
  std::string text() const;
  nlohmann::json to_json() const;  // {"items": [{kind, name, action, detail, ok}], "exitCode"}
};

struct ResumeRequest {
  std::vector<std::string> holder_ids;  // holders to release
  bool release_own_stale = false;  // also release my_stale_holders() (a plain `resume`)
  std::vector<std::string> apps;  // only these (empty: every app those holders hold)
  bool default_when_unrecorded = false;  // explicit `resume APP`: no record -> the template's policy
  bool request_sync = true;
  bool prune = false;  // --prune: the sync prunes even where the restored policy does not
};

// Local journal records found stale (another holder wrote them back): dropped after a resume.
struct StaleRecords {
  std::set<std::string> apps;
  std::set<std::string> sets;
};

template <class Map>
const typename Map::mapped_type* find_ptr(const Map& m, const typename Map::key_type& k) {
  auto it = m.find(k);
  return it == m.end() ? nullptr : &it->second;
}

class SyncGuard {
 public:
  SyncGuard(ath::KubeClient& kc, GuardConfig cfg) : kc_(kc), cfg_(std::move(cfg)) {}

  // Throws UsageError when an app does not exist (nothing is changed then).
  Report pause(const std::vector<std::string>& apps);
  // Releases the holders' claims, then writes back every record nobody holds any more (also
  // orphans of dead or expired holders: recovery).
  Report resume(const ResumeRequest& req);
  // Refreshes this holder's heartbeat. Returns false when the holder had vanished (another run
  // judged it expired and resumed its apps), in which case the caller pauses again.
  bool heartbeat();

  // The heartbeat's check (issue 13, point 5): each of `apps` still has auto-sync off and each
  // parent ApplicationSet's pause is still in place; whatever someone undid (a self-healing
  // parent Application re-applying the ApplicationSet from git, a user) is paused again, with a
  // warning naming the last writer from managedFields. Returns the warnings.
  std::vector<std::string> reverify(const std::vector<std::string>& apps);

  // Recovery alone: writes back what dead or expired holders left paused.
  Report recover();

 private:
  Liveness liveness() const;
  // Writes the records back, requests syncs, then forgets the records that are still orphaned
  // (noting each restore in the cluster) and drops them and `stale` from the journal (under
  // `lock` when the caller holds it).
  void restore(const std::map<std::string, std::optional<AppRecord>>& apps,
               const std::map<std::string, AppSetRecord>& sets, const ResumeRequest& req,
               const std::map<std::string, nlohmann::json>& fetched, const StaleRecords& stale, JournalLock* lock,
               Report& report);
  // The record `resume APP` uses for an app nobody recorded: its ApplicationSet template's
  // automated; nullopt when it has no readable parent ApplicationSet.
  std::optional<AppRecord> template_policy(const nlohmann::json& app);

  ath::KubeClient& kc_;
  GuardConfig cfg_;
};

bool pid_alive(int pid);

}  // namespace tas
