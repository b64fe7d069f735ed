// `status [-o json]` and `status --ready APP...` (status.hpp).
#include <iostream>
#include <memory>

#include "commands.hpp"
#include "status.hpp"

namespace ath::argocd_sync {
namespace {

struct StatusOptions {
  bool ready = false;
};

int run_status(const StatusOptions& o, Context& ctx) {
  if (o.ready) {
    if (ctx.apps.empty()) throw UsageError("status --ready needs the APP names to check");
    Identity me = Identity::current(0, 0);
    auto kc = KubeClient::connect(ctx.common.kube);
    std::string out;
    int code = ready_status(kc, ctx.cfg.ns, ctx.apps, {Clock::now(), me.host, pid_alive}, me.user, out);
    std::cout << out;
    return code;
  }
  if (!ctx.apps.empty()) throw UsageError("APP names are only taken with status --ready");
  auto kc = KubeClient::connect(ctx.common.kube);
  int code = 0;
  json s = build_status(kc, ctx.cfg.ns, ctx.cfg.journal_path, {Clock::now(), Identity::current(0, 0).host, pid_alive},
                        code);
  std::cout << (ctx.common.output == "json" ? s.dump(2) + "\n" : status_text(s));
  return code;
}

}  // namespace

Command add_status_command(CLI::App& app, GlobalOptions& g) {
  auto o = std::make_shared<StatusOptions>();
  auto* cmd = app.add_subcommand("status", "what is paused, by whom, and whether the cluster matches");
  add_output_option(*cmd, g.common);
  cmd->add_flag("--ready", o->ready,
                "exit 0 only when each APP is held by a live holder of this user@host and paused in the cluster");
  cmd->add_option("APP", g.apps, "with --ready: the apps to check");
  return {cmd, [o](Context& ctx) { return run_status(*o, ctx); }};
}

}  // namespace ath::argocd_sync
