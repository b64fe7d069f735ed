#pragma once
// Runs an external program from an argv vector (never through a shell) and captures its output.
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ath {

struct ProcessSpec {
  std::vector<std::string> argv{};  // argv[0] is looked up on PATH when it has no '/'
  std::map<std::string, std::string> env{};  // added to (or overriding) the inherited environment
  std::vector<std::string> unset_env{};      // removed from the inherited environment
  std::string cwd{};                        // empty: the caller's working directory
  std::string stdin_data{};                 // written to the child's stdin, then closed
  std::chrono::milliseconds timeout{0};     // 0: no limit
  // On timeout the child's process group gets SIGTERM, then SIGKILL after this grace.
  std::chrono::milliseconds kill_grace{2000};
};

struct ProcessResult {
  int exit_code = -1;   // valid when term_signal == 0 and !spawn_error
  int term_signal = 0;  // the signal that ended the child, or 0
  bool timed_out = false;
  std::string spawn_error;  // set when the program could not be started at all
  std::string out;
  std::string err;

  bool ok() const { return spawn_error.empty() && !timed_out && term_signal == 0 && exit_code == 0; }
  // One line for error messages: "exit 3", "killed by signal 9", "timed out after ..."
  std::string describe() const;
};

// The child runs in its own process group so that a timeout ends the whole tree it started.
ProcessResult run_process(const ProcessSpec& spec);

// Full path of a program on PATH, or nullopt.
std::optional<std::string> find_program(const std::string& name);

}  // namespace ath
