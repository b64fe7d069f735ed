#include "sync_trigger.hpp"

#include <thread>

#include "argocd_api.hpp"
#include "core/parallel.hpp"
#include "core/process.hpp"

namespace tas {
using nlohmann::json;

Report wait_for_syncs(ath::KubeClient& kc, const std::string& ns, const std::vector<std::string>& apps,
                      std::chrono::seconds timeout) {
  Report report;
  std::vector<std::string> phase(apps.size());
  std::vector<bool> done(apps.size(), false);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    ath::parallel_for(apps.size(), 32, [&](size_t i) {
      if (done[i]) return;
      auto g = kc.get(applications_resource(), ns, apps[i]);
      if (!g.ok()) {
        phase[i] = g.error->describe();
        return;
      }
      const json& app = g.value;
      json::json_pointer p("/status/operationState/phase");
      phase[i] = app.contains(p) && app.at(p).is_string() ? app.at(p).get<std::string>() : "";
      bool pending = app.contains("operation") && !app["operation"].is_null();
      done[i] = !pending && !phase[i].empty() && phase[i] != "Running" && phase[i] != "Terminating";
    });
    bool all = std::all_of(done.begin(), done.end(), [](bool b) { return b; });
    if (all || std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  for (size_t i = 0; i < apps.size(); ++i) {
    bool ok = done[i] && phase[i] == "Succeeded";
    report.items.push_back({"Application", apps[i], done[i] ? "sync " + phase[i] : "sync still running",
                            done[i] ? "" : "gave up waiting after " + std::to_string(timeout.count()) + " s", ok});
  }
  return report;
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
    report.items.push_back({"Application", a, res.ok() ? "synced by argocd CLI" : "argocd CLI sync failed",
                            res.ok() ? "" : res.describe() + ": " + res.err.substr(0, 400), res.ok()});
  return report;
}

}  // namespace tas
