// ServerConfig: everything `quarry serve` can be told, loaded once from a TOML
// file (optional), then QUARRY_SECTION_KEY environment variables, then flags.
//
// Unknown keys are errors; every error names its line (and column) in the file.
// See docs/configuration.md for every key with its default.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "base/result.h"

namespace quarry::config {

struct EnrollSecret {
  std::string name;    // shown in the host's record
  std::string secret;  // the value hosts send
  std::vector<std::string> labels;  // given to hosts that enroll with it
};

struct AgentPaths {
  // Quarry's own set; the same paths without "/v1" and the Splunk app's set are
  // served too (see api/routes.cpp).
  std::string prefix = "/api/v1/osquery";
  std::string enroll = "/enroll";
  std::string config = "/config";
  std::string log = "/log";
  std::string distributed_read = "/distributed/read";
  std::string distributed_write = "/distributed/write";
  std::string carve_begin = "/carve/begin";
  std::string carve_block = "/carve/block";
};

struct Limits {
  size_t header_bytes = 16 * 1024;
  size_t enroll_body_bytes = 64 * 1024;
  size_t small_body_bytes = 16 * 1024;          // config, distributed read
  size_t log_body_bytes = 64 * 1024 * 1024;      // on the wire
  size_t write_body_bytes = 64 * 1024 * 1024;    // distributed write
  size_t inflated_body_bytes = 256 * 1024 * 1024;
  size_t admin_body_bytes = 1024 * 1024;
  std::chrono::milliseconds handshake_timeout{10'000};
  std::chrono::milliseconds read_timeout{30'000};
  std::chrono::milliseconds idle_timeout{120'000};
  std::chrono::milliseconds write_timeout{30'000};
  size_t max_connections = 200'000;
  // Queued store writes before agents are told "try later" (503). Sized for a
  // whole large fleet answering one query at once (one write per host).
  size_t write_queue = 65536;
  int enroll_failures_per_minute = 30;  // per source address
};

struct TlsConfig {
  std::string cert_file;  // "" = generated into the data dir
  std::string key_file;
  std::string client_ca_file;
  std::string client_cert_mode = "off";  // off | optional | required
  std::vector<std::string> extra_names;  // extra SANs for the generated certificate
};

struct AgentConfig {
  std::string listen = "0.0.0.0:8443";
  AgentPaths paths;
  std::string public_hostname;  // written into osquery.flags; default: the machine's hostname
  // With held polls a host is listening for new queries almost all the time:
  // it polls, the read is held up to hold_poll_ms, and it polls again
  // distributed_interval seconds after the answer. So a short interval gives
  // fast delivery at a low request rate (one read per ~13 s per idle host).
  int distributed_interval = 1;
  int hold_poll_ms = 12'000;      // 0: answer empty reads at once
  int online_window_seconds = 0;  // 0: 2 x (distributed_interval + hold)
  int config_refresh = 60;
  int logger_period = 10;
  int accelerate_seconds = 60;  // sent while a host has pending work
};

struct AdminConfig {
  std::string listen = "127.0.0.1:8444";
  bool tls = true;
};

struct StoreConfig {
  std::string driver = "sqlite";  // sqlite | postgres
  std::string sqlite_path;        // "" = <data_dir>/quarry.db
  std::string postgres_url;
};

struct ServerConfig {
  std::string data_dir = "./quarry-data";
  std::string log_level = "info";
  unsigned threads = 0;  // I/O threads; 0 = one per core
  AgentConfig agent;
  AdminConfig admin;
  TlsConfig tls;
  std::vector<EnrollSecret> enroll_secrets;  // empty: one "default", generated
  Limits limits;
  StoreConfig store;
  // The osquery config served to hosts, as JSON text: the base document, and
  // per-platform overrides merged over it ("linux", "darwin", "windows", or an
  // os_version.platform value such as "ubuntu"). Objects merge key by key;
  // everything else replaces.
  std::string osquery_config_json;
  std::map<std::string, std::string> osquery_platform_json;
};

// Loads `path` (may be "" for none), then environment overrides from `env`
// (e.g. QUARRY_AGENT_LISTEN, QUARRY_LIMITS_LOG_BODY_BYTES; a key path joined by
// '_', upper-cased). Validates the result.
Result<ServerConfig> LoadConfig(const std::string& path, char** env);

// Validates a file: all errors, one per line, "FILE:LINE:COL: message".
// Empty on success.
std::vector<std::string> CheckConfigFile(const std::string& path);

// The osquery config document for a host of this platform: the base merged with
// the overrides for its platform family and its exact platform.
// `platform` is os_version.platform; `platform_type` is osquery's bitmask string.
std::string OsqueryConfigFor(const ServerConfig& config, const std::string& platform,
                             const std::string& platform_type);

// Parses "host:port" or "[v6]:port". kInvalidArgument on anything else.
Result<std::pair<std::string, uint16_t>> ParseListenAddress(const std::string& text);

}  // namespace quarry::config
