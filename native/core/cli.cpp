#include "core/cli.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include <cmath>

#include "ath/version.hpp"
#include "core/env.hpp"

namespace ath {

void setup_app(CLI::App& app, const std::string& tool) {
  app.name(tool);
  app.set_version_flag("--version", std::string(tool) + " " + ATH_VERSION);
  app.fallthrough();
  app.footer("Exit codes: 0 ok, 1 findings or partial failure, 2 usage or environment error.");
}

void add_log_options(CLI::App& app, CommonOptions& o) {
  app.add_option("--log-level", o.log_level, "trace, debug, info, warn, error or off")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}))
      ->capture_default_str();
  app.add_option("--log-format", o.log_format, "text or json (one object per line on stderr)")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
}

void add_kube_options(CLI::App& app, CommonOptions& o) {
  app.add_option("--context", o.kube.context, "kubeconfig context to use (default: the current one)");
  app.add_option("--kubeconfig", o.kube.kubeconfig, "kubeconfig file (default: $KUBECONFIG or ~/.kube/config)");
  // The deadline starts when the command line is parsed, i.e. with the run.
  app.add_option_function<double>(
         "--timeout",
         [&o](double s) { o.kube.deadline = Deadline::after(std::chrono::milliseconds(std::llround(s * 1000))); },
         "SECONDS: the whole run must be done with the cluster by then (kubectl proxy's start, every request and "
         "retry); default: no limit")
      ->check(CLI::PositiveNumber);
  app.add_option_function<double>(
         "--request-timeout",
         [&o](double s) { o.kube.request_timeout = std::chrono::milliseconds(std::llround(s * 1000)); },
         "SECONDS one request waits for the API server's answer")
      ->default_str(std::to_string(KubeAccess::kDefaultRequestTimeout.count() / 1000))
      ->check(CLI::PositiveNumber);
}

void add_output_option(CLI::App& app, CommonOptions& o, const std::vector<std::string>& formats) {
  std::string list;
  for (const auto& f : formats) list += (list.empty() ? "" : "|") + f;
  app.add_option("-o,--output", o.output, "report format: " + list)
      ->check(CLI::IsMember(formats))
      ->capture_default_str();
}

void add_dry_run_option(CLI::App& app, CommonOptions& o) {
  app.add_flag("--dry-run", o.dry_run, "show what would change; write nothing");
}

namespace {

// "%*": the message as a JSON string, so a JSON log line stays valid whatever the message holds.
class JsonMessageFlag : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&, spdlog::memory_buf_t& dest) override {
    std::string s = nlohmann::json(std::string(msg.payload.data(), msg.payload.size())).dump();
    dest.append(s.data(), s.data() + s.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<JsonMessageFlag>(); }
};

}  // namespace

void setup_logging(const CommonOptions& o) {
  auto logger = std::make_shared<spdlog::logger>("ath", std::make_shared<spdlog::sinks::stderr_sink_mt>());
  auto formatter = std::make_unique<spdlog::pattern_formatter>();
  if (o.log_format == "json") {
    formatter->add_flag<JsonMessageFlag>('*').set_pattern(R"({"time":"%Y-%m-%dT%H:%M:%S.%e%z","level":"%l","msg":%*})");
  } else {
    formatter->set_pattern("[%l] %v");
  }
  logger->set_formatter(std::move(formatter));
  logger->set_level(spdlog::level::from_str(o.log_level));
  spdlog::set_default_logger(logger);
}

int run_main(CLI::App& app, CommonOptions& o, int argc, char** argv, const std::function<int()>& body) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "%s: %s\nRun '%s --help' for usage.\n", app.get_name().c_str(), e.what(),
                 app.get_name().c_str());
    return kExitUsage;
  }
  setup_logging(o);
  // Read after the logger is set up, so that a deprecation warning goes to stderr, never into
  // the JSON a caller reads from stdout.
  if (auto k = env_with_alias("AMEIDE_KUBECTL", "ATH_KUBECTL")) o.kube.kubectl = *k;
  try {
    return body();
  } catch (const UsageError& e) {
    std::fprintf(stderr, "%s: %s\n", app.get_name().c_str(), e.what());
    return kExitUsage;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: error: %s\n", app.get_name().c_str(), e.what());
    return kExitUsage;
  }
}

}  // namespace ath
