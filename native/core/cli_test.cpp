#include "core/cli.hpp"

#include <doctest/doctest.h>

using namespace ath;

namespace {
int run(std::vector<std::string> args, std::function<int()> body, CommonOptions* out = nullptr) {
  CLI::App app;
  CommonOptions o;
  setup_app(app, "tool");
  add_log_options(app, o);
  add_kube_options(app, o);
  add_output_option(app, o);
  add_dry_run_option(app, o);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  int rc = run_main(app, o, static_cast<int>(argv.size()), argv.data(), body);
  if (out) *out = o;
  return rc;
}
}  // namespace

TEST_CASE("exit codes: ok, usage errors and thrown errors") {
  CHECK(run({"tool"}, [] { return 0; }) == kExitOk);
  CHECK(run({"tool", "--help"}, [] { return 9; }) == kExitOk);
  CHECK(run({"tool", "--version"}, [] { return 9; }) == kExitOk);
  CHECK(run({"tool", "--no-such-flag"}, [] { return 0; }) == kExitUsage);
  CHECK(run({"tool", "-o", "xml"}, [] { return 0; }) == kExitUsage);
  CHECK(run({"tool", "--log-level", "loud"}, [] { return 0; }) == kExitUsage);
  CHECK(run({"tool"}, []() -> int { throw UsageError("bad"); }) == kExitUsage);
  CHECK(run({"tool"}, []() -> int { throw std::runtime_error("cluster down"); }) == kExitUsage);
  CHECK(run({"tool"}, [] { return kExitFindings; }) == kExitFindings);
}

TEST_CASE("common options land in CommonOptions") {
  CommonOptions o;
  run({"tool", "--context", "k3d-ameide", "--kubeconfig", "/tmp/kc", "-o", "json", "--dry-run", "--log-format",
       "json"},
      [] { return 0; }, &o);
  CHECK(o.kube.context == "k3d-ameide");
  CHECK(o.kube.kubeconfig == "/tmp/kc");
  CHECK(o.output == "json");
  CHECK(o.dry_run);
  CHECK(o.log_format == "json");
  CHECK(o.kube.kubectl_flags() == std::vector<std::string>{"--context=k3d-ameide", "--kubeconfig=/tmp/kc"});
}

TEST_CASE("--timeout sets the run's deadline and --request-timeout the per-request wait (issue 12, defect 10)") {
  CommonOptions o;
  run({"tool"}, [] { return 0; }, &o);
  CHECK_FALSE(o.kube.deadline.is_set());
  CHECK(o.kube.request_timeout == KubeAccess::kDefaultRequestTimeout);
  run({"tool", "--timeout", "30", "--request-timeout", "2.5"}, [] { return 0; }, &o);
  CHECK(o.kube.deadline.is_set());
  CHECK(o.kube.deadline.budget() == std::chrono::seconds(30));
  CHECK(o.kube.request_timeout == std::chrono::milliseconds(2500));
  CHECK(run({"tool", "--timeout", "-1"}, [] { return 0; }) == kExitUsage);
  CHECK(run({"tool", "--request-timeout", "soon"}, [] { return 0; }) == kExitUsage);
}

TEST_CASE("a subcommand's own --timeout wins after its name; the run's --timeout is taken elsewhere") {
  // tilt-argocd-sync's `resume --timeout SECONDS` (how long --wait waits) has this shape.
  auto parse = [](std::vector<std::string> args, int& wait_timeout) {
    CLI::App app;
    CommonOptions o;
    setup_app(app, "tool");
    add_kube_options(app, o);
    auto* resume = app.add_subcommand("resume");
    resume->add_option("--timeout", wait_timeout);
    app.add_subcommand("status");
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    app.parse(static_cast<int>(argv.size()), argv.data());
    return o;
  };
  int wait = 300;
  auto o = parse({"tool", "resume", "--timeout", "30"}, wait);
  CHECK(wait == 30);
  CHECK_FALSE(o.kube.deadline.is_set());
  wait = 300;
  o = parse({"tool", "--timeout", "30", "status"}, wait);
  CHECK(o.kube.deadline.budget() == std::chrono::seconds(30));
  o = parse({"tool", "status", "--timeout", "12"}, wait);  // falls through to the tool's option
  CHECK(o.kube.deadline.budget() == std::chrono::seconds(12));
  o = parse({"tool", "--timeout", "60", "resume", "--timeout", "30"}, wait);
  CHECK(wait == 30);
  CHECK(o.kube.deadline.budget() == std::chrono::seconds(60));
  CHECK(wait == 30);
}
