#include "core/process_identity.hpp"

#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace ath;

TEST_CASE("the start time is field 22 of /proc/<pid>/stat, counted after the command name") {
  const std::string tail = " 1 1 1 0 -1 4194304 124 0 0 0 0 0 0 0 20 0 1 0 464719 3133440 357";
  CHECK(start_time_of_stat("21894 (cat) R" + tail) == "464719");
  // A command name with spaces and a ')' of its own.
  CHECK(start_time_of_stat("77 (a) b (c)) S" + tail) == "464719");
  CHECK_FALSE(start_time_of_stat("21894 (cat) Z" + tail));  // a zombie has ended
  CHECK_FALSE(start_time_of_stat("21894 (cat) X" + tail));
  CHECK_FALSE(start_time_of_stat("21894 (cat) R 1 1"));     // too short
  CHECK_FALSE(start_time_of_stat("21894 cat R" + tail));    // no command name
  CHECK_FALSE(start_time_of_stat("21894 (cat) R 1 1 1 0 -1 4194304 124 0 0 0 0 0 0 0 20 0 1 0 x 3"));
}

TEST_CASE("a process is still running only with the same pid and start time") {
  auto self = process_identity(::getpid());
  REQUIRE(self);
  CHECK(self->pid == ::getpid());
  CHECK(still_running(*self));
  CHECK_FALSE(still_running({self->pid, self->start + "1"}));  // a reused pid
  CHECK_FALSE(process_identity(0));

  pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) ::_exit(0);
  // Exited but not reaped (a zombie), then gone: neither runs.
  for (int i = 0; i < 200 && process_identity(child); ++i) ::usleep(10000);
  CHECK_FALSE(process_identity(child));
  ::waitpid(child, nullptr, 0);
  CHECK_FALSE(process_identity(child));
}

TEST_CASE("identities are written pid:start and read back strictly") {
  CHECK(to_string({123, "456"}) == "123:456");
  CHECK(parse_process_identity("123:456") == ProcessIdentity{123, "456"});
  for (const char* bad : {"", "123", "123:", ":456", "x:456", "123:4x", "0:456", "-1:456", "1:2:3", "9999999999:1"})
    CHECK_MESSAGE(!parse_process_identity(bad), bad);
}
