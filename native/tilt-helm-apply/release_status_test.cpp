#include "release_status.hpp"

#include <doctest/doctest.h>

using namespace ath::helm_apply;

namespace {
json record(const std::string& version, const std::string& status) {
  return {{"metadata", {{"name", "sh.helm.release.v1.r.v" + version},
                        {"labels", {{"owner", "helm"}, {"name", "r"}, {"version", version}, {"status", status}}}}},
          {"data", {{"release", "H4sI..."}}}};
}
}  // namespace

TEST_CASE("revisions come from the storage labels, sorted; malformed records are skipped") {
  auto revs = release_revisions({record("10", "pending-upgrade"), record("9", "deployed"), record("x", "deployed"),
                                 json{{"metadata", {{"name", "no-labels"}}}}, record("2", "")});
  REQUIRE(revs.size() == 2);
  CHECK(revs[0].revision == 9);
  CHECK(revs[1].status == "pending-upgrade");
}

TEST_CASE("a pending newest revision is stuck; the advice names history and the rollback target") {
  auto stuck = stuck_release(release_revisions({record("1", "superseded"), record("2", "failed"),
                                                record("3", "pending-upgrade")}));
  REQUIRE(stuck.has_value());
  CHECK(stuck->rollback_to == 1);
  const auto text = stuck_advice("apps-graph", "ameide", *stuck);
  CHECK(text.find("pending-upgrade") != std::string::npos);
  CHECK(text.find("`helm history apps-graph -n ameide`") != std::string::npos);
  CHECK(text.find("`helm rollback apps-graph -n ameide 1`") != std::string::npos);
  CHECK(text.find("uninstall") == std::string::npos);
  CHECK(text.find("trigger the resource again") == std::string::npos);  // it cannot help here
}

TEST_CASE("a first install stuck pending: uninstall, or drop only the record") {
  auto stuck = stuck_release(release_revisions({record("1", "pending-install")}));
  REQUIRE(stuck.has_value());
  CHECK_FALSE(stuck->rollback_to.has_value());
  const auto text = stuck_advice("apps-graph", "ameide", *stuck);
  CHECK(text.find("`helm uninstall apps-graph -n ameide`") != std::string::npos);
  CHECK(text.find("sh.helm.release.v1.apps-graph.v1") != std::string::npos);
  CHECK(text.find("helm rollback") == std::string::npos);
}

TEST_CASE("deployed, failed or no release at all is not stuck") {
  CHECK_FALSE(stuck_release({}).has_value());
  CHECK_FALSE(stuck_release(release_revisions({record("1", "deployed")})).has_value());
  CHECK_FALSE(stuck_release(release_revisions({record("1", "deployed"), record("2", "failed")})).has_value());
  CHECK(is_operation_in_progress_error(
      "Error: UPGRADE FAILED: another operation (install/upgrade/rollback) is in progress\n"));
  CHECK_FALSE(is_operation_in_progress_error("Error: UPGRADE FAILED: timed out"));
}
