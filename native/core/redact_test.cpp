#include "core/redact.hpp"

#include <doctest/doctest.h>

#include "core/json_limits.hpp"

using namespace ath;

TEST_CASE("Secret data never survives redaction, other kinds are untouched") {
  json secret = json::parse(R"({"apiVersion":"v1","kind":"Secret","metadata":{"name":"db","annotations":{
    "kubectl.kubernetes.io/last-applied-configuration":"{\"data\":{\"password\":\"aHVudGVyMg==\"}}"}},
    "data":{"password":"aHVudGVyMg=="},"stringData":{"token":"hunter2"}})");
  auto safe = redact_secrets(secret).dump();
  CHECK(safe.find("aHVudGVyMg==") == std::string::npos);
  CHECK(safe.find("hunter2") == std::string::npos);
  CHECK(safe.find("password") != std::string::npos);  // keys stay, to say what was there

  json list = {{"kind", "List"}, {"items", json::array({secret})}};
  CHECK(redact_secrets(list).dump().find("hunter2") == std::string::npos);

  json cm = json::parse(R"({"kind":"ConfigMap","data":{"k":"v"}})");
  CHECK(redact_secrets(cm) == cm);
}

TEST_CASE("redaction refuses a value nested deeper than the limit instead of recursing (issue 12, defect 4)") {
  json v = json::array();
  json* cur = &v;
  for (int i = 0; i < 100'000; ++i) cur = &(*cur).emplace_back(json::array());
  CHECK_THROWS_WITH_AS(redact_secrets(v), doctest::Contains("nested deeper than 256 levels"), InputLimitError);
  json ok = json::array();
  cur = &ok;
  for (int i = 0; i < kMaxNestingDepth - 1; ++i) cur = &(*cur).emplace_back(json::array());
  cur->push_back(1);
  CHECK(redact_secrets(ok) == ok);
}

TEST_CASE("an object whose kind is not a string is left as it is, not an exception (seeded fuzz finding)") {
  // fuzz/findings/redact_kind_not_a_string.yaml: a manifest stream with `kind:` empty made
  // redaction throw nlohmann's type_error ("type must be string, but is null").
  for (const json& kind : {json(nullptr), json(5), json::array({"Secret"}), json{{"Secret", 1}}}) {
    CAPTURE(kind.dump());
    const json v = {{"kind", kind}, {"data", {{"password", "aHVudGVyMg=="}}}, {"metadata", "x"}};
    CHECK(redact_secrets(v) == v);
    CHECK(redact_secrets(json{{"items", {v}}}) == json{{"items", {v}}});
  }
  const json odd_secret = {{"kind", "Secret"}, {"data", "x"}, {"metadata", {{"annotations", "y"}}}};
  CHECK(redact_secrets(odd_secret) == odd_secret);
}
