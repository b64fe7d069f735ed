#include "core/yaml_json.hpp"

#include <doctest/doctest.h>

#include <algorithm>

#include "core/json_limits.hpp"
#include "core/testdata.hpp"

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

namespace {
// UTF-8 of one code point.
std::string utf8(char32_t c) {
  std::string out;
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
  return out;
}

json round_trip(const json& v) { return ath::parse_yaml_document(ath::to_yaml(v), "rt.yaml").value; }
}  // namespace

TEST_CASE("to_yaml writes a key that quoting makes longer than 1024 bytes so that it reads back (libFuzzer finding)") {
  // fuzz/findings/to_yaml_control_char_key.yaml: one 870-byte key holding U+000F came out as a
  // simple key of 1225 bytes once quoted and escaped, and did not read back ("illegal map
  // value"). Its first two bytes (half a BOM) and two 0xBF bytes are not UTF-8, which to_yaml
  // now refuses; the same key in UTF-8 must read back.
  std::string text = ath::testing::testdata("../fuzz/findings/to_yaml_control_char_key.yaml");
  const auto found = ath::parse_yaml_document(text, "to_yaml_control_char_key.yaml");
  CHECK_THROWS_WITH_AS(ath::to_yaml(found.value), doctest::Contains("is not UTF-8 (byte 0xEF at offset 0)"),
                       ath::InputLimitError);
  text.replace(0, 2, "x");
  std::replace(text.begin(), text.end(), '\xbf', 'z');
  const json utf8_key = ath::parse_yaml_document(text, "utf8.yaml").value;
  REQUIRE(utf8_key.size() == 1);
  CHECK(utf8_key.begin().key().find('\x0f') != std::string::npos);
  CHECK(round_trip(utf8_key) == utf8_key);
  // Keys around the limit, before and after quoting.
  for (const std::string& k : {std::string(256, '\x01'), std::string(300, '\x7f'), "- " + std::string(600, '"'),
                               "- " + std::string(1021, 'a'), "- " + std::string(1023, 'a'), std::string(1024, 'a'),
                               std::string(1025, 'a'), "1" + std::string(1023, '0')}) {
    CAPTURE(k.size());
    const json v = {{k, {{k, k}}}, {"list", {{{k, 1}}}}};
    CHECK(round_trip(v) == v);
  }
  // Short keys stay simple keys.
  CHECK(ath::to_yaml(json{{std::string(255, '\x01'), 1}}).rfind("\"\\x01", 0) == 0);
}

TEST_CASE("to_yaml: every character reads back, in keys and values, at the start, middle and end") {
  std::vector<char32_t> chars;
  for (char32_t c = 0; c < 0x100; ++c) chars.push_back(c);
  for (char32_t c : {U'\u2028', U'\u2029', U'\uFEFF', U'\uFFFD', U'\uD7FF', U'\uE000', U'\U0001F600', U'\U0010FFFD'})
    chars.push_back(c);
  for (char32_t c : chars) {
    const std::string ch = utf8(c);
    for (const std::string& s : {ch, "a" + ch, "a" + ch + "b", " " + ch + " ", "\"" + ch + "{", "- " + ch, ch + ": x"}) {
      CAPTURE(static_cast<unsigned>(c));
      CAPTURE(s);
      const json v = {{s, s}, {"list", {s}}};
      json back;
      REQUIRE_NOTHROW(back = round_trip(v));
      CHECK(back == v);
    }
  }
}

TEST_CASE("to_yaml escapes what YAML does not allow raw, so YAML 1.1 readers (Helm, Tilt) see no line break") {
  const std::string y = ath::to_yaml(json{{"k", "a\x7f" + utf8(U'\u2028') + "b" + utf8(U'\u2029') + "\x01"}});
  CHECK(y == "k: \"a\\x7f\\u2028b\\u2029\\x01\"\n");
  CHECK(ath::to_yaml(json{{"a\tb", "x\ny"}}) == "\"a\\tb\": \"x\\ny\"\n");
  // The merge key would read back as a merge in YAML 1.1 readers.
  CHECK(ath::to_yaml(json{{"<<", "x"}}) == "\"<<\": x\n");
  // A document that is only the string "---" was written as a document marker (seeded fuzz run,
  // fuzz/findings/to_yaml_document_marker.yaml).
  for (const json& v : {json("---"), json("..."), json("--- a"), json("...\tb"), json{{"--- x", 1}, {"... y", "---"}},
                        json::array({"---", "..."})}) {
    CAPTURE(v.dump());
    CHECK(round_trip(v) == v);
    CHECK(parse_yaml_stream(ath::to_yaml_stream({v, v}), "s.yaml").size() == 2);
  }
}

TEST_CASE("to_yaml refuses text that is not UTF-8 or holds a noncharacter, naming where, instead of corrupting it") {
  auto error_of = [](const json& v) -> std::string {
    try {
      ath::to_yaml(v);
    } catch (const ath::InputLimitError& e) {
      return e.what();
    }
    return "no error";
  };
  CHECK(error_of(json{{"spec", {{"names", {"ok", "ab\xff"}}}}}) ==
        "cannot write a value as YAML: the string at \"/spec/names/1\" is not UTF-8 (byte 0xFF at offset 2)");
  CHECK(error_of(json{{"m~/", {{"\xc3\x28", 1}}}}) ==
        "cannot write a value as YAML: a key of the object at \"/m~0~1\" is not UTF-8 (byte 0xC3 at offset 0)");
  // Overlong forms, surrogates, past U+10FFFF, truncated sequences.
  for (const std::string bad : {"\xc0\xaf", "\xe0\x80\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xe2\x82", "\x80"})
    CHECK(error_of(json(bad)).find("is not UTF-8") != std::string::npos);
  CHECK(error_of(json{{"x", "a" + utf8(U'\uFFFE')}}) ==
        "cannot write a value as YAML: the string at \"/x\" holds the noncharacter U+FFFE at offset 1, which the YAML "
        "writer cannot keep");
  CHECK(error_of(json(utf8(U'\uFDD0'))).find("U+FDD0") != std::string::npos);
  CHECK(error_of(json(utf8(0x10FFFF))).find("U+10FFFF") != std::string::npos);
  // Keys on the way are JSON-quoted: a NUL or control character in one cannot cut or garble the
  // message (libFuzzer: what() ended at the NUL).
  CHECK(error_of(json{{std::string("a\0\x1b", 3), {{"k", "\xff"}}}}) ==
        "cannot write a value as YAML: the string at \"/a\\u0000\\u001b/k\" is not UTF-8 (byte 0xFF at offset 0)");
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

TEST_CASE("a stray ',' or ']' is a YamlError, not an endless loop that eats memory (yaml-cpp 0.7, #1040)") {
  // yaml-cpp 0.7's LoadAll added empty documents forever on these (found by the seeded fuzz run;
  // fuzz/findings/yaml_cpp_loadall_loop.yaml): 2.4 GB in 30 s, then std::bad_alloc or the OOM killer.
  for (const std::string& text : {std::string(","), std::string(",]"), std::string(", a: \""), std::string("\n,\n"), std::string(",\0 \n\0a:\n\0a:\0" "2\0]\0\n\0a: \"&", 23)}) {
    CAPTURE(text);
    CHECK(error_of(text).find("v.yaml:") == 0);
    CHECK(error_of(text).find("the YAML reader stops making progress here") != std::string::npos);
  }
  CHECK(error_of(ath::testing::testdata("../fuzz/findings/yaml_cpp_loadall_loop.yaml")).find("stops making progress") !=
        std::string::npos);
  // A stream with no stray ',', ']', '}' or '?' is read in one pass (yaml_load.cpp may_loop), and
  // still refused where it holds more documents than the guard allows.
  CHECK(error_of("{}{}{}[][]b").find("stops making progress") != std::string::npos);
  CHECK(parse_yaml_stream("a: {}\nb: [apps]\nc: []\n", "e.yaml").at(0).value ==
        json{{"a", json::object()}, {"b", {"apps"}}, {"c", json::array()}});
  // Streams of empty documents are still read.
  CHECK(parse_yaml_stream("---\n---\n---\n", "e.yaml").size() == 3);
  CHECK(parse_yaml_stream("a: 1\n---\n---\nb: 2\n", "e.yaml").size() == 3);
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
