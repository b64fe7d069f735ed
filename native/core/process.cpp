#include "core/process.hpp"

#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/process.hpp>
#include <boost/process/extend.hpp>

#include "core/child_fds.hpp"

namespace ath {
namespace bp = boost::process;

std::string ProcessResult::describe() const {
  if (!spawn_error.empty()) return "could not start: " + spawn_error;
  if (timed_out) return "timed out";
  if (term_signal != 0) return "killed by signal " + std::to_string(term_signal);
  return "exit " + std::to_string(exit_code);
}

std::optional<std::string> find_program(const std::string& name) {
  if (name.find('/') != std::string::npos) {
    if (::access(name.c_str(), X_OK) == 0) return name;
    return std::nullopt;
  }
  auto found = bp::search_path(name);
  if (found.empty()) return std::nullopt;
  return found.string();
}

namespace {

// Puts the child into a new process group before exec, so the group can be signalled as a whole.
struct NewProcessGroup : bp::extend::handler {
  template <class Executor>
  void on_exec_setup(Executor&) const {
    ::setpgid(0, 0);
  }
};

void signal_group(pid_t pid, int sig) {
  if (pid > 0) ::kill(-pid, sig);
}

}  // namespace

ProcessResult run_process(const ProcessSpec& spec) {
  ProcessResult result;
  if (spec.argv.empty()) {
    result.spawn_error = "empty argv";
    return result;
  }
  auto exe = find_program(spec.argv[0]);
  if (!exe) {
    result.spawn_error = spec.argv[0] + ": not found on PATH";
    return result;
  }

  bp::environment env = boost::this_process::environment();
  for (const auto& name : spec.unset_env) env.erase(name);
  for (const auto& [k, v] : spec.env) env[k] = v;

  std::vector<std::string> args(spec.argv.begin() + 1, spec.argv.end());
  boost::asio::io_context ios;
  std::future<std::string> out_future, err_future;
  bp::child child;
  try {
    auto cwd = spec.cwd.empty() ? boost::filesystem::current_path() : boost::filesystem::path(spec.cwd);
    child = bp::child(bp::exe = *exe, bp::args = args, env, bp::start_dir = cwd,
                      bp::std_in < boost::asio::buffer(spec.stdin_data),
                      bp::std_out > out_future, bp::std_err > err_future, ios, NewProcessGroup{},
                      InheritStdioOnly{});
  } catch (const std::exception& e) {
    result.spawn_error = e.what();
    return result;
  }
  const pid_t pid = child.id();

  // The io_context finishes once stdout and stderr reach EOF (the child and every process that
  // inherited the pipes are gone); the timer bounds that wait.
  boost::asio::steady_timer deadline(ios);
  bool escalated = false;
  std::function<void(const boost::system::error_code&)> on_deadline;
  on_deadline = [&](const boost::system::error_code& ec) {
    if (ec) return;  // cancelled
    if (!result.timed_out) {
      result.timed_out = true;
      signal_group(pid, SIGTERM);
      deadline.expires_after(spec.kill_grace);
      deadline.async_wait(on_deadline);
    } else if (!escalated) {
      escalated = true;
      signal_group(pid, SIGKILL);
    }
  };
  if (spec.timeout.count() > 0) {
    deadline.expires_after(spec.timeout);
    deadline.async_wait(on_deadline);
  }
  // Run until both output futures are ready, then drop the timer.
  while (!ios.stopped()) {
    ios.run_one();
    using namespace std::chrono_literals;
    if (out_future.wait_for(0s) == std::future_status::ready &&
        err_future.wait_for(0s) == std::future_status::ready) {
      deadline.cancel();
      break;
    }
  }
  std::error_code wait_ec;
  child.wait(wait_ec);
  // Leftover members of the group (a daemonised grandchild) must not outlive a timed-out run.
  if (result.timed_out) signal_group(pid, SIGKILL);

  result.out = out_future.get();
  result.err = err_future.get();
  const int status = child.native_exit_code();
  if (WIFSIGNALED(status)) {
    result.term_signal = WTERMSIG(status);
  } else if (WIFEXITED(status)) {
    result.exit_code = WEXITSTATUS(status);
  }
  return result;
}

}  // namespace ath
