// osquery's remote-API wire messages: parse agent request bodies, render responses.
//
// Pure functions, no I/O; fuzzed and unit-tested with malformed inputs. Every
// parse error is kInvalidArgument with a message naming the offending field.
// Shapes follow ../shared/reference/osquery-remote-api.md; key order is never
// relied on, unknown keys are ignored.
//
// Parsing uses simdjson On-Demand. A body with at least kPadding bytes of spare
// capacity (capacity() - size()) is parsed in place; otherwise it is copied once.
// Thread-safe: each thread uses its own parser internally.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "store/model.h"

namespace quarry::proto {

inline constexpr size_t kPadding = 64;

// POST enroll: {"enroll_secret", "host_identifier", "platform_type", "host_details"}.
struct EnrollRequest {
  std::string enroll_secret;  // "" when missing
  store::HostIdentity identity;
};
Result<EnrollRequest> ParseEnroll(const std::string& body);

// POST config and distributed read: {"node_key": "..."}. An empty body or a
// missing node_key gives "" (the key may come from the Authorization header).
Result<std::string> ParseNodeKey(const std::string& body);

// POST log: {"node_key", "log_type": "result"|"status", "data": [ {..}, .. ]}.
struct LogRequest {
  std::string node_key;
  store::LogType type = store::LogType::kResult;
  std::vector<store::LogLine> lines;
};
Result<LogRequest> ParseLog(const std::string& body);

// POST distributed write: {"queries": {id: [rows]}, "statuses": {id: int|string},
// "messages": {id: string}, "stats": {id: {..}}, "node_key"}. Every id named in
// any of the four maps yields one answer (run is left 0 for the caller to set).
struct DistributedWriteRequest {
  std::string node_key;
  std::vector<store::QueryAnswer> answers;
};
Result<DistributedWriteRequest> ParseDistributedWrite(const std::string& body);

// ---- Responses ----

// {"node_key":"...","node_invalid":false}
std::string RenderEnrollAccepted(std::string_view node_key);
// {"node_invalid":true}: no node_key, which is osqueryd's only refusal signal.
std::string RenderEnrollRefused();
// {"node_invalid":true}: the host must re-enroll.
std::string RenderNodeInvalid();
// {}: success with nothing to say (logger, distributed write).
std::string RenderEmptyObject();

struct PendingQuery {
  std::string id;
  std::string sql;
};
// {"queries":{id:sql,...}[,"accelerate":N]}; accelerate only when > 0.
std::string RenderDistributedRead(const std::vector<PendingQuery>& queries, int accelerate_seconds);

// {"error":"message"}: for 4xx/5xx answers. osqueryd treats any `error` key as a
// failed request, which is what these are.
std::string RenderError(std::string_view message);

}  // namespace quarry::proto
