// Rendering of command output: aligned text tables for a terminal, and JSON,
// JSON lines and CSV for programs. Pure functions over a Table of JSON cells
// (or over JSON objects); they return text and never write, so every format is
// unit-tested without a terminal. Thread-compatible: no shared state.
//
// Contract by format:
//   table  for people: aligned columns, numbers right-aligned, control
//          characters shown escaped, long cells cut to `max_cell_width` with
//          "…", and (on a terminal) the widest columns narrowed to fit.
//   json   an array of row objects, one per line; values exactly as received
//          (never truncated, numbers stay numbers).
//   jsonl  one row object per line.
//   csv    RFC 4180 fields, a header line, "\n" line ends.
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"

namespace quarry::cli {

enum class Format { kTable, kJson, kJsonl, kCsv };

// "table", "json", "jsonl" or "csv"; kInvalidArgument otherwise.
Result<Format> ParseFormat(std::string_view name);

enum class Align { kAuto, kLeft, kRight };

struct Table {
  std::vector<std::string> columns;
  // Each row has columns.size() cells; a missing value is null.
  std::vector<std::vector<boost::json::value>> rows;
  // Per column (may be shorter than columns: the rest are kAuto). kAuto:
  // right-aligned when every non-empty cell is a number or numeric text.
  std::vector<Align> align;
};

// Columns are the union of the objects' keys in first-seen order.
Table TableFromObjects(const std::vector<boost::json::object>& objects);
// The API's Table shape {"columns": [...], "rows": [[...], ...]}.
Result<Table> TableFromApi(const boost::json::value& value);
// Each row as an object keyed by column; a repeated column name gets a
// suffix ("count", "count_2") so that no value is lost.
std::vector<boost::json::object> TableToObjects(const Table& table);

struct TextOptions {
  size_t max_cell_width = 60;   // longer cells are cut with "…"; 0: no limit
  size_t max_line_width = 0;    // e.g. the terminal width; 0: no limit
  size_t min_column_width = 6;  // narrowing to fit the line stops here
};

// Aligned text: a header line, then one line per row; columns separated by two
// spaces; no trailing blanks. An empty table (no columns) renders as "".
std::string RenderText(const Table& table, const TextOptions& options = {});
std::string RenderCsv(const Table& table);
std::string RenderJsonl(const Table& table);
std::string RenderJson(const Table& table);
std::string Render(const Table& table, Format format, const TextOptions& options = {});

// JSON array text, one element per line ("[]\n" when empty).
std::string RenderJsonArray(const std::vector<boost::json::object>& items);
// Indented JSON (2 spaces) for single documents; ends with "\n".
std::string PrettyJson(const boost::json::value& value);

// "key:  value" lines with the values aligned; for summaries of one object.
std::string RenderFields(const std::vector<std::pair<std::string, std::string>>& fields);

// A cell's text: a string as is, null as "", anything else as JSON text.
std::string CellText(const boost::json::value& value);
// One CSV field, quoted when it holds a comma, quote, CR, LF or edge blanks.
std::string CsvField(std::string_view text);
std::string CsvLine(const std::vector<std::string>& fields);
// Display width in terminal columns: UTF-8 code points (wide East Asian
// characters count as one: a known approximation).
size_t DisplayWidth(std::string_view text);
// `text` cut to `width` columns, ending in "…" when cut; never splits a UTF-8
// sequence. width 0 returns "".
std::string Truncate(std::string_view text, size_t width);

// Local ISO-8601 with offset ("2024-05-01T12:03:04+02:00"); "" for 0.
std::string FormatLocalTime(int64_t micros);
// "12s ago", "5m ago", "3h ago", "2d ago", "in 40s"; "-" for 0.
std::string FormatRelative(int64_t micros, int64_t now_micros);
// A span of time: "850ms", "1.2s", "59s", "2m05s", "1h02m", "3d04h"; negative
// spans count as 0.
std::string FormatElapsed(int64_t micros);
// 1536 -> "1.5 KiB"; below 1024: "512 B".
std::string FormatBytes(int64_t bytes);

// Writes rows as they arrive, for jsonl and csv. The CSV header is the union of
// the keys of the first non-empty batch; a key first seen later has no column:
// it is dropped and reported once in warnings(). Missing keys are empty cells.
// Each call returns the text to write.
class RowEncoder {
 public:
  explicit RowEncoder(Format format) : format_(format) {}
  std::string Encode(const std::vector<boost::json::object>& batch);
  // Messages about dropped columns not yet taken; empties the list.
  std::vector<std::string> TakeWarnings();
  size_t rows() const { return rows_; }

 private:
  Format format_;
  bool header_written_ = false;
  std::vector<std::string> columns_;
  std::vector<std::string> dropped_;
  std::vector<std::string> warnings_;
  size_t rows_ = 0;
};

}  // namespace quarry::cli
