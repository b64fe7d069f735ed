#pragma once
// Pure planning for `resume`: the JSON patch operations that write journaled fields back
// exactly, and the `operation` that asks the Argo CD controller for a sync. No I/O here.
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "sync_guard_journal.hpp"

namespace ath::argocd_sync {
using json = nlohmann::json;

// Operations that make the field at `pointer` equal `saved` (present) or absent (saved ==
// nullptr). Creates a missing parent object; empty when the field already matches.
json restore_field_ops(const json& object, const std::string& pointer, const json* saved);

// Restores spec.syncPolicy.automated from the record (a pause's, or template_record()).
json app_restore_ops(const json& app, const AppRecord& record);
// The record's automated (null when the app had none).
const json& saved_automated(const AppRecord& record);
// Restores the fields the record covers (record.fields).
json application_set_restore_ops(const json& appset, const AppSetRecord& record);

// True when the object's fields equal what the record saved (what resume would leave).
bool app_matches_record(const json& app, const AppRecord& record);

// What a sync we request carries besides the app's own options.
struct SyncRequest {
  std::string initiated_by;  // operation.initiatedBy.username
  std::string reason;        // operation.info[{name: Reason}]
  bool prune = false;        // the restored policy's automated.prune, or an explicit --prune
};

// True when `automated` (an Application's spec.syncPolicy.automated, or null) asks for pruning.
bool policy_prunes(const json& automated);

// The Application `operation` for one sync, built the way Argo CD's own sync paths build it:
// syncOptions and retry are the app's spec.syncPolicy ones (retry defaults to {limit: 5} as
// auto-sync does), prune is what the request says, the hook strategy, no revision (the app's
// target). Sources: argo-cd v2.14.0 controller/appcontroller.go:2096-2111 (auto-sync) and
// server/application/application.go:1955-1997 (manual sync); v3.3.14
// controller/appcontroller.go:2269-2283 and server/application/application.go:2058-2111.
json sync_operation(const json& app, const SyncRequest& req);
// A sync may only be requested while no operation is pending (.operation absent or null).
bool can_request_sync(const json& app);
// The `add /operation` step, or an empty array when an operation is pending.
json sync_request_ops(const json& app, const SyncRequest& req);

// The syncs of one resume of a RollingSync ApplicationSet's apps, in its step order (issue 13):
// from Argo CD 3.3 the ApplicationSet controller no longer moves an app that is merely OutOfSync
// at the same revision (Tilt's image swap) back to Waiting (argo-cd v3.3.0
// applicationset/controllers/applicationset_controller.go:1180-1203: only new target revisions
// reset to Waiting) and keeps auto-sync off (...:1581-1586), so nobody but resume would sync
// them. Step by step, as the controller would roll out: each step's apps in batches of at most
// the step's restored maxUpdate, each batch waited for before the next.
struct SyncBatch {
  std::string application_set;
  int step = 0;  // 1-based; 0: in no step (synced after the steps; the controller never would)
  std::vector<std::string> apps;
};

struct StepSyncPlan {
  std::vector<SyncBatch> batches;
  // Apps not synced: their step, or an earlier step with apps of this resume, has a maxUpdate of
  // its own that blocks (0 or "0%"): the controller would not roll that step out, and up to 3.2
  // (where the step's drifted apps stay Waiting) no later one either; resume holds both back.
  std::vector<std::string> held_back;
  int blocking_step = 0;  // 1-based step whose own maxUpdate blocks, or 0
};

// `strategy`: the ApplicationSet's restored spec.strategy; `apps`: the Application objects
// (labels) being resumed. Apps keep their order within a step.
StepSyncPlan plan_step_syncs(const std::string& application_set, const json& strategy, const std::vector<json>& apps);

}  // namespace ath::argocd_sync
