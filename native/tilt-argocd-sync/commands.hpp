#pragma once
// The commands of tilt-argocd-sync, one file each (pause_command.cpp, resume_command.cpp,
// sync_command.cpp, serve_command.cpp, status_command.cpp, watch_command.cpp): each adds its
// subcommand and options to the CLI11 app and returns how to run it; main runs the one parsed.
#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "core/cli.hpp"
#include "report.hpp"
#include "sync_guard.hpp"

namespace ath::argocd_sync {

// What every command takes: the options before (or after) its name, and its APP... (each
// command binds its own positional to `apps`; one command runs per process).
struct GlobalOptions {
  ath::CommonOptions common;
  std::string argocd_namespace = "argocd";
  std::string state_dir;
  std::vector<std::string> apps;
};

// What a command runs with once the global options are checked.
struct Context {
  ath::CommonOptions& common;  // the kubeconfig made absolute (the watcher runs elsewhere)
  const std::vector<std::string>& apps;
  std::string state_dir;  // absolute
  GuardConfig cfg;        // namespace, journal and dry run; the command sets `me` and the off mode
};

// --argocd-namespace, --state-dir, the kube and log options.
void add_global_options(CLI::App& app, GlobalOptions& g);
// Checks --argocd-namespace and the APP names (UsageError) and resolves the state dir.
Context checked_context(GlobalOptions& g);

struct Command {
  CLI::App* cli;  // parsed() when this command was asked for
  std::function<int(Context&)> run;
};

Command add_pause_command(CLI::App& app, GlobalOptions& g);
Command add_resume_command(CLI::App& app, GlobalOptions& g);
Command add_sync_command(CLI::App& app, GlobalOptions& g);
Command add_serve_command(CLI::App& app, GlobalOptions& g);
Command add_status_command(CLI::App& app, GlobalOptions& g);
Command add_watch_command(CLI::App& app, GlobalOptions& g);  // hidden: started by serve only

// What pause and serve both take: the APP names (required) and --auto-sync-off.
void add_paused_apps(CLI::App& cmd, GlobalOptions& g, std::string& off_mode);
// --step-timeout, for the commands whose resume runs RollingSync steps.
void add_step_timeout_option(CLI::App& cmd, int& seconds, const std::string& description);

// Logs the off-mode decision and prints a pause's report.
void print_pause(const Report& r);
// Prints a resume's report, then runs and prints the syncs it left in RollingSync step order;
// returns the worse exit code.
int print_resume(SyncGuard& guard, const Report& r, std::chrono::seconds step_timeout);

}  // namespace ath::argocd_sync
