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

namespace ath::argocd_sync {
using json = nlohmann::json;

// One Application's saved fields. `saved` holds "automated" only when the app had that key
// (its value may be null); an app without `automated` has an empty `saved`.
struct AppRecord {
  json saved = json::object();
  std::string paused_at;  // RFC 3339, UTC
  std::string paused_by;  // holder id
  // Random id of this pause, shared by the journal and the cluster copy of the record, so that
  // a copy another holder has already written back is recognised (see holders.hpp, Restored).
  std::string uid;
  std::vector<std::string> application_sets;  // parents whose pause this app relies on

  json to_json() const;
  static AppRecord from_json(const json& j);  // throws std::runtime_error on a malformed record
  bool operator==(const AppRecord&) const = default;
};

// One ApplicationSet's saved fields. `fields` names what pause changed and resume writes back
// ("ignoreApplicationDifferences", and "strategy" when progressive syncs made it matter); each
// is in `saved` only when the object had it. Records written before `fields` existed cover
// "strategy" and "ignoreApplicationDifferences". applicationsSync is never written back: pause
// does not change it, so an operator's change made meanwhile stands.
struct AppSetRecord {
  json saved = json::object();
  std::vector<std::string> fields;
  std::string paused_at;
  std::string paused_by;
  std::string uid;

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
// --state-dir, else $AMEIDE_ARGOCD_STATE_DIR, else $XDG_STATE_HOME/tilt-argocd-sync, else
// ~/.local/state/tilt-argocd-sync.
std::string default_state_dir();

// A fresh random record id (16 hex digits).
std::string new_record_uid();

// A missing file is an empty journal; an unreadable or malformed one throws JournalCorrupt,
// and so does one over ath::kMaxJournalBytes or nested deeper than ath::kMaxNestingDepth.
Journal load_journal(const std::string& path);
// Temp file in the same folder, fsync, rename, fsync of the folder. Creates the folder.
// Refuses (JournalCorrupt) to replace a file that does not parse as a journal.
void save_journal(const std::string& path, const Journal& journal);

// An exclusive flock on "<path>.lock", so that serve, its watcher and a manual run on the same
// machine never lose each other's records. Taking it also proves the state folder is writable
// (a probe file is created and removed): a resume takes it before its first cluster write, so
// a read-only or full disk stops it while nothing has changed yet. Throws std::runtime_error
// naming the folder and what to do.
class JournalLock {
 public:
  explicit JournalLock(std::string path);
  ~JournalLock();
  JournalLock(const JournalLock&) = delete;
  JournalLock& operator=(const JournalLock&) = delete;
  // Read-modify-write under this lock; `change` returns false to skip the write. Returns the
  // journal as written (or as read when nothing changed).
  Journal update(const std::function<bool(Journal&)>& change);

 private:
  std::string path_;
  int fd_ = -1;
};

// JournalLock(path).update(change).
Journal update_journal(const std::string& path, const std::function<bool(Journal&)>& change);

}  // namespace ath::argocd_sync
