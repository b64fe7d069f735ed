#pragma once
// Retrying a request that failed for a passing reason (500, 503, 429, a timeout).
#include <chrono>
#include <thread>

#include "core/kube_client.hpp"

namespace ath::helm_adopt {

// Pause before attempt `attempt` + 1: 50 ms, 200 ms, 800 ms ...
inline std::chrono::milliseconds retry_backoff(int attempt) {
  return std::chrono::milliseconds(50 << (2 * std::min(attempt - 1, 4)));
}

// Calls `call` until it succeeds, fails for a lasting reason, or `attempts` calls were made.
template <class Call>
auto with_transient_retries(int attempts, Call&& call) -> decltype(call()) {
  for (int attempt = 1;; ++attempt) {
    auto result = call();
    if (result.ok() || attempt >= attempts || !result.error->transient()) return result;
    std::this_thread::sleep_for(retry_backoff(attempt));
  }
}

}  // namespace ath::helm_adopt
