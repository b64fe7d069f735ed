#pragma once
// Which record of an object's policy a pause keeps (issue 13: the decision out of the guard's
// I/O). Three copies can exist: the shared record in the holders ConfigMap, this machine's
// journal, and the object as it is now. Pure: no I/O here.
#include <nlohmann/json.hpp>

#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "holders.hpp"
#include "sync_guard_journal.hpp"

namespace ath::argocd_sync {

using json = nlohmann::json;

struct RecordChoice {
  std::map<std::string, AppRecord> apps;
  std::map<std::string, AppSetRecord> application_sets;
  // Journal entries that lost to a fresh record: the journal takes the fresh one instead.
  std::set<std::string> stale_apps, stale_sets;
  // (ApplicationSet, app): an owner named by an app that does not exist; only the app is paused.
  std::vector<std::pair<std::string, std::string>> missing_sets;
};

// The shared record wins, then the journal's, then a fresh record of the object as it is. A
// journal copy counts only while nobody has written it back since (issue 12, defect 1) and the
// object is still paused: an app with auto-sync on, or a set whose ignore entry is gone, shows
// its own policy, newer than any local copy. `touch_strategy`: progressive syncs are on (or
// unknown), so a fresh set record includes spec.strategy.
RecordChoice choose_records(const std::map<std::string, json>& apps, const std::map<std::string, json>& sets,
                            const GuardState& shared, const Journal& journal, const std::string& now,
                            const std::string& holder, bool touch_strategy);

}  // namespace ath::argocd_sync
