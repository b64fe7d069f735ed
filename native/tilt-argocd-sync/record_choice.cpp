#include "record_choice.hpp"

#include "pause_plan.hpp"

namespace ath::argocd_sync {

namespace {

const Restored* restored_of(const std::map<std::string, Restored>& restored, const std::string& name) {
  auto it = restored.find(name);
  return it == restored.end() ? nullptr : &it->second;
}

// The shared record, else the journal's while it is current and `still_paused`, else fresh.
template <class Record, class Fresh>
Record choose(const std::string& name, const std::map<std::string, Record>& shared,
              const std::map<std::string, Restored>& restored, const std::map<std::string, Record>& journal,
              bool still_paused, std::set<std::string>& stale, Fresh fresh) {
  if (auto it = shared.find(name); it != shared.end()) return it->second;
  auto jt = journal.find(name);
  if (jt != journal.end() && still_paused && !superseded(jt->second.uid, jt->second.paused_at, restored_of(restored, name)))
    return jt->second;
  if (jt != journal.end()) stale.insert(name);
  return fresh();
}

}  // namespace

RecordChoice choose_records(const std::map<std::string, json>& apps, const std::map<std::string, json>& sets,
                            const GuardState& shared, const Journal& journal, const std::string& now,
                            const std::string& holder, bool touch_strategy) {
  RecordChoice c;
  for (const auto& [name, obj] : apps) {
    c.apps[name] = choose(name, shared.apps, shared.restored_apps, journal.apps, !app_auto_sync_on(obj), c.stale_apps,
                          [&] { return record_app(obj, now, holder); });
    for (const auto& parent : parent_application_sets(obj)) {
      auto set = sets.find(parent);
      if (set == sets.end()) {
        c.missing_sets.emplace_back(parent, name);
        continue;
      }
      if (c.application_sets.count(parent)) continue;
      c.application_sets[parent] =
          choose(parent, shared.application_sets, shared.restored_sets, journal.application_sets,
                 ignores_automated(set->second), c.stale_sets,
                 [&] { return record_application_set(set->second, now, holder, touch_strategy); });
    }
  }
  return c;
}

}  // namespace ath::argocd_sync
