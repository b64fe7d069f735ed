// tilt-argocd-sync: pause / resume / serve guard for Argo CD auto-sync.
#include "core/cli.hpp"
#include "core/names.hpp"

using namespace ath;

int main(int argc, char** argv) {
  CLI::App app{"Pause Argo CD auto-sync on the apps Tilt works on, and always hand control back."};
  CommonOptions common;
  setup_app(app, "tilt-argocd-sync");
  std::string argocd_ns = "argocd", state_dir;
  std::vector<std::string> apps;
  app.add_option("--argocd-namespace", argocd_ns, "namespace of the Argo CD Applications")->capture_default_str();
  app.add_option("--state-dir", state_dir, "journal folder (default $TILT_ARGOCD_STATE_DIR, else the XDG state dir)");
  add_kube_options(app, common);
  add_log_options(app, common);
  app.require_subcommand(1);

  auto* pause = app.add_subcommand("pause", "journal and turn off auto-sync of each APP");
  pause->add_option("APP", apps, "Argo CD Application names")->required();
  add_dry_run_option(*pause, common);
  auto* resume = app.add_subcommand("resume", "write back what pause journaled and trigger a sync");
  resume->add_option("APP", apps, "Argo CD Application names (default: every journaled app)");
  bool no_sync = false, wait = false;
  std::string sync_with = "kubectl";
  resume->add_flag("--no-sync", no_sync, "do not trigger a sync after restoring");
  resume->add_flag("--wait", wait, "wait for each triggered sync to finish");
  resume->add_option("--sync-with", sync_with, "kubectl (patch .operation) or argocd-cli")
      ->check(CLI::IsMember({"kubectl", "argocd-cli"}))
      ->capture_default_str();
  add_dry_run_option(*resume, common);
  auto* serve = app.add_subcommand("serve", "pause, stay in the foreground, resume on SIGTERM/SIGINT/SIGHUP");
  serve->add_option("APP", apps, "Argo CD Application names")->required();
  auto* status = app.add_subcommand("status", "what is paused, by whom, and whether the cluster matches");
  add_output_option(*status, common);

  return run_main(app, common, argc, argv, [&]() -> int {
    if (auto err = check_dns1123_label(argocd_ns)) throw UsageError("invalid --argocd-namespace: " + *err);
    for (const auto& a : apps)
      if (auto err = check_dns1123_subdomain(a)) throw UsageError("invalid application name: " + *err);
    throw UsageError("this command is not implemented in this build yet; nothing was changed");
  });
}
