#include "session_keeper.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include <cerrno>
#include <chrono>
#include <memory>

#include "core/cli.hpp"
#include "core/session_proxy.hpp"

namespace ath::helm_apply {

namespace {

// The keeper's stdio: nothing in, its log out (the apply's pipes must reach EOF when the first
// process exits).
void redirect_stdio(const std::string& log_path) {
  const int in = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  const int log = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
  const int out = log >= 0 ? log : ::open("/dev/null", O_WRONLY | O_CLOEXEC);
  if (in >= 0) ::dup2(in, STDIN_FILENO);
  if (out >= 0) {
    ::dup2(out, STDOUT_FILENO);
    ::dup2(out, STDERR_FILENO);
  }
  for (int fd : {in, out})
    if (fd > STDERR_FILENO) ::close(fd);
}

std::chrono::seconds since_modified(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::chrono::seconds::max();
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  return std::chrono::duration_cast<std::chrono::seconds>(now) - std::chrono::seconds(st.st_mtim.tv_sec);
}

// The first process: waits for the keeper's word ("ready", or why not) and exits with it.
int relay(int from_keeper, const std::string& log_path) {
  std::string said;
  char buf[512];
  for (ssize_t n; (n = ::read(from_keeper, buf, sizeof buf)) != 0;) {
    if (n > 0) said.append(buf, static_cast<size_t>(n));
    else if (errno != EINTR) break;
  }
  ::close(from_keeper);
  if (said == "ready") return kExitOk;
  spdlog::error("{}", said.empty() ? "the session proxy's keeper exited before serving; see " + log_path : said);
  return kExitUsage;
}

int keep(const KeeperOptions& o, const KubeAccess& access, const ProcessIdentity& session, int to_first) {
  const std::string record_path = session_proxy_file(o.dir, o.key, ".json");
  auto tell = [&to_first](const std::string& what) {
    if (to_first < 0) return;
    [[maybe_unused]] auto n = ::write(to_first, what.data(), what.size());
    ::close(to_first);
    to_first = -1;
  };
  ::signal(SIGPIPE, SIG_IGN);  // the first process may be gone (the apply gave up waiting)
  std::unique_ptr<KubeProxy> proxy;
  std::optional<ProcessIdentity> self = process_identity(::getpid());
  try {
    if (!self) throw std::runtime_error("cannot read this process's start time");
    proxy = std::make_unique<KubeProxy>(access);
    write_session_proxy_record(record_path, {proxy->endpoint(), *self, o.key});
  } catch (const std::exception& e) {
    spdlog::error("session proxy: {}", e.what());
    tell(e.what());
    return kExitUsage;
  }
  // Signals are taken with sigtimedwait from here on; kubectl started with the default mask.
  sigset_t stops;
  sigemptyset(&stops);
  for (int s : {SIGTERM, SIGINT, SIGHUP}) sigaddset(&stops, s);
  ::sigprocmask(SIG_BLOCK, &stops, nullptr);
  spdlog::info("session proxy: kubectl proxy serves on 127.0.0.1:{} for session {}", proxy->endpoint().port,
               o.session);
  tell("ready");

  const std::chrono::seconds idle(o.idle_seconds);
  KeeperStop stop = KeeperStop::None;
  while (stop == KeeperStop::None) {
    timespec one_second{1, 0};
    KeeperState state;
    state.signalled = ::sigtimedwait(&stops, nullptr, &one_second) > 0;
    state.session_running = still_running(session);
    state.proxy_running = proxy->running();
    auto record = read_session_proxy_record(record_path);
    state.record_is_ours = record && record->keeper == *self;
    state.since_last_use = since_modified(record_path);
    stop = keeper_stop(state, idle);
  }
  spdlog::info("session proxy: stopping: {}", describe(stop));
  {
    FileLock lock(session_proxy_file(o.dir, o.key, ".lock"), std::chrono::seconds(2));
    auto record = read_session_proxy_record(record_path);
    if (lock.locked() && record && record->keeper == *self) ::unlink(record_path.c_str());
  }
  proxy.reset();  // SIGTERM to kubectl, SIGKILL after 2 s
  return kExitOk;
}

}  // namespace

int run_session_keeper(const KeeperOptions& o, const KubeAccess& access) {
  const auto session = parse_process_identity(o.session);
  if (!session) throw UsageError("--session must be PID:START");
  if (o.idle_seconds < 1) throw UsageError("--idle-seconds must be at least 1");
  if (auto problem = private_dir_problem(o.dir)) throw UsageError(*problem);
  const std::string log_path = session_proxy_file(o.dir, o.key, ".log");
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) throw UsageError("cannot create a pipe for the session proxy's keeper");
  // No thread runs yet (CLI parsing and logging start none), so fork is safe here.
  const pid_t keeper = ::fork();
  if (keeper < 0) throw UsageError("cannot fork the session proxy's keeper");
  if (keeper > 0) {
    ::close(pipe_fds[1]);
    return relay(pipe_fds[0], log_path);
  }
  ::close(pipe_fds[0]);
  ::setsid();  // out of the apply's process group and session: Tilt's signals to them are not ours
  redirect_stdio(log_path);
  return keep(o, access, *session, pipe_fds[1]);
}

}  // namespace ath::helm_apply
