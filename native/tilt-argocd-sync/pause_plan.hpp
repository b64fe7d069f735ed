#pragma once
// Pure planning for `pause`: from Application / ApplicationSet objects, what to journal and
// which JSON patch operations turn auto-sync off and make that stick. No I/O here.
#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

#include "core/argocd.hpp"
#include "sync_guard_journal.hpp"

namespace ath::argocd_sync {
using json = nlohmann::json;

using ath::argocd::app_auto_sync_on;  // auto-sync is on: spec.syncPolicy.automated, `enabled` not false
using ath::argocd::kAutomatedPointer;

// How auto-sync is turned off. Removing `automated` works on every Argo CD version;
// `automated.enabled: false` (Argo CD >= 3.1) keeps prune/selfHeal visible while paused.
enum class OffMode { RemoveAutomated, EnabledFalse };

struct OffModeDecision {
  OffMode mode = OffMode::RemoveAutomated;
  std::string reason;  // one sentence for logs and `status`
};

// The rule (see README.md): an explicit `--auto-sync-off` wins ("remove" or "enabled-false").
// With "auto": when the Application CRD's schema is readable and describes
// spec.syncPolicy.automated's properties, `enabled` is used iff the schema has it. Otherwise
// (CRD not readable, or a schema that keeps unknown fields) `enabled` is used iff one of the
// Applications already carries `automated.enabled`, which only a v3.1+ controller or user sets.
OffModeDecision decide_off_mode(const std::string& flag, const json& application_crd, const std::vector<json>& apps);

// Owner ApplicationSets (ownerReferences of kind ApplicationSet), in order.
std::vector<std::string> parent_application_sets(const json& app);

// A new record (with a fresh uid) of what pause is about to change.
AppRecord record_app(const json& app, const std::string& now, const std::string& holder);
// Records ignoreApplicationDifferences, and spec.strategy only when `touch_strategy` (pause
// writes maxUpdate: 0 only where the ApplicationSet controller would act on it).
AppSetRecord record_application_set(const json& appset, const std::string& now, const std::string& holder,
                                    bool touch_strategy = true);
// What the ApplicationSet's template says the app's automated is: the record `resume APP` uses
// when nobody recorded the app (issue 13, point 4). The controller would put the template back
// at once anyway. spec.templatePatch (a Go template) is not evaluated.
AppRecord template_record(const json& appset);

// JSON patch operations (without the resourceVersion test) that turn auto-sync off; an empty
// array when it already is off.
json app_pause_ops(const json& app, OffMode mode);

// The ignoreApplicationDifferences entry pause adds.
json pause_ignore_entry();
// True when an entry without a `name` ignores /spec/syncPolicy/automated (or a parent of it).
bool ignores_automated(const json& appset);
// Operations that add the ignore entry (keeping existing entries) and, under RollingSync, set
// maxUpdate: 0 on every step (the whole steps list is replaced). Empty when both already hold.
json application_set_pause_ops(const json& appset, bool touch_strategy = true);
// Both parts of the pause are in place (the steps only when `touch_strategy`).
bool application_set_paused(const json& appset, bool touch_strategy = true);

// Whether a RollingSync step's maxUpdate keeps Waiting apps from becoming Pending, as the
// ApplicationSet controller reads it (intstr.GetScaledValueFromIntOrPercent, then any string
// other than "0%" counts as at least 1): argo-cd v2.14.0
// applicationset/controllers/applicationset_controller.go:1172-1190, v3.2.0 :1251-1269,
// v3.3.14 :1321-1339. So an integer <= 0 or exactly "0%" blocks; "0", "00%" or "abc" count as
// 1; absent means no limit.
bool max_update_blocks(const json& step);

// How many apps of one RollingSync step may be updating at once, as the controller computes it
// (nullopt: no maxUpdate, no limit): an integer as it is; "N%" of `total` (the step's apps)
// rounded down; then any string other than "0%" (also one that is not a percentage, an error
// Argo logs and reads as 0) is raised to at least 1. argo-cd v3.3.0
// applicationset/controllers/applicationset_controller.go:1294-1316 (v2.14.0 :1172-1190).
// max_update_blocks(step) is max_update_limit(step, n) <= 0 for every n.
std::optional<long long> max_update_limit(const json& step, long long total);

// The first RollingSync step whose matchExpressions all select the app (by its labels), or -1:
// a missing label fails only `In`, an operator other than In/NotIn never matches, an app
// selected by two steps belongs to the first. argo-cd v3.3.0
// applicationset/controllers/applicationset_controller.go:987-1056 (buildAppDependencyList,
// labelMatchedExpression).
int rolling_step_of(const json& app, const json& steps);

// An operation is pending (`.operation` set) or running (operationState Running/Terminating)
// on the app: a sync that, for a parent Application, would re-apply its ApplicationSet from git.
bool operation_in_flight(const json& app);

// `automated` (or null) turns auto-sync on with self-heal: a parent Application with it
// re-applies its ApplicationSet from git as soon as the ApplicationSet drifts.
bool policy_self_heals(const json& automated);

// Whether the ApplicationSet controller runs with progressive syncs, from the
// argocd-cmd-params-cm ConfigMap (null: absent) key
// applicationsetcontroller.enable.progressive.syncs: argo-cd v2.14.0
// manifests/base/applicationset-controller/argocd-applicationset-controller-deployment.yaml:100-104
// maps it to ARGOCD_APPLICATIONSET_CONTROLLER_ENABLE_PROGRESSIVE_SYNCS, which
// cmd/argocd-applicationset-controller/commands/applicationset_controller.go:262 parses as a
// bool, default false. Only then does spec.strategy do anything.
bool progressive_syncs_enabled(const json& cmd_params_cm);
inline const char* kCmdParamsConfigMap = "argocd-cmd-params-cm";
inline const char* kProgressiveSyncsKey = "applicationsetcontroller.enable.progressive.syncs";

// The Application that manages this ApplicationSet (app of apps), or "": the Argo CD tracking
// annotation argocd.argoproj.io/tracking-id ("<app>:<group>/<kind>:<namespace>/<name>", the app
// written "<namespace>_<app>" when it lives outside the control-plane namespace), else the
// label app.kubernetes.io/instance. Only apps in `ns` are returned.
std::string managing_application(const json& appset, const std::string& ns);

// Who last wrote the field at `path` (e.g. {"spec","syncPolicy","automated"}), from
// metadata.managedFields (the newest entry whose fieldsV1 owns that field or a child of it):
// "manager (operation, time)", or "" when managedFields do not say.
std::string last_writer(const json& object, const std::vector<std::string>& path);

// The ApplicationSet uses RollingSync with a steps list.
bool is_rolling_sync(const json& appset);

}  // namespace ath::argocd_sync
