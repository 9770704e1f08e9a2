// What a simulated osqueryd writes into its TLS logger buffer, and how it diffs scheduled
// query results (protocol reference §4.3, §4.4): status lines, event-format result lines
// (one per added/removed row), snapshot lines, and the compact per-query state the
// differential needs (a sorted multiset of 64-bit row hashes, never the rows).
//
// Pure functions; thread-safe. Internal to sim/ (sim_host.cpp and the tests use it).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/json_text.h"
#include "base/result.h"

namespace quarry::sim {

// JSON string literals as osqueryd's RapidJSON Writer writes them (the shared helper).
using ::quarry::AppendJsonString;

// osquery's calendarTime: asctime without the newline, plus " UTC", e.g.
// "Mon Jan  5 10:00:00 2026 UTC" (day padded with a space).
std::string CalendarTime(int64_t unix_seconds);

enum class Severity : int { kInfo = 0, kWarning = 1, kError = 2 };

// One status line, keys in osqueryd's order: hostIdentifier, calendarTime, unixTime,
// severity, filename, line, message, version.
std::string StatusLine(std::string_view host_identifier, int64_t unix_seconds, Severity severity,
                       std::string_view filename, int line, std::string_view message,
                       std::string_view version);

// A result row as the logger writes it: a JSON object with the columns in alphabetical
// order (osquery's typed row is a std::map), every value a string.
using CanonicalRow = std::string;

// Converts QueryEngine rows (a JSON array of objects in SELECT order, possibly with a
// repeated column) into canonical rows. kInvalidArgument if `rows_json` is not an array
// of objects.
Result<std::vector<CanonicalRow>> CanonicalRows(std::string_view rows_json);

// A stable 64-bit hash of a canonical row (FNV-1a, then a splitmix finaliser).
uint64_t RowHash(std::string_view canonical_row);

// The differential between the previous run (`previous`, a sorted multiset of row
// hashes) and this run's rows, with multiset semantics (a row returned twice counts twice).
struct RowDiff {
  std::vector<uint64_t> hashes;   // this run's hashes, sorted: the next `previous`
  std::vector<size_t> added;      // indexes into `rows` of rows to log as "added"
  std::vector<uint64_t> removed;  // hashes (sorted) of rows to log as "removed"
};
RowDiff DiffRows(std::span<const uint64_t> previous, std::span<const CanonicalRow> rows);

// Legacy fields shared by result lines.
struct ResultLineHeader {
  std::string_view name;  // query name (pack_<pack>_<query> for packs)
  std::string_view host_identifier;
  int64_t unix_seconds = 0;
  int64_t counter = 0;
};

// Event format, one changed row: {name, hostIdentifier, calendarTime, unixTime, epoch,
// counter, numerics, columns, action}. `action` is "added" or "removed".
std::string EventLine(const ResultLineHeader& header, std::string_view columns,
                      std::string_view action);

// Snapshot format, one line per run: {"snapshot":[rows],"action":"snapshot", legacy fields}
// with counter 0.
std::string SnapshotLine(const ResultLineHeader& header, std::span<const CanonicalRow> rows);

}  // namespace quarry::sim
