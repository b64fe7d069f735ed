// `serve APP...`: pause, stay in the foreground, resume on SIGTERM/SIGINT/SIGHUP. A detached
// watcher (watch_command.cpp, watcher.hpp) keeps the heartbeat and does the resume, also when
// serve is SIGKILLed.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>

#include "commands.hpp"
#include "watcher.hpp"

namespace ath::argocd_sync {
namespace {

int g_signal_pipe[2] = {-1, -1};

void on_stop_signal(int sig) {
  char c = static_cast<char>(sig);
  int saved = errno;
  (void)!::write(g_signal_pipe[1], &c, 1);
  errno = saved;
}

// serve stops on SIGTERM, SIGINT or SIGHUP. Handlers (not a blocked mask) so that children
// such as kubectl proxy start with the default dispositions.
void install_stop_handlers() {
  if (::pipe2(g_signal_pipe, O_CLOEXEC | O_NONBLOCK) != 0) throw std::runtime_error("cannot create a pipe");
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  for (int s : {SIGTERM, SIGINT, SIGHUP}) ::sigaction(s, &sa, nullptr);
}

// Waits for a stop signal; false on timeout.
bool wait_for_stop(int timeout_ms) {
  pollfd p{g_signal_pipe[0], POLLIN, 0};
  int r = ::poll(&p, 1, timeout_ms);
  return r > 0;
}

// "1.500" for 1500 ms: text --request-timeout reads back as the same duration.
std::string milliseconds_as_seconds(std::chrono::milliseconds ms) {
  char text[32];
  std::snprintf(text, sizeof text, "%lld.%03lld", static_cast<long long>(ms.count() / 1000),
                static_cast<long long>(ms.count() % 1000));
  return text;
}

struct ServeOptions {
  std::string off_mode = "auto";
  int heartbeat = 20;
  int step_timeout = 120;
};

// The watcher's command line: serve's own options, so that it reaches the same cluster and
// state dir and pauses the same way.
std::vector<std::string> watcher_args(const ServeOptions& o, const Context& ctx) {
  const CommonOptions& common = ctx.common;
  std::vector<std::string> args = {"__watch", "--holder-pid", std::to_string(ctx.cfg.me.pid), "--heartbeat",
                                   std::to_string(o.heartbeat), "--auto-sync-off", o.off_mode, "--step-timeout",
                                   std::to_string(o.step_timeout), "--argocd-namespace",
                                   ctx.cfg.ns, "--state-dir", ctx.state_dir, "--log-level", common.log_level};
  if (!common.kube.kubeconfig.empty()) args.insert(args.end(), {"--kubeconfig", common.kube.kubeconfig});
  if (!common.kube.context.empty()) args.insert(args.end(), {"--context", common.kube.context});
  // Each of the watcher's requests waits as long as serve's own. --timeout is not passed on: it
  // bounds serve's start, while the watcher lives as long as serve does.
  args.insert(args.end(), {"--request-timeout", milliseconds_as_seconds(common.kube.request_timeout)});
  args.insert(args.end(), ctx.apps.begin(), ctx.apps.end());
  return args;
}

int run_serve(const ServeOptions& o, Context& ctx) {
  install_stop_handlers();
  ctx.cfg.off_mode_flag = o.off_mode;
  ctx.cfg.me = Identity::current(static_cast<int>(::getpid()), 3 * o.heartbeat);
  const GuardConfig& cfg = ctx.cfg;
  const auto& apps = ctx.apps;
  ResumeRequest release_me;
  release_me.holder_ids = {cfg.me.holder_id()};
  // The watcher starts before the first write: a serve killed in the middle of its pause is
  // resumed by it (issue 12, defect 6).
  std::filesystem::create_directories(ctx.state_dir);
  auto watcher = start_watcher(watcher_args(o, ctx), (std::filesystem::path(ctx.state_dir) / "watcher.log").string(),
                               std::chrono::seconds(30));
  {
    auto kc = KubeClient::connect(ctx.common.kube);
    SyncGuard guard(kc, cfg);
    Report r;
    try {
      r = guard.pause(apps);
    } catch (...) {
      if (watcher) ask_watcher_to_resume(*watcher, std::chrono::seconds(60));
      throw;
    }
    print_pause(r);
    if (r.exit_code() != 0) {
      spdlog::error("the pause did not complete; handing every app back to Argo CD");
      if (!watcher || !ask_watcher_to_resume(*watcher, std::chrono::seconds(60))) print(guard.resume(release_me));
      return kExitFindings;
    }
  }  // serve's own kubectl proxy stops here: Tilt's group signal would end it anyway
  if (watcher) tell_watcher_paused(*watcher);
  std::printf("guarding %zu app(s) as %s%s; stop with SIGTERM, SIGINT or SIGHUP\n", apps.size(),
              cfg.me.holder_id().c_str(), watcher ? (", watcher pid " + std::to_string(watcher->pid)).c_str() : "");
  std::fflush(stdout);
  if (watcher) {
    wait_for_stop(-1);
    if (auto code = ask_watcher_to_resume(*watcher, std::chrono::seconds(60))) {
      std::printf("resumed by the watcher (exit %d)\n", *code);
      return *code;
    }
    spdlog::warn("the watcher is gone; resuming here");
  } else {
    // No watcher: this process keeps the heartbeat itself.
    auto kc = KubeClient::connect(ctx.common.kube);
    SyncGuard guard(kc, cfg);
    while (!wait_for_stop(o.heartbeat * 1000)) {
      try {
        if (!guard.heartbeat()) guard.pause(apps);
        else guard.reverify(apps);
      } catch (const std::exception& e) {
        spdlog::warn("heartbeat failed: {}", e.what());
      }
    }
  }
  auto kc = KubeClient::connect(ctx.common.kube);  // a fresh proxy: the group signal ended the old one
  SyncGuard guard(kc, cfg);
  return print_resume(guard, guard.resume(release_me), std::chrono::seconds(o.step_timeout));
}

}  // namespace

Command add_serve_command(CLI::App& app, GlobalOptions& g) {
  auto o = std::make_shared<ServeOptions>();
  auto* cmd = app.add_subcommand("serve", "pause, stay in the foreground, resume on SIGTERM/SIGINT/SIGHUP");
  add_paused_apps(*cmd, g, o->off_mode);
  cmd->add_option("--heartbeat", o->heartbeat, "seconds between heartbeats (the holder expires after 3)")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  add_step_timeout_option(*cmd, o->step_timeout,
                          "under progressive syncs: seconds each RollingSync batch of the final resume may take");
  return {cmd, [o](Context& ctx) { return run_serve(*o, ctx); }};
}

}  // namespace ath::argocd_sync
