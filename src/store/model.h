// The records Quarry keeps, as plain structs shared by fleet/ (which decides) and
// store/ (which persists). No database type appears here.
//
// Times are microseconds since the Unix epoch (int64) everywhere, so cursors and
// timelines mean the same thing on every backend.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace quarry::store {

using NodeId = int64_t;
using RunId = int64_t;

// What a host says about itself when it enrolls (from the enroll body's
// host_identifier, platform_type and host_details).
struct HostIdentity {
  std::string host_identifier;    // enroll body `host_identifier`: the identity key
  std::string hostname;           // system_info.hostname (falls back to host_identifier)
  std::string platform;           // os_version.platform, e.g. "ubuntu", "darwin", "windows"
  std::string platform_type;      // osquery's platform bitmask, as sent ("9", "21", "2")
  std::string os_name;            // os_version.name
  std::string os_version;         // os_version.version
  std::string osquery_version;    // osquery_info.version
  std::string hardware_uuid;      // system_info.uuid
  std::string hardware_serial;    // system_info.hardware_serial
  std::string host_details_json;  // the whole host_details object, as sent
};

struct Node {
  NodeId id = 0;
  HostIdentity identity;
  std::string node_key_hash;       // HashSecret(node key); empty when revoked
  std::string enroll_secret_name;  // which named enroll secret it used last
  std::vector<std::string> secret_labels;  // labels carried by that secret
  int64_t first_enrolled_us = 0;
  int64_t enrolled_us = 0;   // the latest enrollment
  int64_t last_seen_us = 0;  // as last flushed to the store (the live value is in memory)
  int64_t last_config_us = 0;
  int64_t last_log_us = 0;
  int64_t last_distributed_us = 0;
  bool revoked = false;
};

// Input to Store::EnrollNode.
struct Enrollment {
  HostIdentity identity;
  std::string node_key_hash;
  std::string enroll_secret_name;
  std::vector<std::string> secret_labels;
  std::string remote_address;
  int64_t at_us = 0;
};

enum class LogType { kResult, kStatus };

// One line of a logger POST. `raw_json` is the line's JSON object, verbatim.
// The other fields are extracted once, on ingest, so they can be searched.
struct LogLine {
  std::string raw_json;
  int64_t unix_time = 0;  // the line's own unixTime (seconds), 0 when absent
  // result lines: query name and action ("added", "removed", "snapshot", "" for batch)
  // status lines: name = source file name, action empty
  std::string name;
  std::string action;
  int severity = 0;     // status lines only
  std::string message;  // status lines only
  std::string host_identifier;  // the line's hostIdentifier
};

struct LogBatch {
  NodeId node = 0;
  LogType type = LogType::kResult;
  int64_t received_us = 0;
  std::vector<LogLine> lines;
};

struct QueryStats {
  bool present = false;  // false when the host sent `{}` or nothing
  int64_t wall_time_ms = 0;
  int64_t user_time = 0;
  int64_t system_time = 0;
  int64_t memory = 0;
};

// One query's answer inside a distributed write.
struct QueryAnswer {
  std::string query_id;  // the id as the host sent it
  RunId run = 0;         // 0 when query_id does not name one of our runs
  int status = 0;        // 0 = success; anything else = failure
  std::string message;
  QueryStats stats;
  std::vector<std::string> rows_json;  // each row object, verbatim
};

struct DistributedWrite {
  NodeId node = 0;
  int64_t received_us = 0;
  std::vector<QueryAnswer> answers;
};

// A host picked a run up (the run's SQL went out in a distributed read response).
struct Pickup {
  RunId run = 0;
  NodeId node = 0;
  int64_t at_us = 0;
};

enum class SeenVia { kConfig, kLog, kDistributed };

// Last-seen times are kept in memory and flushed in batches.
struct LastSeen {
  NodeId node = 0;
  int64_t last_seen_us = 0;
  int64_t last_config_us = 0;
  int64_t last_log_us = 0;
  int64_t last_distributed_us = 0;
};

// Input to Store::CreateRun.
struct RunSpec {
  std::string sql;
  std::string submitted_by;
  std::string selector_json;  // the target selector, as submitted
  std::string reduce_sql;     // optional fleet-wide aggregation over the results
  int64_t created_us = 0;
  int64_t deadline_us = 0;
  std::vector<NodeId> targets;  // the resolved host list
};

enum class HostRunState { kPending, kPickedUp, kAnswered, kFailed, kExpired, kCancelled };
const char* HostRunStateName(HostRunState state);
// Inverse of HostRunStateName; nullopt for any other text.
std::optional<HostRunState> ParseHostRunState(std::string_view name);

enum class RunStatus { kRunning, kFinished, kCancelled, kExpired };
const char* RunStatusName(RunStatus status);
// Inverse of RunStatusName; nullopt for any other text.
std::optional<RunStatus> ParseRunStatus(std::string_view name);

// One target host's progress through a run: the execution timeline.
struct RunHost {
  RunId run = 0;
  NodeId node = 0;
  HostRunState state = HostRunState::kPending;
  int64_t picked_up_us = 0;
  int64_t finished_us = 0;  // answered, failed, expired or cancelled
  int status = 0;
  std::string message;
  int64_t rows = 0;
  QueryStats stats;
};

struct Run {
  RunId id = 0;
  std::string sql;
  std::string submitted_by;
  std::string selector_json;
  std::string reduce_sql;
  int64_t created_us = 0;
  int64_t deadline_us = 0;
  int64_t ended_us = 0;
  RunStatus status = RunStatus::kRunning;
};

// A run that has not ended, with the targets that have not picked it up yet.
// Used to rebuild the in-memory pending set at start-up.
struct OpenRun {
  Run run;
  std::vector<NodeId> pending_nodes;
};

// One stored result row of a run.
struct ResultRow {
  int64_t seq = 0;  // increasing per store: a resumable cursor
  RunId run = 0;
  NodeId node = 0;
  std::string row_json;
};

// ---- Labels ----
// Named sets of hosts. Manual labels list their hosts; dynamic labels hold an
// osquery SQL statement that Quarry sends to hosts, and a host is a member while
// it returns rows. Labels carried by an enroll secret are not stored here: they
// are the node's secret_labels.
enum class LabelKind { kManual, kDynamic };
const char* LabelKindName(LabelKind kind);
// Inverse of LabelKindName; nullopt for any other text.
std::optional<LabelKind> ParseLabelKind(std::string_view name);

struct Label {
  int64_t id = 0;
  std::string name;  // unique
  std::string description;
  LabelKind kind = LabelKind::kManual;
  std::string sql;               // dynamic only
  int64_t refresh_seconds = 0;   // dynamic only: how often hosts re-evaluate it
  int64_t created_us = 0;
  int64_t updated_us = 0;
};

struct LabelMembership {
  int64_t label = 0;
  NodeId node = 0;
  bool member = false;
  int64_t updated_us = 0;
};

// ---- Operator tokens ----
enum class TokenRole { kViewer, kOperator, kAdmin };
const char* TokenRoleName(TokenRole role);
// Inverse of TokenRoleName; nullopt for any other text.
std::optional<TokenRole> ParseTokenRole(std::string_view name);

struct ApiToken {
  int64_t id = 0;
  std::string name;        // unique among live tokens
  std::string token_hash;  // HashSecret(token); the token itself is never stored
  TokenRole role = TokenRole::kViewer;
  std::string created_by;
  int64_t created_us = 0;
  bool revoked = false;
};

// ---- Audit ----
// Every operator action that changes something: who, when, what.
struct AuditEvent {
  int64_t id = 0;
  int64_t at_us = 0;
  std::string actor;        // token name
  std::string action;       // "run.create", "run.cancel", "host.revoke", "label.create", ...
  std::string detail_json;  // the action's parameters (for runs: SQL, selector, targets)
};

struct RunFilter {
  int64_t before_id = 0;  // 0: from the newest
  size_t limit = 50;
  std::optional<RunStatus> status;
};

}  // namespace quarry::store
