#pragma once
// The run's overall deadline (`--timeout SECONDS`): every cluster request, retry and start-up wait
// of one helper run ends by it, so a hung API server cannot hold a run (or Tilt) for minutes.
#include <algorithm>
#include <chrono>

namespace ath {

class Deadline {
 public:
  using Clock = std::chrono::steady_clock;

  Deadline() = default;  // no deadline
  static Deadline after(std::chrono::milliseconds budget) {
    Deadline d;
    d.set_ = true;
    d.budget_ = budget;
    d.at_ = Clock::now() + budget;
    return d;
  }

  bool is_set() const { return set_; }
  bool passed() const { return set_ && Clock::now() >= at_; }
  // The budget given (for messages: "--timeout 30 s").
  std::chrono::milliseconds budget() const { return budget_; }
  // `limit`, shortened to the time left when the deadline comes first; never negative.
  std::chrono::milliseconds cap(std::chrono::milliseconds limit) const {
    if (!set_) return limit;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(at_ - Clock::now());
    return std::clamp(left, std::chrono::milliseconds(0), limit);
  }

 private:
  bool set_ = false;
  std::chrono::milliseconds budget_{0};
  Clock::time_point at_{};
};

}  // namespace ath
