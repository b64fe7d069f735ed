#pragma once
// When and how long KubeClient waits before sending an idempotent read again.
#include <chrono>
#include <random>

namespace ath {

struct RetryPolicy {
  int attempts = 4;                              // the first try and up to 3 retries
  std::chrono::milliseconds base_delay{250};     // before the first retry; doubles each time
  std::chrono::milliseconds max_delay{2000};
};

// A GET answered with 429, 500, 502, 503 or 504, or lost in transport (refused, reset, closed),
// is worth sending again. A read that timed out is not: the server took the connection and said
// nothing for the whole per-request timeout, and waiting that long again would only multiply the
// time before the user hears of it. client-go does the same for plain requests: it retries a GET
// after a reset or EOF but not after a timeout (v0.32.0 rest/request.go:1204-1216; only watches
// retry timeouts, :756-762).
bool worth_retrying(int http_status, bool timed_out);

// The wait before retry number `retry` (1-based): base * 2^(retry-1), capped, with full jitter in
// its upper half ([d/2, d]) so clients that failed together do not retry together.
std::chrono::milliseconds retry_delay(const RetryPolicy& policy, int retry, std::mt19937& rng);

}  // namespace ath
