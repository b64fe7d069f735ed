#pragma once
// After resume: wait for the syncs requested through `.operation`, or sync with the argocd CLI
// for those who prefer it. (The request itself is part of the resume patch, see resume_plan.)
#include <chrono>
#include <string>
#include <vector>

#include "core/kube_client.hpp"
#include "sync_guard.hpp"

namespace tas {

// Polls each app until its operation finished (`.operation` cleared and
// status.operationState.phase not Running/Terminating); one item per app with its phase.
// An app whose phase is not Succeeded, or that is still running at the deadline, fails.
Report wait_for_syncs(ath::KubeClient& kc, const std::string& ns, const std::vector<std::string>& apps,
                      std::chrono::seconds timeout);

// `argocd app sync APP... [--async]` (argv, never a shell); --async unless `wait`.
Report sync_with_argocd_cli(const std::vector<std::string>& apps, bool wait, std::chrono::seconds timeout);

}  // namespace tas
