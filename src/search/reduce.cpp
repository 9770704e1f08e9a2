#include "search/reduce.h"

#include <fmt/format.h>
#include <sqlite3.h>

#include <algorithm>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parser.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <charconv>
#include <cstddef>
#include <functional>
#include <limits>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "search/sqlite_read_only.h"

namespace quarry::search {
namespace {

// The private database is thrown away with the Reducer, so durability buys
// nothing: no fsync. The rollback journal stays (in memory): it is what makes a
// failed Add leave no trace, and appending rows to a fresh table journals
// almost nothing.
//
// Sorting (GROUP BY, ORDER BY, DISTINCT) is most of a reduce query's time.
// SQLite's sorter sorts 1 MiB runs and merges them; with temp_store=MEMORY it
// skips runs and sorts one linked list of separately allocated records, which
// measured 3x slower over 3M rows (cache misses). So temp_store stays FILE and
// the cache is 1 MiB, which sets the run size: runs go to unlinked temp files,
// which the OS page cache mostly keeps in memory.
constexpr const char* kSetupSql =
    "PRAGMA synchronous=OFF;"
    "PRAGMA temp_store=FILE;"
    "PRAGMA cache_size=-1024;"
    "CREATE TABLE results(host TEXT, host_id INTEGER);";

enum class NumberKind { kText, kInteger, kReal };

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// [+-]?(0|[1-9][0-9]*) is an integer; followed by \.[0-9]+ a decimal.
NumberKind Classify(std::string_view s) {
  size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  if (i == s.size()) return NumberKind::kText;
  if (s[i] == '0') {
    ++i;
  } else if (IsDigit(s[i])) {
    while (i < s.size() && IsDigit(s[i])) ++i;
  } else {
    return NumberKind::kText;
  }
  if (i == s.size()) return NumberKind::kInteger;
  if (s[i] != '.') return NumberKind::kText;
  const size_t fraction = ++i;
  while (i < s.size() && IsDigit(s[i])) ++i;
  return (i > fraction && i == s.size()) ? NumberKind::kReal : NumberKind::kText;
}

// Binds a string value, as a number when it looks like one (see reduce.h).
// SQLITE_STATIC: the caller keeps `s` alive until the row is stepped and the
// bindings are cleared.
int BindString(sqlite3_stmt* stmt, int index, std::string_view s) {
  std::string_view digits = s;
  if (!digits.empty() && digits.front() == '+') digits.remove_prefix(1);
  switch (Classify(s)) {
    case NumberKind::kInteger: {
      int64_t value = 0;
      const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
      if (ec == std::errc() && end == digits.data() + digits.size()) {
        return sqlite3_bind_int64(stmt, index, value);
      }
      break;  // outside int64: keep every digit as TEXT
    }
    case NumberKind::kReal: {
      double value = 0;
      const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
      if (ec == std::errc() && end == digits.data() + digits.size()) {
        return sqlite3_bind_double(stmt, index, value);
      }
      break;
    }
    case NumberKind::kText:
      break;
  }
  return sqlite3_bind_text64(stmt, index, s.data(), s.size(), SQLITE_STATIC, SQLITE_UTF8);
}

int BindTransientText(sqlite3_stmt* stmt, int index, const std::string& text) {
  return sqlite3_bind_text64(stmt, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
}

int BindJson(sqlite3_stmt* stmt, int index, const boost::json::value& value) {
  switch (value.kind()) {
    case boost::json::kind::null:
      return SQLITE_OK;  // cleared bindings are NULL
    case boost::json::kind::bool_:
      return sqlite3_bind_int64(stmt, index, value.get_bool() ? 1 : 0);
    case boost::json::kind::int64:
      return sqlite3_bind_int64(stmt, index, value.get_int64());
    case boost::json::kind::uint64: {
      const uint64_t u = value.get_uint64();
      if (u <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        return sqlite3_bind_int64(stmt, index, static_cast<int64_t>(u));
      }
      return BindTransientText(stmt, index, std::to_string(u));
    }
    case boost::json::kind::double_:
      return sqlite3_bind_double(stmt, index, value.get_double());
    case boost::json::kind::string: {
      const boost::json::string& s = value.get_string();
      return BindString(stmt, index, std::string_view(s.data(), s.size()));
    }
    case boost::json::kind::array:
    case boost::json::kind::object:
      return BindTransientText(stmt, index, boost::json::serialize(value));
  }
  return SQLITE_OK;
}

std::string QuoteIdentifier(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

// SQLite compares identifiers ignoring ASCII case only.
std::string AsciiLower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// Keys come from hosts and may be long; error messages quote at most 64 bytes,
// cut at a UTF-8 character boundary.
std::string_view Abbreviate(std::string_view key) {
  size_t size = std::min<size_t>(key.size(), 64);
  while (size > 0 && size < key.size() && (static_cast<unsigned char>(key[size]) & 0xC0) == 0x80) {
    --size;
  }
  return key.substr(0, size);
}

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view text) const { return std::hash<std::string_view>()(text); }
};

ErrorCode CodeFor(int rc) {
  switch (rc & 0xff) {
    case SQLITE_NOMEM:
      return ErrorCode::kUnavailable;
    case SQLITE_TOOBIG:
      return ErrorCode::kTooLarge;
    default:
      return ErrorCode::kInternal;
  }
}

}  // namespace

class Reducer::Impl {
 public:
  explicit Impl(size_t max_keys) : max_keys_(max_keys) {}
  ~Impl() {
    sqlite3_finalize(insert_);
    sqlite3_close(db_);
  }
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  Result<void> Open();
  Result<void> Add(const std::vector<ReduceInput>& rows);
  Result<Table> Evaluate(std::string_view sql, const QueryLimits& limits) {
    return RunReadOnly(db_, sql, limits);
  }
  size_t rows() const { return rows_; }

 private:
  Result<void> Exec(const char* sql);
  tl::unexpected<Error> Failure(int rc, std::string_view what);
  Result<void> Load(const std::vector<ReduceInput>& rows);
  Result<int> ColumnFor(std::string_view key);
  std::string NewColumnName(std::string_view key) const;
  Result<void> PrepareInsert();
  void Undo(size_t columns_before);

  sqlite3* db_ = nullptr;
  // INSERT INTO results VALUES (?1, …, ?N) for the current N; null when the
  // columns have changed since it was prepared.
  sqlite3_stmt* insert_ = nullptr;
  std::vector<std::string> columns_;       // column names in table order
  std::unordered_set<std::string> taken_;  // AsciiLower of every column name
  // JSON key → index into columns_.
  std::unordered_map<std::string, int, StringHash, std::equal_to<>> column_of_key_;
  size_t max_keys_;  // after Open: also within SQLite's column limit
  size_t rows_ = 0;
  // Set when a failed Add could not be rolled back; every later call fails.
  bool broken_ = false;
};

tl::unexpected<Error> Reducer::Impl::Failure(int rc, std::string_view what) {
  return Fail(CodeFor(rc), fmt::format("reduce: {}: {}", what, sqlite3_errmsg(db_)));
}

Result<void> Reducer::Impl::Exec(const char* sql) {
  const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return Failure(rc, sql);
  return Ok();
}

Result<void> Reducer::Impl::Open() {
  if (broken_)
    return Fail(ErrorCode::kInternal, "reduce: an earlier failure left the data unusable");
  if (db_ != nullptr) return Ok();
  // NOMUTEX: a Reducer is used from one thread at a time (see reduce.h).
  const int rc = sqlite3_open_v2(
      ":memory:", &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    // Even a failed open may allocate a handle, which must be closed.
    sqlite3_close(db_);
    db_ = nullptr;
    return Fail(CodeFor(rc),
                fmt::format("reduce: cannot open the in-memory database: {}", sqlite3_errstr(rc)));
  }
  if (auto setup = Exec(kSetupSql); !setup) {
    sqlite3_close(db_);
    db_ = nullptr;
    return setup;
  }
  columns_ = {"host", "host_id"};
  taken_ = {"host", "host_id"};
  const int column_limit = sqlite3_limit(db_, SQLITE_LIMIT_COLUMN, -1);
  if (column_limit > 2) max_keys_ = std::min(max_keys_, static_cast<size_t>(column_limit - 2));
  return Ok();
}

std::string Reducer::Impl::NewColumnName(std::string_view key) const {
  std::string name(key);
  for (char& c : name) {
    if (c == '\0') c = '_';  // SQL text cannot carry NUL
  }
  if (name.empty()) name = "_";
  const std::string lower = AsciiLower(name);
  if (lower == "host" || lower == "host_id") name = "row_" + name;
  const std::string base = name;
  for (int n = 2; taken_.count(AsciiLower(name)) != 0; ++n) name = fmt::format("{}_{}", base, n);
  return name;
}

Result<int> Reducer::Impl::ColumnFor(std::string_view key) {
  if (auto it = column_of_key_.find(key); it != column_of_key_.end()) return it->second;
  if (columns_.size() - 2 >= max_keys_) {
    return Fail(ErrorCode::kTooLarge,
                fmt::format("reduce: key \"{}\" would be distinct key number {}; the limit is {}",
                            Abbreviate(key), columns_.size() - 1, max_keys_));
  }
  std::string name = NewColumnName(key);
  const std::string sql = "ALTER TABLE results ADD COLUMN " + QuoteIdentifier(name);
  const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) {
    return Fail(CodeFor(rc), fmt::format("reduce: cannot add a column for key \"{}\": {}",
                                         Abbreviate(key), sqlite3_errmsg(db_)));
  }
  // The statement has one parameter too few now.
  sqlite3_finalize(insert_);
  insert_ = nullptr;
  const int index = static_cast<int>(columns_.size());
  taken_.insert(AsciiLower(name));
  columns_.push_back(std::move(name));
  column_of_key_.emplace(std::string(key), index);
  return index;
}

Result<void> Reducer::Impl::PrepareInsert() {
  std::string sql = "INSERT INTO results VALUES (";
  for (size_t i = 0; i < columns_.size(); ++i) sql += (i == 0 ? "?" : ",?");
  sql += ")";
  const int rc = sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()),
                                    SQLITE_PREPARE_PERSISTENT, &insert_, nullptr);
  if (rc != SQLITE_OK) return Failure(rc, "prepare insert");
  return Ok();
}

Result<void> Reducer::Impl::Load(const std::vector<ReduceInput>& rows) {
  boost::json::parser parser;
  // Most rows fit in this buffer, so parsing a row allocates nothing.
  alignas(std::max_align_t) unsigned char buffer[4096];
  std::vector<int> indexes;
  for (size_t r = 0; r < rows.size(); ++r) {
    const ReduceInput& row = rows[r];
    boost::json::monotonic_resource resource(buffer, sizeof buffer);
    parser.reset(&resource);
    boost::system::error_code ec;
    parser.write(row.row_json.data(), row.row_json.size(), ec);
    if (ec) {
      parser.reset();  // drop partial values while `resource` is alive
      return Fail(
          ErrorCode::kInvalidArgument,
          fmt::format("reduce: row {} (host {}) is not valid JSON: {}", r, row.host, ec.message()));
    }
    const boost::json::value value = parser.release();
    if (!value.is_object()) {
      return Fail(ErrorCode::kInvalidArgument,
                  fmt::format("reduce: row {} (host {}) is not a JSON object", r, row.host));
    }
    const boost::json::object& object = value.get_object();

    // Columns first: adding one re-prepares the statement, losing bindings.
    indexes.clear();
    for (const auto& member : object) {
      const Result<int> index =
          ColumnFor(std::string_view(member.key().data(), member.key().size()));
      if (!index) return Fail(index.error());
      indexes.push_back(*index);
    }
    if (insert_ == nullptr) {
      if (auto prepared = PrepareInsert(); !prepared) return prepared;
    }

    int rc = sqlite3_bind_text64(insert_, 1, row.host.data(), row.host.size(), SQLITE_STATIC,
                                 SQLITE_UTF8);
    if (rc == SQLITE_OK) rc = sqlite3_bind_int64(insert_, 2, row.host_id);
    size_t i = 0;
    for (const auto& member : object) {
      if (rc != SQLITE_OK) break;
      rc = BindJson(insert_, indexes[i++] + 1, member.value());
    }
    if (rc == SQLITE_OK) rc = sqlite3_step(insert_);
    // Reset and unbind before `value` and its buffer go away.
    sqlite3_reset(insert_);
    sqlite3_clear_bindings(insert_);
    if (rc != SQLITE_DONE) return Failure(rc, "insert");
  }
  return Ok();
}

void Reducer::Impl::Undo(size_t columns_before) {
  if (insert_ != nullptr) {
    sqlite3_reset(insert_);
    sqlite3_clear_bindings(insert_);
  }
  if (sqlite3_get_autocommit(db_) == 0 &&
      sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr) != SQLITE_OK) {
    broken_ = true;
  }
  if (columns_.size() == columns_before) return;
  // The rollback removed the columns this batch added; forget them too.
  for (auto it = column_of_key_.begin(); it != column_of_key_.end();) {
    if (static_cast<size_t>(it->second) >= columns_before) {
      it = column_of_key_.erase(it);
    } else {
      ++it;
    }
  }
  for (size_t i = columns_before; i < columns_.size(); ++i) taken_.erase(AsciiLower(columns_[i]));
  columns_.resize(columns_before);
  sqlite3_finalize(insert_);
  insert_ = nullptr;
}

Result<void> Reducer::Impl::Add(const std::vector<ReduceInput>& rows) {
  if (rows.empty()) return Ok();
  if (auto begun = Exec("BEGIN"); !begun) return begun;
  const size_t columns_before = columns_.size();
  Result<void> loaded = Load(rows);
  if (loaded) loaded = Exec("COMMIT");
  if (!loaded) {
    Undo(columns_before);
    return loaded;
  }
  rows_ += rows.size();
  return Ok();
}

Reducer::Reducer() : Reducer(kDefaultMaxKeys) {}
Reducer::Reducer(size_t max_keys) : max_keys_(max_keys) {}
Reducer::~Reducer() = default;
Reducer::Reducer(Reducer&& other) noexcept = default;
Reducer& Reducer::operator=(Reducer&& other) noexcept = default;

Result<void> Reducer::Add(const std::vector<ReduceInput>& rows) {
  if (impl_ == nullptr) impl_ = std::make_unique<Impl>(max_keys_);
  if (auto opened = impl_->Open(); !opened) return opened;
  return impl_->Add(rows);
}

Result<Table> Reducer::Evaluate(std::string_view sql, const QueryLimits& limits) {
  if (impl_ == nullptr) impl_ = std::make_unique<Impl>(max_keys_);
  if (auto opened = impl_->Open(); !opened) return Fail(opened.error());
  return impl_->Evaluate(sql, limits);
}

size_t Reducer::rows() const { return impl_ != nullptr ? impl_->rows() : 0; }

Result<Table> Reduce(const std::vector<ReduceInput>& rows, std::string_view reduce_sql,
                     const QueryLimits& limits) {
  Reducer reducer;
  if (auto added = reducer.Add(rows); !added) return Fail(added.error());
  return reducer.Evaluate(reduce_sql, limits);
}

}  // namespace quarry::search
