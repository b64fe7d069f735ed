#include "helm_pin.hpp"

#include <doctest/doctest.h>

#include <algorithm>

using namespace ath::helm_apply;

namespace {
HelmVersion v(const char* text) { return *parse_helm_version(text); }
bool has(const std::vector<std::string>& flags, const std::string& f) {
  return std::find(flags.begin(), flags.end(), f) != flags.end();
}
}  // namespace

TEST_CASE("AMEIDE_HELM_SERVER_SIDE accepts false (default), true and auto") {
  CHECK(parse_server_side("") == ServerSide::False);
  CHECK(parse_server_side("false") == ServerSide::False);
  CHECK(parse_server_side("true") == ServerSide::True);
  CHECK(parse_server_side("auto") == ServerSide::Auto);
  CHECK_FALSE(parse_server_side("yes").has_value());
}

TEST_CASE("the pinned helm runs without warnings or extra flags") {
  auto d = decide_helm(v("v3.19.2"), v(kDefaultHelmPin), ServerSide::False);
  CHECK_FALSE(d.refused);
  CHECK(d.warnings.empty());
  CHECK(d.upgrade_flags.empty());
}

TEST_CASE("another Helm 3 warns and names the pin") {
  auto d = decide_helm(v("v3.17.2"), v("v3.19.2"), ServerSide::False);
  CHECK_FALSE(d.refused);
  REQUIRE(d.warnings.size() == 1);
  CHECK(d.warnings[0].find("v3.17.2 is not the pinned v3.19.2") != std::string::npos);
  CHECK(d.upgrade_flags.empty());
}

TEST_CASE("Helm 3 cannot be asked for server-side apply") {
  auto d = decide_helm(v("v3.19.2"), v("v3.19.2"), ServerSide::True);
  CHECK(d.refused);
  CHECK(d.message.find("needs Helm 4") != std::string::npos);
}

TEST_CASE("Helm 4 runs client-side unless asked") {
  auto d = decide_helm(v("v4.1.4"), v("v4.1.4"), ServerSide::False);
  CHECK_FALSE(d.refused);
  CHECK(d.warnings.empty());
  CHECK(d.upgrade_flags == std::vector<std::string>{"--server-side=false"});

  auto other = decide_helm(v("v4.1.4"), v("v3.19.2"), ServerSide::False);
  REQUIRE(other.warnings.size() == 1);
  CHECK(other.warnings[0].find("client-side apply (--server-side=false)") != std::string::npos);

  auto ssa = decide_helm(v("v4.1.0"), v("v4.1.0"), ServerSide::True);
  CHECK(has(ssa.upgrade_flags, "--server-side=true"));
  CHECK(has(ssa.upgrade_flags, "--force-conflicts"));
  auto autod = decide_helm(v("v4.0.5"), v("v4.0.5"), ServerSide::Auto);
  CHECK_FALSE(autod.refused);
  CHECK(has(autod.upgrade_flags, "--server-side=auto"));
}

TEST_CASE("Helm 4 releases that break adoption or ignore --server-side=false are refused with the fix") {
  auto zero = decide_helm(v("v4.0.0"), v("v3.19.2"), ServerSide::True);
  CHECK(zero.refused);
  CHECK(zero.message.find("managedFields must be nil") != std::string::npos);
  CHECK(zero.message.find("install helm v4.1.0 or later") != std::string::npos);
  for (const char* bad : {"v4.0.1", "v4.0.4"}) {
    CAPTURE(bad);
    auto d = decide_helm(v(bad), v("v3.19.2"), ServerSide::False);
    CHECK(d.refused);
    CHECK(d.message.find("ignores --server-side=false") != std::string::npos);
    CHECK(d.message.find("v3.19.2") != std::string::npos);
  }
  // Asking for server-side apply on purpose does not depend on the ignored flag.
  CHECK_FALSE(decide_helm(v("v4.0.3"), v("v3.19.2"), ServerSide::True).refused);
  CHECK_FALSE(decide_helm(v("v4.0.5"), v("v3.19.2"), ServerSide::False).refused);
}

TEST_CASE("Helm 2 and Helm 5 are refused") {
  CHECK(decide_helm(v("v2.17.0"), v("v3.19.2"), ServerSide::False).refused);
  auto five = decide_helm(v("v5.0.0"), v("v5.0.0"), ServerSide::False);
  CHECK(five.refused);
  CHECK(five.message.find("AMEIDE_HELM_BIN") != std::string::npos);
}
