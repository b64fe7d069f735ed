#include "tilt-helm-adopt/scrub_rule.hpp"

#include <doctest/doctest.h>

using namespace ath::helm_adopt;

TEST_CASE("auto: Helm 4 and an unknown helm scrub, Helm 3 does not") {
  CHECK_FALSE(scrub_rule(ath::HelmVersion{3, 19, 2}).scrub);
  CHECK(scrub_rule(ath::HelmVersion{4, 0, 0}).scrub);
  CHECK(scrub_rule(ath::HelmVersion{4, 1, 4}).scrub);
  CHECK(scrub_rule(std::nullopt).scrub);
  CHECK(scrub_rule(ath::HelmVersion{4, 1, 4}).why.find("v4.1.4") != std::string::npos);
}

TEST_CASE("always and never do not ask helm; a missing helm counts as unknown") {
  CHECK(resolve_scrub("always", "/nonexistent/helm").scrub);
  CHECK_FALSE(resolve_scrub("never", "/nonexistent/helm").scrub);
  CHECK(resolve_scrub("auto", "/nonexistent/helm").scrub);
}
