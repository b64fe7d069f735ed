#include "core/json_at.hpp"

#include <doctest/doctest.h>

using nlohmann::json;
using ath::json_at;
using ath::string_at;

TEST_CASE("json_at finds a nested field and answers nullptr for any missing or mistyped level") {
  json app = json::parse(R"({"spec": {"syncPolicy": {"automated": {"prune": true}}, "list": [1, 2]},
                             "metadata": {"name": "apps-graph", "labels": "not-an-object"}})");
  REQUIRE(json_at(app, json::json_pointer("/spec/syncPolicy/automated")) != nullptr);
  CHECK(*json_at(app, json::json_pointer("/spec/syncPolicy/automated/prune")) == true);
  CHECK(*json_at(app, json::json_pointer("/spec/list/1")) == 2);
  CHECK(json_at(app, json::json_pointer("/spec/list/7")) == nullptr);
  CHECK(json_at(app, json::json_pointer("/spec/list/x")) == nullptr);
  CHECK(json_at(app, json::json_pointer("/spec/missing/deeper")) == nullptr);
  CHECK(json_at(app, json::json_pointer("/metadata/labels/app")) == nullptr);
  CHECK(json_at(json(nullptr), json::json_pointer("/spec")) == nullptr);
  CHECK(json_at(app, "/metadata/name") == json_at(app, json::json_pointer("/metadata/name")));
  CHECK(*json_at(app, std::string("/metadata/name")) == "apps-graph");
}

TEST_CASE("string_at is empty unless the field is a string") {
  json app = json::parse(R"({"status": {"phase": "Running", "count": 3}})");
  CHECK(string_at(app, "/status/phase") == "Running");
  CHECK(string_at(app, "/status/count").empty());
  CHECK(string_at(app, "/status/none").empty());
}
