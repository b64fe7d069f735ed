// `pause APP...`: journal and turn off auto-sync of each app (SyncGuard::pause).
#include <memory>

#include "commands.hpp"

namespace ath::argocd_sync {
namespace {

struct PauseOptions {
  std::string off_mode = "auto";
  int ttl = 8 * 3600;
};

int run_pause(const PauseOptions& o, Context& ctx) {
  ctx.cfg.off_mode_flag = o.off_mode;
  ctx.cfg.me = Identity::current(0, o.ttl);
  auto kc = KubeClient::connect(ctx.common.kube);
  Report r = SyncGuard(kc, ctx.cfg).pause(ctx.apps);
  print_pause(r);
  return r.exit_code();
}

}  // namespace

Command add_pause_command(CLI::App& app, GlobalOptions& g) {
  auto o = std::make_shared<PauseOptions>();
  auto* cmd = app.add_subcommand("pause", "journal and turn off auto-sync of each APP");
  add_paused_apps(*cmd, g, o->off_mode);
  cmd->add_option("--ttl", o->ttl, "seconds this pause counts without a heartbeat (then the next run resumes)")
      ->capture_default_str();
  add_dry_run_option(*cmd, g.common);
  return {cmd, [o](Context& ctx) { return run_pause(*o, ctx); }};
}

}  // namespace ath::argocd_sync
