// SimFleet: N simulated osqueryd hosts in one process, talking to a Quarry (or any osquery
// TLS) server exactly as osqueryd does (../shared/reference/osquery-remote-api.md): enroll
// with the profile's host_details and osqueryd's backoff, config fetch and refresh,
// scheduled queries with event-format differential and snapshot result lines, status lines,
// a buffered gzip logger with osqueryd's batching and backoff, the distributed
// read → run → write loop with accelerate, and re-enrollment after node_invalid.
//
// Design: no thread per host. Each host is a small state machine driven by timers and
// request completions on one ClientLoop; the fleet runs `threads` loops of ONE thread each
// and pins every host to one of them, so a host's callbacks never run concurrently and
// need no lock, and the thread-local QueryEngine (not thread-safe) serves all hosts of its
// loop. Per host the state is its HostProfile (~1.7 KB), node key, timer ids, buffered log
// lines (bounded), pending distributed results, and per scheduled query a sorted vector of
// 64-bit row hashes; generated rows are never kept. The TLS connections (one per host, or
// three with per-role connections, like osqueryd's config/logger/distributed threads)
// dominate memory.
//
// Thread-safety: Create, Start, Stop and the destructor from one controlling thread (not a
// loop thread); Stats() from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "base/result.h"
#include "sim/host_profile.h"
#include "sim/sim_stats.h"

namespace quarry::sim {

enum class ConnectionMode {
  kPerHost,  // one keep-alive connection per host, shared by every request
  kPerRole,  // three per host: config, logger, distributed (osqueryd's threads)
};

struct AgentPaths {
  std::string enroll = "/api/v1/osquery/enroll";
  std::string config = "/api/v1/osquery/config";
  std::string log = "/api/v1/osquery/log";
  std::string distributed_read = "/api/v1/osquery/distributed/read";
  std::string distributed_write = "/api/v1/osquery/distributed/write";
};

struct SimOptions {
  // --- The server (osqueryd's --tls_hostname, --tls_server_certs, enroll secret).
  std::string server_host = "127.0.0.1";
  uint16_t server_port = 8443;
  std::string verify_name;  // certificate name to verify and send as SNI; "" = server_host
  std::string ca_file;      // required
  std::string enroll_secret;
  AgentPaths paths;

  // --- The fleet. Host i is MakeHostProfile({seed, mix, fleet_start_unix}, first_index + i).
  uint32_t hosts = 10;
  uint32_t first_index = 0;  // to split one fleet over several processes
  uint64_t seed = 1;
  std::string platforms = "linux=80,darwin=12,windows=8";  // ParsePlatformMix syntax
  int64_t fleet_start_unix = FleetSpec{}.start_unix;

  // --- Periods. An override of 0 takes the value from the served config's `options`
  // (osqueryd's default when the config does not set it: 60 s and 4 s).
  std::chrono::seconds distributed_interval{0};
  std::chrono::seconds logger_period{0};
  std::chrono::seconds config_refresh{60};               // 0: fetch the config once
  std::chrono::seconds config_accelerated_refresh{300};  // after a failed refresh
  // Hosts start spread evenly over this time (host i at i/N of it).
  std::chrono::milliseconds ramp_up{0};

  ConnectionMode connections = ConnectionMode::kPerHost;
  unsigned threads = 0;  // event-loop threads; 0 = one per core

  // --- Scheduled queries. When false, hosts still fetch configs but run no schedule.
  bool scheduled_queries = true;
  // A query's first run comes at a random point within min(interval, this) after the
  // host applies its config, then every interval (splayed ±10% per host, like osqueryd's
  // schedule_splay_percent). 0: like osqueryd, runs fall on Unix-time multiples of the
  // splayed interval (a 1 h query first runs up to 1 h after start).
  std::chrono::seconds schedule_first_run_window{60};

  // --- Limits; osqueryd's defaults unless noted.
  int enroll_max_attempts = 12;                   // --tls_enroll_max_attempts (0: unlimited)
  std::chrono::seconds enroll_max_interval{600};  // --tls_enroll_max_interval
  // After enroll_max_attempts failures osqueryd exits and its service manager restarts it;
  // the simulated host starts enrolling afresh after this long.
  std::chrono::seconds enroll_restart_delay{10};
  int config_max_attempts = 3;       // --config_tls_max_attempts
  int distributed_max_attempts = 3;  // --distributed_tls_max_attempts
  size_t logger_max_lines = 1024;    // --logger_tls_max_lines (results + statuses per flush)
  // --buffered_log_max, per host and per log type. osqueryd's default is 1,000,000 lines
  // (kept on disk); the simulator keeps lines in memory, so it also bounds their bytes:
  // a fleet whose server is down holds at most hosts × 2 × buffered_log_max_bytes. When a
  // buffer is full, new lines are dropped (counted in SimStats::log_lines_dropped).
  size_t buffered_log_max = 10'000;
  size_t buffered_log_max_bytes = 128 * 1024;
  std::chrono::seconds logger_backoff_max{3600};  // --logger_tls_backoff_max
  bool logger_compress = true;                    // --logger_tls_compress
  std::chrono::milliseconds request_timeout{16'000};

  // The unit of osqueryd's k² retry waits (1 s). A test hook: tests shrink it.
  std::chrono::milliseconds backoff_unit{1000};
};

class SimFleet {
 public:
  // Checks the options and loads the CA file; connects nothing yet.
  // kInvalidArgument: no CA file or it does not load, a bad platform mix, hosts == 0.
  static Result<std::unique_ptr<SimFleet>> Create(SimOptions options);
  ~SimFleet();  // Stop()
  SimFleet(const SimFleet&) = delete;
  SimFleet& operator=(const SimFleet&) = delete;

  // Builds the hosts' profiles and starts the loops; hosts begin over options.ramp_up.
  // Later calls do nothing.
  void Start();

  // Stops every host at once (pending requests are abandoned, buffered lines and unsent
  // results are lost, as when osqueryd is killed) and joins the loops. Idempotent.
  void Stop();

  SimStats Stats() const;

  const SimOptions& options() const;

  struct Impl;

 private:
  explicit SimFleet(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace quarry::sim
