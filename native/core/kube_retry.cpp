#include "core/kube_retry.hpp"

#include <algorithm>

namespace ath {

bool worth_retrying(int http_status, bool timed_out) {
  if (http_status == 0) return !timed_out;
  return http_status == 429 || http_status == 500 || http_status == 502 || http_status == 503 || http_status == 504;
}

std::chrono::milliseconds retry_delay(const RetryPolicy& policy, int retry, std::mt19937& rng) {
  long long d = policy.base_delay.count();
  for (int i = 1; i < retry && d < policy.max_delay.count(); ++i) d *= 2;
  d = std::min(d, static_cast<long long>(policy.max_delay.count()));
  std::uniform_int_distribution<long long> jitter(d / 2, d);
  return std::chrono::milliseconds(jitter(rng));
}

}  // namespace ath
