#include "search/table.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <charconv>
#include <cmath>

namespace quarry::search {
namespace {

boost::json::string_view View(std::string_view text) {
  return boost::json::string_view(text.data(), text.size());
}

boost::json::value CellToJson(const Cell& cell) {
  if (const auto* i = std::get_if<int64_t>(&cell)) return *i;
  if (const auto* d = std::get_if<double>(&cell)) {
    if (!std::isfinite(*d)) return nullptr;
    return *d;
  }
  if (const auto* s = std::get_if<std::string>(&cell)) return View(*s);
  return nullptr;
}

void AppendCsvField(std::string_view field, std::string& out) {
  // An empty string is quoted so that it reads back differently from NULL.
  if (!field.empty() && field.find_first_of(",\"\r\n") == std::string_view::npos) {
    out.append(field);
    return;
  }
  out.push_back('"');
  for (char c : field) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
}

void AppendCsvCell(const Cell& cell, std::string& out) {
  char buffer[64];
  if (const auto* i = std::get_if<int64_t>(&cell)) {
    out.append(buffer, std::to_chars(buffer, buffer + sizeof buffer, *i).ptr);
  } else if (const auto* d = std::get_if<double>(&cell)) {
    // Shortest round-trip form; "inf"/"-inf"/"nan" for non-finite values.
    out.append(buffer, std::to_chars(buffer, buffer + sizeof buffer, *d).ptr);
  } else if (const auto* s = std::get_if<std::string>(&cell)) {
    AppendCsvField(*s, out);
  }
}

}  // namespace

std::string TableToJson(const Table& table) {
  boost::json::array columns;
  columns.reserve(table.columns.size());
  for (const std::string& name : table.columns) columns.emplace_back(View(name));

  boost::json::array rows;
  rows.reserve(table.rows.size());
  for (const std::vector<Cell>& row : table.rows) {
    boost::json::array cells;
    cells.reserve(row.size());
    for (const Cell& cell : row) cells.push_back(CellToJson(cell));
    rows.emplace_back(std::move(cells));
  }

  boost::json::object object;
  object.emplace("columns", std::move(columns));
  object.emplace("rows", std::move(rows));
  object.emplace("truncated", table.truncated);
  return boost::json::serialize(object);
}

std::string TableToCsv(const Table& table) {
  std::string out;
  for (size_t i = 0; i < table.columns.size(); ++i) {
    if (i > 0) out.push_back(',');
    AppendCsvField(table.columns[i], out);
  }
  out.append("\r\n");
  for (const std::vector<Cell>& row : table.rows) {
    for (size_t i = 0; i < row.size(); ++i) {
      if (i > 0) out.push_back(',');
      AppendCsvCell(row[i], out);
    }
    out.append("\r\n");
  }
  return out;
}

}  // namespace quarry::search
