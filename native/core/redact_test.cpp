#include "core/redact.hpp"

#include <doctest/doctest.h>

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
