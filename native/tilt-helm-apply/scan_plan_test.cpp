#include "scan_plan.hpp"

#include <doctest/doctest.h>

using namespace ath::helm_apply;

TEST_CASE("the label scan runs first in a session, on request, and when the object set changed") {
  const ApplyRecord last{"tilt:42:1000", {"apps/deployments/ns/web", "/services/ns/web"}, {}};
  CHECK(scan_before_render(std::nullopt, "tilt:42:1000", false) == ScanReason::FirstOfSession);
  CHECK(scan_before_render(last, "tilt:43:2000", false) == ScanReason::FirstOfSession);
  CHECK(scan_before_render(last, "", false) == ScanReason::FirstOfSession);
  CHECK(scan_before_render(last, "tilt:42:1000", true) == ScanReason::Requested);
  CHECK(scan_before_render(last, "tilt:42:1000", false) == ScanReason::None);

  CHECK(scan_after_render(last, last.manifest) == ScanReason::None);
  // A renamed object and a new type both change the set.
  CHECK(scan_after_render(last, {"apps/deployments/ns/web2", "/services/ns/web"}) == ScanReason::ObjectSetChanged);
  CHECK(scan_after_render(last, {"apps/deployments/ns/web", "/services/ns/web", "example.com/widgets/ns/w"}) ==
        ScanReason::ObjectSetChanged);
  CHECK(scan_after_render(std::nullopt, last.manifest) == ScanReason::ObjectSetChanged);
  CHECK(std::string(describe(ScanReason::Requested)).find("--full-scan") != std::string::npos);
}
