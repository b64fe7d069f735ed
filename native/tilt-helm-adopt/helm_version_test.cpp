#include "tilt-helm-adopt/helm_version.hpp"

#include <doctest/doctest.h>

using namespace ath::adopt;

TEST_CASE("helm version output, short and long") {
  auto v3 = parse_helm_version("v3.17.2+gcc0bbbd\n");
  REQUIRE(v3);
  CHECK(v3->major == 3);
  CHECK(v3->minor == 17);
  CHECK(v3->patch == 2);
  CHECK(v3->text == "v3.17.2");
  auto v4 = parse_helm_version(R"(version.BuildInfo{Version:"v4.1.4", GitCommit:"05fa379", GoVersion:"go1.25.9"})");
  REQUIRE(v4);
  CHECK(v4->major == 4);
  CHECK_FALSE(parse_helm_version("Error: unknown command"));
}

TEST_CASE("auto: Helm 4 and an unknown helm scrub, Helm 3 does not") {
  CHECK_FALSE(scrub_rule(HelmVersion{3, 19, 2, "v3.19.2"}).scrub);
  CHECK(scrub_rule(HelmVersion{4, 0, 0, "v4.0.0"}).scrub);
  CHECK(scrub_rule(HelmVersion{4, 1, 4, "v4.1.4"}).scrub);
  CHECK(scrub_rule(std::nullopt).scrub);
  CHECK(scrub_rule(HelmVersion{4, 1, 4, "v4.1.4"}).why.find("v4.1.4") != std::string::npos);
}

TEST_CASE("always and never do not ask helm; a missing helm counts as unknown") {
  CHECK(resolve_scrub("always", "/nonexistent/helm").scrub);
  CHECK_FALSE(resolve_scrub("never", "/nonexistent/helm").scrub);
  CHECK(resolve_scrub("auto", "/nonexistent/helm").scrub);
  CHECK_FALSE(detect_helm_version("/nonexistent/helm"));
}
