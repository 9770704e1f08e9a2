// SimStats: what a simulated fleet reports (a plain snapshot), and SimCounters, the
// lock-free counters and latency histograms the hosts update while it runs.
//
// Thread-safety: SimCounters may be updated and read from any thread (relaxed atomics: a
// snapshot is consistent per counter, not across counters). SimStats is a plain value.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace quarry::sim {

enum class AgentEndpoint : uint8_t { kEnroll, kConfig, kLog, kDistributedRead, kDistributedWrite };
inline constexpr size_t kAgentEndpointCount = 5;
std::string_view AgentEndpointName(AgentEndpoint endpoint);  // "enroll", "config", …

struct EndpointStats {
  uint64_t requests = 0;  // completed (answered or failed)
  uint64_t errors = 0;    // transport failures and responses osqueryd counts as failed
  // Latency from the request being queued on its connection to its completion (so a held
  // distributed read counts its hold). Histogram upper bounds: within 1/16 of the value.
  double p50_ms = 0;
  double p99_ms = 0;
  double max_ms = 0;
  // The histogram's non-empty buckets, (upper bound µs, count) in ascending order, cumulative:
  // subtracting two snapshots gives the latencies of the window between them.
  std::vector<std::pair<uint64_t, uint64_t>> histogram;
};

struct SimStats {
  uint32_t hosts = 0;            // configured
  uint32_t started = 0;          // past their ramp-up delay
  uint32_t enrolled = 0;         // holding a node key now
  uint64_t enrollments = 0;      // successful enrollments (re-enrollments included)
  uint64_t enroll_refusals = 0;  // enroll answers without a node key, or failed requests
  uint64_t enroll_give_ups = 0;  // a host used up --tls_enroll_max_attempts (it restarts)
  uint64_t node_invalid = 0;     // responses that made a host drop its key
  uint64_t configs_applied = 0;  // config responses that changed a host's config
  uint64_t scheduled_runs = 0;
  uint64_t scheduled_errors = 0;  // scheduled queries that failed (status ERROR line)
  uint64_t result_lines_sent = 0;
  uint64_t status_lines_sent = 0;
  uint64_t log_lines_dropped = 0;  // a host's buffer was full (buffered_log_max)
  uint64_t removed_rows_lost = 0;  // "removed" rows that could not be regenerated
  uint64_t queries_answered = 0;   // distributed results delivered (accepted writes)
  uint64_t queries_failed = 0;     // of those, status 1
  uint64_t queries_received = 0;   // distributed queries read (before running)
  std::array<EndpointStats, kAgentEndpointCount> endpoints{};
  double elapsed_seconds = 0;  // since Start()

  uint64_t TotalRequests() const;
};

// Human-readable, several lines (no trailing newline). With `previous` and its elapsed
// time, the request rate over the interval is shown too.
std::string FormatSimStats(const SimStats& stats, const SimStats* previous = nullptr);

// A log-linear latency histogram: 16 sub-buckets per power of two of microseconds, up to
// ~2^27 µs (~134 s); larger values land in the last bucket.
class LatencyHistogram {
 public:
  void Record(std::chrono::microseconds latency);
  // The upper bound of the bucket holding the q-quantile (0 < q <= 1), in ms; 0 if empty.
  double QuantileMs(double q) const;
  double MaxMs() const;
  uint64_t Count() const;
  // Non-empty buckets as (upper bound µs, count), ascending.
  std::vector<std::pair<uint64_t, uint64_t>> NonEmptyBuckets() const;

 private:
  static constexpr int kSubBits = 4;
  static constexpr int kMaxExponent = 27;
  static constexpr size_t kBuckets = (kMaxExponent + 1) << kSubBits;
  static size_t BucketOf(uint64_t micros);
  static uint64_t UpperBoundMicros(size_t bucket);

  std::array<std::atomic<uint64_t>, kBuckets> buckets_{};
  std::atomic<uint64_t> max_micros_{0};
};

class SimCounters {
 public:
  std::atomic<uint32_t> started{0};
  std::atomic<int64_t> enrolled{0};
  std::atomic<uint64_t> enrollments{0};
  std::atomic<uint64_t> enroll_refusals{0};
  std::atomic<uint64_t> enroll_give_ups{0};
  std::atomic<uint64_t> node_invalid{0};
  std::atomic<uint64_t> configs_applied{0};
  std::atomic<uint64_t> scheduled_runs{0};
  std::atomic<uint64_t> scheduled_errors{0};
  std::atomic<uint64_t> result_lines_sent{0};
  std::atomic<uint64_t> status_lines_sent{0};
  std::atomic<uint64_t> log_lines_dropped{0};
  std::atomic<uint64_t> removed_rows_lost{0};
  std::atomic<uint64_t> queries_answered{0};
  std::atomic<uint64_t> queries_failed{0};
  std::atomic<uint64_t> queries_received{0};

  void RecordRequest(AgentEndpoint endpoint, std::chrono::microseconds latency, bool error);
  // Fills everything but `hosts` and `elapsed_seconds`.
  void Snapshot(SimStats& out) const;

 private:
  struct PerEndpoint {
    std::atomic<uint64_t> requests{0};
    std::atomic<uint64_t> errors{0};
    LatencyHistogram latency;
  };
  std::array<PerEndpoint, kAgentEndpointCount> endpoints_{};
};

}  // namespace quarry::sim
