#pragma once
// The read half of a run: GETs the manifest's and the Application's objects and lists every
// scanned type by label, concurrently. Writes nothing.
#include <nlohmann/json.hpp>

#include <map>
#include <string>
#include <vector>

#include "core/kube_client.hpp"
#include "tilt-helm-adopt/adopt.hpp"
#include "tilt-helm-adopt/adopt_targets.hpp"

namespace ath::adopt {

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

Collected collect(KubeClient& client, const ResourceIndex& index, const AdoptOptions& options);

}  // namespace ath::adopt
