// Reduce: fleet-wide aggregation of a query's result rows with SQL.
//
// A live query returns rows from many hosts; an operator wants one answer
// ("how many hosts run each distro?"). The rows are loaded into a private
// in-memory SQLite database as one table, `results`, and the operator's reduce
// SQL runs over it through RunReadOnly, so the same read-only guard and limits
// apply (see sqlite_read_only.h for what is refused and the error codes).
//
// The `results` table:
//   host     TEXT     ReduceInput::host
//   host_id  INTEGER  ReduceInput::host_id
//   then one column per distinct key of the row objects, in first-seen order.
//   A key that equals host or host_id (ignoring ASCII case) becomes row_host /
//   row_host_id; a key whose column name is already taken, ignoring ASCII case
//   as SQLite does ("Name" after "name"), gets a suffix: name_2, name_3, …; the
//   empty key becomes "_". A row without a key has NULL there.
// Values (osquery sends every value as a string):
//   * a string that looks numeric is stored as a number, so comparisons, sums
//     and ordering are numeric: an integer is [+-]?(0|[1-9][0-9]*) and becomes
//     INTEGER (text outside the int64 range stays TEXT, so no digits are lost);
//     a decimal is that followed by .[0-9]+ and becomes REAL. Leading zeros
//     ("04"), exponents ("1e5"), ".5", "5." and "" stay TEXT. A REAL renders
//     back in its shortest form: "22.10" reads back as 22.1.
//   * other strings are TEXT;
//   * for non-osquery producers: JSON numbers are INTEGER or REAL (an unsigned
//     integer above the int64 range is TEXT), true/false are 1/0, null is NULL,
//     arrays and objects are stored as their JSON text.
// Errors: kInvalidArgument when a row_json is not valid JSON or not an object
// (naming the row's index in its batch and its host); kTooLarge when the rows
// bring more distinct keys than the Reducer's max_keys; every error of
// RunReadOnly from the query itself.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "search/query_limits.h"
#include "search/table.h"

namespace quarry::search {

struct ReduceInput {
  int64_t host_id = 0;
  std::string host;      // the host's display name
  std::string row_json;  // one osquery result row: a JSON object of strings
};

// One-shot form: loads `rows` into a fresh database and runs `reduce_sql` over
// it. `limits` bound the query only; loading is bounded by the input size.
// Thread-safe (each call has its own database).
Result<Table> Reduce(const std::vector<ReduceInput>& rows, std::string_view reduce_sql,
                     const QueryLimits& limits);

// Incremental form for a live run: rows are added as hosts answer, and the
// reduce SQL is re-evaluated over everything added so far without reloading.
// A new key seen in a later batch adds a column (ALTER TABLE … ADD COLUMN);
// earlier rows have NULL there.
//
// Each Add is all-or-nothing: when it fails, none of its rows and none of the
// columns it introduced remain. The database lives in memory, about the size of
// the row JSON added so far; large sorts (GROUP BY, ORDER BY) spill 1 MiB runs
// to unlinked temporary files in SQLite's temp directory (SQLITE_TMPDIR,
// TMPDIR, else /var/tmp or /tmp), which is faster than sorting in memory (see
// reduce.cpp and README.md).
//
// Not thread-safe: use one Reducer from one thread at a time. Movable; a
// moved-from Reducer is empty and usable.
class Reducer {
 public:
  // Each distinct key is a column, and adding one costs more the more there
  // are (SQLite re-reads the table definition), so their number is bounded.
  // osquery tables have tens of columns.
  static constexpr size_t kDefaultMaxKeys = 1000;

  Reducer();  // max_keys = kDefaultMaxKeys
  // SQLite's own column limit (2000 in Debian's build, two of them host and
  // host_id) caps max_keys.
  explicit Reducer(size_t max_keys);
  ~Reducer();
  Reducer(Reducer&& other) noexcept;
  Reducer& operator=(Reducer&& other) noexcept;
  Reducer(const Reducer&) = delete;
  Reducer& operator=(const Reducer&) = delete;

  // Appends rows in one transaction. kInvalidArgument for a bad row, kTooLarge
  // for a key beyond max_keys (see the file comment); kUnavailable when SQLite
  // runs out of memory; kInternal for other SQLite failures.
  Result<void> Add(const std::vector<ReduceInput>& rows);

  // Runs `sql` over the rows added so far (the table exists, empty, before the
  // first Add). The data are not changed: the guard refuses writes.
  Result<Table> Evaluate(std::string_view sql, const QueryLimits& limits);

  // How many rows have been added (successfully) so far.
  size_t rows() const;

 private:
  class Impl;
  size_t max_keys_;
  // Created on first use, so that construction cannot fail; opening the
  // database can (out of memory), and that error comes back from Add/Evaluate.
  std::unique_ptr<Impl> impl_;
};

}  // namespace quarry::search
