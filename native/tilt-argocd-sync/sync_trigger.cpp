#include "sync_trigger.hpp"

#include <boost/process/search_path.hpp>

#include <algorithm>
#include <thread>

#include "argocd_api.hpp"
#include "core/cli.hpp"
#include "core/json_at.hpp"
#include "core/parallel.hpp"
#include "core/process.hpp"

namespace ath::argocd_sync {
using nlohmann::json;

namespace {

std::string conditions_text(const json& app) {
  const json* conditions = json_at(app, "/status/conditions");
  if (!conditions || !conditions->is_array() || conditions->empty()) return "no status.conditions";
  std::string out = "status.conditions:";
  for (const auto& c : *conditions)
    if (c.is_object()) out += " [" + c.value("type", "?") + "] " + c.value("message", "");
  return out;
}

}  // namespace

Report wait_for_syncs(ath::KubeClient& kc, const std::string& ns, const std::vector<std::string>& apps,
                      std::chrono::seconds timeout, std::FILE* progress) {
  Report report;
  const size_t n = apps.size();
  std::vector<std::string> last(n), detail(n);
  std::vector<int> done(n, 0);  // 0 waiting, 1 synced and healthy, -1 failed
  std::vector<json> seen(n);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    ath::parallel_for(n, 32, [&](size_t i) {
      if (done[i]) return;
      auto g = kc.get(applications_resource(), ns, apps[i]);
      if (!g.ok()) {
        detail[i] = g.error->describe();
        return;
      }
      seen[i] = std::move(g.value);
      const json& app = seen[i];
      std::string phase = string_at(app, "/status/operationState/phase");
      std::string sync = string_at(app, "/status/sync/status");
      std::string health = string_at(app, "/status/health/status");
      bool pending = app.contains("operation") && !app["operation"].is_null();
      bool finished = !pending && !phase.empty() && phase != "Running" && phase != "Terminating";
      detail[i] = "operation " + (pending ? std::string("pending") : phase.empty() ? "none" : phase) + ", " +
                  (sync.empty() ? "sync unknown" : sync) + ", " + (health.empty() ? "health unknown" : health);
      if (finished && (phase == "Failed" || phase == "Error")) done[i] = -1;
      else if (finished && sync == "Synced" && health == "Healthy") done[i] = 1;
    });
    for (size_t i = 0; i < n; ++i)
      if (detail[i] != last[i]) {
        std::fprintf(progress, "Application %s: %s\n", apps[i].c_str(), detail[i].c_str());
        last[i] = detail[i];
      }
    std::fflush(progress);
    bool all = std::all_of(done.begin(), done.end(), [](int d) { return d != 0; });
    if (all || std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  for (size_t i = 0; i < n; ++i) {
    if (done[i] == 1) {
      report.items.push_back({"Application", apps[i], Action::Synced, "Synced and Healthy", true});
    } else if (done[i] == -1) {
      std::string msg = string_at(seen[i], "/status/operationState/message");
      report.items.push_back({"Application", apps[i], Action::SyncFailed,
                              detail[i] + (msg.empty() ? "" : ": " + msg) + "; " + conditions_text(seen[i]), false});
    } else {
      report.items.push_back({"Application", apps[i], Action::TimedOut,
                              "not Synced and Healthy after " + std::to_string(timeout.count()) + " s (" + detail[i] +
                                  "); " + conditions_text(seen[i]),
                              false});
    }
  }
  return report;
}

void require_argocd_cli() {
  if (!boost::process::search_path("argocd").empty()) return;
  throw ath::UsageError(
      "--sync-with argocd-cli needs the argocd CLI, and there is no argocd on PATH; install it "
      "(https://argo-cd.readthedocs.io/en/stable/cli_installation/) and run `argocd login`, or use "
      "--sync-with kubectl (the default), which needs only Kubernetes RBAC (nothing was changed)");
}

Report sync_with_argocd_cli(const std::vector<std::string>& apps, bool wait, std::chrono::seconds timeout) {
  Report report;
  ath::ProcessSpec spec;
  spec.argv = {"argocd", "app", "sync"};
  for (const auto& a : apps) spec.argv.push_back(a);
  if (!wait) spec.argv.push_back("--async");
  spec.timeout = timeout;
  auto res = ath::run_process(spec);
  for (const auto& a : apps)
    report.items.push_back({"Application", a, res.ok() ? Action::SyncedByArgocdCli : Action::ArgocdCliSyncFailed,
                            res.ok() ? "" : res.describe() + ": " + res.err.substr(0, 400), res.ok()});
  return report;
}

}  // namespace ath::argocd_sync
