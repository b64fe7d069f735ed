#include "core/helm_version.hpp"

#include <doctest/doctest.h>

#include <cstdlib>

using namespace ath;

namespace {
HelmVersion v(const char* text) { return *parse_helm_version(text); }
}  // namespace

TEST_CASE("exact version texts") {
  CHECK(v("v3.17.2") == HelmVersion{3, 17, 2});
  CHECK(v("4.1.4") == HelmVersion{4, 1, 4});
  CHECK(v("v4.1.4+g1234abc\n") == HelmVersion{4, 1, 4});
  CHECK(v("v3.19.0-rc.1") == HelmVersion{3, 19, 0});
  CHECK_FALSE(parse_helm_version("version.BuildInfo{}").has_value());
  CHECK_FALSE(parse_helm_version("").has_value());
  CHECK_FALSE(parse_helm_version("v3.17").has_value());
  CHECK(v("v3.17.2").text() == "v3.17.2");
  CHECK(HelmVersion{4, 0, 5} < HelmVersion{4, 1, 0});
}

TEST_CASE("versions inside helm version's short and long output") {
  CHECK(find_helm_version("v3.17.2+gcc0bbbd\n") == HelmVersion{3, 17, 2});
  CHECK(find_helm_version(R"(version.BuildInfo{Version:"v4.1.4", GitCommit:"05fa379", GoVersion:"go1.25.9"})") ==
        HelmVersion{4, 1, 4});
  CHECK_FALSE(find_helm_version("Error: unknown command"));
}

TEST_CASE("detect asks the real helm; a missing one is nullopt") {
  CHECK_FALSE(detect_helm_version("/nonexistent/helm"));
  const char* helm3 = std::getenv("HELM3_BIN");
  REQUIRE_MESSAGE(helm3, "CTest passes HELM3_BIN (scripts/install-helm.sh installs it)");
  CHECK(detect_helm_version(helm3) == HelmVersion{3, 17, 2});
}
