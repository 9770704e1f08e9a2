// `quarry sim`: runs a simulated fleet (SimFleet) against a server until --duration passes
// or SIGINT/SIGTERM arrives, then prints its statistics.
//
//   quarry sim --hosts 1000 --platforms linux=80,darwin=15,windows=5 --seed 7
//              --distributed-interval 10s --config-refresh 60s --logger-period 10s
//              --connections per-host|per-role --ramp-up 30s --duration 5m
//
// The target is --server https://host:port with --ca FILE and --enroll-secret-file FILE, or
// the server.json of a local server's --data-dir (default ./quarry-data); explicit flags
// win over what server.json says.
//
// No CLI11 here: SimFlags is a plain struct (sim_cli.h declares the options on a CLI11
// subcommand). Thread-safety: RunSim blocks SIGINT/SIGTERM in the calling thread while it
// runs (the fleet's threads inherit that), waits for them with sigtimedwait, and restores
// the mask before returning; call it from the main thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"
#include "sim/sim_fleet.h"

namespace quarry::sim {

struct SimFlags {
  // Target.
  std::string server;              // https://host:port (or host:port)
  std::string ca_file;             // --ca
  std::string enroll_secret_file;  // trimmed like osqueryd's --enroll_secret_path
  std::string data_dir = "./quarry-data";
  // Fleet.
  uint32_t hosts = 10;
  uint32_t first_index = 0;
  uint64_t seed = 1;
  std::string platforms = "linux=80,darwin=12,windows=8";
  // Durations: "90", "90s", "500ms", "5m", "1h30m"; "0" where noted.
  std::string distributed_interval = "0";  // 0: from the served config
  std::string logger_period = "0";         // 0: from the served config
  std::string config_refresh = "60s";      // 0: fetch once
  std::string duration = "0";              // 0: until SIGINT/SIGTERM
  std::string ramp_up = "0";
  std::string connections = "per-host";  // per-host | per-role
  unsigned threads = 0;                  // 0: one per core
  bool no_schedule = false;              // run no scheduled queries
  bool verbose = false;                  // stats to stderr every stats_every
  std::string stats_every = "10s";
  // --stats-json FILE: one JSON object per line, every stats_every (with or without
  // --verbose) and once more at the end ("final": true, taken before the fleet stops):
  // the wall-clock time (unix_us), the counters, per endpoint requests/errors/p50/p99/max and
  // the cumulative latency histogram, plus the process's rss_bytes and cpu_seconds. For
  // benchmarks.
  std::string stats_json;
};

// Parses a duration: digits with an optional unit (ms, s, m, h, d), possibly several
// ("1h30m"); bare digits are seconds. "0" is allowed (it means "off" where a flag says so).
// kInvalidArgument otherwise.
Result<std::chrono::milliseconds> ParseSimDuration(std::string_view text);

// Where a local server listens, from <data_dir>/server.json.
struct LocalServer {
  std::string agent_url;
  std::string ca_file;
  std::string enroll_secret_file;  // "" when the secret comes from the server's config file
};
Result<LocalServer> ReadServerJson(const std::string& data_dir);

// Resolves flags into SimOptions (reads server.json and the secret file as needed).
// kInvalidArgument / kNotFound naming the flag or file at fault.
Result<SimOptions> SimOptionsFromFlags(const SimFlags& flags);

// Runs the command; returns the process exit code (0 ok, 1 runtime failure, 2 bad flags).
int RunSim(const SimFlags& flags);

// Resident set size of this process, bytes (from /proc/self/statm); 0 if unknown.
size_t ProcessRssBytes();

}  // namespace quarry::sim
