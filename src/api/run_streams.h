// RunStreams: the Server-Sent Event streams of live runs (docs/api.md, "Event
// stream"). One thread of its own pumps every stream: it is woken when a run
// changes (Fleet's run listener) and ticks every 250 ms for online/offline
// changes and throttled reduce re-evaluation. Store reads happen on that
// thread, never on an I/O thread; a slow client is cut off by net/'s bounded
// stream queue rather than buffered for.
//
// Thread-safe.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

#include "fleet/fleet.h"
#include "net/http.h"
#include "store/store.h"

namespace quarry::api {

class RunStreams {
 public:
  RunStreams(fleet::Fleet& fleet, store::Store& store);
  ~RunStreams();
  RunStreams(const RunStreams&) = delete;
  RunStreams& operator=(const RunStreams&) = delete;

  void Start();
  // Closes every stream and joins the thread. Idempotent.
  void Stop();

  // Streams run `run` to `out`, rows after `after_seq`; with `reduce_sql`
  // non-empty, also `reduce` events over every row of the run.
  void Subscribe(store::RunId run, int64_t after_seq, std::string reduce_sql,
                 std::shared_ptr<net::ResponseStream> out);

  // A run's state or rows changed (from the fleet's run listener).
  void OnRunChanged(store::RunId run);

  size_t active() const;

 private:
  struct Stream;
  // Sends what changed. Returns false when the stream is finished.
  bool Pump(Stream& s, int64_t now_us);
  void Loop();

  fleet::Fleet& fleet_;
  store::Store& store_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::shared_ptr<Stream>> streams_;   // GUARDED_BY(mu_)
  std::unordered_set<store::RunId> changed_;       // GUARDED_BY(mu_)
  bool stopping_ = false;                          // GUARDED_BY(mu_)
  std::thread thread_;
};

}  // namespace quarry::api
