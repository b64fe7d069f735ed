#pragma once
// Pure planning for `pause`: from Application / ApplicationSet objects, what to journal and
// which JSON patch operations turn auto-sync off and make that stick. No I/O here.
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "sync_guard_journal.hpp"

namespace tas {
using json = nlohmann::json;

inline const char* kAutomatedPointer = "/spec/syncPolicy/automated";

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

// Auto-sync is on when `automated` is an object whose `enabled` is not false (null counts as on).
bool auto_sync_on(const json& app);

// Owner ApplicationSets (ownerReferences of kind ApplicationSet), in order.
std::vector<std::string> parent_application_sets(const json& app);

AppRecord record_app(const json& app, const std::string& now, const std::string& holder);
AppSetRecord record_application_set(const json& appset, const std::string& now, const std::string& holder);

// JSON patch operations (without the resourceVersion test) that turn auto-sync off; an empty
// array when it already is off.
json app_pause_ops(const json& app, OffMode mode);

// The ignoreApplicationDifferences entry pause adds.
json pause_ignore_entry();
// True when an entry without a `name` ignores /spec/syncPolicy/automated (or a parent of it).
bool ignores_automated(const json& appset);
// Operations that add the ignore entry (keeping existing entries) and, under RollingSync, set
// maxUpdate: 0 on every step (the whole steps list is replaced). Empty when both already hold.
json application_set_pause_ops(const json& appset);
// Both parts of the pause are in place.
bool application_set_paused(const json& appset);

}  // namespace tas
