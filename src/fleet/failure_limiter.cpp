#include "fleet/failure_limiter.h"

namespace quarry::fleet {

bool FailureLimiter::Blocked(const std::string& key, int64_t now_us) {
  if (limit_ <= 0) return false;
  std::lock_guard lock(mu_);
  auto it = slots_.find(key);
  if (it == slots_.end()) {
    if (saturated_) PruneLocked(now_us);
    return saturated_;
  }
  if (now_us - it->second.window_start >= window_us_) return false;
  return it->second.failures >= limit_;
}

void FailureLimiter::RecordFailure(const std::string& key, int64_t now_us) {
  if (limit_ <= 0) return;
  std::lock_guard lock(mu_);
  auto it = slots_.find(key);
  if (it == slots_.end()) {
    if (slots_.size() >= max_keys_) {
      PruneLocked(now_us);
      if (slots_.size() >= max_keys_) {
        saturated_ = true;
        return;
      }
    }
    it = slots_.emplace(key, Slot{now_us, 0}).first;
  }
  Slot& slot = it->second;
  if (now_us - slot.window_start >= window_us_) slot = Slot{now_us, 0};
  ++slot.failures;
}

void FailureLimiter::PruneLocked(int64_t now_us) {
  std::erase_if(slots_, [&](const auto& kv) { return now_us - kv.second.window_start >= window_us_; });
  saturated_ = slots_.size() >= max_keys_;
}

}  // namespace quarry::fleet
