#include "core/kube_retry.hpp"

#include <doctest/doctest.h>

#include <set>

using namespace ath;
using std::chrono::milliseconds;

TEST_CASE("only overload, server errors and lost connections are worth another GET") {
  for (int code : {429, 500, 502, 503, 504}) CHECK(worth_retrying(code, false));
  for (int code : {200, 400, 401, 403, 404, 409, 410, 422, 501}) CHECK_FALSE(worth_retrying(code, false));
  CHECK(worth_retrying(0, false));       // refused, reset, closed
  CHECK_FALSE(worth_retrying(0, true));  // a silent server is not asked again
}

TEST_CASE("retry delays double up to the cap, jittered in their upper half") {
  RetryPolicy p{.attempts = 6, .base_delay = milliseconds(100), .max_delay = milliseconds(500)};
  std::mt19937 rng(7);
  const long long expected_max[] = {100, 200, 400, 500, 500};
  for (int retry = 1; retry <= 5; ++retry) {
    for (int i = 0; i < 50; ++i) {
      auto d = retry_delay(p, retry, rng).count();
      CHECK(d >= expected_max[retry - 1] / 2);
      CHECK(d <= expected_max[retry - 1]);
    }
  }
  // Jitter: the same retry does not always wait the same time.
  std::set<long long> seen;
  for (int i = 0; i < 20; ++i) seen.insert(retry_delay(p, 2, rng).count());
  CHECK(seen.size() > 1);
}
