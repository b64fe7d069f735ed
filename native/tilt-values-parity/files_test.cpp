#include "files.hpp"

#include <doctest/doctest.h>

#include "test_util.hpp"

using namespace tvp;

TEST_CASE("find_binary_byte accepts YAML text and finds the first bad byte") {
  CHECK_FALSE(find_binary_byte("a: b\n\tc: \"ü\"\r\n"));
  auto nul = find_binary_byte(std::string("a: 1\nb: \0", 10));
  REQUIRE(nul);
  CHECK(nul->line == 2);
  CHECK(nul->column == 4);
  CHECK(find_binary_byte("x: \xff\xfe"));       // invalid UTF-8
  CHECK(find_binary_byte("x: \xc3"));           // truncated sequence
  CHECK(find_binary_byte("x: \x1b[31m"));       // terminal escape
}

TEST_CASE("parse_loaded turns syntax errors into malformed-yaml at line:col") {
  auto f = parse_loaded("values/x.yaml", "a: 1\nb: [1, 2\n", {});
  REQUIRE(f.error);
  CHECK(f.error->rule == "malformed-yaml");
  CHECK(f.error->file == "values/x.yaml");
  CHECK(f.error->line >= 2);
  CHECK_FALSE(f.usable());
}

TEST_CASE("parse_loaded: empty files, anchors and aliases are fine") {
  auto empty = parse_loaded("e.yaml", "", {});
  CHECK(empty.usable());
  CHECK(empty.first() == nullptr);
  auto comments = parse_loaded("c.yaml", "# nothing here\n", {});
  CHECK(comments.usable());
  auto aliases = parse_loaded("a.yaml", "base: &b {cpu: 1}\nother: *b\n", {});
  REQUIRE(aliases.usable());
  CHECK(aliases.first()->value["other"]["cpu"] == 1);
}

TEST_CASE("parse_loaded stops an alias bomb and a deeply nested document with a finding") {
  std::string bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  std::string prev = "a";
  for (char c = 'b'; c <= 'i'; ++c) {
    std::string name(1, c);
    bomb += name + ": &" + name + " [";
    for (int i = 0; i < 10; ++i) bomb += (i ? ", *" : "*") + prev;
    bomb += "]\n";
    prev = name;
  }
  auto f = parse_loaded("bomb.yaml", bomb, {});
  REQUIRE(f.error);
  CHECK(f.error->message.find("nodes") != std::string::npos);

  auto deep = parse_loaded("deep.yaml", std::string(100000, '[') + std::string(100000, ']'), {});
  REQUIRE(deep.error);
  CHECK(deep.error->rule == "malformed-yaml");
}

TEST_CASE("load_file: missing, too large and directories") {
  testing::TempDir tmp;
  CHECK_FALSE(load_file(tmp.path, "nope.yaml", {}).exists);
  std::string big(10u << 20, 'a');
  tmp.write("big.yaml", "a: " + big + "\n");
  auto f = load_file(tmp.path, "big.yaml", {});
  CHECK(f.exists);
  REQUIRE(f.error);
  CHECK(f.error->message.find("over the limit") != std::string::npos);
  tmp.write("dir/x", "");
  auto d = load_file(tmp.path, "dir", {});
  REQUIRE(d.error);
  CHECK(d.error->message == "is not a regular file");
  tmp.write("ok.yaml", "a: 1\n");
  FileSet files;
  const auto& once = ensure_loaded(files, tmp.path, "ok.yaml", {});
  CHECK(&once == &ensure_loaded(files, tmp.path, "ok.yaml", {}));
  CHECK(once.first()->value["a"] == 1);
}

TEST_CASE("normalize_relative") {
  CHECK(normalize_relative("a/./b/../c") == "a/c");
  CHECK(normalize_relative("values//x.yaml") == "values/x.yaml");
  CHECK_FALSE(normalize_relative("../x"));
  CHECK_FALSE(normalize_relative("/abs"));
  CHECK_FALSE(normalize_relative("a/../../b"));
}
