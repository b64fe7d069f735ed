#include "core/kube_error.hpp"

#include <doctest/doctest.h>

#include "core/testdata.hpp"

using ath::KubeErrorKind;
using ath::parse_kube_error;
using ath::testing::testdata;

TEST_CASE("Status objects map to typed errors") {
  struct Case {
    const char* file;
    int code;
    KubeErrorKind kind;
    bool transient;
  } cases[] = {
      {"status_not_found.json", 404, KubeErrorKind::NotFound, false},
      {"status_conflict.json", 409, KubeErrorKind::Conflict, false},
      {"status_already_exists.json", 409, KubeErrorKind::AlreadyExists, false},
      {"status_forbidden.json", 403, KubeErrorKind::Forbidden, false},
      {"status_invalid.json", 422, KubeErrorKind::Invalid, false},
      {"status_unavailable.json", 503, KubeErrorKind::Unavailable, true},
      {"status_timeout.json", 504, KubeErrorKind::Timeout, true},
      {"status_expired.json", 410, KubeErrorKind::Gone, false},
  };
  for (const auto& c : cases) {
    CAPTURE(c.file);
    auto e = parse_kube_error(c.code, testdata(c.file));
    CHECK(e.kind == c.kind);
    CHECK(e.http_code == c.code);
    CHECK(e.transient() == c.transient);
    CHECK_FALSE(e.message.empty());
  }
}

TEST_CASE("409 is told apart by reason: Conflict vs AlreadyExists") {
  CHECK(parse_kube_error(409, testdata("status_conflict.json")).kind == KubeErrorKind::Conflict);
  CHECK(parse_kube_error(409, testdata("status_already_exists.json")).kind == KubeErrorKind::AlreadyExists);
}

TEST_CASE("describe names reason, code and message") {
  auto e = parse_kube_error(404, testdata("status_not_found.json"));
  CHECK(e.describe() == "NotFound (404): configmaps \"web-config\" not found");
}

TEST_CASE("a non-Status body falls back to the HTTP code") {
  auto e = parse_kube_error(503, "Service Unavailable\n");
  CHECK(e.kind == KubeErrorKind::Unavailable);
  CHECK(e.message == "Service Unavailable");
  CHECK(parse_kube_error(500, "").kind == KubeErrorKind::Internal);
  CHECK(parse_kube_error(418, "teapot").kind == KubeErrorKind::Other);
}

TEST_CASE("transport errors count as unavailable") {
  auto e = ath::transport_error("connection refused");
  CHECK(e.kind == KubeErrorKind::Unavailable);
  CHECK(e.http_code == 0);
  CHECK(e.transient());
}
