// tilt-argocd-sync: pause / resume / serve guard for Argo CD auto-sync.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <string>

#include "core/cli.hpp"
#include "core/names.hpp"
#include "status.hpp"
#include "sync_command.hpp"
#include "sync_guard.hpp"
#include "sync_trigger.hpp"
#include "watcher.hpp"

using namespace ath;
using namespace ath::argocd_sync;

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

}  // namespace

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

  std::string off_mode = "auto";
  int ttl = 8 * 3600, heartbeat = 20, timeout = 300, holder_pid = 0, step_timeout = 120;
  auto* pause = app.add_subcommand("pause", "journal and turn off auto-sync of each APP");
  pause->add_option("APP", apps, "Argo CD Application names")->required();
  pause->add_option("--auto-sync-off", off_mode, "auto, remove (drop automated) or enabled-false")
      ->check(CLI::IsMember({"auto", "remove", "enabled-false"}))
      ->capture_default_str();
  pause->add_option("--ttl", ttl, "seconds this pause counts without a heartbeat (then the next run resumes)")
      ->capture_default_str();
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
  resume->add_option("--timeout", timeout, "seconds --wait waits")->capture_default_str();
  resume->add_option("--step-timeout", step_timeout,
                     "under progressive syncs: seconds each RollingSync batch may take to be Synced and Healthy "
                     "before the next one is synced")
      ->check(CLI::Range(1, 86400))
      ->capture_default_str();
  bool prune = false;
  resume->add_flag("--prune", prune, "the sync prunes even where the restored policy does not");
  add_dry_run_option(*resume, common);
  auto* sync = app.add_subcommand("sync", "one sync of each APP with its own syncOptions and retry (prune as its policy says)");
  sync->add_option("APP", apps, "Argo CD Application names")->required();
  sync->add_flag("--wait", wait, "print progress and wait until each app is Synced and Healthy");
  sync->add_option("--timeout", timeout, "seconds --wait waits")->capture_default_str();
  sync->add_flag("--prune", prune, "prune even where the app's policy does not");
  add_dry_run_option(*sync, common);
  add_output_option(*sync, common);
  auto* serve = app.add_subcommand("serve", "pause, stay in the foreground, resume on SIGTERM/SIGINT/SIGHUP");
  serve->add_option("APP", apps, "Argo CD Application names")->required();
  serve->add_option("--auto-sync-off", off_mode, "auto, remove or enabled-false")
      ->check(CLI::IsMember({"auto", "remove", "enabled-false"}))
      ->capture_default_str();
  serve->add_option("--heartbeat", heartbeat, "seconds between heartbeats (the holder expires after 3)")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  serve->add_option("--step-timeout", step_timeout,
                    "under progressive syncs: seconds each RollingSync batch of the final resume may take")
      ->check(CLI::Range(1, 86400))
      ->capture_default_str();
  auto* status = app.add_subcommand("status", "what is paused, by whom, and whether the cluster matches");
  add_output_option(*status, common);
  bool ready = false;
  status->add_flag("--ready", ready,
                   "exit 0 only when each APP is held by a live holder of this user@host and paused in the cluster");
  status->add_option("APP", apps, "with --ready: the apps to check");
  // Started by serve only; see watcher.hpp.
  auto* watch = app.add_subcommand("__watch", "")->group("");
  watch->add_option("APP", apps)->required();
  watch->add_option("--holder-pid", holder_pid)->required();
  watch->add_option("--heartbeat", heartbeat);
  watch->add_option("--auto-sync-off", off_mode);
  watch->add_option("--step-timeout", step_timeout);

  return run_main(app, common, argc, argv, [&]() -> int {
    if (auto err = check_dns1123_label(argocd_ns)) throw UsageError("invalid --argocd-namespace: " + *err);
    for (const auto& a : apps)
      if (auto err = check_dns1123_subdomain(a)) throw UsageError("invalid application name: " + *err);
    if (state_dir.empty()) state_dir = default_state_dir();
    state_dir = std::filesystem::absolute(state_dir).string();
    if (!common.kube.kubeconfig.empty()) common.kube.kubeconfig = std::filesystem::absolute(common.kube.kubeconfig).string();
    GuardConfig cfg;
    cfg.ns = argocd_ns;
    cfg.journal_path = journal_path(state_dir);
    cfg.off_mode_flag = off_mode;
    cfg.dry_run = common.dry_run;

    if (*status && ready) {
      if (apps.empty()) throw UsageError("status --ready needs the APP names to check");
      Identity me = Identity::current(0, 0);
      auto kc = KubeClient::connect(common.kube);
      std::string out;
      int code = ready_status(kc, argocd_ns, apps, {Clock::now(), me.host, pid_alive}, me.user, out);
      std::cout << out;
      return code;
    }
    if (*status) {
      if (!apps.empty()) throw UsageError("APP names are only taken with status --ready");
      auto kc = KubeClient::connect(common.kube);
      int code = 0;
      json s = build_status(kc, argocd_ns, cfg.journal_path, {Clock::now(), Identity::current(0, 0).host, pid_alive}, code);
      std::cout << (common.output == "json" ? s.dump(2) + "\n" : status_text(s));
      return code;
    }
    if (*pause) {
      cfg.me = Identity::current(0, ttl);
      auto kc = KubeClient::connect(common.kube);
      Report r = SyncGuard(kc, cfg).pause(apps);
      spdlog::info("auto-sync off by {}", r.off_mode);
      print(r);
      return r.exit_code();
    }
    if (*sync) {
      cfg.me = Identity::current(0, 0);
      auto kc = KubeClient::connect(common.kube);
      Report r = sync_apps(kc, cfg, {apps, prune, common.dry_run});
      int code = r.exit_code();
      if (wait && !common.dry_run && code == 0) {
        Report w = wait_for_syncs(kc, argocd_ns, apps, std::chrono::seconds(timeout),
                                  common.output == "json" ? stderr : stdout);
        for (auto& i : w.items) r.items.push_back(std::move(i));
        code = r.exit_code();
      }
      if (common.output == "json") std::cout << r.to_json().dump(2) << "\n";
      else print(r);
      return code;
    }
    if (*resume) {
      if (sync_with == "argocd-cli" && !no_sync && !common.dry_run) require_argocd_cli();
      cfg.me = Identity::current(0, 0);
      auto kc = KubeClient::connect(common.kube);
      ResumeRequest req;
      req.holder_ids = {cfg.me.holder_id()};
      req.release_own_stale = true;
      req.apps = apps;
      req.default_when_unrecorded = !apps.empty();
      req.request_sync = !no_sync && sync_with == "kubectl";
      req.prune = prune;
      SyncGuard guard(kc, cfg);
      Report r = guard.resume(req);
      print(r);
      int code = r.exit_code();
      if (!r.step_syncs.empty()) {  // RollingSync step order, batch by batch
        Report s = guard.sync_steps(r, std::chrono::seconds(step_timeout), stdout);
        print(s);
        code = std::max(code, s.exit_code());
      }
      std::vector<std::string> resumed;
      for (const auto& i : r.items)
        if (i.kind == "Application" && i.action == Action::Resumed && !r.sync_requests.count(i.name)) resumed.push_back(i.name);
      if (!no_sync && !resumed.empty() && !common.dry_run) {
        Report s = sync_with == "argocd-cli" ? sync_with_argocd_cli(resumed, wait, std::chrono::seconds(timeout))
                   : wait ? wait_for_syncs(kc, argocd_ns, resumed, std::chrono::seconds(timeout), stdout)
                          : Report{};
        print(s);
        code = std::max(code, s.exit_code());
      }
      return code;
    }
    if (*watch) {
      cfg.me = Identity::current(holder_pid, 3 * heartbeat);
      auto kc = KubeClient::connect(common.kube);
      SyncGuard guard(kc, cfg);
      Report resumed;
      spdlog::info("watching holder {} (apps: {}, request timeout {} ms)", cfg.me.holder_id(), apps.size(),
                   common.kube.request_timeout.count());
      return run_watcher(
          3, 4, std::chrono::seconds(heartbeat),
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
            Report s = guard.sync_steps(resumed, std::chrono::seconds(step_timeout), stderr);
            std::fputs(s.text().c_str(), stderr);
            return s.exit_code();
          });
    }
    // serve
    install_stop_handlers();
    cfg.me = Identity::current(static_cast<int>(::getpid()), 3 * heartbeat);
    ResumeRequest release_me;
    release_me.holder_ids = {cfg.me.holder_id()};
    // The watcher starts before the first write: a serve killed in the middle of its pause is
    // resumed by it (issue 12, defect 6).
    std::vector<std::string> args = {"__watch", "--holder-pid", std::to_string(cfg.me.pid), "--heartbeat",
                                     std::to_string(heartbeat), "--auto-sync-off", off_mode, "--step-timeout",
                                     std::to_string(step_timeout), "--argocd-namespace",
                                     argocd_ns, "--state-dir", state_dir, "--log-level", common.log_level};
    if (!common.kube.kubeconfig.empty()) args.insert(args.end(), {"--kubeconfig", common.kube.kubeconfig});
    if (!common.kube.context.empty()) args.insert(args.end(), {"--context", common.kube.context});
    // Each of the watcher's requests waits as long as serve's own. --timeout is not passed on: it
    // bounds serve's start, while the watcher lives as long as serve does.
    args.insert(args.end(), {"--request-timeout", milliseconds_as_seconds(common.kube.request_timeout)});
    args.insert(args.end(), apps.begin(), apps.end());
    std::filesystem::create_directories(state_dir);
    auto watcher = start_watcher(args, (std::filesystem::path(state_dir) / "watcher.log").string(),
                                 std::chrono::seconds(30));
    {
      auto kc = KubeClient::connect(common.kube);
      SyncGuard guard(kc, cfg);
      Report r;
      try {
        r = guard.pause(apps);
      } catch (...) {
        if (watcher) ask_watcher_to_resume(*watcher, std::chrono::seconds(60));
        throw;
      }
      spdlog::info("auto-sync off by {}", r.off_mode);
      print(r);
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
      auto kc = KubeClient::connect(common.kube);
      SyncGuard guard(kc, cfg);
      while (!wait_for_stop(heartbeat * 1000)) {
        try {
          if (!guard.heartbeat()) guard.pause(apps);
          else guard.reverify(apps);
        } catch (const std::exception& e) {
          spdlog::warn("heartbeat failed: {}", e.what());
        }
      }
    }
    auto kc = KubeClient::connect(common.kube);  // a fresh proxy: the group signal ended the old one
    SyncGuard guard(kc, cfg);
    Report r = guard.resume(release_me);
    print(r);
    int code = r.exit_code();
    if (!r.step_syncs.empty()) {
      Report s = guard.sync_steps(r, std::chrono::seconds(step_timeout), stdout);
      print(s);
      code = std::max(code, s.exit_code());
    }
    return code;
  });
}
