#include "commands.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>

#include "core/names.hpp"
#include "sync_guard_journal.hpp"

namespace ath::argocd_sync {

void add_global_options(CLI::App& app, GlobalOptions& g) {
  app.add_option("--argocd-namespace", g.argocd_namespace, "namespace of the Argo CD Applications")
      ->capture_default_str();
  app.add_option("--state-dir", g.state_dir,
                 "journal folder (default $AMEIDE_ARGOCD_STATE_DIR, else the XDG state dir)");
  add_kube_options(app, g.common);
  add_log_options(app, g.common);
}

Context checked_context(GlobalOptions& g) {
  if (auto err = check_dns1123_label(g.argocd_namespace)) throw UsageError("invalid --argocd-namespace: " + *err);
  for (const auto& a : g.apps)
    if (auto err = check_dns1123_subdomain(a)) throw UsageError("invalid application name: " + *err);
  std::string state_dir = std::filesystem::absolute(g.state_dir.empty() ? default_state_dir() : g.state_dir).string();
  if (!g.common.kube.kubeconfig.empty())
    g.common.kube.kubeconfig = std::filesystem::absolute(g.common.kube.kubeconfig).string();
  GuardConfig cfg;
  cfg.ns = g.argocd_namespace;
  cfg.journal_path = journal_path(state_dir);
  cfg.dry_run = g.common.dry_run;
  return {g.common, g.apps, state_dir, cfg};
}

void add_paused_apps(CLI::App& cmd, GlobalOptions& g, std::string& off_mode) {
  cmd.add_option("APP", g.apps, "Argo CD Application names")->required();
  cmd.add_option("--auto-sync-off", off_mode, "auto, remove (drop automated) or enabled-false")
      ->check(CLI::IsMember({"auto", "remove", "enabled-false"}))
      ->capture_default_str();
}

void add_step_timeout_option(CLI::App& cmd, int& seconds, const std::string& description) {
  cmd.add_option("--step-timeout", seconds, description)->check(CLI::Range(1, 86400))->capture_default_str();
}

void print_pause(const Report& r) {
  spdlog::info("auto-sync off by {}", r.off_mode);
  print(r);
}

int print_resume(SyncGuard& guard, const Report& r, std::chrono::seconds step_timeout) {
  print(r);
  int code = r.exit_code();
  if (!r.step_syncs.empty()) {  // RollingSync step order, batch by batch
    Report s = guard.sync_steps(r, step_timeout, stdout);
    print(s);
    code = std::max(code, s.exit_code());
  }
  return code;
}

}  // namespace ath::argocd_sync
