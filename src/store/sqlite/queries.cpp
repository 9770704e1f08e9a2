#include "store/sqlite/queries.h"

#include "base/json_text.h"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>

namespace quarry::store::sqlite {
namespace {

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
    "id, sql, submitted_by, selector, created_us, deadline_us, ended_us, status, reduce_sql";

constexpr std::string_view kRunHostColumns =
    "run_id, host_id, state, picked_up_us, finished_us, status, message, row_count, "
    "wall_time_ms, user_time, system_time, memory";

constexpr std::string_view kLabelColumns =
    "id, name, description, kind, sql, refresh_seconds, created_us, updated_us";

constexpr std::string_view kTokenColumns =
    "id, name, token_hash, role, created_by, created_us, revoked";

constexpr std::string_view kAuditColumns = "id, at_us, actor, action, detail";

std::string Compose(std::string_view head, std::string_view columns, std::string_view tail) {
  std::string text;
  text.reserve(head.size() + columns.size() + tail.size());
  text.append(head).append(columns).append(tail);
  return text;
}

// Statements that embed a column list, built once.
struct Statements {
  std::string select_node = Compose("SELECT ", kNodeColumns, " FROM hosts WHERE id = ?1");
  std::string list_nodes = Compose("SELECT ", kNodeColumns, " FROM hosts ORDER BY id");
  std::string select_run = Compose("SELECT ", kRunColumns, " FROM runs WHERE id = ?1");
  std::string list_running_runs =
      Compose("SELECT ", kRunColumns, " FROM runs WHERE status = 'running' ORDER BY id");
  std::string end_run = Compose(
      "UPDATE runs SET status = ?2, ended_us = ?3 WHERE id = ?1 AND status = 'running' RETURNING ",
      kRunColumns, "");
  std::string list_run_hosts =
      Compose("SELECT ", kRunHostColumns, " FROM run_hosts WHERE run_id = ?1 ORDER BY host_id");
  std::string pick_up = Compose(
      "UPDATE run_hosts SET state = 'picked_up', picked_up_us = ?3 "
      "WHERE run_id = ?1 AND host_id = ?2 AND state = 'pending' RETURNING ",
      kRunHostColumns, "");
  std::string answer = Compose(
      "UPDATE run_hosts SET state = ?3, finished_us = ?4, status = ?5, message = ?6, "
      "row_count = ?7, wall_time_ms = ?8, user_time = ?9, system_time = ?10, memory = ?11 "
      "WHERE run_id = ?1 AND host_id = ?2 RETURNING ",
      kRunHostColumns, "");
  // Ends every unfinished host of a run (cancel, expire).
  std::string end_hosts = Compose(
      "UPDATE run_hosts SET state = ?2, finished_us = ?3 "
      "WHERE run_id = ?1 AND state IN ('pending', 'picked_up') RETURNING ",
      kRunHostColumns, "");
  // Runs newest first, below an id cursor; with and without a status filter.
  std::string list_runs =
      Compose("SELECT ", kRunColumns, " FROM runs WHERE id < ?1 ORDER BY id DESC LIMIT ?2");
  std::string list_runs_by_status = Compose(
      "SELECT ", kRunColumns, " FROM runs WHERE status = ?3 AND id < ?1 ORDER BY id DESC LIMIT ?2");

  std::string select_label = Compose("SELECT ", kLabelColumns, " FROM labels WHERE id = ?1");
  std::string list_labels = Compose("SELECT ", kLabelColumns, " FROM labels ORDER BY name, id");
  std::string insert_label = Compose(
      "INSERT INTO labels (name, description, kind, sql, refresh_seconds, created_us, "
      "updated_us) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6) RETURNING ",
      kLabelColumns, "");
  std::string update_label = Compose(
      "UPDATE labels SET description = ?2, sql = ?3, refresh_seconds = ?4, updated_us = ?5 "
      "WHERE id = ?1 RETURNING ",
      kLabelColumns, "");

  std::string select_token = Compose("SELECT ", kTokenColumns, " FROM api_tokens WHERE id = ?1");
  std::string select_live_token =
      Compose("SELECT ", kTokenColumns, " FROM api_tokens WHERE token_hash = ?1 AND revoked = 0");
  std::string list_tokens = Compose("SELECT ", kTokenColumns, " FROM api_tokens ORDER BY id DESC");
  std::string insert_token = Compose(
      "INSERT INTO api_tokens (name, token_hash, role, created_by, created_us, revoked) "
      "VALUES (?1, ?2, ?3, ?4, ?5, 0) RETURNING ",
      kTokenColumns, "");
  std::string revoke_token =
      Compose("UPDATE api_tokens SET revoked = 1 WHERE id = ?1 RETURNING ", kTokenColumns, "");

  std::string list_audit =
      Compose("SELECT ", kAuditColumns, " FROM audit WHERE id < ?1 ORDER BY id DESC LIMIT ?2");
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
    AppendJsonString(out, items[i]);
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
  if (!parsed)
    return Fail(ErrorCode::kInternal, fmt::format("run {}: bad status '{}'", run.id, status));
  run.status = *parsed;
  run.reduce_sql = row.ColumnText(8);
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

Result<Label> ReadLabelRow(const Stmt& row) {
  Label label;
  label.id = row.ColumnInt(0);
  label.name = row.ColumnText(1);
  label.description = row.ColumnText(2);
  std::string kind = row.ColumnText(3);
  auto parsed = ParseLabelKind(kind);
  if (!parsed) {
    return Fail(ErrorCode::kInternal, fmt::format("label {}: bad kind '{}'", label.id, kind));
  }
  label.kind = *parsed;
  label.sql = row.ColumnText(4);
  label.refresh_seconds = row.ColumnInt(5);
  label.created_us = row.ColumnInt(6);
  label.updated_us = row.ColumnInt(7);
  return label;
}

Result<ApiToken> ReadTokenRow(const Stmt& row) {
  ApiToken token;
  token.id = row.ColumnInt(0);
  token.name = row.ColumnText(1);
  token.token_hash = row.ColumnText(2);
  std::string role = row.ColumnText(3);
  auto parsed = ParseTokenRole(role);
  if (!parsed) {
    return Fail(ErrorCode::kInternal, fmt::format("token {}: bad role '{}'", token.id, role));
  }
  token.role = *parsed;
  token.created_by = row.ColumnText(4);
  token.created_us = row.ColumnInt(5);
  token.revoked = row.ColumnInt(6) != 0;
  return token;
}

Result<AuditEvent> ReadAuditRow(const Stmt& row) {
  return AuditEvent{row.ColumnInt(0), row.ColumnInt(1), row.ColumnText(2), row.ColumnText(3),
                    row.ColumnText(4)};
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

// SQLite takes a signed 64-bit LIMIT; larger values mean "no limit" anyway.
int64_t LimitParam(size_t limit) {
  const auto max_limit = static_cast<size_t>(std::numeric_limits<int64_t>::max());
  return static_cast<int64_t>(std::min(limit, max_limit));
}

// A cursor of 0 (or less) means "from the newest": every id is below INT64_MAX.
int64_t BeforeParam(int64_t before_id) {
  return before_id > 0 ? before_id : std::numeric_limits<int64_t>::max();
}

// Runs a statement that returns at most one row of `T` (a SELECT by key, or an
// UPDATE/INSERT ... RETURNING); nullopt when it returned none.
template <class T, class ReadFn>
Result<std::optional<T>> ReadOne(Stmt& stmt, ReadFn read) {
  auto rows = ReadAll<T>(stmt, read);
  if (!rows) return Fail(rows.error());
  if (rows->empty()) return std::optional<T>();
  return std::optional<T>(std::move(rows->front()));
}

Result<std::optional<Label>> SelectLabel(Db& db, int64_t id) {
  auto stmt = db.Prepare(Sql().select_label);
  if (!stmt) return Fail(stmt.error());
  stmt->BindInt(1, id);
  return ReadOne<Label>(*stmt, ReadLabelRow);
}

Result<Label> RequireLabel(Db& db, int64_t id) {
  auto label = SelectLabel(db, id);
  if (!label) return Fail(label.error());
  if (!label->has_value()) return Fail(ErrorCode::kNotFound, fmt::format("unknown label {}", id));
  return std::move(**label);
}

// The checks on what a label definition may hold; `kind` is the stored kind on
// update (a label never changes kind).
Result<void> ValidateLabelDefinition(const Label& label, LabelKind kind) {
  if (label.refresh_seconds < 0) {
    return Fail(ErrorCode::kInvalidArgument, "label refresh_seconds must not be negative");
  }
  if (kind == LabelKind::kDynamic && label.sql.empty()) {
    return Fail(ErrorCode::kInvalidArgument, "a dynamic label needs its SQL");
  }
  if (kind == LabelKind::kManual && (!label.sql.empty() || label.refresh_seconds != 0)) {
    return Fail(ErrorCode::kInvalidArgument,
                "a manual label has no SQL and no refresh_seconds: its members are listed");
  }
  return Ok();
}

// Makes `node` a member of a label (inserting its row, or setting member = 1).
// kNotFound when the node is unknown: the SELECT on hosts inserts nothing then.
Result<void> JoinLabel(Db& db, int64_t label, NodeId node, int64_t at_us) {
  auto join = db.Prepare(
      "INSERT INTO label_members (label_id, host_id, member, updated_us) "
      "SELECT ?1, id, 1, ?3 FROM hosts WHERE id = ?2 "
      "ON CONFLICT (label_id, host_id) DO UPDATE SET member = 1, updated_us = excluded.updated_us");
  if (!join) return Fail(join.error());
  join->BindInt(1, label).BindInt(2, node).BindInt(3, at_us);
  if (auto ran = join->Run(); !ran) return ran;
  if (db.Changes() == 0) {
    return Fail(ErrorCode::kNotFound, fmt::format("unknown member node {}", node));
  }
  return Ok();
}

void NoteMembership(Events& events, LabelMembership membership) {
  events.push_back([membership](StoreObserver& o) { o.OnLabelMembershipChanged(membership); });
}

// ---- Helpers for state changes ----

// Runs a RETURNING statement that changes hosts' states and records each changed
// host as an event.
Result<void> CollectHostChanges(Stmt& stmt, Events& events) {
  auto hosts = ReadAll<RunHost>(stmt, ReadRunHostRow);
  if (!hosts) return Fail(hosts.error());
  for (RunHost& host : *hosts) {
    events.push_back([host = std::move(host)](StoreObserver& o) { o.OnRunHostChanged(host); });
  }
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
  events.push_back([run = (*runs)[0]](StoreObserver& o) { o.OnRunEnded(run); });
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

Result<void> RecordAnswer(Db& db, const DistributedWrite& write, const QueryAnswer& answer,
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

}  // namespace

// ---- Writes ----

Result<Node> ApplyEnrollNode(Db& db, const Enrollment& e, Events& events) {
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

  auto node = SelectNode(db, id);
  if (!node) return Fail(node.error());
  if (!node->has_value()) return Fail(ErrorCode::kInternal, "enrolled node vanished");
  events.push_back([node = **node](StoreObserver& o) { o.OnNodeChanged(node); });
  return std::move(**node);
}

Result<Node> ApplyRevokeNode(Db& db, NodeId id, Events& events) {
  auto revoke = db.Prepare("UPDATE hosts SET node_key_hash = NULL, revoked = 1 WHERE id = ?1");
  if (!revoke) return Fail(revoke.error());
  revoke->BindInt(1, id);
  if (auto ran = revoke->Run(); !ran) return Fail(ran.error());
  if (db.Changes() == 0) return Fail(ErrorCode::kNotFound, fmt::format("unknown node {}", id));
  auto node = SelectNode(db, id);
  if (!node) return Fail(node.error());
  if (!node->has_value()) return Fail(ErrorCode::kInternal, "revoked node vanished");
  events.push_back([node = **node](StoreObserver& o) { o.OnNodeChanged(node); });
  return std::move(**node);
}

Result<void> ApplyAppendLogs(Db& db, const LogBatch& batch) {
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

Result<void> ApplyRecordAnswers(Db& db, const DistributedWrite& write, Events& events) {
  if (auto known = RequireNode(db, write.node); !known) return known;
  for (const QueryAnswer& answer : write.answers) {
    if (auto recorded = RecordAnswer(db, write, answer, events); !recorded) return recorded;
  }
  return Ok();
}

Result<void> ApplyRecordPickups(Db& db, const std::vector<Pickup>& pickups, Events& events) {
  auto update = db.Prepare(Sql().pick_up);
  if (!update) return Fail(update.error());
  // Pickups are written in batches shortly after the read, so a fast host's
  // answer can be committed first: then only the missing time is filled in
  // (the state stays answered/failed, so nothing is notified).
  auto backfill = db.Prepare(
      "UPDATE run_hosts SET picked_up_us = ?3 WHERE run_id = ?1 AND host_id = ?2 "
      "AND picked_up_us IS NULL AND state IN ('answered', 'failed')");
  if (!backfill) return Fail(backfill.error());
  for (const Pickup& pickup : pickups) {
    update->BindInt(1, pickup.run).BindInt(2, pickup.node).BindInt(3, pickup.at_us);
    if (auto collected = CollectHostChanges(*update, events); !collected) return collected;
    update->Reset();
    backfill->BindInt(1, pickup.run).BindInt(2, pickup.node).BindInt(3, pickup.at_us);
    if (auto ran = backfill->Run(); !ran) return ran;
  }
  return Ok();
}

Result<void> ApplyTouchNodes(Db& db, const std::vector<LastSeen>& seen) {
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

Result<Run> ApplyCreateRun(Db& db, const RunSpec& spec, Events& events) {
  if (spec.sql.empty()) return Fail(ErrorCode::kInvalidArgument, "run without SQL");
  auto insert = db.Prepare(
      "INSERT INTO runs (sql, submitted_by, selector, created_us, deadline_us, status, "
      "reduce_sql) VALUES (?1, ?2, ?3, ?4, ?5, 'running', ?6)");
  if (!insert) return Fail(insert.error());
  insert->BindText(1, spec.sql).BindText(2, spec.submitted_by).BindText(3, spec.selector_json);
  insert->BindInt(4, spec.created_us).BindInt(5, spec.deadline_us).BindText(6, spec.reduce_sql);
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

  auto run = SelectRun(db, id);
  if (!run) return Fail(run.error());
  if (!run->has_value()) return Fail(ErrorCode::kInternal, "created run vanished");
  events.push_back([run = **run, targets](StoreObserver& o) { o.OnRunCreated(run, targets); });
  if (targets.empty()) {
    auto ended = EndRun(db, id, RunStatus::kFinished, spec.created_us, events);
    if (!ended) return Fail(ended.error());
    if (!ended->has_value()) return Fail(ErrorCode::kInternal, "new run was not running");
    return std::move(**ended);
  }
  return std::move(**run);
}

Result<Run> ApplyCancelRun(Db& db, RunId id, int64_t at_us, Events& events) {
  auto run = SelectRun(db, id);
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

Result<std::vector<Run>> ApplyExpireRuns(Db& db, int64_t now_us, Events& events) {
  auto due =
      db.Prepare("SELECT id FROM runs WHERE status = 'running' AND deadline_us <= ?1 ORDER BY id");
  if (!due) return Fail(due.error());
  due->BindInt(1, now_us);
  auto ids =
      ReadAll<RunId>(*due, [](const Stmt& row) -> Result<RunId> { return row.ColumnInt(0); });
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

Result<Label> ApplyCreateLabel(Db& db, const Label& label, const std::vector<NodeId>& members,
                               Events& events) {
  if (label.name.empty()) return Fail(ErrorCode::kInvalidArgument, "label without a name");
  if (auto valid = ValidateLabelDefinition(label, label.kind); !valid) return Fail(valid.error());
  if (label.kind == LabelKind::kDynamic && !members.empty()) {
    return Fail(ErrorCode::kInvalidArgument,
                "a dynamic label's members come from its SQL, not from a list");
  }
  auto taken = db.Prepare("SELECT 1 FROM labels WHERE name = ?1");
  if (!taken) return Fail(taken.error());
  taken->BindText(1, label.name);
  auto found = taken->Step();
  if (!found) return Fail(found.error());
  if (*found) {
    return Fail(ErrorCode::kConflict, fmt::format("label name '{}' is taken", label.name));
  }
  taken->Reset();

  auto insert = db.Prepare(Sql().insert_label);
  if (!insert) return Fail(insert.error());
  insert->BindText(1, label.name).BindText(2, label.description);
  insert->BindText(3, LabelKindName(label.kind)).BindText(4, label.sql);
  insert->BindInt(5, label.refresh_seconds).BindInt(6, label.created_us);
  auto created = ReadOne<Label>(*insert, ReadLabelRow);
  if (!created) return Fail(created.error());
  if (!created->has_value()) return Fail(ErrorCode::kInternal, "label insert returned no row");
  Label stored = std::move(**created);
  events.push_back([stored](StoreObserver& o) { o.OnLabelChanged(stored, /*deleted=*/false); });

  std::unordered_set<NodeId> seen;
  for (NodeId node : members) {
    if (!seen.insert(node).second) continue;  // a member listed twice joins once
    if (auto joined = JoinLabel(db, stored.id, node, stored.created_us); !joined) {
      return Fail(joined.error());
    }
    NoteMembership(events, LabelMembership{stored.id, node, true, stored.created_us});
  }
  return stored;
}

Result<Label> ApplyUpdateLabel(Db& db, const Label& label, Events& events) {
  auto current = RequireLabel(db, label.id);
  if (!current) return Fail(current.error());
  if (auto valid = ValidateLabelDefinition(label, current->kind); !valid) {
    return Fail(valid.error());
  }
  auto update = db.Prepare(Sql().update_label);
  if (!update) return Fail(update.error());
  update->BindInt(1, label.id).BindText(2, label.description).BindText(3, label.sql);
  update->BindInt(4, label.refresh_seconds).BindInt(5, label.updated_us);
  auto updated = ReadOne<Label>(*update, ReadLabelRow);
  if (!updated) return Fail(updated.error());
  if (!updated->has_value()) return Fail(ErrorCode::kInternal, "updated label vanished");
  events.push_back(
      [label = **updated](StoreObserver& o) { o.OnLabelChanged(label, /*deleted=*/false); });
  return std::move(**updated);
}

Result<void> ApplyDeleteLabel(Db& db, int64_t id, Events& events) {
  auto label = RequireLabel(db, id);
  if (!label) return Fail(label.error());
  // The schema cascades too; deleting the members here does not depend on the
  // connection having foreign keys switched on.
  auto members = db.Prepare("DELETE FROM label_members WHERE label_id = ?1");
  if (!members) return Fail(members.error());
  members->BindInt(1, id);
  if (auto ran = members->Run(); !ran) return ran;
  auto erase = db.Prepare("DELETE FROM labels WHERE id = ?1");
  if (!erase) return Fail(erase.error());
  erase->BindInt(1, id);
  if (auto ran = erase->Run(); !ran) return ran;
  events.push_back(
      [label = std::move(*label)](StoreObserver& o) { o.OnLabelChanged(label, /*deleted=*/true); });
  return Ok();
}

Result<void> ApplySetLabelMembers(Db& db, int64_t id, const std::vector<NodeId>& members,
                                  int64_t now_us, Events& events) {
  auto label = RequireLabel(db, id);
  if (!label) return Fail(label.error());
  if (label->kind != LabelKind::kManual) {
    return Fail(ErrorCode::kConflict,
                fmt::format("label '{}' is dynamic: its members come from its SQL", label->name));
  }
  auto current_stmt = db.Prepare(
      "SELECT host_id FROM label_members WHERE label_id = ?1 AND member = 1 ORDER BY host_id");
  if (!current_stmt) return Fail(current_stmt.error());
  current_stmt->BindInt(1, id);
  auto current = ReadAll<NodeId>(
      *current_stmt, [](const Stmt& row) -> Result<NodeId> { return row.ColumnInt(0); });
  if (!current) return Fail(current.error());
  current_stmt->Reset();
  const std::unordered_set<NodeId> before(current->begin(), current->end());

  // Joins, in the order given.
  std::unordered_set<NodeId> wanted;
  for (NodeId node : members) {
    if (!wanted.insert(node).second || before.count(node) != 0) continue;
    if (auto joined = JoinLabel(db, id, node, now_us); !joined) return joined;
    NoteMembership(events, LabelMembership{id, node, true, now_us});
  }
  // Leaves, in host id order. A manual label keeps rows for members only.
  auto leave = db.Prepare("DELETE FROM label_members WHERE label_id = ?1 AND host_id = ?2");
  if (!leave) return Fail(leave.error());
  for (NodeId node : *current) {
    if (wanted.count(node) != 0) continue;
    leave->BindInt(1, id).BindInt(2, node);
    if (auto ran = leave->Run(); !ran) return ran;
    NoteMembership(events, LabelMembership{id, node, false, now_us});
  }
  return Ok();
}

Result<void> ApplyRecordLabelResults(Db& db, const std::vector<LabelMembership>& results,
                                     Events& events) {
  // Whether each label named in the batch is dynamic (false: unknown or manual).
  std::unordered_map<int64_t, bool> dynamic;
  auto kind = db.Prepare("SELECT kind FROM labels WHERE id = ?1");
  if (!kind) return Fail(kind.error());
  auto prior = db.Prepare(
      "SELECT member, updated_us FROM label_members WHERE label_id = ?1 AND host_id = ?2");
  if (!prior) return Fail(prior.error());
  auto upsert = db.Prepare(
      "INSERT INTO label_members (label_id, host_id, member, updated_us) VALUES (?1, ?2, ?3, ?4) "
      "ON CONFLICT (label_id, host_id) DO UPDATE SET member = excluded.member, "
      "updated_us = excluded.updated_us");
  if (!upsert) return Fail(upsert.error());

  for (const LabelMembership& result : results) {
    auto known = dynamic.find(result.label);
    if (known == dynamic.end()) {
      kind->BindInt(1, result.label);
      auto row = kind->Step();
      if (!row) return Fail(row.error());
      const bool is_dynamic = *row && kind->ColumnText(0) == LabelKindName(LabelKind::kDynamic);
      kind->Reset();
      known = dynamic.emplace(result.label, is_dynamic).first;
    }
    if (!known->second) continue;  // unknown or manual label: skipped
    auto host = NodeExists(db, result.node);
    if (!host) return Fail(host.error());
    if (!*host) continue;  // unknown host: skipped

    prior->BindInt(1, result.label).BindInt(2, result.node);
    auto row = prior->Step();
    if (!row) return Fail(row.error());
    const bool was_member = *row && prior->ColumnInt(0) != 0;
    const bool stale = *row && result.updated_us < prior->ColumnInt(1);
    prior->Reset();
    if (stale) continue;  // an older evaluation than the one stored

    upsert->BindInt(1, result.label).BindInt(2, result.node);
    upsert->BindInt(3, result.member ? 1 : 0).BindInt(4, result.updated_us);
    if (auto ran = upsert->Run(); !ran) return ran;
    if (was_member != result.member) NoteMembership(events, result);
  }
  return Ok();
}

Result<ApiToken> ApplyCreateToken(Db& db, const ApiToken& token) {
  if (token.name.empty()) return Fail(ErrorCode::kInvalidArgument, "token without a name");
  if (token.token_hash.empty()) return Fail(ErrorCode::kInvalidArgument, "token without a hash");
  auto live = db.Prepare("SELECT 1 FROM api_tokens WHERE name = ?1 AND revoked = 0");
  if (!live) return Fail(live.error());
  live->BindText(1, token.name);
  auto named = live->Step();
  if (!named) return Fail(named.error());
  if (*named) {
    return Fail(ErrorCode::kConflict, fmt::format("a live token is named '{}'", token.name));
  }
  live->Reset();
  auto same = db.Prepare("SELECT 1 FROM api_tokens WHERE token_hash = ?1");
  if (!same) return Fail(same.error());
  same->BindText(1, token.token_hash);
  auto hashed = same->Step();
  if (!hashed) return Fail(hashed.error());
  if (*hashed) return Fail(ErrorCode::kConflict, "a token with the same hash exists");
  same->Reset();

  auto insert = db.Prepare(Sql().insert_token);
  if (!insert) return Fail(insert.error());
  insert->BindText(1, token.name).BindText(2, token.token_hash);
  insert->BindText(3, TokenRoleName(token.role)).BindText(4, token.created_by);
  insert->BindInt(5, token.created_us);
  auto created = ReadOne<ApiToken>(*insert, ReadTokenRow);
  if (!created) return Fail(created.error());
  if (!created->has_value()) return Fail(ErrorCode::kInternal, "token insert returned no row");
  return std::move(**created);
}

Result<ApiToken> ApplyRevokeToken(Db& db, int64_t id) {
  auto select = db.Prepare(Sql().select_token);
  if (!select) return Fail(select.error());
  select->BindInt(1, id);
  auto found = ReadOne<ApiToken>(*select, ReadTokenRow);
  if (!found) return Fail(found.error());
  if (!found->has_value()) return Fail(ErrorCode::kNotFound, fmt::format("unknown token {}", id));
  if ((*found)->revoked) {
    return Fail(ErrorCode::kConflict, fmt::format("token {} is already revoked", id));
  }
  auto revoke = db.Prepare(Sql().revoke_token);
  if (!revoke) return Fail(revoke.error());
  revoke->BindInt(1, id);
  auto revoked = ReadOne<ApiToken>(*revoke, ReadTokenRow);
  if (!revoked) return Fail(revoked.error());
  if (!revoked->has_value()) return Fail(ErrorCode::kInternal, "revoked token vanished");
  return std::move(**revoked);
}

Result<void> ApplyAppendAudit(Db& db, const AuditEvent& event) {
  if (event.action.empty()) return Fail(ErrorCode::kInvalidArgument, "audit event without action");
  auto insert =
      db.Prepare("INSERT INTO audit (at_us, actor, action, detail) VALUES (?1, ?2, ?3, ?4)");
  if (!insert) return Fail(insert.error());
  insert->BindInt(1, event.at_us).BindText(2, event.actor).BindText(3, event.action);
  insert->BindText(
      4, event.detail_json.empty() ? std::string_view("{}") : std::string_view(event.detail_json));
  return insert->Run();
}

// ---- Reads ----

Result<std::optional<Node>> SelectNode(Db& db, NodeId id) {
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

Result<std::optional<Run>> SelectRun(Db& db, RunId id) {
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

Result<std::vector<Node>> SelectNodes(Db& db) {
  auto stmt = db.Prepare(Sql().list_nodes);
  if (!stmt) return Fail(stmt.error());
  return ReadAll<Node>(*stmt, [&db](const Stmt& row) { return ReadNodeRow(db, row); });
}

Result<std::vector<OpenRun>> SelectOpenRuns(Db& db) {
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
  {
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
  }
  if (auto committed = tx->Commit(); !committed) return Fail(committed.error());
  return open;
}

Result<std::vector<RunHost>> SelectRunHosts(Db& db, RunId run) {
  auto stmt = db.Prepare(Sql().list_run_hosts);
  if (!stmt) return Fail(stmt.error());
  stmt->BindInt(1, run);
  return ReadAll<RunHost>(*stmt, ReadRunHostRow);
}

Result<std::vector<ResultRow>> SelectResults(Db& db, RunId run, int64_t after_seq, size_t limit) {
  auto stmt = db.Prepare(
      "SELECT seq, run_id, host_id, data FROM results WHERE run_id = ?1 AND seq > ?2 "
      "ORDER BY seq LIMIT ?3");
  if (!stmt) return Fail(stmt.error());
  stmt->BindInt(1, run).BindInt(2, after_seq).BindInt(3, LimitParam(limit));
  return ReadAll<ResultRow>(*stmt, [](const Stmt& row) -> Result<ResultRow> {
    return ResultRow{row.ColumnInt(0), row.ColumnInt(1), row.ColumnInt(2), row.ColumnText(3)};
  });
}

Result<std::vector<Run>> SelectRuns(Db& db, const RunFilter& filter) {
  auto stmt = db.Prepare(filter.status ? Sql().list_runs_by_status : Sql().list_runs);
  if (!stmt) return Fail(stmt.error());
  stmt->BindInt(1, BeforeParam(filter.before_id)).BindInt(2, LimitParam(filter.limit));
  if (filter.status) stmt->BindText(3, RunStatusName(*filter.status));
  return ReadAll<Run>(*stmt, ReadRunRow);
}

Result<std::vector<Label>> SelectLabels(Db& db) {
  auto stmt = db.Prepare(Sql().list_labels);
  if (!stmt) return Fail(stmt.error());
  return ReadAll<Label>(*stmt, ReadLabelRow);
}

Result<std::vector<LabelMembership>> SelectLabelMemberships(Db& db) {
  auto stmt = db.Prepare(
      "SELECT label_id, host_id, updated_us FROM label_members WHERE member = 1 "
      "ORDER BY label_id, host_id");
  if (!stmt) return Fail(stmt.error());
  return ReadAll<LabelMembership>(*stmt, [](const Stmt& row) -> Result<LabelMembership> {
    return LabelMembership{row.ColumnInt(0), row.ColumnInt(1), true, row.ColumnInt(2)};
  });
}

Result<std::optional<ApiToken>> SelectLiveToken(Db& db, const std::string& token_hash) {
  auto stmt = db.Prepare(Sql().select_live_token);
  if (!stmt) return Fail(stmt.error());
  stmt->BindText(1, token_hash);
  return ReadOne<ApiToken>(*stmt, ReadTokenRow);
}

Result<std::vector<ApiToken>> SelectTokens(Db& db) {
  auto stmt = db.Prepare(Sql().list_tokens);
  if (!stmt) return Fail(stmt.error());
  return ReadAll<ApiToken>(*stmt, ReadTokenRow);
}

Result<std::vector<AuditEvent>> SelectAudit(Db& db, int64_t before_id, size_t limit) {
  auto stmt = db.Prepare(Sql().list_audit);
  if (!stmt) return Fail(stmt.error());
  stmt->BindInt(1, BeforeParam(before_id)).BindInt(2, LimitParam(limit));
  return ReadAll<AuditEvent>(*stmt, ReadAuditRow);
}

}  // namespace quarry::store::sqlite
