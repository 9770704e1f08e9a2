// SimHost: one simulated osqueryd, a state machine driven by ClientLoop timers and request
// completions (see sim_fleet.h for the design). Internal to sim/.
//
// Thread-safety: NOT thread-safe. Every member function runs on the thread of the loop the
// host was created on (a ClientLoop with exactly one thread), which serialises them. The
// host must outlive every callback it schedules, except that callbacks first check
// FleetContext::stopping and touch nothing else once it is set: so the fleet sets
// `stopping`, stops the loop (joining its thread), and only then destroys hosts.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "net/async_client.h"
#include "net/client_loop.h"
#include "sim/host_profile.h"
#include "sim/sim_agent_config.h"
#include "sim/sim_fleet.h"
#include "sim/sim_log_lines.h"
#include "sim/sim_random.h"
#include "sim/sim_stats.h"

namespace quarry::sim {

// Parsed configs by content hash, shared by every host that received the same document
// (a fleet sees a handful of distinct configs). Thread-safe.
class ConfigCache {
 public:
  // The parsed form of `document` whose raw text hashes to `hash`; parses it on first
  // sight. nullptr if it does not parse (the host keeps its previous config).
  std::shared_ptr<const ParsedAgentConfig> Get(uint64_t hash, const boost::json::value& document);

 private:
  std::mutex mu_;
  std::unordered_map<uint64_t, std::weak_ptr<const ParsedAgentConfig>> entries_;
};

// What every host of a fleet shares. Outlives every callback (they hold a shared_ptr).
struct FleetContext {
  SimOptions options;
  FleetSpec spec;
  net::ClientOptions client_options;
  std::shared_ptr<net::ClientTlsContext> tls;
  SimCounters counters;
  ConfigCache configs;
  std::atomic<bool> stopping{false};
};

// A host's buffered log lines of one type: the lines, '\n'-terminated, in one string (a
// line is JSON and never holds a raw newline). Empty costs no heap memory.
class LineBuffer {
 public:
  // false (and nothing added) when `max_lines` are already buffered or the line would take
  // the buffer over `max_bytes`.
  bool Add(std::string_view line, size_t max_lines, size_t max_bytes);
  size_t count() const { return count_; }
  // Appends the first `n` lines (n <= count()) to `out` separated by ',', and returns the
  // bytes they take in the buffer (for Drop).
  size_t AppendJoined(size_t n, std::string& out) const;
  // Removes the first `n` lines, which take `bytes` bytes (from AppendJoined).
  void Drop(size_t n, size_t bytes);

 private:
  std::string data_;
  uint32_t count_ = 0;
};

class SimHost {
 public:
  SimHost(std::shared_ptr<FleetContext> context, net::ClientLoop& loop, HostProfile profile);
  ~SimHost();
  SimHost(const SimHost&) = delete;
  SimHost& operator=(const SimHost&) = delete;

  // Boots the agent: status line, enroll, first config, then logger, distributed loop and
  // schedule. REQUIRES: on the loop's thread; called once.
  void Start();

 private:
  enum Role : uint8_t { kConfigRole = 0, kLoggerRole = 1, kDistributedRole = 2 };

  struct QueryState {
    uint32_t spec = 0;        // index into config_->queries
    uint32_t interval = 0;    // splayed, seconds
    int64_t next_run_ms = 0;  // Unix ms
    int64_t last_run = 0;     // Unix s of the last successful run (to regenerate "removed" rows)
    uint32_t counter = 0;
    bool ran = false;              // the epoch's first run happened
    std::vector<uint64_t> hashes;  // sorted row hashes of the last run (differential only)
  };

  struct DistributedResult {
    std::string id;
    std::string rows_json;
    std::string message;
    int status = 0;
    bool stats = true;
    int64_t wall_time_ms = 0;
    int64_t user_time_ms = 0;
    int64_t system_time_ms = 0;
  };

  // --- plumbing
  net::AsyncHttpsClient& Client(Role role);
  void Send(Role role, AgentEndpoint endpoint, const std::string& path, std::string body,
            bool with_key, std::function<void(AgentReply&&)> done);
  uint64_t After(std::chrono::milliseconds delay, void (SimHost::*fn)());
  void CancelTimer(uint64_t& timer);
  std::chrono::milliseconds Backoff(int attempt) const;  // attempt² × backoff_unit
  std::string NodeKeyBody() const;                       // {"node_key":"…"}

  // --- enrollment (reference §2)
  void WithKey(Role role, std::function<void()> then);
  void Enroll();
  void OnEnroll(AgentReply&& reply);
  void DropKey(const std::string& key_used);

  // --- config (§3)
  void FetchConfig();
  void OnConfig(AgentReply&& reply);
  void ApplyConfig(const AgentReply& reply);
  void StartServices();

  // --- schedule (§4.4)
  void ApplySchedule(std::shared_ptr<const ParsedAgentConfig> config);
  void ArmScheduler();
  void OnSchedulerTimer();
  void RunScheduled(QueryState& state, const ScheduledQuerySpec& spec, int64_t now);
  size_t BufferRemovedRows(const ScheduledQuerySpec& spec, const QueryState& state,
                           const std::vector<uint64_t>& removed, const ResultLineHeader& header);

  // --- logger (§4)
  void BufferResult(std::string line);
  void BufferStatus(Severity severity, std::string_view filename, int line,
                    std::string_view message);
  void OnLoggerTimer();
  void FlushLogs(bool results, bool statuses);
  void SendLogs(bool results, size_t lines);
  void ArmLogger();

  // --- distributed (§5)
  void ReadDistributed();
  void OnDistributedRead(AgentReply&& reply);
  void RunDistributed(const boost::json::object& work);
  void WriteDistributed();
  void OnDistributedWrite(AgentReply&& reply, size_t sent);
  void SleepDistributed();
  DistributedResult RunQuery(std::string id, std::string_view sql, int64_t now);

  std::chrono::milliseconds DistributedInterval() const;
  std::chrono::milliseconds LoggerPeriod() const;

  const std::shared_ptr<FleetContext> ctx_;
  net::ClientLoop& loop_;
  const HostProfile profile_;
  SimRng rng_;
  std::string node_key_;
  std::array<std::shared_ptr<net::AsyncHttpsClient>, 3> clients_;

  // enrollment
  std::vector<std::function<void()>> key_waiters_;
  Role enroll_role_ = kConfigRole;
  bool enrolling_ = false;
  bool auth_header_ = false;  // osquery >= 5.23.0 sends Authorization: NodeKey
  uint16_t enroll_attempt_ = 0;

  // config
  uint8_t config_attempt_ = 0;
  bool services_started_ = false;
  uint64_t config_hash_ = 0;
  int32_t distributed_interval_s_ = 60;  // from the config's options; osqueryd's defaults
  int32_t logger_period_s_ = 4;
  uint32_t logger_max_lines_ = 1024;
  uint32_t buffered_log_max_ = 0;
  std::shared_ptr<const ParsedAgentConfig> config_;
  std::vector<QueryState> queries_;

  // logger
  LineBuffer results_;
  LineBuffer statuses_;
  uint16_t result_failures_ = 0;
  uint16_t status_failures_ = 0;
  uint32_t result_backoff_ = 0;  // periods to skip
  uint32_t status_backoff_ = 0;
  size_t status_lines_to_send_ = 0;  // of the flush in progress

  // distributed
  uint8_t distributed_attempt_ = 0;
  int64_t accelerate_until_ms_ = 0;
  std::vector<DistributedResult> pending_results_;

  // timers
  uint64_t enroll_timer_ = 0;
  uint64_t config_timer_ = 0;
  uint64_t logger_timer_ = 0;
  uint64_t distributed_timer_ = 0;
  uint64_t scheduler_timer_ = 0;
};

}  // namespace quarry::sim
