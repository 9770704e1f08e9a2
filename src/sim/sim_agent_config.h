// What a simulated osqueryd takes from a config response (protocol reference §3.3): the
// schedule (the "main" pack), the packs' queries, and the few `options` the simulator
// honours. Parsed once per distinct document and shared by every host that received it.
//
// Also: ReadAgentReply, the one place that judges an agent-endpoint response the way
// osqueryd's request helper does (§1.3): the HTTP status is ignored, an empty body is {},
// anything but a JSON object fails, `"node_invalid": true` fails and drops the node key,
// and the mere presence of an `error` key fails.
//
// Pure functions; thread-safe. A ParsedAgentConfig is immutable once built. Internal to sim/.
#pragma once

#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "sim/host_profile.h"

namespace quarry::sim {

// Platform families a query runs on, as a bitmask of (1 << PlatformFamily).
inline constexpr uint8_t kAllPlatforms = 0x7;

// osquery's query-object fields the simulator uses (packs.cpp semantics).
struct ScheduledQuerySpec {
  std::string name;  // bare for the schedule, pack<delim><pack><delim><query> for packs
  std::string sql;
  uint32_t interval = 3600;  // seconds, 1 … 604800
  bool snapshot = false;
  bool removed = true;  // log "removed" rows (differential only)
  uint8_t platforms = kAllPlatforms;
};

// `options` the simulator honours; each is set only when the document names it (options
// merge over earlier ones, as osqueryd's do).
struct AgentConfigOptions {
  std::optional<int64_t> distributed_interval;  // seconds
  std::optional<int64_t> logger_tls_period;     // seconds
  std::optional<int64_t> logger_tls_max_lines;
  std::optional<int64_t> buffered_log_max;
};

struct ParsedAgentConfig {
  std::vector<ScheduledQuerySpec> queries;  // schedule first, then packs, document order
  AgentConfigOptions options;
  size_t dropped_queries = 0;  // reserved names, bad intervals, duplicates, missing SQL
};

// Parses a config document (already judged by ReadAgentReply). Lenient where osqueryd is
// lenient (a bad query is dropped, not fatal); kInvalidArgument only when the root is not
// an object.
Result<ParsedAgentConfig> ParseAgentConfig(const boost::json::value& document);

// True when `platform` (a query's or pack's "platform" field: a comma list of linux,
// darwin, windows, posix, any, all; "" for all) includes `family`.
bool PlatformMatches(uint8_t platforms, PlatformFamily family);
uint8_t ParsePlatformList(std::string_view platform);

// An agent-endpoint response as osqueryd judges it.
struct AgentReply {
  bool ok = false;
  bool node_invalid = false;  // "node_invalid": true (never set for enroll)
  std::string error;          // why !ok, for logs
  boost::json::value body;    // the parsed object when it parsed (null otherwise)
  std::string raw;            // the body as received, when the caller keeps it
};

// `enroll`: osqueryd's enroll plugin reads neither node_invalid nor error (§2.3); the
// caller looks for node_key itself.
AgentReply ReadAgentReply(std::string_view body, bool enroll);

// The node key of an enroll response: `node_key`, else `id`, as a non-empty string; ""
// when neither (a refusal).
std::string EnrolledNodeKey(const boost::json::value& body);

}  // namespace quarry::sim
