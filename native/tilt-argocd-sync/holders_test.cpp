#include "holders.hpp"

#include <doctest/doctest.h>

using namespace ath::argocd_sync;
using namespace std::chrono_literals;

namespace {

Holder holder(std::string id, std::string host, int pid, Clock::time_point beat, std::vector<std::string> apps) {
  Holder h;
  h.id = std::move(id);
  h.host = std::move(host);
  h.pid = pid;
  h.heartbeat = format_time(beat);
  h.ttl_seconds = 60;
  h.apps = std::move(apps);
  return h;
}

}  // namespace

TEST_CASE("times round-trip in RFC 3339 UTC") {
  auto t = Clock::from_time_t(1700000000);
  CHECK(format_time(t) == "2023-11-14T22:13:20Z");
  CHECK(parse_time("2023-11-14T22:13:20Z") == t);
  CHECK_THROWS(parse_time("yesterday"));
}

TEST_CASE("liveness: heartbeat age, and the pid on this host") {
  auto now = Clock::from_time_t(1700000000);
  Liveness live{now, "laptop", [](int pid) { return pid == 42; }};
  CHECK(holder_live(holder("a", "laptop", 42, now - 30s, {}), live));
  CHECK_FALSE(holder_live(holder("a", "laptop", 42, now - 61s, {}), live));
  CHECK_FALSE(holder_live(holder("b", "laptop", 43, now, {}), live));  // process gone
  CHECK(holder_live(holder("c", "other", 43, now, {}), live));          // cannot see other hosts' pids
  CHECK(holder_live(holder("d", "laptop", 0, now, {}), live));          // plain pause: heartbeat only
}

TEST_CASE("state round-trips through ConfigMap data and patches only what changed") {
  GuardState s;
  s.holders["u@h/1"] = holder("u@h/1", "h", 1, Clock::from_time_t(1700000000), {"a", "b"});
  AppRecord r;
  r.saved = {{"automated", {{"prune", true}}}};
  r.application_sets = {"set"};
  s.apps["a"] = r;
  s.application_sets["set"].saved = {{"strategy", {{"type", "RollingSync"}}}};
  json data = s.to_data();
  CHECK(data.contains("holder.u_h_1"));
  GuardState back = GuardState::from_data(data);
  CHECK(back.to_data() == data);

  GuardState changed = back;
  changed.apps.erase("a");
  json patch = data_patch(data, changed.to_data());
  CHECK(patch == json{{"app.a", nullptr}});
  CHECK_THROWS_WITH(GuardState::from_data(json{{"app.x", "{not json"}}),
                    doctest::Contains("key 'app.x'"));
}

TEST_CASE("two holders: the first to leave orphans nothing, the second orphans everything") {
  GuardState s;
  auto now = Clock::from_time_t(1700000000);
  s.holders["one"] = holder("one", "h", 0, now, {"a"});
  s.holders["two"] = holder("two", "h", 0, now, {"a", "b"});
  AppRecord ra, rb;
  ra.application_sets = {"set"};
  rb.application_sets = {"set"};
  s.apps["a"] = ra;
  s.apps["b"] = rb;
  s.application_sets["set"] = {};
  CHECK(orphaned_records(s).apps.empty());
  release(s, "one", {});
  CHECK(orphaned_records(s).apps.empty());
  CHECK(orphaned_records(s).application_sets.empty());
  release(s, "two", {"a"});
  CHECK(orphaned_records(s).apps == std::set<std::string>{"a"});
  CHECK(orphaned_records(s).application_sets.empty());  // b still holds the set paused
  release(s, "two", {"b"});
  CHECK(s.holders.empty());
  CHECK(orphaned_records(s).application_sets == std::set<std::string>{"set"});
}

TEST_CASE("an expired holder is pruned and its apps become orphans") {
  GuardState s;
  auto now = Clock::from_time_t(1700000000);
  s.holders["old"] = holder("old", "elsewhere", 7, now - 10min, {"a"});
  s.apps["a"] = {};
  Liveness live{now, "here", nullptr};
  CHECK(prune_dead_holders(s, live) == std::vector<std::string>{"old"});
  CHECK(orphaned_records(s).apps == std::set<std::string>{"a"});
}

// Issue 12, defect 1: alice keeps a journal copy of a record bob has written back since.
TEST_CASE("a local record is superseded once its uid was restored, or when it predates the last restore") {
  GuardState s;
  note_restored(s.restored_apps, "apps-x", "u1", "2026-01-01T00:00:10Z", "bob@b/1");
  const Restored* r = &s.restored_apps.at("apps-x");
  CHECK(superseded("u1", "2026-01-01T00:00:10Z", r));
  CHECK(superseded("u0", "2026-01-01T00:00:05Z", r));   // older than the restore
  CHECK_FALSE(superseded("u2", "2026-01-01T00:00:11Z", r));
  CHECK_FALSE(superseded("u2", "2026-01-01T00:00:10Z", r));  // same second, another pause
  CHECK_FALSE(superseded("u1", "2026-01-01T00:00:00Z", nullptr));
  for (int i = 0; i < 20; ++i) note_restored(s.restored_apps, "apps-x", "n" + std::to_string(i), "T", "b");
  CHECK(s.restored_apps.at("apps-x").uids.size() == kRestoredUidsKept);
  GuardState back = GuardState::from_data(s.to_data());
  CHECK(back.restored_apps.at("apps-x").uids == s.restored_apps.at("apps-x").uids);
  CHECK(s.to_data().contains("restored.app.apps-x"));
}

// Issue 12, defect 3: 150,000 levels in one key crashed every reader through a recursive copy.
TEST_CASE("a hostile ConfigMap entry is refused by name, never parsed deep") {
  std::string deep(150000, '[');
  deep += std::string(150000, ']');
  CHECK_THROWS_WITH(GuardState::from_data(json{{"app.apps-x", deep}}, "argocd"),
                    doctest::Contains("ConfigMap argocd/tilt-argocd-sync key 'app.apps-x'"));
  CHECK_THROWS_WITH(GuardState::from_data(json{{"app.apps-x", deep}}, "argocd"), doctest::Contains("deeper than"));
  CHECK_THROWS_WITH(GuardState::from_data(json{{"holder.x", std::string(2u << 20, ' ')}}), doctest::Contains("over the limit"));
  CHECK_THROWS_WITH(GuardState::from_data(json{{"app.y", "{\"saved\": 3}"}}), doctest::Contains("key 'app.y' is malformed"));
}

// Issue 13, point 6: the marks a resume leaves while it writes records back.
TEST_CASE("restoring marks: round trip, liveness, and only other processes' live marks block") {
  auto now = Clock::from_time_t(1700000000);
  Liveness live{now, "laptop", [](int pid) { return pid == 42 || pid == 7; }};
  GuardState s;
  s.restoring_apps["a"] = {"alice@laptop/pause", "laptop", 42, format_time(now - 5s)};
  s.restoring_apps["mine"] = {"bob@laptop/pause", "laptop", 7, format_time(now)};
  s.restoring_apps["dead"] = {"carol@laptop/pause", "laptop", 43, format_time(now)};    // process gone
  s.restoring_apps["old"] = {"dave@desk/1", "desk", 1, format_time(now - kRestoringTtl - 1s)};  // expired
  s.restoring_sets["apps-dev"] = {"erin@desk/9", "desk", 9, format_time(now)};  // other host: its time only
  GuardState back = GuardState::from_data(s.to_data());
  REQUIRE(back.restoring_apps.size() == 4);
  CHECK(back.restoring_apps["a"].by == "alice@laptop/pause");
  CHECK(back.restoring_sets["apps-dev"].pid == 9);
  CHECK(s.to_data().contains("restoring.appset.apps-dev"));
  auto busy = restores_in_progress(back, {"a", "mine", "dead", "old", "free"}, {"apps-dev", "other"}, live, 7);
  CHECK(busy == std::vector<std::string>{"Application a (being written back by alice@laptop/pause)",
                                         "ApplicationSet apps-dev (being written back by erin@desk/9)"});
  CHECK(restores_in_progress(back, {"free"}, {}, live, 7).empty());
  CHECK_THROWS(GuardState::from_data(json{{"restoring.app.x", R"({"by":"x","at":"soon"})"}}));
}
