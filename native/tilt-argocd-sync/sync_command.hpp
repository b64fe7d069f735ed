#pragma once
// `sync APP...`: one sync of each app with the operation resume uses (sync_operation in
// resume_plan): the app's own syncOptions and retry, prune only as its policy says. While the
// app is paused its policy is the pause record's (the cluster's, else this machine's journal).
// Its command (options, --wait, -o json) is add_sync_command in sync_command.cpp.
#include <string>
#include <vector>

#include "core/kube_client.hpp"
#include "sync_guard.hpp"

namespace ath::argocd_sync {

struct SyncCommand {
  std::vector<std::string> apps;
  bool prune = false;  // --prune
  bool dry_run = false;
};

// Throws UsageError (nothing written) when an app does not exist.
Report sync_apps(ath::KubeClient& kc, const GuardConfig& cfg, const SyncCommand& cmd);

}  // namespace ath::argocd_sync
