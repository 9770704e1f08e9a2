#include "fleet/held_polls.h"

#include <chrono>

namespace quarry::fleet {

HeldPolls::HeldPolls(const Clock& clock) : clock_(clock) {}

HeldPolls::~HeldPolls() { Stop(); }

void HeldPolls::Start() {
  std::lock_guard lock(mu_);
  if (running_ || stopping_) return;
  running_ = true;
  thread_ = std::thread([this] { Loop(); });
}

void HeldPolls::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  // Anything filed after the loop ended is answered here.
  std::unordered_map<store::NodeId, Waiter> left;
  {
    std::lock_guard lock(mu_);
    left.swap(waiters_);
    deadlines_.clear();
  }
  for (auto& [node, w] : left) w.answer(false);
}

void HeldPolls::Hold(store::NodeId node, int64_t until_us, Answer answer) {
  Answer displaced;
  {
    std::lock_guard lock(mu_);
    if (stopping_ || !running_) {
      displaced = std::move(answer);
    } else {
      auto it = waiters_.find(node);
      if (it != waiters_.end()) displaced = std::move(it->second.answer);
      uint64_t ticket = next_ticket_++;
      waiters_[node] = Waiter{ticket, until_us, std::move(answer)};
      deadlines_.emplace(until_us, std::make_pair(node, ticket));
    }
  }
  cv_.notify_one();
  // A host has one distributed thread, so a second read means the first one's
  // connection is gone or it gave up; answer the old waiter empty.
  if (displaced) displaced(false);
}

void HeldPolls::Wake(const std::vector<store::NodeId>& nodes) {
  if (nodes.empty()) return;
  {
    std::lock_guard lock(mu_);
    if (waiters_.empty()) return;
    for (store::NodeId n : nodes) {
      if (waiters_.count(n)) woken_.push_back(n);
    }
  }
  cv_.notify_one();
}

size_t HeldPolls::held() const {
  std::lock_guard lock(mu_);
  return waiters_.size();
}

void HeldPolls::Loop() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    std::vector<std::pair<Answer, bool>> due;
    for (store::NodeId n : woken_) {
      auto it = waiters_.find(n);
      if (it == waiters_.end()) continue;
      due.emplace_back(std::move(it->second.answer), true);
      waiters_.erase(it);  // its deadline entry is skipped later by ticket
    }
    woken_.clear();
    int64_t now = clock_.NowMicros();
    while (!deadlines_.empty() && deadlines_.begin()->first <= now) {
      auto [node, ticket] = deadlines_.begin()->second;
      deadlines_.erase(deadlines_.begin());
      auto it = waiters_.find(node);
      if (it == waiters_.end() || it->second.ticket != ticket) continue;
      due.emplace_back(std::move(it->second.answer), false);
      waiters_.erase(it);
    }
    if (!due.empty()) {
      lock.unlock();
      for (auto& [answer, woken] : due) answer(woken);
      lock.lock();
      continue;
    }
    if (deadlines_.empty()) {
      cv_.wait(lock, [this] { return stopping_ || !woken_.empty() || !deadlines_.empty(); });
    } else {
      int64_t wait_us = std::max<int64_t>(deadlines_.begin()->first - clock_.NowMicros(), 0);
      // Wall-clock deadlines, waited for in bounded slices so a ManualClock in
      // tests and clock steps in production are both noticed.
      cv_.wait_for(lock, std::chrono::microseconds(std::min<int64_t>(wait_us, 100'000)));
    }
  }
  std::unordered_map<store::NodeId, Waiter> left;
  left.swap(waiters_);
  deadlines_.clear();
  lock.unlock();
  for (auto& [node, w] : left) w.answer(false);
}

}  // namespace quarry::fleet
