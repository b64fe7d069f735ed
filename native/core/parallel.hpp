#pragma once
// Runs fn(0..n-1) on up to `concurrency` threads. The kube layer's fan-out (many LISTs, many
// PATCHes) is I/O-bound, so threads waiting on the network are the whole point.
#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace ath {

template <class Fn>
void parallel_for(size_t n, size_t concurrency, Fn&& fn) {
  if (n == 0) return;
  const size_t workers = std::max<size_t>(1, std::min(concurrency, n));
  if (workers == 1) {
    for (size_t i = 0; i < n; ++i) fn(i);
    return;
  }
  std::atomic<size_t> next{0};
  std::exception_ptr first_error;
  std::mutex error_mutex;
  {
    std::vector<std::jthread> pool;
    pool.reserve(workers);
    for (size_t w = 0; w < workers; ++w) {
      pool.emplace_back([&] {
        for (size_t i = next++; i < n; i = next++) {
          try {
            fn(i);
          } catch (...) {
            std::lock_guard lock(error_mutex);
            if (!first_error) first_error = std::current_exception();
          }
        }
      });
    }
  }
  if (first_error) std::rethrow_exception(first_error);
}

}  // namespace ath
