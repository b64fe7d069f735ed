#pragma once
// After resume: wait for the syncs requested through `.operation`, or sync with the argocd CLI
// for those who prefer it. (The request itself is part of the resume patch, see resume_plan.)
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "core/kube_client.hpp"
#include "sync_guard.hpp"

namespace ath::argocd_sync {

// Polls each app until its operation finished (`.operation` cleared, operationState.phase
// terminal) and the app is Synced and Healthy; prints a progress line (to `progress`) whenever
// an app's phase/sync/health changes. An app whose operation Failed/Errored fails at once; one
// still not Synced+Healthy at the deadline fails with its status.conditions.
Report wait_for_syncs(ath::KubeClient& kc, const std::string& ns, const std::vector<std::string>& apps,
                      std::chrono::seconds timeout, std::FILE* progress);

// The argocd CLI on PATH, or a UsageError saying how to fix it (checked before anything is
// written when --sync-with argocd-cli is asked for).
void require_argocd_cli();

// `argocd app sync APP... [--async]` (argv, never a shell); --async unless `wait`.
Report sync_with_argocd_cli(const std::vector<std::string>& apps, bool wait, std::chrono::seconds timeout);

}  // namespace ath::argocd_sync
