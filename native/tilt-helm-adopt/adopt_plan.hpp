#pragma once
// The adoption decision for one live object, and the duplicate-workload rule. Pure: takes the
// objects as JSON, returns the merge patch to send (or why none is sent). adopt_apply.cpp
// performs what this decides.
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "core/labels.hpp"

namespace ath::helm_adopt {
using json = nlohmann::json;

// Helm's ownership keys (helm pkg/action/validate.go checks exactly these): ath::kManagedByLabel
// (core/labels.hpp) set to kManagedByHelm, and the two release annotations.
inline constexpr const char* kManagedByHelm = "Helm";
inline constexpr const char* kReleaseNameAnnotation = "meta.helm.sh/release-name";
inline constexpr const char* kReleaseNamespaceAnnotation = "meta.helm.sh/release-namespace";

// Where an object came from; an object may come from several.
enum Source : unsigned {
  kFromManifest = 1u << 0,
  kFromArgoCd = 1u << 1,
  kFromLabelScan = 1u << 2,
};
// "manifest", "argocd", "label-scan" joined by '+'.
std::string source_names(unsigned sources);

enum class Action {
  AlreadyOwned,  // Helm's keys are right: nothing is sent
  Adopt,         // a merge patch is sent (planned; see adopt_apply for the outcome)
  Conflict,      // another release owns it and --force was not given: not taken
  Controlled,    // a controller owns it (ReplicaSet of a Deployment, Pod): Helm never checks it
};
const char* to_string(Action a);

struct PlanSettings {
  std::string release;
  std::string release_namespace;
  bool scrub_managed_fields = false;  // add the managedFields reset to every adoption patch
  bool force = false;                 // take objects of another release too
};

struct Decision {
  Action action = Action::AlreadyOwned;
  json patch;                 // Adopt: the merge patch, with the resourceVersion precondition
  std::string owner_release;  // Conflict (or a forced take-over): the release that held it
  std::string reason;         // one sentence for reports
};

// The release that currently owns `object` by Helm's annotations ("" when none), written as
// "name" or "namespace/name" when the namespace differs from `release_namespace`.
std::string current_owner(const json& object, const std::string& release_namespace);

// True when an ownerReference has controller: true.
bool controller_owned(const json& object);

// Decides for one live object. Controller-owned objects are skipped unless the rendered manifest
// names them (then Helm checks them, so they are adopted like the rest).
Decision plan_adoption(const json& live, unsigned sources, const PlanSettings& settings);

// "app.kubernetes.io/managed-by=Helm, meta.helm.sh/release-name=web, managedFields reset": the
// keys an adoption patch writes, for reports.
std::string describe_patch(const json& patch);

// --prune-duplicates: live workloads (Deployment, StatefulSet, DaemonSet) that are not in the
// rendered manifest while a manifest workload with the same app.kubernetes.io/name and
// app.kubernetes.io/component labels is: the leftovers of a release whose object names changed.
// Returns indexes into `live_workloads`.
bool is_workload_kind(const std::string& api_version, const std::string& kind);
std::vector<size_t> find_duplicate_workloads(const std::vector<json>& live_workloads,
                                             const std::vector<json>& manifest_objects,
                                             const std::string& release_namespace);

}  // namespace ath::helm_adopt
