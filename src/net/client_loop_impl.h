// ClientLoop's internals, shared by client_loop.cpp and the clients that run on
// the loop (async_client.cpp). Internal to net/: it includes Asio.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "net/client_loop.h"

namespace quarry::net {

// A client that Stop() must close: the loop holds it weakly.
class LoopClient {
 public:
  virtual ~LoopClient() = default;
  // From any thread: closes the client; its pending requests complete with
  // kUnavailable on the loop.
  virtual void Shutdown() = 0;
};

struct ClientLoop::Core {
  explicit Core(unsigned threads);
  ~Core();

  void Start();
  void Stop();
  void Post(std::function<void()> fn);
  uint64_t After(std::chrono::milliseconds delay, std::function<void()> fn);
  void Cancel(uint64_t id);

  // True from the start of Stop(): requests fail at once.
  bool stopping() const { return stopping_.load(std::memory_order_acquire); }

  // The client registry, for Stop(). Register returns false when the loop is
  // already stopping (the client must consider itself closed).
  bool Register(LoopClient* client, std::weak_ptr<LoopClient> weak);
  void Unregister(LoopClient* client);

  const unsigned thread_count;
  boost::asio::io_context ioc;

 private:
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
  std::vector<std::thread> threads_;

  std::mutex state_mu_;  // guards the fields below up to the next blank line
  bool started_ = false;
  bool stopped_ = false;
  bool finished_ = false;  // Stop() returned: nothing will run any more
  unsigned exited_ = 0;  // threads that returned from run()
  std::condition_variable exited_cv_;

  std::atomic<bool> stopping_{false};

  std::mutex timers_mu_;  // also serialises every call on the timers
  uint64_t next_timer_ = 1;
  std::unordered_map<uint64_t, std::shared_ptr<boost::asio::steady_timer>> timers_;

  std::mutex clients_mu_;
  std::unordered_map<LoopClient*, std::weak_ptr<LoopClient>> clients_;
};

}  // namespace quarry::net
