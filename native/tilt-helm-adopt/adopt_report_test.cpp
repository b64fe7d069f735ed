#include "tilt-helm-adopt/adopt_report.hpp"

#include <doctest/doctest.h>

#include "tilt-helm-adopt/adopt_plan.hpp"

using namespace ath::helm_adopt;

namespace {

AdoptReport sample() {
  AdoptReport r;
  r.release = "apps-graph";
  r.namespace_ = "apps";
  r.selector = "app.kubernetes.io/instance=apps-graph";
  r.types_scanned = 12;
  r.objects = {
      {"v1", "ConfigMap", "apps", "cfg", kFromManifest | kFromLabelScan, Outcome::Adopted, "x=y"},
      {"v1", "Secret", "apps", "creds", kFromLabelScan, Outcome::AlreadyOwned, ""},
      {"v1", "ConfigMap", "apps", "theirs", kFromLabelScan, Outcome::Conflict, "belongs to Helm release 'b'"},
      {"v1", "ConfigMap", "apps", "gone", kFromManifest, Outcome::Absent, ""},
      {"apps/v1", "Deployment", "apps", "old", kFromLabelScan, Outcome::Adopted, "", true},
  };
  r.skipped_types = {{"widgets.example.com", "Forbidden (403): no", true}};
  r.seconds = 0.25;
  return r;
}

}  // namespace

TEST_CASE("counts and the exit code") {
  AdoptReport r = sample();
  CHECK(r.found() == 4);
  CHECK(r.count(Outcome::Adopted) == 2);
  CHECK(r.duplicates() == 1);
  CHECK_FALSE(r.failed());
  CHECK(r.exit_code() == 1);  // the conflict
  r.objects.erase(r.objects.begin() + 2);
  CHECK(r.exit_code() == 0);  // a forbidden type alone is a warning
  r.skipped_types.push_back({"things", "Internal (500): boom", false});
  CHECK(r.exit_code() == 1);  // a type that could not be listed is a failure
}

TEST_CASE("text report lists changes and problems and sums up") {
  std::string text = render_text(sample());
  CHECK(text.find("adopted       ConfigMap apps/cfg [manifest+label-scan]: x=y") != std::string::npos);
  CHECK(text.find("conflict      ConfigMap apps/theirs") != std::string::npos);
  CHECK(text.find("Secret apps/creds") == std::string::npos);  // quiet: already owned
  CHECK(text.find("duplicate     Deployment apps/old") != std::string::npos);
  CHECK(text.find("skipped type  widgets.example.com") != std::string::npos);
  CHECK(text.find("types scanned: 12, objects found: 4, adopted: 2, already owned: 1, conflicts: 1") !=
        std::string::npos);
}

TEST_CASE("json report has one entry per object with its source and action") {
  auto j = render_json(sample());
  CHECK(j["objects"].size() == 5);
  CHECK(j["objects"][0] == nlohmann::json::parse(R"({"apiVersion":"v1","kind":"ConfigMap","namespace":"apps",
      "name":"cfg","source":"manifest+label-scan","action":"adopted","message":"x=y"})"));
  CHECK(j["conflicts"] == 1);
  CHECK(j["exitCode"] == 1);
  CHECK(j["skippedTypes"][0]["forbidden"] == true);
}
