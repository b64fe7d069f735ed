#pragma once
// Pure planning for `resume`: the JSON patch operations that write journaled fields back
// exactly, and the `operation` that asks the Argo CD controller for a sync. No I/O here.
#include <nlohmann/json.hpp>

#include <string>

#include "sync_guard_journal.hpp"

namespace tas {
using json = nlohmann::json;

// What resume writes when an app has no record anywhere (the seed's behaviour).
json default_automated();

// Operations that make the field at `pointer` equal `saved` (present) or absent (saved ==
// nullptr). Creates a missing parent object; empty when the field already matches.
json restore_field_ops(const json& object, const std::string& pointer, const json* saved);

// Restores spec.syncPolicy.automated from the record; without a record, enables
// default_automated() unless auto-sync is already on.
json app_restore_ops(const json& app, const AppRecord* record);
// Restores strategy, syncPolicy.applicationsSync and ignoreApplicationDifferences.
json application_set_restore_ops(const json& appset, const AppSetRecord& record);

// True when the object's fields equal what the record saved (what resume would leave).
bool app_matches_record(const json& app, const AppRecord& record);

// The Application `operation` that requests a sync of the app's target revision.
json sync_operation(const std::string& initiated_by);
// A sync may only be requested while no operation is pending (.operation absent or null).
bool can_request_sync(const json& app);
// The `add /operation` step, or an empty array when an operation is pending.
json sync_request_ops(const json& app, const std::string& initiated_by);

}  // namespace tas
