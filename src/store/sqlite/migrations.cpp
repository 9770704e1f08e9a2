#include "store/sqlite/migrations.h"

#include <fmt/format.h>

namespace quarry::store::sqlite {
namespace {

// The table and column names are user-facing: operators search them with
// read-only SQL. Conventions: times are integer microseconds since the Unix
// epoch with a `_us` suffix (osquery's own `unix_time` stays in seconds); NULL
// means "has not happened / not known" (e.g. `ended_us` of a running run);
// JSON is stored as text exactly as received.
constexpr char kInitialSchema[] = R"sql(
CREATE TABLE hosts (
  id                  INTEGER PRIMARY KEY AUTOINCREMENT,
  host_identifier     TEXT NOT NULL UNIQUE,
  hostname            TEXT NOT NULL,
  platform            TEXT NOT NULL,
  platform_type       TEXT NOT NULL,
  os_name             TEXT NOT NULL,
  os_version          TEXT NOT NULL,
  osquery_version     TEXT NOT NULL,
  hardware_uuid       TEXT NOT NULL,
  hardware_serial     TEXT NOT NULL,
  host_details        TEXT NOT NULL,  -- JSON object, as sent at the latest enrollment
  node_key_hash       TEXT,           -- NULL once revoked
  enroll_secret_name  TEXT NOT NULL,
  secret_labels       TEXT NOT NULL,  -- JSON array of strings
  first_enrolled_us   INTEGER NOT NULL,
  enrolled_us         INTEGER NOT NULL,
  last_seen_us        INTEGER,        -- NULL: not seen since enrollment was stored
  last_config_us      INTEGER,
  last_log_us         INTEGER,
  last_distributed_us INTEGER,
  revoked             INTEGER NOT NULL DEFAULT 0 CHECK (revoked IN (0, 1))
);
CREATE INDEX hosts_node_key_hash ON hosts (node_key_hash) WHERE node_key_hash IS NOT NULL;

-- One row per enrollment request that succeeded: an append-only event log.
CREATE TABLE enrollments (
  id              INTEGER PRIMARY KEY,
  host_id         INTEGER NOT NULL REFERENCES hosts (id),
  host_identifier TEXT NOT NULL,
  hostname        TEXT NOT NULL,
  platform        TEXT NOT NULL,
  secret_name     TEXT NOT NULL,
  remote_address  TEXT NOT NULL,
  at_us           INTEGER NOT NULL,
  re_enrollment   INTEGER NOT NULL CHECK (re_enrollment IN (0, 1))
);
CREATE INDEX enrollments_host ON enrollments (host_id, at_us);

-- Live (distributed) queries.
CREATE TABLE runs (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  sql          TEXT NOT NULL,
  submitted_by TEXT NOT NULL,
  selector     TEXT NOT NULL,  -- JSON target selector, as submitted
  created_us   INTEGER NOT NULL,
  deadline_us  INTEGER NOT NULL,
  ended_us     INTEGER,        -- NULL while running
  status       TEXT NOT NULL
               CHECK (status IN ('running', 'finished', 'cancelled', 'expired'))
);
CREATE INDEX runs_running_deadline ON runs (deadline_us) WHERE status = 'running';

-- Each target host's progress through a run.
CREATE TABLE run_hosts (
  run_id       INTEGER NOT NULL REFERENCES runs (id),
  host_id      INTEGER NOT NULL REFERENCES hosts (id),
  state        TEXT NOT NULL CHECK (state IN ('pending', 'picked_up', 'answered', 'failed',
                                              'expired', 'cancelled')),
  picked_up_us INTEGER,  -- NULL until the host fetched the query
  finished_us  INTEGER,  -- NULL until answered, failed, expired or cancelled
  status       INTEGER,  -- osquery's status code (0 = success); NULL until answered
  message      TEXT,     -- osquery's error message; NULL until answered
  row_count    INTEGER,  -- rows stored for this host; NULL until answered
  wall_time_ms INTEGER,  -- osquery's stats; NULL when the host sent none
  user_time    INTEGER,
  system_time  INTEGER,
  memory       INTEGER,
  PRIMARY KEY (run_id, host_id)
) WITHOUT ROWID;
CREATE INDEX run_hosts_run_state ON run_hosts (run_id, state);
CREATE INDEX run_hosts_host ON run_hosts (host_id);

-- Result rows of runs. `seq` is never reused (AUTOINCREMENT), so it is a safe
-- resume cursor even though a re-sent answer deletes and re-inserts its rows.
CREATE TABLE results (
  seq     INTEGER PRIMARY KEY AUTOINCREMENT,
  run_id  INTEGER NOT NULL REFERENCES runs (id),
  host_id INTEGER NOT NULL REFERENCES hosts (id),
  data    TEXT NOT NULL  -- one row object, JSON
);
CREATE INDEX results_run_seq ON results (run_id, seq);
CREATE INDEX results_run_host ON results (run_id, host_id);

-- Answers that match no run this host was asked to run: kept for diagnosis,
-- change no state. One row per answer; `data` is the JSON array of its rows.
CREATE TABLE orphan_results (
  id          INTEGER PRIMARY KEY,
  query_id    TEXT NOT NULL,     -- as the host sent it
  run_id      INTEGER REFERENCES runs (id),  -- set when the run exists but did not target the host
  host_id     INTEGER NOT NULL REFERENCES hosts (id),
  reason      TEXT NOT NULL CHECK (reason IN ('unknown_run', 'not_targeted')),
  status      INTEGER NOT NULL,
  message     TEXT NOT NULL,
  row_count   INTEGER NOT NULL,
  data        TEXT NOT NULL,
  received_us INTEGER NOT NULL
);
CREATE INDEX orphan_results_host ON orphan_results (host_id, received_us);

-- osquery result logs (scheduled query output), one row per line.
CREATE TABLE result_logs (
  id              INTEGER PRIMARY KEY,
  host_id         INTEGER NOT NULL REFERENCES hosts (id),
  received_us     INTEGER NOT NULL,
  unix_time       INTEGER,  -- the line's own unixTime (seconds); NULL when absent
  name            TEXT NOT NULL,
  action          TEXT NOT NULL,
  host_identifier TEXT NOT NULL,
  data            TEXT NOT NULL  -- the whole line, JSON
);
CREATE INDEX result_logs_host ON result_logs (host_id, received_us);
CREATE INDEX result_logs_name ON result_logs (name, received_us);

-- osquery status logs (its own diagnostics), one row per line.
CREATE TABLE status_logs (
  id          INTEGER PRIMARY KEY,
  host_id     INTEGER NOT NULL REFERENCES hosts (id),
  received_us INTEGER NOT NULL,
  unix_time   INTEGER,  -- seconds; NULL when absent
  severity    INTEGER NOT NULL,
  filename    TEXT NOT NULL,
  message     TEXT NOT NULL,
  data        TEXT NOT NULL  -- the whole line, JSON
);
CREATE INDEX status_logs_host ON status_logs (host_id, received_us);
)sql";

// Labels, operator tokens, the audit trail, and an index for paging runs by status.
constexpr char kLabelsTokensAudit[] = R"sql(
-- Named sets of hosts. `sql` and `refresh_seconds` matter for dynamic labels
-- only ('' and 0 for manual ones). `updated_us` is the latest change of the
-- definition (description, sql, refresh_seconds), not of the members.
CREATE TABLE labels (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  name            TEXT NOT NULL UNIQUE,
  description     TEXT NOT NULL,
  kind            TEXT NOT NULL CHECK (kind IN ('manual', 'dynamic')),
  sql             TEXT NOT NULL,
  refresh_seconds INTEGER NOT NULL CHECK (refresh_seconds >= 0),
  created_us      INTEGER NOT NULL,
  updated_us      INTEGER NOT NULL
);

-- Who is in which label. Manual labels: one row per member (member = 1).
-- Dynamic labels: one row per host that has reported on the label; member = 0
-- when its latest evaluation returned no rows. `updated_us` is when the row's
-- membership was last set. Rows go with their label.
CREATE TABLE label_members (
  label_id   INTEGER NOT NULL REFERENCES labels (id) ON DELETE CASCADE,
  host_id    INTEGER NOT NULL REFERENCES hosts (id),
  member     INTEGER NOT NULL CHECK (member IN (0, 1)),
  updated_us INTEGER NOT NULL,
  PRIMARY KEY (label_id, host_id)
) WITHOUT ROWID;
CREATE INDEX label_members_host ON label_members (host_id);

-- Operator API tokens. Only a hash of each token is kept; the token itself is
-- shown once, when created. A revoked token stays for the record. Names are
-- unique among live (not revoked) tokens, so a name can be reused after revoking.
CREATE TABLE api_tokens (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  name       TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,  -- never readable through search
  role       TEXT NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
  created_by TEXT NOT NULL,
  created_us INTEGER NOT NULL,
  revoked    INTEGER NOT NULL DEFAULT 0 CHECK (revoked IN (0, 1))
);
CREATE UNIQUE INDEX api_tokens_live_name ON api_tokens (name) WHERE revoked = 0;

-- Every operator action that changed something: an append-only event log.
CREATE TABLE audit (
  id     INTEGER PRIMARY KEY AUTOINCREMENT,
  at_us  INTEGER NOT NULL,
  actor  TEXT NOT NULL,   -- the token name
  action TEXT NOT NULL,   -- e.g. 'run.create', 'label.delete'
  detail TEXT NOT NULL    -- JSON object: the action's parameters
);
CREATE INDEX audit_at ON audit (at_us);

-- Lists of runs with a given status, newest first.
CREATE INDEX runs_status ON runs (status, id);
)sql";

// A run may carry the "reduce" statement it was submitted with.
constexpr const char* kRunReduce = R"sql(
ALTER TABLE runs ADD COLUMN reduce_sql TEXT NOT NULL DEFAULT '';
)sql";

constexpr Migration kMigrations[] = {
    {1, "initial schema", kInitialSchema},
    {2, "labels, api tokens, audit", kLabelsTokensAudit},
    {3, "run reduce statement", kRunReduce},
};

}  // namespace

std::span<const Migration> Migrations() { return kMigrations; }

Result<int> ApplyMigrations(Db& db, int64_t now_us) {
  auto created = db.Exec(
      "CREATE TABLE IF NOT EXISTS schema_version ("
      " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_us INTEGER NOT NULL)");
  if (!created) return Fail(created.error());

  const int latest = Migrations().back().version;
  for (const Migration& migration : Migrations()) {
    // BEGIN IMMEDIATE takes the write lock before reading the version, so two
    // processes opening the same file cannot both apply a migration.
    auto tx = Tx::Begin(db, Tx::Kind::kImmediate);
    if (!tx) return Fail(tx.error());
    auto current = db.QueryInt("SELECT coalesce(max(version), 0) FROM schema_version");
    if (!current) return Fail(current.error());
    if (*current > latest) {
      return Fail(ErrorCode::kConflict,
                  fmt::format("database schema version {} is newer than this binary's {}", *current,
                              latest));
    }
    if (*current >= migration.version) continue;  // already applied; tx rolls back
    if (*current != migration.version - 1) {
      return Fail(ErrorCode::kInternal,
                  fmt::format("schema version {} is followed by {}", *current, migration.version));
    }
    auto applied = db.Exec(migration.sql);
    if (!applied) {
      return Fail(applied.error().code, fmt::format("migration {} ({}): {}", migration.version,
                                                    migration.name, applied.error().message));
    }
    auto record =
        db.Prepare("INSERT INTO schema_version (version, name, applied_us) VALUES (?1, ?2, ?3)");
    if (!record) return Fail(record.error());
    record->BindInt(1, migration.version).BindText(2, migration.name).BindInt(3, now_us);
    if (auto ran = record->Run(); !ran) return Fail(ran.error());
    if (auto committed = tx->Commit(); !committed) return Fail(committed.error());
  }
  auto version = db.QueryInt("SELECT coalesce(max(version), 0) FROM schema_version");
  if (!version) return Fail(version.error());
  return static_cast<int>(*version);
}

}  // namespace quarry::store::sqlite
