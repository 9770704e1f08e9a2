// BlockingPool: a few threads for work that may wait on the database (operator
// reads), so that it never runs on an I/O thread that agents share.
// Thread-safe. The queue is bounded; Submit returns false when it is full.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace quarry::api {

class BlockingPool {
 public:
  explicit BlockingPool(unsigned threads, size_t max_queue = 1024);
  ~BlockingPool();
  BlockingPool(const BlockingPool&) = delete;
  BlockingPool& operator=(const BlockingPool&) = delete;

  bool Submit(std::function<void()> task);
  // Runs what is queued, then joins. Idempotent.
  void Stop();

 private:
  void Work();
  const size_t max_queue_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;  // GUARDED_BY(mu_)
  bool stopping_ = false;                    // GUARDED_BY(mu_)
  std::vector<std::thread> threads_;
};

}  // namespace quarry::api
