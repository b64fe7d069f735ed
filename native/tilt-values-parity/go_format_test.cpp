#include "go_format.hpp"

#include <doctest/doctest.h>

using namespace ath::values_parity;

TEST_CASE("go_float prints float64 as fmt's %v does") {
  CHECK(go_float(8080) == "8080");
  CHECK(go_float(100000) == "100000");
  CHECK(go_float(1e6) == "1e+06");
  CHECK(go_float(12345678) == "1.2345678e+07");
  CHECK(go_float(1.5) == "1.5");
  CHECK(go_float(0.0001) == "0.0001");
  CHECK(go_float(0.00001) == "1e-05");
  CHECK(go_float(-2.5e-7) == "-2.5e-07");
  CHECK(go_float(1e21) == "1e+21");
  CHECK(go_float(0.1 + 0.2) == "0.30000000000000004");
}

TEST_CASE("go_sprint prints maps and lists as Go's fmt does") {
  CHECK(go_sprint(json::parse(R"({"b":1.0,"a":"x","c":null,"d":[true,"y"]})")) == "map[a:x b:1 c:<nil> d:[true y]]");
  CHECK(go_sprint(json::array({"values", "components", "graph"})) == "[values components graph]");
  CHECK(go_sprint(json(3)) == "3");
}

TEST_CASE("go_quote is strconv.Quote for ASCII") {
  CHECK(go_quote("a\"b\\c\n\x01") == "\"a\\\"b\\\\c\\n\\x01\"");
  CHECK_THROWS_AS(go_quote("\xc3\xa9"), TemplateError);
}

TEST_CASE("sanitize_name is Argo CD's SanitizeName (template_functions.go:14, v3.4.7)") {
  CHECK(sanitize_name("graph_") == "graph");       // '_' -> '-', then trimmed
  CHECK(sanitize_name("-Web_App.") == "web-app");  // lower-cased, '-' and '.' trimmed at both ends
  CHECK(sanitize_name("a..b") == "a..b");
  CHECK(sanitize_name("\xc3\x9cn\xc3\xaf") == "n");  // one "-" per character (not per byte), then trimmed
  CHECK(sanitize_name("x\xc3\x9cn\xc3\xafx") == "x-n-x");
  CHECK(sanitize_name("\xe2\x84\xaa") == "k");     // KELVIN SIGN lower-cases to k
  // U+0130 lower-cases to plain "i" in Go (no special casing; differential case "İstanbul")
  CHECK(sanitize_name("\xc4\xb0stanbul") == "istanbul");
  CHECK(sanitize_name(std::string(300, 'a')).size() == 253);
  CHECK(sanitize_name(std::string(252, 'a') + "-b") == std::string(252, 'a'));  // cut at 253, then trimmed
}

TEST_CASE("go_os_expand is os.Expand with $$ kept") {
  auto env = [](const std::string& n) { return n == "A" ? std::string("x") : std::string(); };
  CHECK(go_os_expand("$A/${A}/$B/$$/$", env) == "x/x//$/$");
  CHECK(go_os_expand("a${}b${c", env) == "abc");
  CHECK(go_os_expand("$1x", env) == "x");
}
