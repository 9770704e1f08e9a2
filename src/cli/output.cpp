#include "cli/output.h"

#include <algorithm>
#include <charconv>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <set>
#include <unordered_map>

namespace quarry::cli {
namespace json = boost::json;
namespace {

constexpr std::string_view kEllipsis = "\xE2\x80\xA6";  // "…", one column wide
constexpr std::string_view kSeparator = "  ";

bool IsContinuationByte(unsigned char c) { return (c & 0xC0) == 0x80; }

bool LooksNumeric(std::string_view s) {
  if (s.empty()) return false;
  size_t i = 0;
  if (s[i] == '-' || s[i] == '+') ++i;
  size_t digits = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i, ++digits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i, ++digits;
  }
  if (digits == 0) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
    size_t exp = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i, ++exp;
    if (exp == 0) return false;
  }
  return i == s.size();
}

bool IsNumericCell(const json::value& v) {
  if (v.is_int64() || v.is_uint64() || v.is_double()) return true;
  if (v.is_string()) return LooksNumeric(v.as_string());
  return false;
}

bool IsEmptyCell(const json::value& v) {
  return v.is_null() || (v.is_string() && v.as_string().empty());
}

// Table text must not let host data drive the terminal: C0 and C1 control
// characters (ESC, CR, ...) are shown escaped.
std::string Sanitize(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c < 0x20 || c == 0x7F) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else if (c == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) >= 0x80 &&
               static_cast<unsigned char>(s[i + 1]) <= 0x9F) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned char>(s[i + 1]));
      out += buf;
      ++i;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

std::string Pad(const std::string& text, size_t width, bool right) {
  size_t w = DisplayWidth(text);
  if (w >= width) return text;
  std::string fill(width - w, ' ');
  return right ? fill + text : text + fill;
}

void RightTrim(std::string& s) {
  while (!s.empty() && s.back() == ' ') s.pop_back();
}

std::vector<std::string> UniqueKeys(const std::vector<std::string>& columns) {
  std::set<std::string> used(columns.begin(), columns.end());
  std::set<std::string> seen;
  std::vector<std::string> out;
  out.reserve(columns.size());
  for (const auto& c : columns) {
    if (seen.insert(c).second) {
      out.push_back(c);
      continue;
    }
    for (int n = 2;; ++n) {
      std::string candidate = c + "_" + std::to_string(n);
      if (!used.count(candidate)) {
        used.insert(candidate);
        seen.insert(candidate);
        out.push_back(candidate);
        break;
      }
    }
  }
  return out;
}

void PrettyInto(const json::value& v, int indent, std::string& out) {
  auto newline = [&](int level) {
    out += '\n';
    out.append(static_cast<size_t>(level) * 2, ' ');
  };
  if (v.is_object()) {
    const auto& o = v.as_object();
    if (o.empty()) {
      out += "{}";
      return;
    }
    out += '{';
    bool first = true;
    for (const auto& kv : o) {
      if (!first) out += ',';
      first = false;
      newline(indent + 1);
      out += json::serialize(json::value(kv.key()));
      out += ": ";
      PrettyInto(kv.value(), indent + 1, out);
    }
    newline(indent);
    out += '}';
  } else if (v.is_array()) {
    const auto& a = v.as_array();
    if (a.empty()) {
      out += "[]";
      return;
    }
    out += '[';
    bool first = true;
    for (const auto& e : a) {
      if (!first) out += ',';
      first = false;
      newline(indent + 1);
      PrettyInto(e, indent + 1, out);
    }
    newline(indent);
    out += ']';
  } else {
    out += json::serialize(v);
  }
}

}  // namespace

Result<Format> ParseFormat(std::string_view name) {
  if (name == "table") return Format::kTable;
  if (name == "json") return Format::kJson;
  if (name == "jsonl") return Format::kJsonl;
  if (name == "csv") return Format::kCsv;
  return Fail(ErrorCode::kInvalidArgument,
              "--format: expected table, json, jsonl or csv, not '" + std::string(name) + "'");
}

Table TableFromObjects(const std::vector<json::object>& objects) {
  Table t;
  std::unordered_map<std::string, size_t> index;
  for (const auto& o : objects) {
    for (const auto& kv : o) {
      std::string key(kv.key());
      if (index.emplace(key, t.columns.size()).second) t.columns.push_back(std::move(key));
    }
  }
  t.rows.reserve(objects.size());
  for (const auto& o : objects) {
    std::vector<json::value> row(t.columns.size());
    for (const auto& kv : o) row[index.at(std::string(kv.key()))] = kv.value();
    t.rows.push_back(std::move(row));
  }
  return t;
}

Result<Table> TableFromApi(const json::value& value) {
  const auto* o = value.if_object();
  const json::value* cols = o ? o->if_contains("columns") : nullptr;
  const json::value* rows = o ? o->if_contains("rows") : nullptr;
  if (!cols || !cols->is_array() || !rows || !rows->is_array())
    return Fail(ErrorCode::kInternal, "unexpected table from the server: no columns/rows arrays");
  Table t;
  for (const auto& c : cols->as_array()) t.columns.push_back(CellText(c));
  for (const auto& r : rows->as_array()) {
    if (!r.is_array()) return Fail(ErrorCode::kInternal, "unexpected table row from the server");
    std::vector<json::value> row(r.as_array().begin(), r.as_array().end());
    row.resize(t.columns.size());
    t.rows.push_back(std::move(row));
  }
  return t;
}

std::vector<json::object> TableToObjects(const Table& table) {
  std::vector<std::string> keys = UniqueKeys(table.columns);
  std::vector<json::object> out;
  out.reserve(table.rows.size());
  for (const auto& row : table.rows) {
    json::object o;
    for (size_t i = 0; i < keys.size(); ++i) o[keys[i]] = i < row.size() ? row[i] : json::value();
    out.push_back(std::move(o));
  }
  return out;
}

size_t DisplayWidth(std::string_view text) {
  size_t n = 0;
  for (char c : text) n += IsContinuationByte(static_cast<unsigned char>(c)) ? 0 : 1;
  return n;
}

std::string Truncate(std::string_view text, size_t width) {
  if (DisplayWidth(text) <= width) return std::string(text);
  if (width == 0) return {};
  // Keep width-1 code points, then the ellipsis.
  size_t kept = 0, i = 0;
  while (i < text.size()) {
    if (!IsContinuationByte(static_cast<unsigned char>(text[i]))) {
      if (kept == width - 1) break;
      ++kept;
    }
    ++i;
  }
  std::string out(text.substr(0, i));
  out += kEllipsis;
  return out;
}

std::string CellText(const json::value& value) {
  if (value.is_string()) return std::string(value.as_string());
  if (value.is_null()) return {};
  if (value.is_double()) {
    char buf[64];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value.as_double());
    if (ec == std::errc()) return std::string(buf, end);
  }
  return json::serialize(value);
}

std::string RenderText(const Table& table, const TextOptions& options) {
  const size_t n = table.columns.size();
  if (n == 0) return {};
  std::vector<std::string> header(n);
  std::vector<std::vector<std::string>> cells(table.rows.size(), std::vector<std::string>(n));
  std::vector<size_t> width(n, 0);
  std::vector<bool> right(n, false);
  for (size_t c = 0; c < n; ++c) {
    header[c] = Sanitize(table.columns[c]);
    width[c] = DisplayWidth(header[c]);
    Align a = c < table.align.size() ? table.align[c] : Align::kAuto;
    if (a == Align::kAuto) {
      bool any = false, all_numeric = true;
      for (const auto& row : table.rows) {
        if (c >= row.size() || IsEmptyCell(row[c])) continue;
        any = true;
        if (!IsNumericCell(row[c])) {
          all_numeric = false;
          break;
        }
      }
      right[c] = any && all_numeric;
    } else {
      right[c] = a == Align::kRight;
    }
  }
  for (size_t r = 0; r < table.rows.size(); ++r) {
    for (size_t c = 0; c < n; ++c) {
      if (c < table.rows[r].size()) cells[r][c] = Sanitize(CellText(table.rows[r][c]));
      width[c] = std::max(width[c], DisplayWidth(cells[r][c]));
    }
  }
  if (options.max_cell_width > 0) {
    for (auto& w : width) w = std::min(w, std::max<size_t>(options.max_cell_width, 1));
  }
  if (options.max_line_width > 0) {
    size_t total = kSeparator.size() * (n - 1);
    for (auto w : width) total += w;
    while (total > options.max_line_width) {
      size_t widest = n;
      for (size_t c = 0; c < n; ++c) {
        if (width[c] > options.min_column_width && (widest == n || width[c] > width[widest]))
          widest = c;
      }
      if (widest == n) break;  // every column at its minimum: let the line wrap
      --width[widest];
      --total;
    }
  }
  std::string out;
  auto emit = [&](const std::vector<std::string>& line) {
    std::string text;
    for (size_t c = 0; c < n; ++c) {
      if (c) text += kSeparator;
      text += Pad(Truncate(line[c], width[c]), width[c], right[c]);
    }
    RightTrim(text);
    out += text;
    out += '\n';
  };
  emit(header);
  for (const auto& row : cells) emit(row);
  return out;
}

std::string CsvField(std::string_view text) {
  bool quote = text.find_first_of(",\"\r\n") != std::string_view::npos ||
               (!text.empty() && (text.front() == ' ' || text.back() == ' '));
  if (!quote) return std::string(text);
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string CsvLine(const std::vector<std::string>& fields) {
  std::string out;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i) out += ',';
    out += CsvField(fields[i]);
  }
  out += '\n';
  return out;
}

std::string RenderCsv(const Table& table) {
  if (table.columns.empty()) return {};
  std::string out = CsvLine(table.columns);
  for (const auto& row : table.rows) {
    std::vector<std::string> fields(table.columns.size());
    for (size_t c = 0; c < fields.size() && c < row.size(); ++c) fields[c] = CellText(row[c]);
    out += CsvLine(fields);
  }
  return out;
}

std::string RenderJsonl(const Table& table) {
  std::string out;
  for (const auto& o : TableToObjects(table)) {
    out += json::serialize(o);
    out += '\n';
  }
  return out;
}

std::string RenderJsonArray(const std::vector<json::object>& items) {
  if (items.empty()) return "[]\n";
  std::string out = "[\n";
  for (size_t i = 0; i < items.size(); ++i) {
    out += "  ";
    out += json::serialize(items[i]);
    out += i + 1 < items.size() ? ",\n" : "\n";
  }
  out += "]\n";
  return out;
}

std::string RenderJson(const Table& table) { return RenderJsonArray(TableToObjects(table)); }

std::string Render(const Table& table, Format format, const TextOptions& options) {
  switch (format) {
    case Format::kTable:
      return RenderText(table, options);
    case Format::kJson:
      return RenderJson(table);
    case Format::kJsonl:
      return RenderJsonl(table);
    case Format::kCsv:
      return RenderCsv(table);
  }
  return {};
}

std::string PrettyJson(const json::value& value) {
  std::string out;
  PrettyInto(value, 0, out);
  out += '\n';
  return out;
}

std::string RenderFields(const std::vector<std::pair<std::string, std::string>>& fields) {
  size_t key_width = 0;
  for (const auto& [k, v] : fields) key_width = std::max(key_width, DisplayWidth(k) + 1);
  std::string out;
  const std::string indent(key_width + 2, ' ');
  for (const auto& [k, v] : fields) {
    std::string line = Pad(k + ":", key_width + 2, false);
    // Multi-line values (SQL) continue under the value column; each line is
    // sanitised on its own so that the newlines stay real.
    size_t start = 0;
    bool first = true;
    while (true) {
      size_t nl = v.find('\n', start);
      std::string part = Sanitize(std::string_view(v).substr(
          start, nl == std::string::npos ? std::string::npos : nl - start));
      if (!first) line += "\n" + indent;
      line += part;
      first = false;
      if (nl == std::string::npos) break;
      start = nl + 1;
    }
    RightTrim(line);
    out += line;
    out += '\n';
  }
  return out;
}

std::string FormatLocalTime(int64_t micros) {
  if (micros == 0) return {};
  std::time_t secs = static_cast<std::time_t>(micros / 1'000'000);
  std::tm tm{};
  if (!::localtime_r(&secs, &tm)) return std::to_string(micros);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  long off = tm.tm_gmtoff;
  char sign = off < 0 ? '-' : '+';
  off = off < 0 ? -off : off;
  char zone[32];
  std::snprintf(zone, sizeof zone, "%c%02ld:%02ld", sign, off / 3600, (off % 3600) / 60);
  return std::string(buf) + zone;
}

std::string FormatRelative(int64_t micros, int64_t now_micros) {
  if (micros == 0) return "-";
  int64_t diff = now_micros - micros;
  bool future = diff < 0;
  int64_t s = (future ? -diff : diff) / 1'000'000;
  std::string amount;
  if (s < 60) {
    amount = std::to_string(s) + "s";
  } else if (s < 3600) {
    amount = std::to_string(s / 60) + "m";
  } else if (s < 86400) {
    amount = std::to_string(s / 3600) + "h";
  } else {
    amount = std::to_string(s / 86400) + "d";
  }
  return future ? "in " + amount : amount + " ago";
}

std::string FormatElapsed(int64_t micros) {
  if (micros < 0) micros = 0;
  char buf[32];
  const int64_t ms = micros / 1000;
  if (ms < 1000) {
    std::snprintf(buf, sizeof buf, "%" PRId64 "ms", ms);
  } else if (ms < 10'000) {
    std::snprintf(buf, sizeof buf, "%" PRId64 ".%" PRId64 "s", ms / 1000, (ms % 1000) / 100);
  } else {
    const int64_t s = ms / 1000;
    if (s < 60) {
      std::snprintf(buf, sizeof buf, "%" PRId64 "s", s);
    } else if (s < 3600) {
      std::snprintf(buf, sizeof buf, "%" PRId64 "m%02" PRId64 "s", s / 60, s % 60);
    } else if (s < 86400) {
      std::snprintf(buf, sizeof buf, "%" PRId64 "h%02" PRId64 "m", s / 3600, (s % 3600) / 60);
    } else {
      std::snprintf(buf, sizeof buf, "%" PRId64 "d%02" PRId64 "h", s / 86400, (s % 86400) / 3600);
    }
  }
  return buf;
}

std::string FormatBytes(int64_t bytes) {
  if (bytes < 1024) return std::to_string(bytes) + " B";
  static const char* kUnits[] = {"KiB", "MiB", "GiB", "TiB", "PiB"};
  double v = static_cast<double>(bytes);
  int unit = -1;
  while (v >= 1024 && unit < 4) {
    v /= 1024;
    ++unit;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f %s", v, kUnits[unit]);
  return buf;
}

std::string RowEncoder::Encode(const std::vector<json::object>& batch) {
  std::string out;
  if (format_ != Format::kCsv) {
    for (const auto& o : batch) {
      out += json::serialize(o);
      out += '\n';
    }
    rows_ += batch.size();
    return out;
  }
  if (batch.empty()) return out;
  if (!header_written_) {
    columns_ = TableFromObjects(batch).columns;
    out += CsvLine(columns_);
    header_written_ = true;
  }
  std::unordered_map<std::string_view, size_t> index;
  for (size_t i = 0; i < columns_.size(); ++i) index.emplace(columns_[i], i);
  for (const auto& o : batch) {
    std::vector<std::string> fields(columns_.size());
    for (const auto& kv : o) {
      auto it = index.find(std::string_view(kv.key()));
      if (it != index.end()) {
        fields[it->second] = CellText(kv.value());
        continue;
      }
      std::string key(kv.key());
      if (std::find(dropped_.begin(), dropped_.end(), key) == dropped_.end()) {
        dropped_.push_back(key);
        warnings_.push_back("column '" + key +
                            "' appeared after the CSV header was written; its values are "
                            "dropped (--format jsonl or json keeps every column)");
      }
    }
    out += CsvLine(fields);
  }
  rows_ += batch.size();
  return out;
}

std::vector<std::string> RowEncoder::TakeWarnings() {
  std::vector<std::string> out;
  out.swap(warnings_);
  return out;
}

}  // namespace quarry::cli
