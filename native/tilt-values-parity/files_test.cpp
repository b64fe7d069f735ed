#include "files.hpp"

#include <sys/stat.h>

#include <doctest/doctest.h>

#include "test_util.hpp"

using namespace ath::values_parity;

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
  REQUIRE(::mkfifo((tmp.path / "fifo.yaml").c_str(), 0600) == 0);
  auto fifo = load_file(tmp.path, "fifo.yaml", {});  // must not block waiting for a writer
  REQUIRE(fifo.error);
  CHECK(fifo.error->message == "is not a regular file");
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

TEST_CASE("a file loaded without positions still names the line of a finding") {
  LoadLimits no_positions;
  no_positions.positions = false;
  const std::string text = "a: 1\nimage:\n  tag: x\n---\nb: [1, 2]\n";
  auto kept = parse_loaded("v.yaml", text, {});
  auto lazy = parse_loaded("v.yaml", text, no_positions);
  REQUIRE(lazy.docs.size() == 2);
  CHECK(lazy.docs[0].positions.empty());
  CHECK(lazy.docs[0].value == kept.docs[0].value);
  for (const char* p : {"", "/a", "/image", "/image/tag", "/image/nokey"}) {
    CAPTURE(p);
    CHECK(lazy.pos_of(p).line == kept.pos_of(p).line);
    CHECK(lazy.pos_of(p).column == kept.pos_of(p).column);
  }
  CHECK(lazy.pos_of("/image/tag").line == 3);
  CHECK(lazy.pos_of("/b/1", 1).line == 5);
  CHECK(lazy.pos_of("/b/1", 1).column == 8);
  CHECK(lazy.pos_of("", 7).line == 0);
}

TEST_CASE("a file read without positions gets them when it is wanted with them") {
  testing::TempDir tmp;
  tmp.write("v.yaml", "a: 1\nb:\n  c: 2\n");
  LoadLimits no_positions;
  no_positions.positions = false;
  FileSet files;
  const LoadedFile& first = ensure_loaded(files, tmp.path, "v.yaml", no_positions);
  const ath::YamlDocument* doc = first.first();
  CHECK(doc->positions.empty());
  const LoadedFile& again = ensure_loaded(files, tmp.path, "v.yaml", {});
  CHECK(&again == &first);
  CHECK(again.first() == doc);  // the same document, now with positions
  CHECK(doc->pos_of("/b/c").line == 3);
}

TEST_CASE("release drops a parsed file until it is wanted again, then keeps it") {
  testing::TempDir tmp;
  tmp.write("v.yaml", "a: 1\n");
  FileSet files;
  ensure_loaded(files, tmp.path, "v.yaml", {});
  release(files, "v.yaml");
  CHECK(files.at("v.yaml").released);
  CHECK(files.at("v.yaml").exists);
  CHECK(files.at("v.yaml").docs.empty());
  const LoadedFile& again = ensure_loaded(files, tmp.path, "v.yaml", {});
  CHECK_FALSE(again.released);
  CHECK(again.keep);
  REQUIRE(again.first());
  CHECK(again.first()->value["a"] == 1);
  release(files, "v.yaml");  // a file wanted twice stays
  CHECK_FALSE(files.at("v.yaml").released);
  CHECK(files.at("v.yaml").first());
  tmp.write("bad.yaml", "a: [\n");
  ensure_loaded(files, tmp.path, "bad.yaml", {});
  release(files, "bad.yaml");  // the finding stays
  CHECK_FALSE(files.at("bad.yaml").released);
  CHECK(files.at("bad.yaml").error);
  release(files, "never-loaded.yaml");
  CHECK_FALSE(files.count("never-loaded.yaml"));
}
