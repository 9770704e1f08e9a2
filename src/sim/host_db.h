// QueryEngine: answers osquery SQL for one simulated host at a time, like osqueryd would.
//
// Design: the engine owns one in-memory SQLite connection per platform family (opened on
// first use; a platform's table set and schemas differ, e.g. `last` is posix-only and
// `processes` has extra Windows columns). Every host table is an eponymous SQLite virtual
// table whose xFilter generates the *current* host's rows from its HostProfile (see
// host_tables.h). Execute() points the engine at a host, runs the SQL, and renders the rows;
// nothing is stored per host, so 100,000 hosts cost nothing at rest. Within one Execute a
// table is generated at most once (joins and subqueries rescan the generated rows).
//
// Results follow osquery's distributed-query rules (reference §5): rows are JSON objects in
// SELECT column order with every value a string (integers in decimal, doubles with 15
// significant digits and ".0" appended when there is no '.', NULL as ""); a repeated column
// name is written twice, both times with the value of its last occurrence (osquery's row is a
// map); SQL errors give status 1 and SQLite's own message ("no such table: foo",
// `near "selec": syntax error`) with no rows. Columns are declared with osquery's types, so
// `on_disk = 0` or `time > strftime('%s','now') - 3600` compare numerically. SQLite's 'now'
// is the `now_unix` passed to Execute, so date functions agree with the tables.
//
// Differences from osqueryd, all deliberate: statements that write or change state (CREATE,
// INSERT, ATTACH, PRAGMA other than the introspection ones, transactions) are refused with
// status 1 "not authorized", because the connection is shared by every host; a query is
// stopped after `time_limit` ("interrupted"), and a result over `max_result_bytes` is
// refused — osqueryd's watchdog would kill the worker instead. osquery's extra SQL functions
// (split, regex_match, sha256, …) are not provided.
//
// Thread-safety: a QueryEngine is NOT thread-safe; use one per thread. Different engines may
// run concurrently. The HostProfile passed to Execute is only read during the call.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "base/result.h"
#include "sim/host_profile.h"

namespace quarry::sim {

struct SqlAnswer {
  int status = 0;              // 0 ok, 1 error (osquery's Status::failure code)
  std::string message;         // "" when ok, else SQLite's error text
  std::string rows_json = "[]";  // JSON array of row objects; "[]" on error
  size_t row_count = 0;
};

struct QueryEngineOptions {
  // Longest SQL text accepted (SQLITE_LIMIT_SQL_LENGTH). Longer: status 1.
  int max_sql_bytes = 256 * 1024;
  // Largest single value a query may build (SQLITE_LIMIT_LENGTH), e.g. via zeroblob/printf.
  int max_value_bytes = 4 * 1024 * 1024;
  // Largest rows_json; a query producing more gets status 1 and no rows.
  size_t max_result_bytes = 32 * 1024 * 1024;
  // Wall time one Execute may take; then SQLite is interrupted and status is 1.
  std::chrono::milliseconds time_limit{2000};
  // Prepared single statements kept per platform connection, keyed by SQL text (fleet
  // queries repeat across hosts). 0 disables the cache.
  size_t statement_cache_size = 64;
};

class QueryEngine {
 public:
  // Fails (kInvalidArgument) on nonsensical options, (kInternal) if SQLite is unusable.
  static Result<std::unique_ptr<QueryEngine>> Create(const QueryEngineOptions& options = {});
  ~QueryEngine();
  QueryEngine(const QueryEngine&) = delete;
  QueryEngine& operator=(const QueryEngine&) = delete;

  // Runs `sql` (one or more statements, as osqueryd accepts) as host `host` at time
  // `now_unix` (Unix seconds). Never throws; every failure is a status-1 answer.
  SqlAnswer Execute(const HostProfile& host, std::string_view sql, int64_t now_unix);

  struct MemoryStats {
    size_t connections = 0;        // platform connections opened so far
    size_t sqlite_bytes = 0;       // schema + prepared statements + page cache, all connections
    size_t row_buffer_bytes = 0;   // generated-row buffers kept for reuse
    size_t cached_statements = 0;
  };
  MemoryStats Memory() const;

 private:
  struct Impl;
  explicit QueryEngine(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace quarry::sim
