#include "core/process.hpp"

#include <doctest/doctest.h>
#include <signal.h>
#include <unistd.h>

#include <cstdlib>

#include <chrono>

using namespace std::chrono_literals;
using ath::ProcessSpec;
using ath::run_process;

TEST_CASE("exit status of true and false") {
  CHECK(run_process({.argv = {"true"}}).ok());
  auto r = run_process({.argv = {"false"}});
  CHECK_FALSE(r.ok());
  CHECK(r.exit_code == 1);
  CHECK(r.describe() == "exit 1");
}

TEST_CASE("stdout, stderr, stdin, env and cwd reach the child") {
  auto r = run_process({.argv = {"sh", "-c", "printf '%s|%s|' \"$GREETING\" \"$(pwd)\"; cat; echo oops >&2"},
                        .env = {{"GREETING", "hello world"}},
                        .cwd = "/tmp",
                        .stdin_data = "from stdin"});
  REQUIRE(r.ok());
  CHECK(r.out == "hello world|/tmp|from stdin");
  CHECK(r.err == "oops\n");
}

TEST_CASE("arguments are passed verbatim, never through a shell") {
  auto r = run_process({.argv = {"printf", "%s\n", "$(echo injected); rm -rf /nonexistent"}});
  REQUIRE(r.ok());
  CHECK(r.out == "$(echo injected); rm -rf /nonexistent\n");
}

TEST_CASE("unset_env removes inherited variables") {
  ::setenv("ATH_PROCESS_TEST_VAR", "x", 1);
  auto r = run_process({.argv = {"sh", "-c", "printf '%s' \"${ATH_PROCESS_TEST_VAR-unset}\""},
                        .unset_env = {"ATH_PROCESS_TEST_VAR"}});
  CHECK(r.out == "unset");
}

TEST_CASE("a missing program is a spawn error, not a crash") {
  auto r = run_process({.argv = {"ath-no-such-program-xyz"}});
  CHECK_FALSE(r.ok());
  CHECK(r.spawn_error.find("not found") != std::string::npos);
}

TEST_CASE("large output on both streams does not deadlock") {
  // 4 MiB on stdout and 1 MiB on stderr: far past any pipe buffer.
  auto r = run_process({.argv = {"sh", "-c", "head -c 4194304 /dev/zero; head -c 1048576 /dev/zero >&2"},
                        .timeout = 30s});
  REQUIRE(r.ok());
  CHECK(r.out.size() == 4194304u);
  CHECK(r.err.size() == 1048576u);
}

TEST_CASE("a signal that ends the child is reported") {
  auto r = run_process({.argv = {"sh", "-c", "kill -TERM $$"}});
  CHECK(r.term_signal == SIGTERM);
  CHECK(r.describe() == "killed by signal 15");
}

TEST_CASE("timeout ends the child quickly") {
  auto start = std::chrono::steady_clock::now();
  auto r = run_process({.argv = {"sleep", "30"}, .timeout = 200ms});
  auto took = std::chrono::steady_clock::now() - start;
  CHECK(r.timed_out);
  CHECK_FALSE(r.ok());
  CHECK(took < 5s);
}

TEST_CASE("timeout kills the whole tree, including grandchildren holding the pipes") {
  // The grandchild keeps stdout open; without a group kill the read would block for 30 s.
  auto start = std::chrono::steady_clock::now();
  auto r = run_process({.argv = {"sh", "-c", "sleep 37 & sleep 37; wait"}, .timeout = 200ms});
  auto took = std::chrono::steady_clock::now() - start;
  CHECK(r.timed_out);
  CHECK(took < 5s);
  // No member of the tree survives: pgrep finds no 'sleep 37' started by this test's group.
  auto left = run_process({.argv = {"pgrep", "-f", "^sleep 37$"}});
  CHECK(left.exit_code == 1);
}

TEST_CASE("a child that ignores SIGTERM is killed after the grace period") {
  auto start = std::chrono::steady_clock::now();
  // env ignores TERM before it execs sleep (an ignored disposition survives exec), so unlike a
  // shell `trap` there is no window in which a slow start on a loaded machine still dies of
  // SIGTERM; the timeout leaves env ample time to get there.
  auto r = run_process({.argv = {"env", "--ignore-signal=TERM", "sleep", "30"},
                        .timeout = 1s,
                        .kill_grace = 300ms});
  auto took = std::chrono::steady_clock::now() - start;
  CHECK(r.timed_out);
  CHECK(took >= 1300ms);
  CHECK(took < 10s);
}

// child_fds.hpp: a descriptor the parent left inheritable (as another thread's half-made spawn
// leaves its pipes) must not reach the child; it once kept `helm upgrade`'s spawn waiting on a
// long-lived kubectl proxy.
TEST_CASE("a child inherits stdin, stdout and stderr only") {
  char path[] = "/tmp/ath-inherit-marker-XXXXXX";
  const int fd = ::mkstemp(path);  // not close-on-exec
  REQUIRE(fd >= 0);
  auto r = run_process({.argv = {"ls", "-l", "/proc/self/fd/"}});
  ::close(fd);
  ::unlink(path);
  REQUIRE(r.ok());
  CHECK(r.out.find("ath-inherit-marker") == std::string::npos);
  CHECK(r.out.find("pipe:") != std::string::npos);  // the capture pipes are there: the listing is real
}
