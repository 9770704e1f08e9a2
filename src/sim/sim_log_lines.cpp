#include "sim/sim_log_lines.h"

#include <algorithm>
#include <boost/json.hpp>
#include <ctime>
#include <utility>

#include "sim/sim_random.h"

namespace quarry::sim {
namespace {

namespace json = boost::json;

void AppendLegacyFields(std::string& out, const ResultLineHeader& h, int64_t counter) {
  out += "\"name\":";
  AppendJsonString(out, h.name);
  out += ",\"hostIdentifier\":";
  AppendJsonString(out, h.host_identifier);
  out += ",\"calendarTime\":\"";
  out += CalendarTime(h.unix_seconds);
  out += "\",\"unixTime\":";
  out += std::to_string(h.unix_seconds);
  // epoch is --schedule_epoch (default 0); numerics is --logger_numerics (default false).
  out += ",\"epoch\":0,\"counter\":";
  out += std::to_string(counter);
  out += ",\"numerics\":false";
}

}  // namespace


std::string CalendarTime(int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  // %e pads the day with a space, as asctime does.
  size_t n = std::strftime(buf, sizeof(buf), "%a %b %e %H:%M:%S %Y UTC", &tm);
  return std::string(buf, n);
}

std::string StatusLine(std::string_view host_identifier, int64_t unix_seconds, Severity severity,
                       std::string_view filename, int line, std::string_view message,
                       std::string_view version) {
  std::string out;
  out.reserve(160 + message.size());
  out += "{\"hostIdentifier\":";
  AppendJsonString(out, host_identifier);
  out += ",\"calendarTime\":\"";
  out += CalendarTime(unix_seconds);
  out += "\",\"unixTime\":";
  out += std::to_string(unix_seconds);
  out += ",\"severity\":";
  out += std::to_string(static_cast<int>(severity));
  out += ",\"filename\":";
  AppendJsonString(out, filename);
  out += ",\"line\":";
  out += std::to_string(line);
  out += ",\"message\":";
  AppendJsonString(out, message);
  out += ",\"version\":";
  AppendJsonString(out, version);
  out += '}';
  return out;
}

Result<std::vector<CanonicalRow>> CanonicalRows(std::string_view rows_json) {
  json::error_code ec;
  json::value parsed = json::parse(rows_json, ec);
  if (ec) return Fail(ErrorCode::kInvalidArgument, "rows are not JSON: " + ec.message());
  const json::array* rows = parsed.if_array();
  if (rows == nullptr) return Fail(ErrorCode::kInvalidArgument, "rows are not a JSON array");
  std::vector<CanonicalRow> out;
  out.reserve(rows->size());
  std::vector<std::pair<std::string_view, const json::value*>> columns;
  for (const json::value& row : *rows) {
    const json::object* object = row.if_object();
    if (object == nullptr) return Fail(ErrorCode::kInvalidArgument, "a row is not an object");
    columns.clear();
    for (const auto& member : *object) columns.emplace_back(member.key(), &member.value());
    // Stable: of a repeated column the first stays first, and duplicates collapse below.
    std::stable_sort(columns.begin(), columns.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    std::string text = "{";
    std::string_view last_key;
    bool first = true;
    for (const auto& [key, value] : columns) {
      if (!first && key == last_key) continue;  // a map has each column once
      if (!first) text += ',';
      first = false;
      last_key = key;
      AppendJsonString(text, key);
      text += ':';
      if (const json::string* s = value->if_string()) {
        AppendJsonString(text, *s);
      } else {
        AppendJsonString(text, json::serialize(*value));
      }
    }
    text += '}';
    out.push_back(std::move(text));
  }
  return out;
}

uint64_t RowHash(std::string_view canonical_row) { return Mix64(HashName(canonical_row)); }

RowDiff DiffRows(std::span<const uint64_t> previous, std::span<const CanonicalRow> rows) {
  RowDiff diff;
  std::vector<std::pair<uint64_t, size_t>> current;
  current.reserve(rows.size());
  for (size_t i = 0; i < rows.size(); ++i) current.emplace_back(RowHash(rows[i]), i);
  std::sort(current.begin(), current.end());
  diff.hashes.reserve(current.size());
  for (const auto& [hash, index] : current) diff.hashes.push_back(hash);
  // Multiset difference of two sorted sequences, both ways at once.
  size_t a = 0, b = 0;
  while (a < previous.size() || b < current.size()) {
    if (b == current.size() || (a < previous.size() && previous[a] < current[b].first)) {
      diff.removed.push_back(previous[a++]);
    } else if (a == previous.size() || current[b].first < previous[a]) {
      diff.added.push_back(current[b++].second);
    } else {
      ++a;
      ++b;
    }
  }
  // Added rows in the order the query returned them.
  std::sort(diff.added.begin(), diff.added.end());
  return diff;
}

std::string EventLine(const ResultLineHeader& header, std::string_view columns,
                      std::string_view action) {
  std::string out;
  out.reserve(200 + columns.size());
  out += '{';
  AppendLegacyFields(out, header, header.counter);
  out += ",\"columns\":";
  out += columns;
  out += ",\"action\":";
  AppendJsonString(out, action);
  out += '}';
  return out;
}

std::string SnapshotLine(const ResultLineHeader& header, std::span<const CanonicalRow> rows) {
  size_t bytes = 200;
  for (const auto& r : rows) bytes += r.size() + 1;
  std::string out;
  out.reserve(bytes);
  out += "{\"snapshot\":[";
  for (size_t i = 0; i < rows.size(); ++i) {
    if (i > 0) out += ',';
    out += rows[i];
  }
  out += "],\"action\":\"snapshot\",";
  AppendLegacyFields(out, header, 0);
  out += '}';
  return out;
}

}  // namespace quarry::sim
