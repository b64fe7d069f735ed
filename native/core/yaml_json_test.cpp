#include "core/yaml_json.hpp"

#include <doctest/doctest.h>

#include "core/json_limits.hpp"

using ath::json;
using ath::parse_yaml_stream;
using ath::YamlError;

TEST_CASE("scalars resolve as YAML 1.2 core schema; quoted stay strings") {
  auto doc = ath::parse_yaml_document(
      "a: 1\nb: '1'\nc: true\nd: \"true\"\ne: ~\nf: 1.5\ng: hello\nh: !!str 42\ni: 0x1F\nj: -7\nk: 1e3\nl:\n",
      "t.yaml");
  const json& v = doc.value;
  CHECK(v["a"] == 1);
  CHECK(v["b"] == "1");
  CHECK(v["c"] == true);
  CHECK(v["d"] == "true");
  CHECK(v["e"].is_null());
  CHECK(v["f"] == 1.5);
  CHECK(v["g"] == "hello");
  CHECK(v["h"] == "42");
  CHECK(v["i"] == 31);
  CHECK(v["j"] == -7);
  CHECK(v["k"] == 1000.0);
  CHECK(v["l"].is_null());
}

TEST_CASE("multi-document streams keep order and start lines") {
  auto docs = parse_yaml_stream("kind: A\n---\nkind: B\n---\n# only a comment\n---\nkind: C\n", "s.yaml");
  REQUIRE(docs.size() == 4);
  CHECK(docs[0].value["kind"] == "A");
  CHECK(docs[1].value["kind"] == "B");
  CHECK(docs[1].start.line == 3);
  CHECK(docs[2].value.is_null());
  CHECK(docs[3].value["kind"] == "C");
  CHECK(docs[3].start.line == 7);
}

TEST_CASE("positions are recorded per JSON pointer, 1-based") {
  auto doc = ath::parse_yaml_document("spec:\n  template:\n    image: x\n  list:\n    - a\n    - b\n", "p.yaml");
  CHECK(doc.pos_of("/spec/template/image").line == 3);
  CHECK(doc.pos_of("/spec/template/image").column == 12);
  CHECK(doc.pos_of("/spec/list/1").line == 6);
  // An unknown pointer falls back to its nearest ancestor.
  CHECK(doc.pos_of("/spec/template/missing").line == 3);
}

TEST_CASE("syntax errors carry file:line:col") {
  try {
    parse_yaml_stream("a: 1\nb: [1, 2\nc: 3\n", "bad.yaml");
    FAIL("expected an error");
  } catch (const YamlError& e) {
    CHECK(e.file() == "bad.yaml");
    CHECK(e.pos().line >= 2);
    CHECK(std::string(e.what()).rfind("bad.yaml:", 0) == 0);
  }
}

TEST_CASE("duplicate keys are an error at the second key") {
  try {
    parse_yaml_stream("a: 1\nb: 2\na: 3\n", "dup.yaml");
    FAIL("expected an error");
  } catch (const YamlError& e) {
    CHECK(e.pos().line == 3);
    CHECK(e.message().find("duplicate key 'a'") != std::string::npos);
  }
}

TEST_CASE("anchors and aliases resolve; an alias bomb is stopped") {
  auto doc = ath::parse_yaml_document("base: &b {x: 1}\nuse: *b\n", "a.yaml");
  CHECK(doc.value["use"]["x"] == 1);

  std::string bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  std::string prev = "a";
  for (char c = 'b'; c <= 'j'; ++c) {
    std::string name(1, c);
    bomb += name + ": &" + name + " [";
    for (int i = 0; i < 10; ++i) bomb += (i ? ", *" : "*") + prev;
    bomb += "]\n";
    prev = name;
  }
  CHECK_THROWS_AS(parse_yaml_stream(bomb, "bomb.yaml"), YamlError);
}

TEST_CASE("deep nesting is an error, not a stack overflow") {
  std::string deep(100000, '[');
  CHECK_THROWS_AS(parse_yaml_stream(deep, "deep.yaml"), YamlError);
}

TEST_CASE("binary junk in a file is refused") {
  char path[] = "/tmp/ath-yaml-XXXXXX";
  int fd = mkstemp(path);
  REQUIRE(fd >= 0);
  const char junk[] = {'a', ':', ' ', '\0', '\x01', '\xff'};
  REQUIRE(write(fd, junk, sizeof junk) == sizeof junk);
  close(fd);
  CHECK_THROWS_AS(ath::load_yaml_file(path), YamlError);
  unlink(path);
  CHECK_THROWS_AS(ath::load_yaml_file("/nonexistent/x.yaml"), YamlError);
}

TEST_CASE("to_yaml round-trips, quoting strings that look typed") {
  json v = {{"name", "app"}, {"port", 80}, {"flag", "true"}, {"ver", "1.0"}, {"n", nullptr},
            {"list", {1, "2", false}}, {"empty", json::object()}, {"none", json::array()},
            {"multi", "line one\nline two"}, {"ratio", 0.5}};
  auto back = ath::parse_yaml_document(ath::to_yaml(v), "rt.yaml").value;
  CHECK(back == v);
}

TEST_CASE("to_yaml_stream separates documents") {
  auto text = ath::to_yaml_stream({json{{"kind", "A"}}, json{{"kind", "B"}}});
  auto docs = parse_yaml_stream(text, "x");
  REQUIRE(docs.size() == 2);
  CHECK(docs[1].value["kind"] == "B");
}

TEST_CASE("a large ordinary document stays under the alias-expansion limit") {
  std::string big = "items:\n";
  for (int i = 0; i < 100000; ++i) big += "  - {name: item-" + std::to_string(i) + ", port: " + std::to_string(i) + "}\n";
  auto doc = ath::parse_yaml_document(big, "big.yaml", {.keep_positions = false});
  CHECK(doc.value["items"].size() == 100000u);
  CHECK(doc.value["items"][99999]["port"] == 99999);
}

namespace {
std::string error_of(const std::string& text, const std::string& file = "v.yaml") {
  try {
    parse_yaml_stream(text, file);
  } catch (const YamlError& e) {
    return e.what();
  }
  return "no error";
}
}  // namespace

TEST_CASE("a self-referencing alias is a 'recursive alias' error at file:line, not a crash (issue 12, defect 4)") {
  CHECK(error_of("x: &a [*a]\n") == "v.yaml:1:4: recursive alias: this node contains an alias of itself");
  CHECK(error_of("top:\n  x: &a\n    k: 1\n    self: *a\n").rfind("v.yaml:4:5: recursive alias", 0) == 0);
  // A cycle through an intermediate node, and one in a later document.
  CHECK(error_of("a: &a\n  - b:\n    - *a\n").find("recursive alias") != std::string::npos);
  CHECK(error_of("ok: 1\n---\n- &l [1, *l]\n").rfind("v.yaml:3:3: recursive alias", 0) == 0);
  // Aliases to siblings, even repeated ones, are not cycles.
  auto doc = ath::parse_yaml_document("a: &a [1]\nb: [*a, *a, {c: *a}]\n", "ok.yaml");
  CHECK(doc.value["b"][2]["c"][0] == 1);
}

TEST_CASE("nesting deeper than kMaxNestingDepth is a YamlError at file:line (issue 12, defect 4)") {
  auto flow = [](int depth) { return "v: " + std::string(depth, '[') + std::string(depth, ']') + "\n"; };
  // The document's own mapping is one level.
  CHECK_NOTHROW(parse_yaml_stream(flow(ath::kMaxNestingDepth - 1), "v.yaml"));
  CHECK(error_of(flow(ath::kMaxNestingDepth)) ==
        "v.yaml:1:" + std::to_string(4 + ath::kMaxNestingDepth - 1) + ": nested deeper than " +
            std::to_string(ath::kMaxNestingDepth) + " levels");
  std::string block;
  for (int i = 0; i < 300; ++i) block += std::string(2 * i, ' ') + "k:\n";
  CHECK(error_of(block).find("nested deeper than 256 levels") != std::string::npos);
}

TEST_CASE("to_yaml refuses a value nested deeper than the limit instead of recursing") {
  json v = json::array();
  json* cur = &v;
  for (int i = 0; i < 100'000; ++i) cur = &(*cur).emplace_back(json::array());
  CHECK_THROWS_WITH_AS(ath::to_yaml(v), doctest::Contains("nested deeper than 256 levels"), ath::InputLimitError);
}

TEST_CASE("numbers out of float64 range resolve as Helm's YAML reader does (issue 12, defect 7)") {
  // sigs.k8s.io/yaml v1.4.0 goyaml.v2/resolve.go:151-196: ParseInt, then ParseUint, then
  // ParseFloat; a plain scalar none of them accepts (ErrRange) stays the string it is.
  const std::string digits400(400, '7');
  auto doc = ath::parse_yaml_document("a: 1e999\nb: " + digits400 + "\nc: -" + digits400 +
                                          "\nd: 1e-999\ne: 18446744073709551615\nf: 123456789012345678901234\n"
                                          "g: 0x1ffffffffffffffffff\n",
                                      "n.yaml");
  CHECK(doc.value["a"] == "1e999");
  CHECK(doc.value["b"] == digits400);
  CHECK(doc.value["c"] == "-" + digits400);
  CHECK(doc.value["d"] == 0.0);  // underflow is not an error in Go's ParseFloat
  CHECK(doc.value["e"].is_number_unsigned());
  CHECK(doc.value["e"] == 18446744073709551615ull);
  CHECK(doc.value["f"] == 123456789012345678901234.0);
  CHECK(doc.value["g"] == "0x1ffffffffffffffffff");
  CHECK_FALSE(ath::plain_scalar_is_typed("1e999"));
  // An explicit tag the text cannot satisfy is an error naming the value at file:line:col
  // (goyaml.v2/resolve.go:109 "cannot decode").
  CHECK(error_of("x: !!float 1e999\n", "n.yaml") == "n.yaml:1:4: value '1e999' is not a valid float");
  CHECK(error_of("x:\n  y: !!int " + digits400 + "\n", "n.yaml") ==
        "n.yaml:2:6: value '" + digits400 + "' is not a valid integer");
}
