#pragma once
// What pause saw before it changed anything, kept so that resume can write it back exactly.
// The same records live in two places: the local journal file (written atomically before the
// cluster changes) and the shared holders ConfigMap (see holders.hpp), so that a second
// developer pausing an already paused app keeps the first pause's record.
#include <nlohmann/json.hpp>

#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace tas {
using json = nlohmann::json;

// One Application's saved fields. `saved` holds "automated" only when the app had that key
// (its value may be null); an app without `automated` has an empty `saved`.
struct AppRecord {
  json saved = json::object();
  std::string paused_at;  // RFC 3339, UTC
  std::string paused_by;  // holder id
  std::vector<std::string> application_sets;  // parents whose pause this app relies on

  json to_json() const;
  static AppRecord from_json(const json& j);  // throws std::runtime_error on a malformed record
  bool operator==(const AppRecord&) const = default;
};

// One ApplicationSet's saved fields: "strategy", "applicationsSync" (of spec.syncPolicy) and
// "ignoreApplicationDifferences", each present only when the object had it.
struct AppSetRecord {
  json saved = json::object();
  std::string paused_at;
  std::string paused_by;

  json to_json() const;
  static AppSetRecord from_json(const json& j);
  bool operator==(const AppSetRecord&) const = default;
};

struct Journal {
  std::map<std::string, AppRecord> apps;
  std::map<std::string, AppSetRecord> application_sets;

  bool empty() const { return apps.empty() && application_sets.empty(); }
  json to_json() const;
  static Journal from_json(const json& j);
};

// A journal file that exists but cannot be read as a journal. Nothing may overwrite it: it may
// hold the only copy of a user's sync policy.
class JournalCorrupt : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The journal file inside a state folder.
std::string journal_path(const std::string& state_dir);
// --state-dir, else $TILT_ARGOCD_STATE_DIR, else $XDG_STATE_HOME/tilt-argocd-sync, else
// ~/.local/state/tilt-argocd-sync.
std::string default_state_dir();

// A missing file is an empty journal; an unreadable or malformed one throws JournalCorrupt.
Journal load_journal(const std::string& path);
// Temp file in the same folder, fsync, rename, fsync of the folder. Creates the folder.
// Refuses (JournalCorrupt) to replace a file that does not parse as a journal.
void save_journal(const std::string& path, const Journal& journal);

// Read-modify-write under an exclusive flock on "<path>.lock", so that serve, its watcher and a
// manual run on the same machine never lose each other's records. `change` returns false to
// skip the write. Returns the journal as written (or as read when nothing changed).
Journal update_journal(const std::string& path, const std::function<bool(Journal&)>& change);

}  // namespace tas
