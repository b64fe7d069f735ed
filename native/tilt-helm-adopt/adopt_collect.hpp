#pragma once
// The read half of a run: GETs the manifest's and the Application's objects and lists every
// scanned type by label, concurrently. Writes nothing.
#include <nlohmann/json.hpp>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/kube_client.hpp"
#include "tilt-helm-adopt/adopt.hpp"
#include "tilt-helm-adopt/adopt_targets.hpp"

namespace ath::helm_adopt {

// A live object and every source that named it.
struct Candidate {
  const ApiResource* type = nullptr;
  json object;
  unsigned sources = 0;
};

struct Collected {
  std::map<std::string, Candidate> live;  // by Target::key()
  std::vector<ObjectEntry> settled;       // absent or unreadable objects: final already
  std::vector<SkippedType> skipped_types;
  std::vector<std::string> warnings;
  std::vector<json> manifest_objects;     // for duplicate detection
  size_t types_scanned = 0;
};

// Reads made before the manifest is known (tilt-helm-apply issues them while helm renders), so
// that collect() does not repeat them. Each part is optional: what is missing is read by collect().
struct Prefetch {
  std::optional<Result<json>> application;                   // GET of options.argocd_app
  std::optional<std::vector<Result<std::vector<json>>>> lists;  // the label scan, in scan_types() order
  std::map<std::string, Result<json>> objects;               // GETs by Target::key(), NotFound included
};

// The Application, the label scan (when `scan`) and the `guesses` (objects the last run named),
// concurrently.
Prefetch prefetch(KubeClient& client, const ResourceIndex& index, const AdoptOptions& options, bool scan,
                  const std::vector<Target>& guesses);

Collected collect(KubeClient& client, const ResourceIndex& index, const AdoptOptions& options,
                  const Prefetch* already = nullptr);

}  // namespace ath::helm_adopt
