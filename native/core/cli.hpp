#pragma once
// Conventions every helper shares: logging to stderr, kube flags, report format, exit codes.
#include <CLI/CLI.hpp>

#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/kube_proxy.hpp"

namespace ath {

enum ExitCode : int {
  kExitOk = 0,
  kExitFindings = 1,  // findings, conflicts or a partial failure
  kExitUsage = 2,     // bad arguments or an environment that cannot work (no kubectl, no cluster)
};

// Thrown for bad input or a broken environment; run_main prints it and exits 2.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct CommonOptions {
  std::string log_level = "info";
  std::string log_format = "text";
  KubeAccess kube;
  std::string output = "text";
  bool dry_run = false;
};

// Creates the app with the tool's description, --version and options that also work after a
// subcommand name.
void setup_app(CLI::App& app, const std::string& tool);
void add_log_options(CLI::App& app, CommonOptions& o);
void add_kube_options(CLI::App& app, CommonOptions& o);
void add_output_option(CLI::App& app, CommonOptions& o, const std::vector<std::string>& formats = {"text", "json"});
void add_dry_run_option(CLI::App& app, CommonOptions& o);

// spdlog to stderr; text "[level] message" or one JSON object per line.
void setup_logging(const CommonOptions& o);

// Parses argv, sets up logging and runs `body`. --help and --version exit 0; parse errors and
// UsageError print "<tool>: <message>" and exit 2; any other exception exits 2 as well.
int run_main(CLI::App& app, CommonOptions& o, int argc, char** argv, const std::function<int()>& body);

}  // namespace ath
