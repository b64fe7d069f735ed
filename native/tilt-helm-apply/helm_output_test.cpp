#include "helm_output.hpp"

#include <doctest/doctest.h>

using namespace ath::helm_apply;

TEST_CASE("the NOTES section of helm's report never becomes a log line") {
  const std::string out =
      "Release \"apps-graph\" has been upgraded. Happy Helming!\n"
      "NAME: apps-graph\nSTATUS: deployed\nREVISION: 2\nTEST SUITE: None\n"
      "NOTES:\nThe admin password is s3cr3t-from-values\n\nLog in at http://x\n";
  auto r = loggable_helm_output(out, "WARNING: kubeconfig is group-readable\n");
  CHECK(r.notes_lines_dropped == 4);  // header, two text lines and the blank between
  for (const auto& l : r.lines) CHECK(l.find("s3cr3t") == std::string::npos);
  REQUIRE(r.lines.size() == 6);
  CHECK(r.lines.front() == "Release \"apps-graph\" has been upgraded. Happy Helming!");
  CHECK(r.lines[4] == "TEST SUITE: None");
  CHECK(r.lines.back() == "WARNING: kubeconfig is group-readable");
}

TEST_CASE("output without NOTES is kept whole; a line merely mentioning NOTES is not a header") {
  auto r = loggable_helm_output("NAME: x\nSee NOTES: below\nSTATUS: deployed\n", "");
  CHECK(r.notes_lines_dropped == 0);
  CHECK(r.lines.size() == 3);
  CHECK(loggable_helm_output("NOTES:\r\nsecret\r\n", "").lines.empty());
}
