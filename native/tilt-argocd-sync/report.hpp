#pragma once
// What a command did, one line per object: printed as text, or as JSON with `-o json`.
#include <nlohmann/json.hpp>

#include <cstdio>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "resume_plan.hpp"

namespace ath::argocd_sync {

// What happened to one object.
enum class Action {
  // pause
  Paused,
  AlreadyPaused,
  NotFound,  // a parent ApplicationSet that does not exist
  // resume
  Resumed,
  KeptPaused,
  NotWrittenBack,
  LeftAsItIs,
  NothingToResume,
  Gone,  // deleted while paused
  // the syncs after a resume, and `sync`
  SyncRequested,
  WouldRequestSync,
  AlreadySyncing,
  NotSynced,
  Synced,
  SyncFailed,
  TimedOut,
  SyncedByArgocdCli,
  ArgocdCliSyncFailed,
  // any command
  Failed,
};

// The words printed and emitted as JSON "action" for `a`: "paused", "already paused", ...
std::string_view action_text(Action a);

// One line of a report.
struct Outcome {
  std::string kind;  // "Application", "ApplicationSet", "ConfigMap" or "Journal"
  std::string name;
  Action action = Action::Failed;
  std::string detail;
  bool ok = true;
};

struct Report {
  std::vector<Outcome> items;
  std::string off_mode;  // the decision and its reason (pause)
  // resume: the syncs left for SyncGuard::sync_steps (RollingSync step order), each app's request.
  std::vector<SyncBatch> step_syncs;
  std::map<std::string, SyncRequest> sync_requests;
  int exit_code() const;  // 0, or 1 when an item failed
  std::string text() const;
  nlohmann::json to_json() const;  // {"items": [{kind, name, action, detail, ok}], "exitCode"}
};

// Writes r.text() to `to` and flushes it.
void print(const Report& r, std::FILE* to = stdout);

}  // namespace ath::argocd_sync
