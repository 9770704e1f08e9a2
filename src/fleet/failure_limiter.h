// FailureLimiter: counts failed attempts per key (a source address) in a fixed
// one-minute window, to slow down enroll-secret guessing.
//
// Thread-safe. Memory is bounded: at most max_keys addresses are tracked; when
// full, entries of past windows are pruned, and if none can be pruned new keys
// are treated as blocked (fail closed) until the window turns.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

namespace quarry::fleet {

class FailureLimiter {
 public:
  FailureLimiter(int failures_per_window, int64_t window_us, size_t max_keys = 100'000)
      : limit_(failures_per_window), window_us_(window_us), max_keys_(max_keys) {}

  // true when `key` has used up its failures in the current window.
  bool Blocked(const std::string& key, int64_t now_us);
  // Counts one failure for `key`.
  void RecordFailure(const std::string& key, int64_t now_us);

 private:
  struct Slot {
    int64_t window_start = 0;
    int failures = 0;
  };
  void PruneLocked(int64_t now_us);  // REQUIRES: mu_ held

  const int limit_;
  const int64_t window_us_;
  const size_t max_keys_;
  std::mutex mu_;
  std::unordered_map<std::string, Slot> slots_;  // GUARDED_BY(mu_)
  bool saturated_ = false;                       // GUARDED_BY(mu_)
};

}  // namespace quarry::fleet
