// `__watch`: the detached watcher serve starts (watcher.hpp). It keeps serve's holder alive
// (heartbeat, and the re-check of each pause), and resumes when serve asks or dies.
#include <spdlog/spdlog.h>

#include <cstdio>
#include <memory>

#include "commands.hpp"
#include "watcher.hpp"

namespace ath::argocd_sync {
namespace {

struct WatchOptions {
  int holder_pid = 0;
  int heartbeat = 20;
  std::string off_mode = "auto";
  int step_timeout = 120;
};

int run_watch(const WatchOptions& o, Context& ctx) {
  ctx.cfg.off_mode_flag = o.off_mode;
  ctx.cfg.me = Identity::current(o.holder_pid, 3 * o.heartbeat);
  const GuardConfig& cfg = ctx.cfg;
  const auto& apps = ctx.apps;
  auto kc = KubeClient::connect(ctx.common.kube);
  SyncGuard guard(kc, cfg);
  Report resumed;
  spdlog::info("watching holder {} (apps: {}, request timeout {} ms)", cfg.me.holder_id(), apps.size(),
               ctx.common.kube.request_timeout.count());
  return run_watcher(
      3, 4, std::chrono::seconds(o.heartbeat),
      [&] {
        if (!guard.heartbeat()) {
          spdlog::warn("holder {} had expired and its apps were resumed; pausing them again", cfg.me.holder_id());
          guard.pause(apps);
        } else {
          guard.reverify(apps);
        }
      },
      [&] {
        ResumeRequest req;
        req.holder_ids = {cfg.me.holder_id()};
        resumed = guard.resume(req);
        std::fputs(resumed.text().c_str(), stderr);
        return resumed.exit_code();
      },
      [&] {
        if (resumed.step_syncs.empty()) return 0;
        Report s = guard.sync_steps(resumed, std::chrono::seconds(o.step_timeout), stderr);
        std::fputs(s.text().c_str(), stderr);
        return s.exit_code();
      });
}

}  // namespace

Command add_watch_command(CLI::App& app, GlobalOptions& g) {
  auto o = std::make_shared<WatchOptions>();
  auto* cmd = app.add_subcommand("__watch", "")->group("");
  cmd->add_option("APP", g.apps)->required();
  cmd->add_option("--holder-pid", o->holder_pid)->required();
  cmd->add_option("--heartbeat", o->heartbeat);
  cmd->add_option("--auto-sync-off", o->off_mode);
  cmd->add_option("--step-timeout", o->step_timeout);
  return {cmd, [o](Context& ctx) { return run_watch(*o, ctx); }};
}

}  // namespace ath::argocd_sync
