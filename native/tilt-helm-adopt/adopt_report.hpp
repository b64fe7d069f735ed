#pragma once
// What a run found and did, per object, and its text and JSON renderings. Holds names only:
// no object bodies, so a Secret's data cannot leak into a report.
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace ath::helm_adopt {
using json = nlohmann::json;

enum class Outcome {
  AlreadyOwned,  // nothing sent
  Adopted,       // ownership patch applied
  WouldAdopt,    // --dry-run
  Conflict,      // another release owns it; not taken (exit 1)
  Controlled,    // a controller's child (ReplicaSet, Pod): not Helm's, not touched
  Absent,        // named by the manifest or Argo CD but not in the cluster: Helm will create it
  Failed,        // a request failed; the object is unchanged (exit 1)
  Pruned,        // --prune-duplicates deleted it
  WouldPrune,    // --prune-duplicates --dry-run
};
const char* to_string(Outcome o);

struct ObjectEntry {
  std::string api_version;
  std::string kind;
  std::string namespace_;
  std::string name;
  unsigned sources = 0;  // adopt_plan.hpp's Source bits
  Outcome outcome = Outcome::AlreadyOwned;
  std::string message;   // why, or the error
  bool duplicate = false;  // a leftover workload (see find_duplicate_workloads)

  std::string display() const;  // "Deployment apps/web"
};

struct SkippedType {
  std::string type;    // "widgets.example.com"
  std::string reason;
  bool forbidden = false;  // 403: reported and skipped; anything else is a failure
};

struct AdoptReport {
  std::string release;
  std::string namespace_;
  std::string selector;  // empty when the label scan was off
  bool dry_run = false;
  bool scrub_managed_fields = false;
  size_t types_scanned = 0;
  std::vector<ObjectEntry> objects;  // sorted by kind, namespace, name
  std::vector<SkippedType> skipped_types;
  std::vector<std::string> warnings;  // references that name no served type, ...
  double seconds = 0;
  size_t requests = 0;
  size_t writes = 0;

  size_t count(Outcome o) const;
  size_t found() const;  // objects that exist in the cluster
  size_t duplicates() const;
  bool failed() const;   // any Failed object or a type that could not be listed
  // 0 when everything is adopted or already owned, 1 on conflicts or failures.
  int exit_code() const;
};

std::string render_text(const AdoptReport& r);
json render_json(const AdoptReport& r);

}  // namespace ath::helm_adopt
