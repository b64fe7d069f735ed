#include "yaml11.hpp"

#include <doctest/doctest.h>

#include "go_format.hpp"

using namespace ath::values_parity;

TEST_CASE("plain scalars resolve as go-yaml v2 (YAML 1.1) then JSON (numbers float64)") {
  CHECK(yaml11_resolve_plain("on") == true);
  CHECK(yaml11_resolve_plain("Off") == false);
  CHECK(yaml11_resolve_plain("y") == true);
  CHECK(yaml11_resolve_plain("NO") == false);
  CHECK(yaml11_resolve_plain("~").is_null());
  CHECK(yaml11_resolve_plain("010") == 8.0);  // octal
  CHECK(yaml11_resolve_plain("0x1F") == 31.0);
  CHECK(yaml11_resolve_plain("1_000") == 1000.0);
  CHECK(yaml11_resolve_plain("09") == 9.0);  // not octal: a float
  CHECK(yaml11_resolve_plain("+5") == 5.0);
  CHECK(yaml11_resolve_plain(".5") == 0.5);
  CHECK(yaml11_resolve_plain("1e3") == 1000.0);
  CHECK(yaml11_resolve_plain("2001-12-14") == "2001-12-14");  // timestamps stay text in interface{}
  CHECK(yaml11_resolve_plain("graph_") == "graph_");
  CHECK(yaml11_resolve_plain("12:30") == "12:30");
  CHECK(yaml11_resolve_plain("1.2.3") == "1.2.3");
  CHECK_THROWS_AS(yaml11_resolve_plain(".inf"), TemplateError);
  CHECK(yaml11_resolve_plain("1.0").is_number_float());
}

// Each expectation is what gopkg.in/yaml.v2 2.4 Marshal gives for the string (run with Go).
TEST_CASE("yaml11_marshal_quotes: go-yaml v2 quotes text that resolves to another tag, dates and base-60 too") {
  struct Case {
    const char* text;
    bool quoted;
  };
  const Case cases[] = {{"2001-12-14", true},  {"2001-1-2", true},     {"2001-12-1", true},    {"2000-02-29", true},
                        {"0000-02-29", true},  {"2001-02-30", false},  {"1900-02-29", false},  {"2001-13-01", false},
                        {"2001-00-10", false}, {"2001-12-00", false},  {"2001-12-14x", false}, {"2001-012-14", false},
                        {"20011-12-14", false}, {"2001-1-", false},    {"2001--1-1", false},   {"1e3", true},
                        {"on", true},          {"~", true},            {"190:20:30", true},    {"1:20", true},
                        {"1:70", false},       {"ab", false},          {"graph_", false},      {"v1.2", false}};
  for (const auto& c : cases) {
    CAPTURE(c.text);
    CHECK(yaml11_marshal_quotes(c.text) == c.quoted);
  }
  CHECK(yaml11_plain_is_timestamp("2001-12-14"));
  CHECK_FALSE(yaml11_plain_is_typed("2001-12-14"));  // decoded, it is still the text
}

TEST_CASE("decode_yaml11 types values and keys, and reports what the template sees differently") {
  auto d = decode_yaml11("name: on\nnamespace: 'off'\nport: 8080\nversion: 1.10\nmode: 010\non: x\nlist: [yes, \"no\"]\n");
  CHECK(d.value["name"] == true);
  CHECK(d.value["namespace"] == "off");
  CHECK(d.value["port"] == 8080.0);
  CHECK(d.value["true"] == "x");  // a boolean key becomes "true"
  CHECK(d.value["list"] == json::array({true, "no"}));
  REQUIRE(d.changes.size() == 4);  // on, 1.10, 010, yes; 8080 prints as written
  CHECK(d.changes[0].pointer == "/name");
  CHECK(d.changes[0].line == 1);
  CHECK(d.changes[0].column == 7);
  CHECK(d.changes[0].seen == "true");
  CHECK(d.changes[1].seen == "1.1");
  CHECK(d.changes[2].seen == "8");
  CHECK(d.changes[3].pointer == "/list/0");
  CHECK(decode_yaml11("- {name: a}\n- {name: b}\n").value[1]["name"] == "b");
  CHECK_THROWS_AS(decode_yaml11("a: &x {b: 1}\nc:\n  <<: *x\n"), TemplateError);
  CHECK_THROWS_AS(decode_yaml11("a: !!int 3\n"), TemplateError);
  CHECK_THROWS_AS(decode_yaml11("a: [\n"), TemplateError);
}

TEST_CASE("decode_yaml11 skips the second parse only where YAML 1.1 cannot differ") {
  auto same = decode_yaml11("name: graph\nchart: values/charts/app\n", json{{"name", "graph"}, {"chart", "values/charts/app"}, {"n", 3}});
  CHECK(same.value["n"].is_number_float());  // the given YAML 1.2 value, numbers made float64
  auto precise = decode_yaml11("name: on\n", json{{"name", "on"}});
  CHECK(precise.value["name"] == true);
  CHECK(precise.changes.size() == 1);
  CHECK(decode_yaml11("port: 010\n", json{{"port", 10}}).value["port"] == 8.0);
}
