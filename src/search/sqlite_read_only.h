// RunReadOnly: runs one operator-supplied SQL statement on a SQLite connection
// and returns its rows, refusing anything that could change state.
//
// What runs: exactly one SELECT, WITH … SELECT or VALUES statement, or EXPLAIN /
// EXPLAIN QUERY PLAN of one, optionally followed by semicolons, whitespace and
// comments. Plus these schema-introspection pragmas, which never change state
// (with any argument, since their argument names a table or index):
// table_info, table_xinfo, table_list, index_list, index_info, index_xinfo,
// foreign_key_list — also as table-valued functions (pragma_table_info('t')).
//
// What is refused, checked twice (an authorizer while SQLite compiles the
// statement, then sqlite3_stmt_readonly on the result): ATTACH, DETACH, INSERT,
// REPLACE, UPDATE, DELETE, CREATE / DROP of anything, ALTER TABLE, every other
// PRAGMA (any that sets state, and reads of state too: keep the list short),
// BEGIN / COMMIT / ROLLBACK / SAVEPOINT / RELEASE, VACUUM, REINDEX, ANALYZE, and
// the functions load_extension, fts3_tokenizer, readfile, writefile and edit.
// A refused statement is never stepped: the database is unchanged.
//
// Errors (the message is safe to show to the operator who wrote the SQL):
//   kTooLarge         sql is longer than limits.max_sql_bytes (not compiled).
//   kInvalidArgument  a refusal, naming what was refused: "ATTACH is not allowed
//                     in search (read-only)"; more than one statement: "only one
//                     statement is allowed"; empty SQL; SQLite's own message for
//                     syntax errors, unknown tables/columns and run-time errors.
//   kDeadlineExceeded the statement ran longer than limits.max_time: "query took
//                     longer than 5000 ms". The clock is checked every 1000 VM
//                     instructions, so the overshoot is small except inside one
//                     long instruction (a large in-memory sort).
//   kUnavailable      the connection is busy or locked, out of memory, or was
//                     interrupted by someone else.
//   kIo               disk or corruption errors.
// More rows than limits.max_rows is not an error: the first max_rows rows come
// back with Table::truncated set.
//
// Effects on the connection:
//  * An authorizer and a progress handler are installed for the call and both
//    are removed on return. SQLite cannot report the handlers already present,
//    so "restored" means "none": REQUIRES that the owner of `db` has installed
//    neither (give search its own connection).
//  * Installing an authorizer expires the connection's other prepared
//    statements; they re-prepare themselves on their next step (a small cost).
//  * Extension loading is switched off for good (both the C API and the SQL
//    function), as nothing that hands a connection to search needs it.
//
// Thread-safety: REQUIRES exclusive use of `db` for the duration of the call:
// statements another thread ran on it meanwhile would run under the guard.
// Calls on distinct connections may run concurrently.
#pragma once

#include <string_view>

#include "base/result.h"
#include "search/query_limits.h"
#include "search/table.h"

struct sqlite3;

namespace quarry::search {

// REQUIRES: db is an open connection (not null).
Result<Table> RunReadOnly(sqlite3* db, std::string_view sql, const QueryLimits& limits);

}  // namespace quarry::search
