#include "store/sqlite/sqlite_store.h"

#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <limits>
#include <mutex>
#include <thread>
#include <unordered_set>
#include <utility>
#include <variant>

#include <fmt/format.h>

#include "base/clock.h"
#include "base/log.h"
#include "store/sqlite/migrations.h"
#include "store/sqlite/sqlite_db.h"

namespace quarry::store {
namespace {

using sqlite::Db;
using sqlite::OpenMode;
using sqlite::Savepoint;
using sqlite::Stmt;
using sqlite::Tx;

// How long a connection waits for a lock held by another connection (only
// checkpoints and other processes contend: there is one writer).
constexpr int kBusyTimeoutMs = 5000;
// Page cache of the write connection, in KiB (negative = KiB for SQLite).
constexpr int kWriterCacheKiB = 32 * 1024;
// The WAL file is truncated back to this size after checkpoints.
constexpr int64_t kJournalSizeLimitBytes = 64 * 1024 * 1024;

// ---- SQL text ----
//
// Column lists are shared between SELECTs and RETURNING clauses so that the
// row readers below (which read by position) stay in step with every query.

constexpr std::string_view kNodeColumns =
    "id, host_identifier, hostname, platform, platform_type, os_name, os_version, "
    "osquery_version, hardware_uuid, hardware_serial, host_details, node_key_hash, "
    "enroll_secret_name, secret_labels, first_enrolled_us, enrolled_us, last_seen_us, "
    "last_config_us, last_log_us, last_distributed_us, revoked";

constexpr std::string_view kRunColumns =
    "id, sql, submitted_by, selector, created_us, deadline_us, ended_us, status";

constexpr std::string_view kRunHostColumns =
    "run_id, host_id, state, picked_up_us, finished_us, status, message, row_count, "
    "wall_time_ms, user_time, system_time, memory";

std::string Sql(std::string_view head, std::string_view columns, std::string_view tail) {
  std::string text;
  text.reserve(head.size() + columns.size() + tail.size());
  text.append(head).append(columns).append(tail);
  return text;
}

// Statements that embed a column list, built once.
struct Statements {
  std::string select_node = Sql("SELECT ", kNodeColumns, " FROM hosts WHERE id = ?1");
  std::string list_nodes = Sql("SELECT ", kNodeColumns, " FROM hosts ORDER BY id");
  std::string select_run = Sql("SELECT ", kRunColumns, " FROM runs WHERE id = ?1");
  std::string list_running_runs =
      Sql("SELECT ", kRunColumns, " FROM runs WHERE status = 'running' ORDER BY id");
  std::string end_run = Sql(
      "UPDATE runs SET status = ?2, ended_us = ?3 WHERE id = ?1 AND status = 'running' RETURNING ",
      kRunColumns, "");
  std::string list_run_hosts =
      Sql("SELECT ", kRunHostColumns, " FROM run_hosts WHERE run_id = ?1 ORDER BY host_id");
  std::string pick_up = Sql(
      "UPDATE run_hosts SET state = 'picked_up', picked_up_us = ?3 "
      "WHERE run_id = ?1 AND host_id = ?2 AND state = 'pending' RETURNING ",
      kRunHostColumns, "");
  std::string answer = Sql(
      "UPDATE run_hosts SET state = ?3, finished_us = ?4, status = ?5, message = ?6, "
      "row_count = ?7, wall_time_ms = ?8, user_time = ?9, system_time = ?10, memory = ?11 "
      "WHERE run_id = ?1 AND host_id = ?2 RETURNING ",
      kRunHostColumns, "");
  // Ends every unfinished host of a run (cancel, expire).
  std::string end_hosts = Sql(
      "UPDATE run_hosts SET state = ?2, finished_us = ?3 "
      "WHERE run_id = ?1 AND state IN ('pending', 'picked_up') RETURNING ",
      kRunHostColumns, "");
};

const Statements& Sql() {
  static const Statements& statements = *new Statements();
  return statements;
}

// ---- Encoding ----

// JSON array of strings. Bytes >= 0x80 pass through (UTF-8 as received).
std::string EncodeStringArray(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ',';
    out += '"';
    for (char c : items[i]) {
      switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
          if (static_cast<unsigned char>(c) < 0x20) {
            out += fmt::format("\\u{:04x}", static_cast<unsigned>(c));
          } else {
            out += c;
          }
      }
    }
    out += '"';
  }
  out += ']';
  return out;
}

// Decoding goes through SQLite's own JSON parser rather than a second one here.
Result<std::vector<std::string>> DecodeStringArray(Db& db, const std::string& json) {
  auto stmt = db.Prepare("SELECT value FROM json_each(?1)");
  if (!stmt) return Fail(stmt.error());
  stmt->BindText(1, json);
  std::vector<std::string> items;
  for (;;) {
    auto row = stmt->Step();
    if (!row) return Fail(row.error());
    if (!*row) break;
    items.push_back(stmt->ColumnText(0));
  }
  return items;
}

// A JSON array of row objects, each kept verbatim.
std::string JoinRows(const std::vector<std::string>& rows) {
  size_t size = 2;
  for (const std::string& row : rows) size += row.size() + 1;
  std::string out;
  out.reserve(size);
  out += '[';
  for (size_t i = 0; i < rows.size(); ++i) {
    if (i > 0) out += ',';
    out += rows[i];
  }
  out += ']';
  return out;
}

// ---- Row readers (by position; see the column lists above) ----

Result<Node> ReadNodeRow(Db& db, const Stmt& row) {
  Node node;
  node.id = row.ColumnInt(0);
  HostIdentity& identity = node.identity;
  identity.host_identifier = row.ColumnText(1);
  identity.hostname = row.ColumnText(2);
  identity.platform = row.ColumnText(3);
  identity.platform_type = row.ColumnText(4);
  identity.os_name = row.ColumnText(5);
  identity.os_version = row.ColumnText(6);
  identity.osquery_version = row.ColumnText(7);
  identity.hardware_uuid = row.ColumnText(8);
  identity.hardware_serial = row.ColumnText(9);
  identity.host_details_json = row.ColumnText(10);
  node.node_key_hash = row.ColumnText(11);
  node.enroll_secret_name = row.ColumnText(12);
  auto labels = DecodeStringArray(db, row.ColumnText(13));
  if (!labels) return Fail(labels.error());
  node.secret_labels = std::move(*labels);
  node.first_enrolled_us = row.ColumnInt(14);
  node.enrolled_us = row.ColumnInt(15);
  node.last_seen_us = row.ColumnInt(16);
  node.last_config_us = row.ColumnInt(17);
  node.last_log_us = row.ColumnInt(18);
  node.last_distributed_us = row.ColumnInt(19);
  node.revoked = row.ColumnInt(20) != 0;
  return node;
}

Result<Run> ReadRunRow(const Stmt& row) {
  Run run;
  run.id = row.ColumnInt(0);
  run.sql = row.ColumnText(1);
  run.submitted_by = row.ColumnText(2);
  run.selector_json = row.ColumnText(3);
  run.created_us = row.ColumnInt(4);
  run.deadline_us = row.ColumnInt(5);
  run.ended_us = row.ColumnInt(6);
  std::string status = row.ColumnText(7);
  auto parsed = ParseRunStatus(status);
  if (!parsed) return Fail(ErrorCode::kInternal, fmt::format("run {}: bad status '{}'", run.id, status));
  run.status = *parsed;
  return run;
}

Result<RunHost> ReadRunHostRow(const Stmt& row) {
  RunHost host;
  host.run = row.ColumnInt(0);
  host.node = row.ColumnInt(1);
  std::string state = row.ColumnText(2);
  auto parsed = ParseHostRunState(state);
  if (!parsed) {
    return Fail(ErrorCode::kInternal,
                fmt::format("run {} host {}: bad state '{}'", host.run, host.node, state));
  }
  host.state = *parsed;
  host.picked_up_us = row.ColumnInt(3);
  host.finished_us = row.ColumnInt(4);
  host.status = static_cast<int>(row.ColumnInt(5));
  host.message = row.ColumnText(6);
  host.rows = row.ColumnInt(7);
  host.stats.present = !row.ColumnIsNull(8);
  host.stats.wall_time_ms = row.ColumnInt(8);
  host.stats.user_time = row.ColumnInt(9);
  host.stats.system_time = row.ColumnInt(10);
  host.stats.memory = row.ColumnInt(11);
  return host;
}

// Steps `stmt` to the end, reading each row with `read`.
template <class T, class ReadFn>
Result<std::vector<T>> ReadAll(Stmt& stmt, ReadFn read) {
  std::vector<T> out;
  for (;;) {
    auto row = stmt.Step();
    if (!row) return Fail(row.error());
    if (!*row) break;
    auto item = read(stmt);
    if (!item) return Fail(item.error());
    out.push_back(std::move(*item));
  }
  return out;
}

// ---- Queries shared by the writer and the readers ----

Result<std::optional<Node>> QueryNode(Db& db, NodeId id) {
  auto stmt = db.Prepare(Sql().select_node);
  if (!stmt) return Fail(stmt.error());
  stmt->BindInt(1, id);
  auto row = stmt->Step();
  if (!row) return Fail(row.error());
  if (!*row) return std::optional<Node>();
  auto node = ReadNodeRow(db, *stmt);
  if (!node) return Fail(node.error());
  return std::optional<Node>(std::move(*node));
}

Result<std::optional<Run>> QueryRun(Db& db, RunId id) {
  auto stmt = db.Prepare(Sql().select_run);
  if (!stmt) return Fail(stmt.error());
  stmt->BindInt(1, id);
  auto row = stmt->Step();
  if (!row) return Fail(row.error());
  if (!*row) return std::optional<Run>();
  auto run = ReadRunRow(*stmt);
  if (!run) return Fail(run.error());
  return std::optional<Run>(std::move(*run));
}

Result<bool> NodeExists(Db& db, NodeId id) {
  auto stmt = db.Prepare("SELECT 1 FROM hosts WHERE id = ?1");
  if (!stmt) return Fail(stmt.error());
  stmt->BindInt(1, id);
  return stmt->Step();
}

Result<void> RequireNode(Db& db, NodeId id) {
  auto exists = NodeExists(db, id);
  if (!exists) return Fail(exists.error());
  if (!*exists) return Fail(ErrorCode::kNotFound, fmt::format("unknown node {}", id));
  return Ok();
}

// ---- Observer events, recorded inside the transaction, delivered after it ----

struct NodeChanged {
  Node node;
};
struct RunCreated {
  Run run;
  std::vector<NodeId> targets;
};
struct RunHostChanged {
  RunHost host;
};
struct RunEnded {
  Run run;
};
using Event = std::variant<NodeChanged, RunCreated, RunHostChanged, RunEnded>;
using Events = std::vector<Event>;

// Runs a RETURNING statement that changes hosts' states and records each changed
// host as an event.
Result<void> CollectHostChanges(Stmt& stmt, Events& events) {
  auto hosts = ReadAll<RunHost>(stmt, ReadRunHostRow);
  if (!hosts) return Fail(hosts.error());
  for (RunHost& host : *hosts) events.push_back(RunHostChanged{std::move(host)});
  return Ok();
}

// Ends a running run with `status` at `at_us`. Returns nullopt when the run was
// not running.
Result<std::optional<Run>> EndRun(Db& db, RunId id, RunStatus status, int64_t at_us,
                                  Events& events) {
  auto stmt = db.Prepare(Sql().end_run);
  if (!stmt) return Fail(stmt.error());
  stmt->BindInt(1, id).BindText(2, RunStatusName(status)).BindInt(3, at_us);
  auto runs = ReadAll<Run>(*stmt, ReadRunRow);
  if (!runs) return Fail(runs.error());
  if (runs->empty()) return std::optional<Run>();
  events.push_back(RunEnded{(*runs)[0]});
  return std::optional<Run>(std::move((*runs)[0]));
}

// Moves every unfinished host of a run to `state` and ends the run with `status`.
Result<std::optional<Run>> EndRunAndHosts(Db& db, RunId id, HostRunState state, RunStatus status,
                                          int64_t at_us, Events& events) {
  auto stmt = db.Prepare(Sql().end_hosts);
  if (!stmt) return Fail(stmt.error());
  stmt->BindInt(1, id).BindText(2, HostRunStateName(state)).BindInt(3, at_us);
  if (auto collected = CollectHostChanges(*stmt, events); !collected) {
    return Fail(collected.error());
  }
  return EndRun(db, id, status, at_us, events);
}

// Ends the run as finished when none of its hosts is still pending or picked up.
Result<void> FinishRunIfDone(Db& db, RunId id, int64_t at_us, Events& events) {
  auto open = db.Prepare(
      "SELECT EXISTS (SELECT 1 FROM run_hosts WHERE run_id = ?1 "
      "AND state IN ('pending', 'picked_up'))");
  if (!open) return Fail(open.error());
  open->BindInt(1, id);
  auto row = open->Step();
  if (!row) return Fail(row.error());
  if (!*row) return Fail(ErrorCode::kInternal, "EXISTS returned no row");
  if (open->ColumnInt(0) != 0) return Ok();
  auto ended = EndRun(db, id, RunStatus::kFinished, at_us, events);
  if (!ended) return Fail(ended.error());
  return Ok();
}

// ---- Write operations: each runs on the writer thread inside a savepoint ----

Result<Node> DoEnrollNode(Db& db, const Enrollment& e, Events& events) {
  if (e.identity.host_identifier.empty()) {
    return Fail(ErrorCode::kInvalidArgument, "enrollment without host_identifier");
  }
  if (e.node_key_hash.empty()) {
    return Fail(ErrorCode::kInvalidArgument, "enrollment without node key hash");
  }
  auto find = db.Prepare("SELECT id FROM hosts WHERE host_identifier = ?1");
  if (!find) return Fail(find.error());
  find->BindText(1, e.identity.host_identifier);
  auto found = find->Step();
  if (!found) return Fail(found.error());
  const bool re_enrollment = *found;
  NodeId id = re_enrollment ? find->ColumnInt(0) : 0;
  find->Reset();

  const HostIdentity& h = e.identity;
  const std::string labels = EncodeStringArray(e.secret_labels);
  if (re_enrollment) {
    // Same id, new identity and key: the old key hash stops matching.
    auto update = db.Prepare(
        "UPDATE hosts SET hostname = ?2, platform = ?3, platform_type = ?4, os_name = ?5, "
        "os_version = ?6, osquery_version = ?7, hardware_uuid = ?8, hardware_serial = ?9, "
        "host_details = ?10, node_key_hash = ?11, enroll_secret_name = ?12, "
        "secret_labels = ?13, enrolled_us = ?14, revoked = 0 WHERE id = ?1");
    if (!update) return Fail(update.error());
    update->BindInt(1, id);
    update->BindText(2, h.hostname).BindText(3, h.platform).BindText(4, h.platform_type);
    update->BindText(5, h.os_name).BindText(6, h.os_version).BindText(7, h.osquery_version);
    update->BindText(8, h.hardware_uuid).BindText(9, h.hardware_serial);
    update->BindText(10, h.host_details_json).BindText(11, e.node_key_hash);
    update->BindText(12, e.enroll_secret_name).BindText(13, labels).BindInt(14, e.at_us);
    if (auto ran = update->Run(); !ran) return Fail(ran.error());
  } else {
    auto insert = db.Prepare(
        "INSERT INTO hosts (host_identifier, hostname, platform, platform_type, os_name, "
        "os_version, osquery_version, hardware_uuid, hardware_serial, host_details, "
        "node_key_hash, enroll_secret_name, secret_labels, first_enrolled_us, enrolled_us, "
        "revoked) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?14, 0)");
    if (!insert) return Fail(insert.error());
    insert->BindText(1, h.host_identifier);
    insert->BindText(2, h.hostname).BindText(3, h.platform).BindText(4, h.platform_type);
    insert->BindText(5, h.os_name).BindText(6, h.os_version).BindText(7, h.osquery_version);
    insert->BindText(8, h.hardware_uuid).BindText(9, h.hardware_serial);
    insert->BindText(10, h.host_details_json).BindText(11, e.node_key_hash);
    insert->BindText(12, e.enroll_secret_name).BindText(13, labels).BindInt(14, e.at_us);
    if (auto ran = insert->Run(); !ran) return Fail(ran.error());
    id = db.LastInsertRowId();
  }

  auto event = db.Prepare(
      "INSERT INTO enrollments (host_id, host_identifier, hostname, platform, secret_name, "
      "remote_address, at_us, re_enrollment) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  if (!event) return Fail(event.error());
  event->BindInt(1, id).BindText(2, h.host_identifier).BindText(3, h.hostname);
  event->BindText(4, h.platform).BindText(5, e.enroll_secret_name);
  event->BindText(6, e.remote_address).BindInt(7, e.at_us).BindInt(8, re_enrollment ? 1 : 0);
  if (auto ran = event->Run(); !ran) return Fail(ran.error());

  auto node = QueryNode(db, id);
  if (!node) return Fail(node.error());
  if (!node->has_value()) return Fail(ErrorCode::kInternal, "enrolled node vanished");
  events.push_back(NodeChanged{**node});
  return std::move(**node);
}

Result<Node> DoRevokeNode(Db& db, NodeId id, Events& events) {
  auto revoke =
      db.Prepare("UPDATE hosts SET node_key_hash = NULL, revoked = 1 WHERE id = ?1");
  if (!revoke) return Fail(revoke.error());
  revoke->BindInt(1, id);
  if (auto ran = revoke->Run(); !ran) return Fail(ran.error());
  if (db.Changes() == 0) return Fail(ErrorCode::kNotFound, fmt::format("unknown node {}", id));
  auto node = QueryNode(db, id);
  if (!node) return Fail(node.error());
  if (!node->has_value()) return Fail(ErrorCode::kInternal, "revoked node vanished");
  events.push_back(NodeChanged{**node});
  return std::move(**node);
}

Result<void> DoAppendLogs(Db& db, const LogBatch& batch) {
  if (batch.lines.empty()) return Ok();
  if (auto known = RequireNode(db, batch.node); !known) return known;
  if (batch.type == LogType::kResult) {
    auto insert = db.Prepare(
        "INSERT INTO result_logs (host_id, received_us, unix_time, name, action, "
        "host_identifier, data) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    if (!insert) return Fail(insert.error());
    for (const LogLine& line : batch.lines) {
      insert->BindInt(1, batch.node).BindInt(2, batch.received_us);
      insert->BindOptInt(3, line.unix_time, line.unix_time != 0);
      insert->BindText(4, line.name).BindText(5, line.action);
      insert->BindText(6, line.host_identifier).BindText(7, line.raw_json);
      if (auto ran = insert->Run(); !ran) return ran;
    }
  } else {
    auto insert = db.Prepare(
        "INSERT INTO status_logs (host_id, received_us, unix_time, severity, filename, "
        "message, data) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    if (!insert) return Fail(insert.error());
    for (const LogLine& line : batch.lines) {
      insert->BindInt(1, batch.node).BindInt(2, batch.received_us);
      insert->BindOptInt(3, line.unix_time, line.unix_time != 0);
      insert->BindInt(4, line.severity).BindText(5, line.name);
      insert->BindText(6, line.message).BindText(7, line.raw_json);
      if (auto ran = insert->Run(); !ran) return ran;
    }
  }
  return Ok();
}

Result<void> StoreOrphan(Db& db, const DistributedWrite& write, const QueryAnswer& answer,
                         bool run_exists) {
  auto insert = db.Prepare(
      "INSERT INTO orphan_results (query_id, run_id, host_id, reason, status, message, "
      "row_count, data, received_us) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
  if (!insert) return Fail(insert.error());
  insert->BindText(1, answer.query_id).BindOptInt(2, answer.run, run_exists);
  insert->BindInt(3, write.node).BindText(4, run_exists ? "not_targeted" : "unknown_run");
  insert->BindInt(5, answer.status).BindText(6, answer.message);
  insert->BindInt(7, static_cast<int64_t>(answer.rows_json.size()));
  insert->BindText(8, JoinRows(answer.rows_json)).BindInt(9, write.received_us);
  return insert->Run();
}

Result<void> ReplaceRows(Db& db, RunId run, NodeId node, const std::vector<std::string>& rows) {
  auto erase = db.Prepare("DELETE FROM results WHERE run_id = ?1 AND host_id = ?2");
  if (!erase) return Fail(erase.error());
  erase->BindInt(1, run).BindInt(2, node);
  if (auto ran = erase->Run(); !ran) return ran;
  auto insert = db.Prepare("INSERT INTO results (run_id, host_id, data) VALUES (?1, ?2, ?3)");
  if (!insert) return Fail(insert.error());
  for (const std::string& row : rows) {
    insert->BindInt(1, run).BindInt(2, node).BindText(3, row);
    if (auto ran = insert->Run(); !ran) return ran;
  }
  return Ok();
}

Result<void> DoRecordAnswer(Db& db, const DistributedWrite& write, const QueryAnswer& answer,
                            Events& events) {
  bool run_exists = false;
  if (answer.run != 0) {
    auto find = db.Prepare(
        "SELECT rh.state, r.status FROM run_hosts rh JOIN runs r ON r.id = rh.run_id "
        "WHERE rh.run_id = ?1 AND rh.host_id = ?2");
    if (!find) return Fail(find.error());
    find->BindInt(1, answer.run).BindInt(2, write.node);
    auto found = find->Step();
    if (!found) return Fail(found.error());
    if (*found) {
      auto state = ParseHostRunState(find->ColumnText(0));
      auto status = ParseRunStatus(find->ColumnText(1));
      find->Reset();
      if (!state || !status) return Fail(ErrorCode::kInternal, "bad state text in run_hosts");
      if (auto replaced = ReplaceRows(db, answer.run, write.node, answer.rows_json); !replaced) {
        return replaced;
      }
      // A late answer to an expired or cancelled host keeps its rows but does
      // not bring the host back to life (see sqlite_store.h).
      if (*state == HostRunState::kExpired || *state == HostRunState::kCancelled) return Ok();
      auto update = db.Prepare(Sql().answer);
      if (!update) return Fail(update.error());
      const QueryStats& stats = answer.stats;
      update->BindInt(1, answer.run).BindInt(2, write.node);
      update->BindText(3, HostRunStateName(answer.status == 0 ? HostRunState::kAnswered
                                                               : HostRunState::kFailed));
      update->BindInt(4, write.received_us).BindInt(5, answer.status).BindText(6, answer.message);
      update->BindInt(7, static_cast<int64_t>(answer.rows_json.size()));
      update->BindOptInt(8, stats.wall_time_ms, stats.present);
      update->BindOptInt(9, stats.user_time, stats.present);
      update->BindOptInt(10, stats.system_time, stats.present);
      update->BindOptInt(11, stats.memory, stats.present);
      if (auto collected = CollectHostChanges(*update, events); !collected) return collected;
      if (*status != RunStatus::kRunning) return Ok();
      return FinishRunIfDone(db, answer.run, write.received_us, events);
    }
    find->Reset();
    auto exists = db.Prepare("SELECT 1 FROM runs WHERE id = ?1");
    if (!exists) return Fail(exists.error());
    exists->BindInt(1, answer.run);
    auto row = exists->Step();
    if (!row) return Fail(row.error());
    run_exists = *row;
  }
  return StoreOrphan(db, write, answer, run_exists);
}

Result<void> DoRecordAnswers(Db& db, const DistributedWrite& write, Events& events) {
  if (auto known = RequireNode(db, write.node); !known) return known;
  for (const QueryAnswer& answer : write.answers) {
    if (auto recorded = DoRecordAnswer(db, write, answer, events); !recorded) return recorded;
  }
  return Ok();
}

Result<void> DoRecordPickups(Db& db, const std::vector<Pickup>& pickups, Events& events) {
  auto update = db.Prepare(Sql().pick_up);
  if (!update) return Fail(update.error());
  for (const Pickup& pickup : pickups) {
    update->BindInt(1, pickup.run).BindInt(2, pickup.node).BindInt(3, pickup.at_us);
    if (auto collected = CollectHostChanges(*update, events); !collected) return collected;
    update->Reset();
  }
  return Ok();
}

Result<void> DoTouchNodes(Db& db, const std::vector<LastSeen>& seen) {
  // max() never lowers a time; nullif keeps "never" as NULL when given 0.
  auto update = db.Prepare(
      "UPDATE hosts SET "
      "last_seen_us = nullif(max(coalesce(last_seen_us, 0), ?2), 0), "
      "last_config_us = nullif(max(coalesce(last_config_us, 0), ?3), 0), "
      "last_log_us = nullif(max(coalesce(last_log_us, 0), ?4), 0), "
      "last_distributed_us = nullif(max(coalesce(last_distributed_us, 0), ?5), 0) "
      "WHERE id = ?1");
  if (!update) return Fail(update.error());
  for (const LastSeen& s : seen) {
    update->BindInt(1, s.node).BindInt(2, s.last_seen_us).BindInt(3, s.last_config_us);
    update->BindInt(4, s.last_log_us).BindInt(5, s.last_distributed_us);
    if (auto ran = update->Run(); !ran) return ran;
  }
  return Ok();
}

Result<Run> DoCreateRun(Db& db, const RunSpec& spec, Events& events) {
  if (spec.sql.empty()) return Fail(ErrorCode::kInvalidArgument, "run without SQL");
  auto insert = db.Prepare(
      "INSERT INTO runs (sql, submitted_by, selector, created_us, deadline_us, status) "
      "VALUES (?1, ?2, ?3, ?4, ?5, 'running')");
  if (!insert) return Fail(insert.error());
  insert->BindText(1, spec.sql).BindText(2, spec.submitted_by).BindText(3, spec.selector_json);
  insert->BindInt(4, spec.created_us).BindInt(5, spec.deadline_us);
  if (auto ran = insert->Run(); !ran) return Fail(ran.error());
  const RunId id = db.LastInsertRowId();

  // Inserting through a SELECT on hosts both checks the node exists and adds it.
  auto target = db.Prepare(
      "INSERT INTO run_hosts (run_id, host_id, state) "
      "SELECT ?1, id, 'pending' FROM hosts WHERE id = ?2");
  if (!target) return Fail(target.error());
  std::vector<NodeId> targets;
  targets.reserve(spec.targets.size());
  std::unordered_set<NodeId> seen;
  for (NodeId node : spec.targets) {
    if (!seen.insert(node).second) continue;  // a target listed twice runs once
    target->BindInt(1, id).BindInt(2, node);
    if (auto ran = target->Run(); !ran) return Fail(ran.error());
    if (db.Changes() == 0) {
      return Fail(ErrorCode::kNotFound, fmt::format("unknown target node {}", node));
    }
    targets.push_back(node);
  }

  auto run = QueryRun(db, id);
  if (!run) return Fail(run.error());
  if (!run->has_value()) return Fail(ErrorCode::kInternal, "created run vanished");
  events.push_back(RunCreated{**run, targets});
  if (targets.empty()) {
    auto ended = EndRun(db, id, RunStatus::kFinished, spec.created_us, events);
    if (!ended) return Fail(ended.error());
    if (!ended->has_value()) return Fail(ErrorCode::kInternal, "new run was not running");
    return std::move(**ended);
  }
  return std::move(**run);
}

Result<Run> DoCancelRun(Db& db, RunId id, int64_t at_us, Events& events) {
  auto run = QueryRun(db, id);
  if (!run) return Fail(run.error());
  if (!run->has_value()) return Fail(ErrorCode::kNotFound, fmt::format("unknown run {}", id));
  if ((*run)->status != RunStatus::kRunning) {
    return Fail(ErrorCode::kConflict,
                fmt::format("run {} already {}", id, RunStatusName((*run)->status)));
  }
  auto ended =
      EndRunAndHosts(db, id, HostRunState::kCancelled, RunStatus::kCancelled, at_us, events);
  if (!ended) return Fail(ended.error());
  if (!ended->has_value()) return Fail(ErrorCode::kInternal, "running run did not end");
  return std::move(**ended);
}

Result<std::vector<Run>> DoExpireRuns(Db& db, int64_t now_us, Events& events) {
  auto due = db.Prepare(
      "SELECT id FROM runs WHERE status = 'running' AND deadline_us <= ?1 ORDER BY id");
  if (!due) return Fail(due.error());
  due->BindInt(1, now_us);
  auto ids = ReadAll<RunId>(*due, [](const Stmt& row) -> Result<RunId> { return row.ColumnInt(0); });
  if (!ids) return Fail(ids.error());
  due->Reset();
  std::vector<Run> expired;
  for (RunId id : *ids) {
    auto ended =
        EndRunAndHosts(db, id, HostRunState::kExpired, RunStatus::kExpired, now_us, events);
    if (!ended) return Fail(ended.error());
    if (ended->has_value()) expired.push_back(std::move(**ended));
  }
  return expired;
}

// ---- The write queue ----

class WriteOp {
 public:
  virtual ~WriteOp() = default;
  // Runs on the writer thread inside the op's savepoint; records observer events.
  virtual Result<void> Apply(Db& db) = 0;
  // After COMMIT: reports the applied result to the caller.
  virtual void Succeed() = 0;
  // Reports `error` to the caller (refused, failed, or its commit failed).
  virtual void Reject(Error error) = 0;

  Events events;
};

template <class T>
class TypedOp final : public WriteOp {
 public:
  using Fn = std::function<Result<T>(Db&, Events&)>;
  TypedOp(Fn fn, Done<T> done) : fn_(std::move(fn)), done_(std::move(done)) {}

  Result<void> Apply(Db& db) override {
    result_ = fn_(db, events);
    if (!result_) return Fail(result_.error());
    return Ok();
  }
  void Succeed() override {
    if (done_) done_(std::move(result_));
  }
  void Reject(Error error) override {
    if (done_) done_(Fail(std::move(error)));
  }

 private:
  Fn fn_;
  Done<T> done_;
  Result<T> result_ = Fail(ErrorCode::kInternal, "write was not applied");
};

class SqliteStore final : public Store {
 public:
  SqliteStore(const SqliteOptions& options, std::unique_ptr<Db> writer_db,
              std::vector<std::unique_ptr<Db>> readers)
      : options_(options), writer_db_(std::move(writer_db)), idle_readers_(std::move(readers)) {
    writer_ = std::thread([this] { WriterLoop(); });
  }

  ~SqliteStore() override { Close(); }

  void SetObserver(StoreObserver* observer) override { observer_.store(observer); }

  void EnrollNode(Enrollment enrollment, Done<Node> done) override {
    Submit<Node>(std::move(done), [e = std::move(enrollment)](Db& db, Events& events) {
      return DoEnrollNode(db, e, events);
    });
  }

  void RevokeNode(NodeId node, Done<Node> done) override {
    Submit<Node>(std::move(done),
                 [node](Db& db, Events& events) { return DoRevokeNode(db, node, events); });
  }

  void AppendLogs(LogBatch batch, Done<void> done) override {
    Submit<void>(std::move(done),
                 [b = std::move(batch)](Db& db, Events&) { return DoAppendLogs(db, b); });
  }

  void RecordAnswers(DistributedWrite write, Done<void> done) override {
    Submit<void>(std::move(done), [w = std::move(write)](Db& db, Events& events) {
      return DoRecordAnswers(db, w, events);
    });
  }

  void RecordPickups(std::vector<Pickup> pickups, Done<void> done) override {
    Submit<void>(std::move(done), [p = std::move(pickups)](Db& db, Events& events) {
      return DoRecordPickups(db, p, events);
    });
  }

  void TouchNodes(std::vector<LastSeen> seen, Done<void> done) override {
    Submit<void>(std::move(done),
                 [s = std::move(seen)](Db& db, Events&) { return DoTouchNodes(db, s); });
  }

  void CreateRun(RunSpec spec, Done<Run> done) override {
    Submit<Run>(std::move(done), [s = std::move(spec)](Db& db, Events& events) {
      return DoCreateRun(db, s, events);
    });
  }

  void CancelRun(RunId run, int64_t at_us, Done<Run> done) override {
    Submit<Run>(std::move(done), [run, at_us](Db& db, Events& events) {
      return DoCancelRun(db, run, at_us, events);
    });
  }

  void ExpireRuns(int64_t now_us, Done<std::vector<Run>> done) override {
    Submit<std::vector<Run>>(std::move(done), [now_us](Db& db, Events& events) {
      return DoExpireRuns(db, now_us, events);
    });
  }

  Result<std::vector<Node>> ListNodes() override {
    Reader reader(*this);
    auto stmt = reader.db().Prepare(Sql().list_nodes);
    if (!stmt) return Fail(stmt.error());
    Db& db = reader.db();
    return ReadAll<Node>(*stmt, [&db](const Stmt& row) { return ReadNodeRow(db, row); });
  }

  Result<std::optional<Node>> GetNode(NodeId node) override {
    Reader reader(*this);
    return QueryNode(reader.db(), node);
  }

  Result<std::vector<OpenRun>> ListOpenRuns() override {
    Reader reader(*this);
    Db& db = reader.db();
    // One read transaction: the runs and their pending hosts come from one snapshot.
    auto tx = Tx::Begin(db, Tx::Kind::kDeferred);
    if (!tx) return Fail(tx.error());
    std::vector<OpenRun> open;
    {
      auto runs_stmt = db.Prepare(Sql().list_running_runs);
      if (!runs_stmt) return Fail(runs_stmt.error());
      auto runs = ReadAll<Run>(*runs_stmt, ReadRunRow);
      if (!runs) return Fail(runs.error());
      for (Run& run : *runs) open.push_back(OpenRun{std::move(run), {}});
    }
    auto pending = db.Prepare(
        "SELECT host_id FROM run_hosts WHERE run_id = ?1 AND state = 'pending' "
        "ORDER BY host_id");
    if (!pending) return Fail(pending.error());
    for (OpenRun& entry : open) {
      pending->BindInt(1, entry.run.id);
      auto nodes = ReadAll<NodeId>(
          *pending, [](const Stmt& row) -> Result<NodeId> { return row.ColumnInt(0); });
      if (!nodes) return Fail(nodes.error());
      entry.pending_nodes = std::move(*nodes);
      pending->Reset();
    }
    pending->Reset();
    if (auto committed = tx->Commit(); !committed) return Fail(committed.error());
    return open;
  }

  Result<std::optional<Run>> GetRun(RunId run) override {
    Reader reader(*this);
    return QueryRun(reader.db(), run);
  }

  Result<std::vector<RunHost>> ListRunHosts(RunId run) override {
    Reader reader(*this);
    auto stmt = reader.db().Prepare(Sql().list_run_hosts);
    if (!stmt) return Fail(stmt.error());
    stmt->BindInt(1, run);
    return ReadAll<RunHost>(*stmt, ReadRunHostRow);
  }

  Result<std::vector<ResultRow>> ListResults(RunId run, int64_t after_seq,
                                             size_t limit) override {
    Reader reader(*this);
    auto stmt = reader.db().Prepare(
        "SELECT seq, run_id, host_id, data FROM results WHERE run_id = ?1 AND seq > ?2 "
        "ORDER BY seq LIMIT ?3");
    if (!stmt) return Fail(stmt.error());
    const auto max_limit = static_cast<size_t>(std::numeric_limits<int64_t>::max());
    stmt->BindInt(1, run).BindInt(2, after_seq);
    stmt->BindInt(3, static_cast<int64_t>(std::min(limit, max_limit)));
    return ReadAll<ResultRow>(*stmt, [](const Stmt& row) -> Result<ResultRow> {
      return ResultRow{row.ColumnInt(0), row.ColumnInt(1), row.ColumnInt(2), row.ColumnText(3)};
    });
  }

  WriteQueueStats QueueStats() const override {
    std::lock_guard lock(mu_);
    WriteQueueStats stats = stats_;
    stats.queued = queue_.size();
    return stats;
  }

  void Close() override {
    {
      std::lock_guard lock(mu_);
      accepting_ = false;
    }
    work_cv_.notify_all();
    // A done callback or observer that closes the store runs on the writer
    // thread, which cannot join itself; the writer stops once drained anyway.
    if (std::this_thread::get_id() == writer_id_) return;
    std::lock_guard close_lock(close_mu_);
    if (writer_.joinable()) writer_.join();
  }

 private:
  // A read connection borrowed from the pool for the lifetime of the object.
  class Reader {
   public:
    explicit Reader(SqliteStore& store) : store_(store) {
      std::unique_lock lock(store_.read_mu_);
      store_.read_cv_.wait(lock, [this] { return !store_.idle_readers_.empty(); });
      db_ = std::move(store_.idle_readers_.back());
      store_.idle_readers_.pop_back();
    }
    ~Reader() {
      {
        std::lock_guard lock(store_.read_mu_);
        store_.idle_readers_.push_back(std::move(db_));
      }
      store_.read_cv_.notify_one();
    }
    Reader(const Reader&) = delete;
    Reader& operator=(const Reader&) = delete;

    Db& db() { return *db_; }

   private:
    SqliteStore& store_;
    std::unique_ptr<Db> db_;
  };

  template <class T>
  void Submit(Done<T> done, typename TypedOp<T>::Fn fn) {
    auto op = std::make_unique<TypedOp<T>>(std::move(fn), std::move(done));
    const char* refusal = nullptr;
    {
      std::lock_guard lock(mu_);
      if (!accepting_) {
        refusal = "store is closed";
      } else if (queue_.size() >= options_.write_queue_limit) {
        refusal = "write queue is full, try again later";
        ++stats_.rejected;
      } else {
        queue_.push_back(std::move(op));
      }
    }
    if (refusal == nullptr) {
      work_cv_.notify_one();
      return;
    }
    op->Reject(Error{ErrorCode::kUnavailable, refusal});
  }

  void WriterLoop() {
    writer_id_ = std::this_thread::get_id();
    pthread_setname_np(pthread_self(), "quarry-sqlite-w");
    std::vector<std::unique_ptr<WriteOp>> batch;
    for (;;) {
      {
        std::unique_lock lock(mu_);
        work_cv_.wait(lock, [this] { return !queue_.empty() || !accepting_; });
        if (queue_.empty()) return;  // closed and drained
        const size_t n = std::min(queue_.size(), options_.max_batch_items);
        for (size_t i = 0; i < n; ++i) {
          batch.push_back(std::move(queue_.front()));
          queue_.pop_front();
        }
      }
      RunBatch(batch);
      batch.clear();
    }
  }

  Result<void> ApplyInSavepoint(WriteOp& op) {
    auto savepoint = Savepoint::Begin(*writer_db_);
    if (!savepoint) return Fail(savepoint.error());
    auto applied = op.Apply(*writer_db_);
    if (!applied) return applied;  // the savepoint rolls back
    return savepoint->Release();
  }

  // Applies every op of the batch in one transaction, commits, then reports.
  void RunBatch(std::vector<std::unique_ptr<WriteOp>>& batch) {
    Db& db = *writer_db_;
    std::vector<std::optional<Error>> errors(batch.size());
    auto fail_applied = [&](size_t end, const Error& error) {
      for (size_t j = 0; j < end; ++j) {
        if (!errors[j]) errors[j] = error;
      }
    };

    std::optional<Tx> tx;
    for (size_t i = 0; i < batch.size(); ++i) {
      if (!tx) {
        auto begun = Tx::Begin(db, Tx::Kind::kImmediate);
        if (!begun) {
          for (size_t j = i; j < batch.size(); ++j) errors[j] = begun.error();
          break;
        }
        tx.emplace(std::move(*begun));
      }
      auto applied = ApplyInSavepoint(*batch[i]);
      if (applied) continue;
      errors[i] = applied.error();
      if (!db.InTransaction()) {
        // SQLite rolled the whole transaction back by itself (I/O error, disk
        // full): the ops applied before this one are lost with it. The rest of
        // the batch gets a fresh transaction.
        fail_applied(i, Error{applied.error().code,
                              "batch rolled back: " + applied.error().message});
        tx.reset();
      }
    }
    if (tx) {
      if (auto committed = tx->Commit(); !committed) {
        log::Error("sqlite store: commit of {} writes failed: {}", batch.size(),
                   committed.error().message);
        fail_applied(batch.size(), committed.error());
      }
      tx.reset();
    }

    uint64_t succeeded = 0;
    for (const auto& error : errors) succeeded += error ? 0 : 1;
    {
      std::lock_guard lock(mu_);
      stats_.committed += succeeded;
      if (succeeded > 0) ++stats_.transactions;
    }

    // Commit order: each op's notifications, then its answer, op after op.
    StoreObserver* observer = observer_.load();
    for (size_t i = 0; i < batch.size(); ++i) {
      WriteOp& op = *batch[i];
      if (errors[i]) {
        op.Reject(std::move(*errors[i]));
        continue;
      }
      if (observer != nullptr) {
        for (const Event& event : op.events) Deliver(*observer, event);
      }
      op.Succeed();
    }
  }

  static void Deliver(StoreObserver& observer, const Event& event) {
    std::visit(
        [&observer](const auto& e) {
          using E = std::decay_t<decltype(e)>;
          if constexpr (std::is_same_v<E, NodeChanged>) {
            observer.OnNodeChanged(e.node);
          } else if constexpr (std::is_same_v<E, RunCreated>) {
            observer.OnRunCreated(e.run, e.targets);
          } else if constexpr (std::is_same_v<E, RunHostChanged>) {
            observer.OnRunHostChanged(e.host);
          } else {
            observer.OnRunEnded(e.run);
          }
        },
        event);
  }

  const SqliteOptions options_;
  std::unique_ptr<Db> writer_db_;  // used by the writer thread only
  std::atomic<StoreObserver*> observer_{nullptr};

  mutable std::mutex mu_;
  std::condition_variable work_cv_;
  std::deque<std::unique_ptr<WriteOp>> queue_;  // GUARDED_BY(mu_)
  bool accepting_ = true;                       // GUARDED_BY(mu_)
  WriteQueueStats stats_;                       // GUARDED_BY(mu_); `queued` unused

  std::mutex close_mu_;  // serialises joins of writer_
  std::thread writer_;
  std::atomic<std::thread::id> writer_id_{};

  std::mutex read_mu_;
  std::condition_variable read_cv_;
  std::vector<std::unique_ptr<Db>> idle_readers_;  // GUARDED_BY(read_mu_)
};

Result<void> Configure(Db& db, const std::vector<std::string>& pragmas) {
  for (const std::string& pragma : pragmas) {
    if (auto done = db.Exec(pragma); !done) return done;
  }
  return Ok();
}

}  // namespace

Result<std::unique_ptr<Store>> OpenSqliteStore(const SqliteOptions& options) {
  if (options.path.empty()) return Fail(ErrorCode::kInvalidArgument, "sqlite: empty path");
  if (options.write_queue_limit == 0 || options.max_batch_items == 0 ||
      options.read_connections < 1) {
    return Fail(ErrorCode::kInvalidArgument,
                "sqlite: write_queue_limit, max_batch_items and read_connections must be >= 1");
  }

  auto writer = Db::Open(options.path, OpenMode::kReadWriteCreate, options.vfs);
  if (!writer) return Fail(writer.error());
  Db& db = **writer;
  auto configured = Configure(
      db, {fmt::format("PRAGMA busy_timeout = {}", kBusyTimeoutMs),
           fmt::format("PRAGMA synchronous = {}", options.synchronous_full ? "FULL" : "NORMAL"),
           "PRAGMA foreign_keys = ON", fmt::format("PRAGMA cache_size = -{}", kWriterCacheKiB),
           fmt::format("PRAGMA journal_size_limit = {}", kJournalSizeLimitBytes),
           "PRAGMA temp_store = MEMORY"});
  if (!configured) return Fail(configured.error());
  auto mode = db.QueryText("PRAGMA journal_mode = WAL");
  if (!mode) return Fail(mode.error());
  if (*mode != "wal") {
    return Fail(ErrorCode::kIo,
                fmt::format("sqlite: {} cannot use WAL mode (got '{}')", options.path, *mode));
  }
  auto version = sqlite::ApplyMigrations(db, SystemClock::Instance().NowMicros());
  if (!version) return Fail(version.error());

  // Readers open after the writer so that the WAL and shared-memory files exist,
  // which read-only connections need.
  std::vector<std::unique_ptr<Db>> readers;
  for (int i = 0; i < options.read_connections; ++i) {
    auto reader = Db::Open(options.path, OpenMode::kReadOnly, options.vfs);
    if (!reader) return Fail(reader.error());
    if (auto ok = (*reader)->Exec(fmt::format("PRAGMA busy_timeout = {}", kBusyTimeoutMs)); !ok) {
      return Fail(ok.error());
    }
    readers.push_back(std::move(*reader));
  }
  return std::unique_ptr<Store>(
      new SqliteStore(options, std::move(*writer), std::move(readers)));
}

}  // namespace quarry::store
