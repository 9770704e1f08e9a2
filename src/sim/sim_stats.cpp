#include "sim/sim_stats.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>

namespace quarry::sim {

std::string_view AgentEndpointName(AgentEndpoint endpoint) {
  switch (endpoint) {
    case AgentEndpoint::kEnroll:
      return "enroll";
    case AgentEndpoint::kConfig:
      return "config";
    case AgentEndpoint::kLog:
      return "log";
    case AgentEndpoint::kDistributedRead:
      return "distributed_read";
    case AgentEndpoint::kDistributedWrite:
      return "distributed_write";
  }
  return "?";
}

uint64_t SimStats::TotalRequests() const {
  uint64_t n = 0;
  for (const auto& e : endpoints) n += e.requests;
  return n;
}

std::string FormatSimStats(const SimStats& s, const SimStats* previous) {
  std::string out = fmt::format(
      "sim: {:.0f}s  hosts {}/{} started, {} enrolled ({} enrollments, {} refused, {} "
      "node_invalid)\n"
      "  scheduled runs {} ({} failed), log lines sent {} result + {} status ({} dropped)\n"
      "  distributed queries received {}, answered {} ({} failed)",
      s.elapsed_seconds, s.started, s.hosts, s.enrolled, s.enrollments, s.enroll_refusals,
      s.node_invalid, s.scheduled_runs, s.scheduled_errors, s.result_lines_sent,
      s.status_lines_sent, s.log_lines_dropped, s.queries_received, s.queries_answered,
      s.queries_failed);
  double window = previous != nullptr ? s.elapsed_seconds - previous->elapsed_seconds : 0;
  for (size_t i = 0; i < kAgentEndpointCount; ++i) {
    const EndpointStats& e = s.endpoints[i];
    std::string rate;
    if (window > 0) {
      rate = fmt::format("  {:8.1f}/s", (e.requests - previous->endpoints[i].requests) / window);
    } else if (s.elapsed_seconds > 0) {
      rate = fmt::format("  {:8.1f}/s", e.requests / s.elapsed_seconds);
    }
    out += fmt::format("\n  {:<18}{:>10} req {:>8} err  p50 {:>9.1f} ms  p99 {:>9.1f} ms{}",
                       AgentEndpointName(static_cast<AgentEndpoint>(i)), e.requests, e.errors,
                       e.p50_ms, e.p99_ms, rate);
  }
  return out;
}

size_t LatencyHistogram::BucketOf(uint64_t micros) {
  // Values below 2^kSubBits map one to one; above, 16 buckets per power of two.
  if (micros < (1u << kSubBits)) return static_cast<size_t>(micros);
  const int exponent = static_cast<int>(std::bit_width(micros)) - 1;  // >= kSubBits
  if (exponent > kMaxExponent) return kBuckets - 1;
  const uint64_t sub = (micros >> (exponent - kSubBits)) & ((1u << kSubBits) - 1);
  return (static_cast<size_t>(exponent - kSubBits + 1) << kSubBits) + static_cast<size_t>(sub);
}

uint64_t LatencyHistogram::UpperBoundMicros(size_t bucket) {
  if (bucket < (1u << kSubBits)) return bucket;
  const int exponent = static_cast<int>(bucket >> kSubBits) + kSubBits - 1;
  const uint64_t sub = bucket & ((1u << kSubBits) - 1);
  return ((uint64_t{1} << kSubBits) + sub + 1) << (exponent - kSubBits);
}

void LatencyHistogram::Record(std::chrono::microseconds latency) {
  const uint64_t micros = latency.count() < 0 ? 0 : static_cast<uint64_t>(latency.count());
  buckets_[BucketOf(micros)].fetch_add(1, std::memory_order_relaxed);
  uint64_t seen = max_micros_.load(std::memory_order_relaxed);
  while (micros > seen &&
         !max_micros_.compare_exchange_weak(seen, micros, std::memory_order_relaxed)) {
  }
}

uint64_t LatencyHistogram::Count() const {
  uint64_t n = 0;
  for (const auto& b : buckets_) n += b.load(std::memory_order_relaxed);
  return n;
}

double LatencyHistogram::QuantileMs(double q) const {
  std::array<uint64_t, kBuckets> counts;
  uint64_t total = 0;
  for (size_t i = 0; i < kBuckets; ++i) {
    counts[i] = buckets_[i].load(std::memory_order_relaxed);
    total += counts[i];
  }
  if (total == 0) return 0;
  const auto rank = static_cast<uint64_t>(std::max(1.0, q * static_cast<double>(total) + 0.5));
  uint64_t seen = 0;
  for (size_t i = 0; i < kBuckets; ++i) {
    seen += counts[i];
    if (seen >= rank) {
      return std::min(UpperBoundMicros(i), max_micros_.load(std::memory_order_relaxed)) / 1000.0;
    }
  }
  return MaxMs();
}

std::vector<std::pair<uint64_t, uint64_t>> LatencyHistogram::NonEmptyBuckets() const {
  std::vector<std::pair<uint64_t, uint64_t>> out;
  for (size_t i = 0; i < kBuckets; ++i) {
    const uint64_t n = buckets_[i].load(std::memory_order_relaxed);
    if (n != 0) out.emplace_back(UpperBoundMicros(i), n);
  }
  return out;
}

double LatencyHistogram::MaxMs() const {
  return max_micros_.load(std::memory_order_relaxed) / 1000.0;
}

void SimCounters::RecordRequest(AgentEndpoint endpoint, std::chrono::microseconds latency,
                                bool error) {
  PerEndpoint& e = endpoints_[static_cast<size_t>(endpoint)];
  e.requests.fetch_add(1, std::memory_order_relaxed);
  if (error) e.errors.fetch_add(1, std::memory_order_relaxed);
  e.latency.Record(latency);
}

void SimCounters::Snapshot(SimStats& out) const {
  auto get = [](const auto& a) { return a.load(std::memory_order_relaxed); };
  out.started = get(started);
  out.enrolled = static_cast<uint32_t>(std::max<int64_t>(0, get(enrolled)));
  out.enrollments = get(enrollments);
  out.enroll_refusals = get(enroll_refusals);
  out.enroll_give_ups = get(enroll_give_ups);
  out.node_invalid = get(node_invalid);
  out.configs_applied = get(configs_applied);
  out.scheduled_runs = get(scheduled_runs);
  out.scheduled_errors = get(scheduled_errors);
  out.result_lines_sent = get(result_lines_sent);
  out.status_lines_sent = get(status_lines_sent);
  out.log_lines_dropped = get(log_lines_dropped);
  out.removed_rows_lost = get(removed_rows_lost);
  out.queries_answered = get(queries_answered);
  out.queries_failed = get(queries_failed);
  out.queries_received = get(queries_received);
  for (size_t i = 0; i < kAgentEndpointCount; ++i) {
    const PerEndpoint& e = endpoints_[i];
    out.endpoints[i].requests = get(e.requests);
    out.endpoints[i].errors = get(e.errors);
    out.endpoints[i].p50_ms = e.latency.QuantileMs(0.50);
    out.endpoints[i].p99_ms = e.latency.QuantileMs(0.99);
    out.endpoints[i].max_ms = e.latency.MaxMs();
    out.endpoints[i].histogram = e.latency.NonEmptyBuckets();
  }
}

}  // namespace quarry::sim
