// `resume [APP...]`: write back what pause journaled (SyncGuard::resume), then sync: through
// `.operation` (kubectl, in the resume's own patch; RollingSync sets in step order) or with the
// argocd CLI, optionally waiting.
#include <algorithm>
#include <memory>

#include "commands.hpp"
#include "sync_trigger.hpp"

namespace ath::argocd_sync {
namespace {

struct ResumeOptions {
  bool no_sync = false;
  bool wait = false;
  bool prune = false;
  std::string sync_with = "kubectl";
  int timeout = 300;
  int step_timeout = 120;
};

int run_resume(const ResumeOptions& o, Context& ctx) {
  if (o.sync_with == "argocd-cli" && !o.no_sync && !ctx.common.dry_run) require_argocd_cli();
  ctx.cfg.me = Identity::current(0, 0);
  auto kc = KubeClient::connect(ctx.common.kube);
  ResumeRequest req;
  req.holder_ids = {ctx.cfg.me.holder_id()};
  req.release_own_stale = true;
  req.apps = ctx.apps;
  req.default_when_unrecorded = !ctx.apps.empty();
  req.request_sync = !o.no_sync && o.sync_with == "kubectl";
  req.prune = o.prune;
  SyncGuard guard(kc, ctx.cfg);
  Report r = guard.resume(req);
  int code = print_resume(guard, r, std::chrono::seconds(o.step_timeout));
  std::vector<std::string> resumed;
  for (const auto& i : r.items)
    if (i.kind == "Application" && i.action == Action::Resumed && !r.sync_requests.count(i.name))
      resumed.push_back(i.name);
  if (!o.no_sync && !resumed.empty() && !ctx.common.dry_run) {
    const auto timeout = std::chrono::seconds(o.timeout);
    Report s = o.sync_with == "argocd-cli" ? sync_with_argocd_cli(resumed, o.wait, timeout)
               : o.wait                    ? wait_for_syncs(kc, ctx.cfg.ns, resumed, timeout, stdout)
                                           : Report{};
    print(s);
    code = std::max(code, s.exit_code());
  }
  return code;
}

}  // namespace

Command add_resume_command(CLI::App& app, GlobalOptions& g) {
  auto o = std::make_shared<ResumeOptions>();
  auto* cmd = app.add_subcommand("resume", "write back what pause journaled and trigger a sync");
  cmd->add_option("APP", g.apps, "Argo CD Application names (default: every journaled app)");
  cmd->add_flag("--no-sync", o->no_sync, "do not trigger a sync after restoring");
  cmd->add_flag("--wait", o->wait, "wait for each triggered sync to finish");
  cmd->add_option("--sync-with", o->sync_with, "kubectl (patch .operation) or argocd-cli")
      ->check(CLI::IsMember({"kubectl", "argocd-cli"}))
      ->capture_default_str();
  cmd->add_option("--timeout", o->timeout, "seconds --wait waits")->capture_default_str();
  add_step_timeout_option(*cmd, o->step_timeout,
                          "under progressive syncs: seconds each RollingSync batch may take to be Synced and "
                          "Healthy before the next one is synced");
  cmd->add_flag("--prune", o->prune, "the sync prunes even where the restored policy does not");
  add_dry_run_option(*cmd, g.common);
  return {cmd, [o](Context& ctx) { return run_resume(*o, ctx); }};
}

}  // namespace ath::argocd_sync
