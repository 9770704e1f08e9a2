// Table: the result of a search query (column names, typed cells), and its two
// renderings, JSON and CSV.
//
// Pure value types and functions; no database type appears here. Thread-safe in
// the usual sense: distinct objects may be used from distinct threads freely.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace quarry::search {

// One value: NULL, INTEGER, REAL or TEXT. BLOBs are rendered as upper-case hex
// text (the same digits SQLite's hex() gives) so every cell is printable.
using Cell = std::variant<std::monostate, int64_t, double, std::string>;

struct Table {
  std::vector<std::string> columns;
  // Every row has exactly columns.size() cells.
  std::vector<std::vector<Cell>> rows;
  // true when the query had more rows than QueryLimits::max_rows allowed.
  bool truncated = false;
};

// {"columns":["a",...],"rows":[[1,"x",null,2.5],...],"truncated":false}
// NULL → null; INTEGER → number; TEXT → string; REAL → number in Boost.JSON's
// exponent form (2.5 is written 2.5E0), except that the non-finite values SQLite
// can produce (1e999, -1e999) have no JSON number and become null.
std::string TableToJson(const Table& table);

// RFC 4180: a header line of column names, then one line per row, CRLF line
// ends. A field is quoted ("…", with " doubled) when it contains a comma, a
// quote, CR or LF, and the empty string is written "" so that it stays distinct
// from NULL, which is an empty unquoted field (PostgreSQL's CSV convention).
// REAL uses the shortest text that reads back to the same double. `truncated`
// is not represented: callers that need it carry it out of band (for example in
// a response header).
std::string TableToCsv(const Table& table);

}  // namespace quarry::search
