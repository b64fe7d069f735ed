#include "core/env.hpp"

#include <doctest/doctest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <map>
#include <sstream>

#include "core/test_util.hpp"

using namespace ath;
using ath::testing::env_of;

namespace {


// Runs `f` with the default logger writing into a string; returns what was logged.
template <class F>
std::string logged(F f) {
  std::ostringstream out;
  auto previous = spdlog::default_logger();
  spdlog::set_default_logger(std::make_shared<spdlog::logger>("t", std::make_shared<spdlog::sinks::ostream_sink_mt>(out)));
  f();
  spdlog::set_default_logger(previous);
  return out.str();
}

}  // namespace

TEST_CASE("the AMEIDE_ name wins over its deprecated alias, silently") {
  std::string log = logged([] {
    CHECK(env_with_alias("AMEIDE_X1", "ATH_X1", env_of({{"AMEIDE_X1", "new"}, {"ATH_X1", "old"}})) == "new");
  });
  CHECK(log.empty());
}

TEST_CASE("a deprecated alias is still read, and the warning names the variable to set, once") {
  auto env = env_of({{"ATH_X2", "old"}});
  std::string log = logged([&] {
    CHECK(env_with_alias("AMEIDE_X2", "ATH_X2", env) == "old");
    CHECK(env_with_alias("AMEIDE_X2", "ATH_X2", env) == "old");
  });
  CHECK(log.find("ATH_X2 is deprecated; set AMEIDE_X2 instead") != std::string::npos);
  CHECK(log.find("deprecated") == log.rfind("deprecated"));
}

TEST_CASE("empty values count as unset") {
  CHECK(env_with_alias("AMEIDE_X3", "ATH_X3", env_of({{"AMEIDE_X3", ""}, {"ATH_X3", ""}})) == std::nullopt);
  CHECK(env_with_alias("AMEIDE_X4", "ATH_X4", env_of({{"AMEIDE_X4", ""}, {"ATH_X4", "old"}})) == "old");
  CHECK(env_with_alias("AMEIDE_X5", "ATH_X5", env_of({})) == std::nullopt);
}
