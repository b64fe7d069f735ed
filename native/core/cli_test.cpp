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
