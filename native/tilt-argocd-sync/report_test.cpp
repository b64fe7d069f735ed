#include "report.hpp"

#include <doctest/doctest.h>

#include <set>

using namespace ath::argocd_sync;

TEST_CASE("a report prints each action in the words users and scripts read") {
  Report r;
  r.items = {{"Application", "a", Action::AlreadyPaused, "journaled no automated", true},
             {"Application", "b", Action::WouldRequestSync, "", true},
             {"Journal", "/j", Action::Failed, "disk full", false}};
  CHECK(r.text() ==
        "Application a: already paused (journaled no automated)\n"
        "Application b: would request a sync\n"
        "Journal /j: failed (disk full)\n");
  nlohmann::json j = r.to_json();
  CHECK(j["items"][1]["action"] == "would request a sync");
  CHECK(j["items"][2]["ok"] == false);
  CHECK(j["exitCode"] == 1);
}

TEST_CASE("every action has words of its own") {
  std::set<std::string> seen;
  for (int a = 0; a <= static_cast<int>(Action::Failed); ++a) {
    std::string text(action_text(static_cast<Action>(a)));
    CHECK(!text.empty());
    CHECK(seen.insert(text).second);
  }
  CHECK(seen.size() == 19);
}
