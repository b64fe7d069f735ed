#include "preflight.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <map>

#include <unistd.h>

#include "core/cli.hpp"
#include "core/test_util.hpp"

using namespace ath::helm_apply;
namespace fs = std::filesystem;

using ath::testing::env_of;
using ath::testing::TempDir;

namespace {
void touch(const fs::path& p) { std::ofstream(p) << "x: 1\n"; }
}  // namespace

TEST_CASE("charts: a folder with Chart.yaml, a .tgz, or a remote reference") {
  TempDir t;
  fs::create_directories(t.path / "chart");
  CHECK(check_chart((t.path / "chart").string()).value_or("").find("has no Chart.yaml") != std::string::npos);
  touch(t.path / "chart" / "Chart.yaml");
  CHECK_FALSE(check_chart((t.path / "chart").string()));
  touch(t.path / "c.tgz");
  CHECK_FALSE(check_chart((t.path / "c.tgz").string()));
  CHECK_FALSE(check_chart("oci://registry/charts/app"));
  CHECK(check_chart((t.path / "nope").string()).value_or("").find("chart not found") != std::string::npos);
}

TEST_CASE("value files must all exist, in any order given") {
  TempDir t;
  touch(t.path / "a.yaml");
  CHECK_FALSE(check_value_files({(t.path / "a.yaml").string()}));
  auto err = check_value_files({(t.path / "a.yaml").string(), (t.path / "b.yaml").string()});
  REQUIRE(err);
  CHECK(err->find("value file not found: " + (t.path / "b.yaml").string()) != std::string::npos);
  CHECK(check_value_files({t.path.string()}).value_or("").find("not a regular file") != std::string::npos);
}

TEST_CASE("kubectl is found, else a sentence with the fix (helm: core/helm_template_test.cpp)") {
  CHECK_THROWS_WITH_AS(locate_kubectl("/nonexistent/kubectl"), doctest::Contains("kubectl not found"), ath::UsageError);
}

TEST_CASE("a bad pin or server-side setting is a usage error") {
  CHECK_THROWS_WITH_AS(setup_helm(env_of({{"AMEIDE_HELM_BIN", "/bin/true"}, {"AMEIDE_HELM_VERSION", "latest"}})),
                       doctest::Contains("AMEIDE_HELM_VERSION='latest'"), ath::UsageError);
  CHECK_THROWS_WITH_AS(setup_helm(env_of({{"AMEIDE_HELM_BIN", "/bin/true"}, {"AMEIDE_HELM_SERVER_SIDE", "yes"}})),
                       doctest::Contains("AMEIDE_HELM_SERVER_SIDE='yes'"), ath::UsageError);
  // /bin/true prints no version.
  CHECK_THROWS_WITH_AS(setup_helm(env_of({{"AMEIDE_HELM_BIN", "/bin/true"}})), doctest::Contains("not a version"),
                       ath::UsageError);
}
