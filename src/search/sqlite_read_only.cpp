#include "search/sqlite_read_only.h"

#include <fmt/format.h>
#include <sqlite3.h>

#include <array>
#include <cctype>
#include <chrono>
#include <climits>
#include <memory>
#include <string>
#include <utility>

namespace quarry::search {
namespace {

using Clock = std::chrono::steady_clock;

// How many VM instructions run between two looks at the clock. A clock read
// costs tens of nanoseconds; 1000 instructions take microseconds.
constexpr int kProgressInstructions = 1000;

// Introspection pragmas that never change state, whatever their argument.
constexpr std::array<std::string_view, 7> kAllowedPragmas = {
    "table_info", "table_xinfo", "table_list",       "index_list",
    "index_info", "index_xinfo", "foreign_key_list",
};

// load_extension runs native code; fts3_tokenizer(name, pointer) installs a
// tokenizer from a raw pointer (a known code-execution hole, and this build has
// SQLITE_ENABLE_FTS3_TOKENIZER). The last three come from the sqlite3 shell's
// extensions and touch files; they are not in the library, but a build that
// links them must still refuse them.
constexpr std::array<std::string_view, 5> kDeniedFunctions = {
    "load_extension", "fts3_tokenizer", "readfile", "writefile", "edit",
};

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

template <size_t N>
bool InList(const std::array<std::string_view, N>& list, const char* name) {
  if (name == nullptr) return false;
  for (std::string_view entry : list) {
    if (EqualsIgnoreCase(entry, name)) return true;
  }
  return false;
}

bool IsSchemaTable(const char* table) {
  if (table == nullptr) return false;
  return EqualsIgnoreCase(table, "sqlite_master") || EqualsIgnoreCase(table, "sqlite_schema") ||
         EqualsIgnoreCase(table, "sqlite_temp_master") ||
         EqualsIgnoreCase(table, "sqlite_temp_schema");
}

// Skips whitespace and comments (and semicolons when `semicolons`) from `pos`.
// An unterminated block comment runs to the end, as in SQLite.
size_t SkipSeparators(std::string_view sql, size_t pos, bool semicolons) {
  while (pos < sql.size()) {
    const char c = sql[pos];
    if (std::isspace(static_cast<unsigned char>(c)) || (semicolons && c == ';')) {
      ++pos;
    } else if (sql.substr(pos, 2) == "--") {
      const size_t end = sql.find('\n', pos);
      pos = end == std::string_view::npos ? sql.size() : end + 1;
    } else if (sql.substr(pos, 2) == "/*") {
      const size_t end = sql.find("*/", pos + 2);
      pos = end == std::string_view::npos ? sql.size() : end + 2;
    } else {
      break;
    }
  }
  return pos;
}

// The statement's first keyword, upper-cased, looking past EXPLAIN [QUERY PLAN]:
// "VACUUM" for "explain vacuum". Used only to word refusals.
std::string StatementKeyword(std::string_view sql) {
  size_t pos = 0;
  std::string word;
  for (;;) {
    pos = SkipSeparators(sql, pos, /*semicolons=*/false);
    word.clear();
    while (pos < sql.size() && (std::isalpha(static_cast<unsigned char>(sql[pos])) != 0)) {
      word.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(sql[pos]))));
      ++pos;
    }
    if (word != "EXPLAIN" && word != "QUERY" && word != "PLAN") return word;
  }
}

// Shared by the authorizer and the progress handler for one call.
struct GuardState {
  std::string keyword;  // StatementKeyword of the SQL
  // The first action the authorizer refused, worded for the operator.
  std::string refused;
  Clock::time_point deadline{};
  bool timed_out = false;
};

std::string DescribeAction(const GuardState& state, int action, const char* arg1,
                           const char* arg2) {
  auto text = [](const char* s) { return std::string(s != nullptr ? s : "?"); };
  switch (action) {
    case SQLITE_ATTACH:
      return "ATTACH";
    case SQLITE_DETACH:
      return "DETACH";
    case SQLITE_INSERT:
      return state.keyword == "REPLACE" ? "REPLACE" : "INSERT";
    case SQLITE_UPDATE:
      return "UPDATE";
    case SQLITE_DELETE:
      return "DELETE";
    case SQLITE_CREATE_INDEX:
    case SQLITE_CREATE_TEMP_INDEX:
      return "CREATE INDEX";
    case SQLITE_CREATE_TABLE:
    case SQLITE_CREATE_TEMP_TABLE:
      return "CREATE TABLE";
    case SQLITE_CREATE_TRIGGER:
    case SQLITE_CREATE_TEMP_TRIGGER:
      return "CREATE TRIGGER";
    case SQLITE_CREATE_VIEW:
    case SQLITE_CREATE_TEMP_VIEW:
      return "CREATE VIEW";
    case SQLITE_CREATE_VTABLE:
      return "CREATE VIRTUAL TABLE";
    case SQLITE_DROP_INDEX:
    case SQLITE_DROP_TEMP_INDEX:
      return "DROP INDEX";
    case SQLITE_DROP_TABLE:
    case SQLITE_DROP_TEMP_TABLE:
    case SQLITE_DROP_VTABLE:
      return "DROP TABLE";
    case SQLITE_DROP_TRIGGER:
    case SQLITE_DROP_TEMP_TRIGGER:
      return "DROP TRIGGER";
    case SQLITE_DROP_VIEW:
    case SQLITE_DROP_TEMP_VIEW:
      return "DROP VIEW";
    case SQLITE_ALTER_TABLE:
      return "ALTER TABLE";
    case SQLITE_REINDEX:
      return "REINDEX";
    case SQLITE_ANALYZE:
      return "ANALYZE";
    case SQLITE_PRAGMA:
      return "PRAGMA " + text(arg1);
    case SQLITE_TRANSACTION:  // arg1: BEGIN, COMMIT or ROLLBACK
      return text(arg1);
    case SQLITE_SAVEPOINT: {  // arg1: BEGIN, RELEASE or ROLLBACK
      const std::string op = text(arg1);
      if (op == "BEGIN") return "SAVEPOINT";
      if (op == "ROLLBACK") return "ROLLBACK TO";
      return op;
    }
    case SQLITE_FUNCTION:
      return "function " + text(arg2) + "()";
    default:
      return fmt::format("this statement (authorizer action {})", action);
  }
}

// Default-deny: only the actions a read needs are allowed.
int Authorize(void* user, int action, const char* arg1, const char* arg2, const char* /*db*/,
              const char* /*trigger_or_view*/) {
  auto* state = static_cast<GuardState*>(user);
  switch (action) {
    case SQLITE_SELECT:
    case SQLITE_READ:
    case SQLITE_RECURSIVE:
      return SQLITE_OK;
    case SQLITE_FUNCTION:
      if (!InList(kDeniedFunctions, arg2)) return SQLITE_OK;
      break;
    case SQLITE_PRAGMA:
      // Refused here, not later: some pragmas act while being compiled.
      if (InList(kAllowedPragmas, arg1)) return SQLITE_OK;
      break;
    case SQLITE_INSERT:
    case SQLITE_UPDATE:
    case SQLITE_DELETE:
      // SQLite checks a write to the schema table first when it compiles
      // CREATE, DROP and ALTER (let through, so that the specific action that
      // follows is the one refused and named), and when it sets up a
      // table-valued function such as pragma_table_info (a read). A statement
      // that really writes the schema table fails sqlite3_stmt_readonly.
      if (IsSchemaTable(arg1)) return SQLITE_OK;
      break;
    default:
      break;
  }
  if (state->refused.empty()) {
    // ANALYZE begins by creating sqlite_stat1 when it does not exist yet.
    state->refused = state->keyword == "ANALYZE" ? std::string("ANALYZE")
                                                 : DescribeAction(*state, action, arg1, arg2);
  }
  return SQLITE_DENY;
}

int OnProgress(void* user) {
  auto* state = static_cast<GuardState*>(user);
  if (Clock::now() < state->deadline) return 0;
  state->timed_out = true;
  return 1;  // SQLite stops the statement with SQLITE_INTERRUPT
}

// Removes the handlers on every return path. Declared before the statement so
// that the statement is finalized first.
class HandlerScope {
 public:
  HandlerScope(sqlite3* db, GuardState* state) : db_(db) {
    sqlite3_set_authorizer(db_, Authorize, state);
  }
  ~HandlerScope() {
    sqlite3_progress_handler(db_, 0, nullptr, nullptr);
    sqlite3_set_authorizer(db_, nullptr, nullptr);
  }
  HandlerScope(const HandlerScope&) = delete;
  HandlerScope& operator=(const HandlerScope&) = delete;

 private:
  sqlite3* db_;
};

struct StmtDeleter {
  void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};
using StmtPtr = std::unique_ptr<sqlite3_stmt, StmtDeleter>;

tl::unexpected<Error> Refuse(const std::string& what) {
  return Fail(ErrorCode::kInvalidArgument, what + " is not allowed in search (read-only)");
}

tl::unexpected<Error> SqliteFailure(sqlite3* db, int rc) {
  ErrorCode code = ErrorCode::kInternal;
  switch (rc & 0xff) {
    case SQLITE_ERROR:
    case SQLITE_MISMATCH:
    case SQLITE_RANGE:
    case SQLITE_AUTH:
      code = ErrorCode::kInvalidArgument;
      break;
    case SQLITE_TOOBIG:
      code = ErrorCode::kTooLarge;
      break;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_NOMEM:
    case SQLITE_INTERRUPT:
      code = ErrorCode::kUnavailable;
      break;
    case SQLITE_IOERR:
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
    case SQLITE_CANTOPEN:
    case SQLITE_FULL:
    case SQLITE_PERM:
      code = ErrorCode::kIo;
      break;
    default:
      break;
  }
  return Fail(code, sqlite3_errmsg(db));
}

std::string Hex(const void* data, int size) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  const auto* bytes = static_cast<const unsigned char*>(data);
  std::string out;
  out.reserve(static_cast<size_t>(size) * 2);
  for (int i = 0; i < size; ++i) {
    out.push_back(kDigits[bytes[i] >> 4]);
    out.push_back(kDigits[bytes[i] & 0xf]);
  }
  return out;
}

Cell ReadCell(sqlite3_stmt* stmt, int i) {
  switch (sqlite3_column_type(stmt, i)) {
    case SQLITE_INTEGER:
      return static_cast<int64_t>(sqlite3_column_int64(stmt, i));
    case SQLITE_FLOAT:
      return sqlite3_column_double(stmt, i);
    case SQLITE_TEXT: {
      const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, i));
      const int size = sqlite3_column_bytes(stmt, i);
      return text != nullptr ? std::string(text, static_cast<size_t>(size)) : std::string();
    }
    case SQLITE_BLOB: {
      const void* blob = sqlite3_column_blob(stmt, i);
      const int size = sqlite3_column_bytes(stmt, i);
      return Hex(blob, size);
    }
    default:
      return std::monostate{};
  }
}

}  // namespace

Result<Table> RunReadOnly(sqlite3* db, std::string_view sql, const QueryLimits& limits) {
  if (db == nullptr) return Fail(ErrorCode::kInternal, "RunReadOnly: no database connection");
  if (sql.size() > limits.max_sql_bytes || sql.size() > static_cast<size_t>(INT_MAX)) {
    return Fail(ErrorCode::kTooLarge, fmt::format("query is {} bytes; the limit is {} bytes",
                                                  sql.size(), limits.max_sql_bytes));
  }
  sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0, static_cast<int*>(nullptr));
  sqlite3_enable_load_extension(db, 0);

  GuardState state;
  state.keyword = StatementKeyword(sql);
  HandlerScope handlers(db, &state);

  sqlite3_stmt* raw = nullptr;
  const char* tail = nullptr;
  const int prepare_rc =
      sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()), 0, &raw, &tail);
  StmtPtr stmt(raw);
  if (!state.refused.empty()) return Refuse(state.refused);
  if (prepare_rc != SQLITE_OK) return SqliteFailure(db, prepare_rc);
  if (stmt == nullptr) return Fail(ErrorCode::kInvalidArgument, "the query is empty");

  const size_t tail_offset = tail != nullptr ? static_cast<size_t>(tail - sql.data()) : sql.size();
  if (SkipSeparators(sql, tail_offset, /*semicolons=*/true) != sql.size()) {
    return Fail(ErrorCode::kInvalidArgument, "only one statement is allowed");
  }
  // The authorizer has no hook for VACUUM, lets schema-table writes through
  // (above), and a case it misses must still fail.
  if (sqlite3_stmt_readonly(stmt.get()) == 0) {
    const bool named = !state.keyword.empty() && state.keyword != "SELECT" &&
                       state.keyword != "WITH" && state.keyword != "VALUES";
    return Refuse(named ? state.keyword : std::string("a statement that writes"));
  }

  Table table;
  const int column_count = sqlite3_column_count(stmt.get());
  table.columns.reserve(static_cast<size_t>(column_count));
  for (int i = 0; i < column_count; ++i) {
    const char* name = sqlite3_column_name(stmt.get(), i);
    table.columns.emplace_back(name != nullptr ? name : "");
  }

  // Saturate rather than overflow for a huge max_time.
  const Clock::time_point now = Clock::now();
  const auto headroom =
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::time_point::max() - now);
  state.deadline = limits.max_time < headroom ? now + limits.max_time : Clock::time_point::max();
  sqlite3_progress_handler(db, kProgressInstructions, OnProgress, &state);
  for (;;) {
    const int rc = sqlite3_step(stmt.get());
    if (rc == SQLITE_DONE) break;
    if (rc == SQLITE_ROW) {
      if (table.rows.size() >= limits.max_rows) {
        table.truncated = true;
        break;
      }
      std::vector<Cell>& row = table.rows.emplace_back();
      row.reserve(static_cast<size_t>(column_count));
      for (int i = 0; i < column_count; ++i) row.push_back(ReadCell(stmt.get(), i));
      continue;
    }
    if (state.timed_out) {
      return Fail(ErrorCode::kDeadlineExceeded,
                  fmt::format("query took longer than {} ms", limits.max_time.count()));
    }
    // A table-valued pragma compiles its PRAGMA while running, under the guard.
    if (!state.refused.empty()) return Refuse(state.refused);
    return SqliteFailure(db, rc);
  }
  return table;
}

}  // namespace quarry::search
