#include "core/json_limits.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace ath;

namespace {
std::string nested_arrays(int depth) { return std::string(depth, '[') + std::string(depth, ']'); }
}  // namespace

TEST_CASE("parse_json_bounded accepts ordinary records") {
  auto v = parse_json_bounded(R"({"automated":{"prune":true},"pausedBy":"alice"})", "key apps-x");
  CHECK(v["automated"]["prune"] == true);
  CHECK(json_depth(v) == 3);
  CHECK_NOTHROW(parse_json_bounded(nested_arrays(kMaxNestingDepth - 1), "x"));
}

TEST_CASE("parse_json_bounded refuses a record 150,000 levels deep and names it (issue 12, defect 3)") {
  const std::string deep = nested_arrays(150'000);
  try {
    parse_json_bounded(deep, "ConfigMap argocd/holders key apps-x");
    FAIL("no error");
  } catch (const InputLimitError& e) {
    std::string m = e.what();
    CHECK(m.find("ConfigMap argocd/holders key apps-x") != std::string::npos);
    CHECK(m.find("nested deeper than") != std::string::npos);
  }
  CHECK_THROWS_AS(parse_json_bounded(R"({"a":)" + deep + "}", "x"), InputLimitError);
}

TEST_CASE("parse_json_bounded refuses oversized and malformed text") {
  CHECK_THROWS_AS(parse_json_bounded(std::string(100, ' ') + "{}", "f", 10), InputLimitError);
  CHECK_THROWS_WITH_AS(parse_json_bounded("{\"a\":", "journal /s/j.json"),
                       doctest::Contains("journal /s/j.json: not valid JSON"), InputLimitError);
}

TEST_CASE("json_depth stops counting past the limit without recursing") {
  nlohmann::json v = nlohmann::json::array();
  nlohmann::json* cur = &v;
  for (int i = 0; i < 1000; ++i) {
    cur->push_back(nlohmann::json::array());
    cur = &(*cur)[0];
  }
  CHECK(json_depth(v) > kMaxNestingDepth);
  CHECK(json_depth(nlohmann::json(3)) == 1);
}

TEST_CASE("check_nesting_depth counts arrays and objects, as the parsers do, without recursing") {
  CHECK_NOTHROW(check_nesting_depth(parse_json_bounded(nested_arrays(kMaxNestingDepth), "x"), "x"));
  nlohmann::json v = nlohmann::json::object();
  nlohmann::json* cur = &v;
  for (int i = 0; i < 100'000; ++i) cur = &(*cur)["k"];
  CHECK_THROWS_WITH_AS(check_nesting_depth(v, "record r"), "record r: nested deeper than 256 levels", InputLimitError);
}
