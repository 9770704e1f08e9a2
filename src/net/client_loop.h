// ClientLoop: the event loop that asynchronous clients (AsyncHttpsClient) run
// on, plus posted work and one-shot timers. Built for load generation: one loop
// with a couple of threads carries the connections of 100,000 simulated hosts,
// and their schedules as timers.
//
// Thread-safe. Everything posted, every timer callback and every client
// callback runs on one of the loop's threads, and must not block.
//
// Lifetime: clients created on a loop keep its internals alive, so loop and
// clients may be destroyed in any order; but once Stop() returned, nothing
// runs any more (see Stop()).
//
// No Asio type appears in this header.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>

namespace quarry::net {

class ClientLoop {
 public:
  // `threads` I/O threads (0: one per core); they start in Start().
  explicit ClientLoop(unsigned threads);
  ~ClientLoop();  // Stop()
  ClientLoop(const ClientLoop&) = delete;
  ClientLoop& operator=(const ClientLoop&) = delete;

  // Starts the threads. Work posted and requests made before Start() wait
  // for it. Later calls do nothing.
  void Start();

  // Winds the loop down and joins its threads:
  //  1. timers still pending are cancelled (their callbacks do not run);
  //  2. every client on the loop is closed: each request queued or in flight
  //     completes, on a loop thread, with kUnavailable;
  //  3. work already posted runs; then the threads exit.
  // Waits at most kStopGrace (a few seconds) for step 3, then abandons what is
  // left; a request whose completion never ran is completed with kUnavailable
  // when its handler is destroyed (on whatever thread that happens). A loop
  // that was never started is drained on the calling thread. After Stop():
  // Post() and After() are ignored (After returns 0) and requests complete at
  // once, on the caller's thread, with kUnavailable. Idempotent.
  // REQUIRES: not called from one of the loop's threads (it joins them).
  void Stop();

  // Runs `fn` on a loop thread, soon.
  void Post(std::function<void()> fn);

  // Runs `fn` on a loop thread after `delay`. Returns the timer's id (never
  // 0) for Cancel(); 0 if the loop is stopping.
  uint64_t After(std::chrono::milliseconds delay, std::function<void()> fn);

  // Cancels a timer: its callback will not run unless it has already started.
  // Unknown, fired or cancelled ids are ignored.
  void Cancel(uint64_t timer);

  // Threads the loop runs (after the 0 → cores default).
  unsigned threads() const;

  // The loop's internals, shared with the clients created on it (defined in
  // client_loop_impl.h, inside net/ only).
  struct Core;

 private:
  friend class AsyncHttpsClient;
  std::shared_ptr<Core> core_;
};

}  // namespace quarry::net
