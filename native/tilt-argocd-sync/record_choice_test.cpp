#include "record_choice.hpp"

#include <doctest/doctest.h>

#include "pause_plan.hpp"

using namespace ath::argocd_sync;
using json = nlohmann::json;

namespace {

json app(const std::string& name, json automated, const std::string& owner = "apps-dev") {
  json a = {{"metadata", {{"name", name}, {"namespace", "argocd"}}}, {"spec", {{"project", "default"}}}};
  if (!owner.empty())
    a["metadata"]["ownerReferences"] = {{{"apiVersion", "argoproj.io/v1alpha1"}, {"kind", "ApplicationSet"}, {"name", owner}}};
  if (!automated.is_null()) a["spec"]["syncPolicy"] = {{"automated", automated}};
  return a;
}

json appset(bool paused) {
  json s = {{"metadata", {{"name", "apps-dev"}}}, {"spec", json::object()}};
  if (paused) s["spec"]["ignoreApplicationDifferences"] = {pause_ignore_entry()};
  return s;
}

AppRecord recorded(const std::string& uid, json automated, const std::string& at = "2026-12-01T10:00:00Z") {
  AppRecord r;
  r.saved = {{"automated", automated}};
  r.uid = uid;
  r.paused_at = at;
  r.paused_by = "alice@laptop/1";
  return r;
}

const std::string kNow = "2026-12-02T12:00:00Z";

}  // namespace

TEST_CASE("the shared record wins over the journal and the object") {
  GuardState shared;
  shared.apps["apps-web"] = recorded("u-shared", {{"prune", false}});
  Journal journal;
  journal.apps["apps-web"] = recorded("u-journal", {{"prune", true}});
  auto c = choose_records({{"apps-web", app("apps-web", nullptr, "")}}, {}, shared, journal, kNow, "bob@x/2", true);
  CHECK(c.apps.at("apps-web").uid == "u-shared");
  CHECK(c.stale_apps.empty());
}

TEST_CASE("a current journal record wins over the paused object it paused") {
  Journal journal;
  journal.apps["apps-web"] = recorded("u-journal", {{"prune", true}});
  auto c = choose_records({{"apps-web", app("apps-web", nullptr, "")}}, {}, GuardState{}, journal, kNow, "me", true);
  CHECK(c.apps.at("apps-web").uid == "u-journal");
  CHECK(c.apps.at("apps-web").saved == json{{"automated", {{"prune", true}}}});
}

TEST_CASE("a journal record another holder wrote back is stale: the object as it is now wins (issue 12, defect 1)") {
  Journal journal;
  journal.apps["apps-web"] = recorded("u-old", {{"prune", true}});
  GuardState shared;
  note_restored(shared.restored_apps, "apps-web", "u-old", "2026-12-01T11:00:00Z", "bob@x/2");
  auto c = choose_records({{"apps-web", app("apps-web", nullptr, "")}}, {}, shared, journal, kNow, "me", true);
  CHECK(c.apps.at("apps-web").uid != "u-old");
  CHECK(c.apps.at("apps-web").paused_at == kNow);
  CHECK(c.stale_apps == std::set<std::string>{"apps-web"});
}

TEST_CASE("a journal record of an app whose auto-sync is on again is stale: its own policy is newer") {
  Journal journal;
  journal.apps["apps-web"] = recorded("u-old", {{"prune", true}});
  auto c = choose_records({{"apps-web", app("apps-web", {{"prune", false}}, "")}}, {}, GuardState{}, journal, kNow,
                          "me", true);
  CHECK(c.apps.at("apps-web").saved == json{{"automated", {{"prune", false}}}});
  CHECK(c.stale_apps == std::set<std::string>{"apps-web"});
}

TEST_CASE("an owner ApplicationSet is recorded once for all its apps; a missing one is named with its app") {
  std::map<std::string, json> apps = {{"apps-a", app("apps-a", {{"prune", true}})},
                                      {"apps-b", app("apps-b", {{"prune", true}})},
                                      {"apps-c", app("apps-c", {{"prune", true}}, "apps-gone")}};
  auto c = choose_records(apps, {{"apps-dev", appset(false)}}, GuardState{}, Journal{}, kNow, "me", false);
  REQUIRE(c.application_sets.size() == 1);
  CHECK(c.application_sets.count("apps-dev"));
  CHECK(c.missing_sets == std::vector<std::pair<std::string, std::string>>{{"apps-gone", "apps-c"}});
  CHECK(c.apps.size() == 3);
}

TEST_CASE("a journal set record counts only while the set still ignores automated") {
  Journal journal;
  AppSetRecord r;
  r.uid = "s-journal";
  r.paused_at = "2026-12-01T10:00:00Z";
  journal.application_sets["apps-dev"] = r;
  std::map<std::string, json> apps = {{"apps-a", app("apps-a", nullptr)}};
  auto paused = choose_records(apps, {{"apps-dev", appset(true)}}, GuardState{}, journal, kNow, "me", false);
  CHECK(paused.application_sets.at("apps-dev").uid == "s-journal");
  auto unpaused = choose_records(apps, {{"apps-dev", appset(false)}}, GuardState{}, journal, kNow, "me", false);
  CHECK(unpaused.application_sets.at("apps-dev").uid != "s-journal");
  CHECK(unpaused.stale_sets == std::set<std::string>{"apps-dev"});
}
