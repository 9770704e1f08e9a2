// Clock: the one source of time, injectable so that tests can move it.
// Thread-safe: NowMicros may be called from any thread.
#pragma once

#include <cstdint>

namespace quarry {

class Clock {
 public:
  virtual ~Clock() = default;
  // Microseconds since the Unix epoch.
  virtual int64_t NowMicros() const = 0;
  int64_t NowMillis() const { return NowMicros() / 1000; }
  int64_t NowSeconds() const { return NowMicros() / 1000000; }
};

// Wall-clock time from the operating system.
class SystemClock final : public Clock {
 public:
  int64_t NowMicros() const override;
  static SystemClock& Instance();
};

// A clock that only moves when told to. For tests.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(int64_t now_micros) : now_(now_micros) {}
  int64_t NowMicros() const override { return now_; }
  void AdvanceMicros(int64_t delta) { now_ += delta; }
  void AdvanceSeconds(int64_t seconds) { now_ += seconds * 1000000; }

 private:
  int64_t now_;
};

}  // namespace quarry
