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
//
// Every byte of a body is validated as JSON (RFC 8259), unknown members
// included, so text kept verbatim (rows, log lines, host_details) is always a
// valid JSON object, without surrounding whitespace. Refused as well: nesting
// deeper than 64 levels, content after the root object, a root that is not an
// object, and a blank body (except by ParseNodeKey). Duplicate member names are
// allowed; where a field is read, the last one wins.
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
// host_identifier must be a non-empty string; platform_type may also be a
// non-negative integer (kept as its decimal text); host_details, when present,
// is an object whose os_version/osquery_info/system_info fields read into the
// identity must be strings. hostname falls back to host_identifier;
// host_details_json is "" when host_details is absent.
struct EnrollRequest {
  std::string enroll_secret;  // "" when missing
  store::HostIdentity identity;
};
Result<EnrollRequest> ParseEnroll(const std::string& body);

// POST config and distributed read: {"node_key": "..."}. An empty body or a
// missing node_key gives "" (the key may come from the Authorization header).
Result<std::string> ParseNodeKey(const std::string& body);

// POST log: {"node_key", "log_type": "result"|"status", "data": [ {..}, .. ]}.
// log_type and data are required; every data element must be an object. The
// fields copied out of a line are read leniently (unixTime and severity as a
// number or numeric string; anything unexpected leaves the default), because
// osqueryd resends a refused batch forever. Status lines: LogLine::name is the
// line's `filename`. Result lines: severity 0, message "".
struct LogRequest {
  std::string node_key;
  store::LogType type = store::LogType::kResult;
  std::vector<store::LogLine> lines;
};
Result<LogRequest> ParseLog(const std::string& body);

// POST distributed write: {"queries": {id: [rows]}, "statuses": {id: int|string},
// "messages": {id: string}, "stats": {id: {..}}, "node_key"}. Every id named in
// any of the four maps yields one answer (run is left 0 for the caller to set),
// in order of first mention; an id without a status has status 0. Rows must be
// objects; statuses integers or numeric strings; stats members integers
// (values beyond int64 saturate), and stats `{}` leaves stats.present false.
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
