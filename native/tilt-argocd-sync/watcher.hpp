#pragma once
// The detached watcher `serve` starts: it lives in its own session (setsid), so the SIGTERM
// Tilt sends to serve's process group does not reach it or its kubectl proxy. It keeps serve's
// holder heartbeat and does the resume: when serve asks (SIGTERM/SIGINT/SIGHUP), or when serve
// dies without asking (SIGKILL): the end of a pipe only serve holds tells it. Only the watcher
// resumes, so there is no double resume; serve resumes itself only when the watcher is gone.
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace ath::argocd_sync {

struct WatcherHandle {
  int command_fd = -1;  // serve writes "paused\n", later "resume\n"; its end closing means serve died
  int report_fd = -1;   // the watcher writes "ready\n", then "resumed <exit code>\n"
  int pid = -1;
};

// Starts this program again with `args` (its fds 3 and 4 are the pipes) in a new session,
// stderr appended to `log_path`. Returns nullopt when it did not report ready in time.
std::optional<WatcherHandle> start_watcher(const std::vector<std::string>& args, const std::string& log_path,
                                           std::chrono::seconds ready_timeout);

// Asks the watcher to resume and waits for its exit code; nullopt when it is gone.
std::optional<int> ask_watcher_to_resume(const WatcherHandle& w, std::chrono::seconds timeout);

// Tells the watcher that serve's pause is done, so its heartbeat may re-pause from now on.
void tell_watcher_paused(const WatcherHandle& w);

// The watcher's loop on fds 3 and 4: heartbeat every `interval` once serve said "paused", then
// resume() once (on "resume", or when serve is gone, whether or not its pause had finished:
// serve starts the watcher before its first write, issue 12 defect 6), report its exit code to
// serve (which then exits: everything is written back), and last run `after` (the syncs a
// resume leaves in RollingSync step order), whose exit code is the watcher's when worse.
int run_watcher(int command_fd, int report_fd, std::chrono::seconds interval, const std::function<void()>& heartbeat,
                const std::function<int()>& resume, const std::function<int()>& after = {});

}  // namespace ath::argocd_sync
