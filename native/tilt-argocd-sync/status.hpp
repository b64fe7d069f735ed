#pragma once
// `status`: what is paused, since when, by which holders, and whether the cluster still
// matches the records (auto-sync off on held apps, the sets' pause in place).
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "core/kube_client.hpp"
#include "holders.hpp"

namespace ath::argocd_sync {

// The report as JSON (the `-o json` form). `exit_code` becomes 1 when the cluster disagrees.
nlohmann::json build_status(ath::KubeClient& kc, const std::string& ns, const std::string& journal_path,
                            const Liveness& live, int& exit_code);
std::string status_text(const nlohmann::json& status);

// `status --ready APP...` (the Tiltfile's readiness probe): each APP is held by a live holder of
// `user`@`host` (any pid), the cluster shows its auto-sync off, and each parent ApplicationSet's
// pause is in place. Returns 0 when every app is ready, else 1; `out` gets one line per app.
int ready_status(ath::KubeClient& kc, const std::string& ns, const std::vector<std::string>& apps,
                 const Liveness& live, const std::string& user, std::string& out);

}  // namespace ath::argocd_sync
