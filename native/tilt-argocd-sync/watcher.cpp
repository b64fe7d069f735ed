#include "watcher.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>

#include "core/child_fds.hpp"

namespace ath::argocd_sync {

namespace {

std::string self_exe() {
  char buf[PATH_MAX];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) throw std::runtime_error("cannot find this program's path (/proc/self/exe)");
  return std::string(buf, static_cast<size_t>(n));
}

// Reads one line, waiting up to `timeout` (negative: forever). nullopt on EOF or timeout.
std::optional<std::string> read_line(int fd, int timeout_ms) {
  std::string line;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (true) {
    int wait = -1;
    if (timeout_ms >= 0) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return std::nullopt;
      wait = static_cast<int>(left.count());
    }
    pollfd p{fd, POLLIN, 0};
    int r = ::poll(&p, 1, wait);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return std::nullopt;
    char c;
    ssize_t n = ::read(fd, &c, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return std::nullopt;
    if (c == '\n') return line;
    line += c;
  }
}

void write_line(int fd, const std::string& line) {
  std::string s = line + "\n";
  while (::write(fd, s.data(), s.size()) < 0 && errno == EINTR) {
  }
}

}  // namespace

std::optional<WatcherHandle> start_watcher(const std::vector<std::string>& args, const std::string& log_path,
                                           std::chrono::seconds ready_timeout) {
  int cmd[2], rep[2];
  if (::pipe2(cmd, O_CLOEXEC) != 0) return std::nullopt;
  if (::pipe2(rep, O_CLOEXEC) != 0) {
    ::close(cmd[0]);
    ::close(cmd[1]);
    return std::nullopt;
  }
  std::vector<std::string> argv = {self_exe()};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<char*> cargv;
  for (auto& a : argv) cargv.push_back(a.data());
  cargv.push_back(nullptr);
  int log_fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);

  pid_t pid = ::fork();
  if (pid == 0) {
    // Child: only async-signal-safe calls until exec.
    ::setsid();
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::signal(SIGPIPE, SIG_IGN);  // serve's end may be gone when it reports
    ::dup2(cmd[0], 3);
    ::dup2(rep[1], 4);
    int devnull = ::open("/dev/null", O_RDWR);
    ::dup2(devnull, 0);
    ::dup2(devnull, 1);
    ::dup2(log_fd >= 0 ? log_fd : devnull, 2);
    ath::close_inherited_fds_on_exec(5);  // keeps 3 and 4, the command and report pipes
    ::execv(cargv[0], cargv.data());
    ::_exit(127);
  }
  ::close(cmd[0]);
  ::close(rep[1]);
  if (log_fd >= 0) ::close(log_fd);
  if (pid < 0) {
    ::close(cmd[1]);
    ::close(rep[0]);
    return std::nullopt;
  }
  WatcherHandle w{cmd[1], rep[0], pid};
  auto ready = read_line(w.report_fd, static_cast<int>(ready_timeout.count() * 1000));
  if (!ready || *ready != "ready") {
    spdlog::warn("the watcher (pid {}) did not start; see {}", pid, log_path);
    ::kill(pid, SIGTERM);
    ::close(w.command_fd);
    ::close(w.report_fd);
    return std::nullopt;
  }
  return w;
}

std::optional<int> ask_watcher_to_resume(const WatcherHandle& w, std::chrono::seconds timeout) {
  ::signal(SIGPIPE, SIG_IGN);
  write_line(w.command_fd, "resume");
  auto answer = read_line(w.report_fd, static_cast<int>(timeout.count() * 1000));
  if (!answer || answer->rfind("resumed ", 0) != 0) return std::nullopt;
  return std::atoi(answer->c_str() + 8);
}

void tell_watcher_paused(const WatcherHandle& w) {
  ::signal(SIGPIPE, SIG_IGN);
  write_line(w.command_fd, "paused");
}

int run_watcher(int command_fd, int report_fd, std::chrono::seconds interval, const std::function<void()>& heartbeat,
                const std::function<int()>& resume, const std::function<int()>& after) {
  write_line(report_fd, "ready");
  bool armed = false;
  while (true) {
    pollfd p{command_fd, POLLIN, 0};
    int r = ::poll(&p, 1, static_cast<int>(interval.count() * 1000));
    if (r < 0 && errno == EINTR) continue;
    if (r == 0) {
      if (!armed) continue;
      try {
        heartbeat();
      } catch (const std::exception& e) {
        spdlog::warn("heartbeat failed: {}", e.what());
      }
      continue;
    }
    auto line = read_line(command_fd, 1000);
    if (line && *line == "paused") armed = true;
    if (line && *line != "resume") continue;
    spdlog::info(line ? "serve asked for the resume" : "serve is gone without resuming; resuming for it");
    int code = 2;
    try {
      code = resume();
    } catch (const std::exception& e) {
      spdlog::error("resume failed: {}", e.what());
    }
    write_line(report_fd, "resumed " + std::to_string(code));
    ::close(report_fd);  // serve may exit now; nothing more goes to it
    if (after) {
      try {
        code = std::max(code, after());
      } catch (const std::exception& e) {
        spdlog::error("syncs after the resume failed: {}", e.what());
        code = std::max(code, 1);
      }
    }
    return code;
  }
}

}  // namespace ath::argocd_sync
