#pragma once
// Whether a release is stuck in a pending state, from Helm's storage records, and how to get it
// out. Helm 3 logs "failed to record the release" and still exits 0 when its last storage write
// fails (pkg/action/install.go:495 at v3.17.2): the release then stays `pending-install` (or
// `pending-upgrade`), and every later upgrade fails with "another operation
// (install/upgrade/rollback) is in progress" (pkg/action/upgrade.go:219). Pure.
#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace ath::helm_apply {
using json = nlohmann::json;

struct ReleaseRevision {
  int revision = 0;
  std::string status;  // deployed, superseded, failed, pending-install, ...
};

// The revisions of Helm's storage objects (Secrets or ConfigMaps labelled owner=helm,name=R):
// labels `version` and `status`, read without decoding the release body. Sorted by revision.
std::vector<ReleaseRevision> release_revisions(const std::vector<json>& storage_objects);

bool is_pending(const std::string& status);

struct StuckRelease {
  int revision = 0;
  std::string status;
  std::optional<int> rollback_to;  // the newest deployed/superseded revision before it
};

// The newest revision when it is pending, else nullopt.
std::optional<StuckRelease> stuck_release(const std::vector<ReleaseRevision>& revisions);

// What to run to recover, naming the release: `helm history`, then `helm rollback` to the last
// good revision, or for a first install (nothing to roll back to) `helm uninstall` or removing
// the pending record only.
std::string stuck_advice(const std::string& release, const std::string& ns, const StuckRelease& stuck);

// helm's refusal while the last revision is pending.
bool is_operation_in_progress_error(const std::string& helm_stderr);

}  // namespace ath::helm_apply
