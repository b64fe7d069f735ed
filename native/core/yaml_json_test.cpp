#include "core/yaml_json.hpp"

#include <doctest/doctest.h>

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
