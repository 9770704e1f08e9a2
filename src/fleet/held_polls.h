// HeldPolls: distributed reads that found nothing, held open until work for
// their host arrives or their hold time runs out, so that a new query reaches
// every listening host at once without raising the poll rate.
//
// Hold() files a waiter; Wake() (from whatever learnt of new work) queues the
// host; a single thread of its own answers woken and expired waiters, so
// neither the store's writer nor an I/O thread does that work. A host holds at
// most one waiter: a second Hold() for the same host answers the first at once.
//
// Thread-safe.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include "base/clock.h"
#include "store/model.h"

namespace quarry::fleet {

class HeldPolls {
 public:
  // `answer(node, woken)` is called on the HeldPolls thread exactly once per
  // waiter: woken = true when work arrived, false when the hold ran out or the
  // server is stopping.
  using Answer = std::function<void(bool woken)>;

  explicit HeldPolls(const Clock& clock);
  ~HeldPolls();
  HeldPolls(const HeldPolls&) = delete;
  HeldPolls& operator=(const HeldPolls&) = delete;

  void Start();
  // Answers every waiter (woken = false) and joins the thread. Idempotent.
  void Stop();

  // REQUIRES: Start() was called. After Stop(), answers at once.
  void Hold(store::NodeId node, int64_t until_us, Answer answer);
  void Wake(const std::vector<store::NodeId>& nodes);

  size_t held() const;

 private:
  struct Waiter {
    uint64_t ticket = 0;
    int64_t until_us = 0;
    Answer answer;
  };
  void Loop();

  const Clock& clock_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::unordered_map<store::NodeId, Waiter> waiters_;          // GUARDED_BY(mu_)
  std::multimap<int64_t, std::pair<store::NodeId, uint64_t>> deadlines_;  // GUARDED_BY(mu_)
  std::vector<store::NodeId> woken_;                           // GUARDED_BY(mu_)
  uint64_t next_ticket_ = 1;                                   // GUARDED_BY(mu_)
  bool running_ = false;                                       // GUARDED_BY(mu_)
  bool stopping_ = false;                                      // GUARDED_BY(mu_)
  std::thread thread_;
};

}  // namespace quarry::fleet
