#pragma once
// The thin kube layer of pause and resume: reads what the plans need (concurrently), writes the
// journal and the holders ConfigMap, then performs the planned patches (concurrently).
// One file per part: sync_guard_pause.cpp, sync_guard_resume.cpp (resume, recover),
// sync_guard_heartbeat.cpp (heartbeat, reverify), sync_guard_steps.cpp (sync_steps).
#include <chrono>
#include <cstdio>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/kube_client.hpp"
#include "holders.hpp"
#include "pause_plan.hpp"
#include "report.hpp"
#include "resume_plan.hpp"

namespace ath::argocd_sync {

struct Identity {
  std::string user;
  std::string host;
  int pid = 0;  // 0 for a plain `pause` (no process keeps it alive)
  int ttl_seconds = 60;
  std::string holder_id() const;  // user@host/pid, or user@host/pause
  static Identity current(int pid, int ttl_seconds);
};

// How long pause waits for a sync already running on a parent Application, and how long after
// pausing a self-healing parent it waits before editing the ApplicationSet (see settle_parents).
inline constexpr std::chrono::seconds kParentOperationWait{30};
inline constexpr std::chrono::milliseconds kParentSettle{1000};

struct GuardConfig {
  std::string ns = "argocd";
  std::string journal_path;
  std::string off_mode_flag = "auto";  // auto | remove | enabled-false
  bool dry_run = false;
  Identity me;
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

// Objects a pause found being written back by another process (issue 13, point 6).
struct WriteBacks {
  std::vector<std::string> apps;  // what to wait for
  std::vector<std::string> sets;
  std::vector<std::string> lines;  // one per object in progress; empty: none
};
inline constexpr int kPauseAttempts = 5;

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

  // The syncs a resume left in RollingSync step order (`resumed.step_syncs`): batch by batch,
  // each app's sync requested as the resume would have (its own syncOptions/retry, prune as its
  // restored policy says), then waited for until Synced and Healthy or `batch_timeout`; a batch
  // that fails or times out is reported and the next one still runs (the apps must get back to
  // git). An app paused again meanwhile (a record in the holders ConfigMap) is skipped.
  // Progress lines go to `progress`.
  Report sync_steps(const Report& resumed, std::chrono::seconds batch_timeout, std::FILE* progress);

 private:
  Liveness liveness() const;
  // One pause; nullopt (nothing written to the cluster) when `busy` names objects another
  // process is writing back, which pause() waits for before it tries again.
  std::optional<Report> pause_once(const std::vector<std::string>& apps, WriteBacks& busy);
  // Polls the holders ConfigMap until none of `busy`'s objects carries another process's live
  // Restoring mark (at most kRestoringTtl).
  void wait_for_write_backs(const WriteBacks& busy);
  // Before restore(): one resourceVersion-guarded update of the holders ConfigMap that
  // re-checks each record is still nobody's (no holder, no newer record, not written back or
  // being written back by someone else) and marks it as being written back by this process
  // (holders.hpp, Restoring); what fails the check is dropped from `apps`/`sets` with a report
  // line. restore() removes the marks.
  void claim_write_backs(std::map<std::string, std::optional<AppRecord>>& apps,
                         std::map<std::string, AppSetRecord>& sets, Report& report);
  // After the parent Applications `parents` (indexes into `apps`) were paused: reads each back
  // (pausing again what a controller undid), waits while a sync of it is in flight (up to
  // kParentOperationWait), and, when a self-healing parent was paused, until kParentSettle
  // after `paused_at`, so that no reconcile still deciding on its old policy sees the
  // ApplicationSet's pause as drift.
  void settle_parents(const std::vector<std::string>& apps, const std::vector<size_t>& parents,
                      std::vector<Outcome>& out, OffMode mode, bool self_heal_was_on,
                      std::chrono::steady_clock::time_point paused_at);
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

}  // namespace ath::argocd_sync
