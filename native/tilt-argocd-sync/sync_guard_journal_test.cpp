#include "sync_guard_journal.hpp"

#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "core/test_util.hpp"

using namespace ath::argocd_sync;
using ath::testing::TempDir;
namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

TEST_CASE("a missing journal is empty; a saved one reads back") {
  TempDir d;
  std::string path = journal_path((d.path / "state").string());
  CHECK(load_journal(path).empty());
  Journal j;
  j.apps["a"].saved = {{"automated", {{"selfHeal", false}}}};
  j.apps["a"].paused_by = "u@h/1";
  j.application_sets["s"].saved = {{"strategy", nullptr}};
  save_journal(path, j);
  Journal back = load_journal(path);
  CHECK(back.apps == j.apps);
  CHECK(back.application_sets == j.application_sets);
  // No temp files are left behind.
  size_t files = 0;
  for (auto& e : fs::directory_iterator(fs::path(path).parent_path())) files += e.path().filename() == "journal.json";
  CHECK(files == 1);
  CHECK(std::distance(fs::directory_iterator(fs::path(path).parent_path()), fs::directory_iterator()) == 1);
}

TEST_CASE("a corrupt journal is refused and never overwritten") {
  TempDir d;
  std::string path = journal_path(d.path.string());
  {
    std::ofstream(path) << "{\"version\":1,\"applications\":{\"a\":";
  }
  std::string before = slurp(path);
  CHECK_THROWS_AS(load_journal(path), JournalCorrupt);
  CHECK_THROWS_WITH(load_journal(path), doctest::Contains("is corrupt"));
  CHECK_THROWS_AS(save_journal(path, Journal{}), JournalCorrupt);
  CHECK_THROWS_AS(update_journal(path, [](Journal&) { return true; }), JournalCorrupt);
  CHECK(slurp(path) == before);
}

TEST_CASE("update_journal keeps the first record (first pause wins)") {
  TempDir d;
  std::string path = journal_path(d.path.string());
  auto pause = [&](const std::string& automated) {
    update_journal(path, [&](Journal& j) {
      AppRecord r;
      r.saved = json::parse(automated);
      return j.apps.emplace("a", r).second;
    });
  };
  pause(R"({"automated":{"prune":true}})");
  pause(R"({})");  // the second pause sees the paused state; it must not replace the record
  CHECK(load_journal(path).apps.at("a").saved == json::parse(R"({"automated":{"prune":true}})"));
}

TEST_CASE("default_state_dir honours AMEIDE_ARGOCD_STATE_DIR, then XDG_STATE_HOME") {
  ::setenv("AMEIDE_ARGOCD_STATE_DIR", "/x/state", 1);
  CHECK(default_state_dir() == "/x/state");
  ::unsetenv("AMEIDE_ARGOCD_STATE_DIR");
  ::setenv("XDG_STATE_HOME", "/xdg", 1);
  CHECK(default_state_dir() == "/xdg/tilt-argocd-sync");
  ::unsetenv("XDG_STATE_HOME");
}

TEST_CASE("a deep or oversized journal is refused as corrupt and kept") {
  TempDir d;
  std::string path = journal_path(d.path.string());
  std::string deep = "{\"version\":1,\"applications\":{\"a\":" + std::string(150000, '[') + std::string(150000, ']') + "}}";
  { std::ofstream(path) << deep; }
  CHECK_THROWS_AS(load_journal(path), JournalCorrupt);
  CHECK_THROWS_WITH(load_journal(path), doctest::Contains("deeper than"));
  CHECK_THROWS_AS(update_journal(path, [](Journal&) { return true; }), JournalCorrupt);
  CHECK(slurp(path) == deep);
}

