#include "store/sqlite/stored_search.h"

#include <fmt/format.h>
#include <strings.h>

#include <climits>
#include <string>

#include "search/sqlite_read_only.h"

namespace quarry::store::sqlite {
namespace {

struct HiddenColumn {
  const char* table;
  const char* column;  // nullptr: the whole table
};

constexpr HiddenColumn kHidden[] = {
    {"api_tokens", "token_hash"},
    {"sqlite_dbpage", nullptr},
};

bool Same(const char* a, const char* b) {
  return a != nullptr && b != nullptr && strcasecmp(a, b) == 0;
}

struct Watch {
  std::string hidden;  // the first hidden column read, "table.column"
};

// Reads are reported with their table and column; any other action is denied,
// so that nothing the statement asks for (a pragma acts while being compiled)
// happens during this pass. Whether it may run at all is RunReadOnly's call.
int WatchReads(void* user, int action, const char* table, const char* column, const char* /*db*/,
               const char* /*trigger_or_view*/) {
  auto* watch = static_cast<Watch*>(user);
  switch (action) {
    case SQLITE_READ:
      for (const HiddenColumn& hidden : kHidden) {
        if (!Same(table, hidden.table)) continue;
        if (hidden.column != nullptr && !Same(column, hidden.column)) continue;
        if (watch->hidden.empty()) {
          watch->hidden = hidden.column != nullptr
                              ? fmt::format("{}.{}", hidden.table, hidden.column)
                              : std::string(hidden.table);
        }
        return SQLITE_DENY;
      }
      return SQLITE_OK;
    case SQLITE_SELECT:
    case SQLITE_RECURSIVE:
    case SQLITE_FUNCTION:
      return SQLITE_OK;
    default:
      return SQLITE_DENY;
  }
}

// Compiles (never steps) the first statement of `sql` under WatchReads and
// returns the hidden column it reads, or "". A statement that does not compile
// here is left to RunReadOnly to report. The actions denied here that
// RunReadOnly would allow (its introspection pragmas, and the schema-table
// writes of CREATE/DROP it refuses later) cannot come before a column read in a
// statement that RunReadOnly lets run, so no read goes unseen.
std::string FindHiddenRead(sqlite3* db, std::string_view sql) {
  Watch watch;
  sqlite3_set_authorizer(db, WatchReads, &watch);
  sqlite3_stmt* stmt = nullptr;
  (void)sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()), 0, &stmt, nullptr);
  sqlite3_finalize(stmt);  // a no-op on nullptr
  sqlite3_set_authorizer(db, nullptr, nullptr);
  return watch.hidden;
}

}  // namespace

Result<search::Table> RunStoredSearch(Db& db, std::string_view sql,
                                      const search::QueryLimits& limits) {
  // Over-long SQL is not compiled here either: RunReadOnly refuses it unread.
  if (sql.size() <= limits.max_sql_bytes && sql.size() <= static_cast<size_t>(INT_MAX)) {
    std::string hidden = FindHiddenRead(db.raw(), sql);
    if (!hidden.empty()) {
      return Fail(ErrorCode::kPermissionDenied, fmt::format("{} cannot be read by search", hidden));
    }
  }
  return search::RunReadOnly(db.raw(), sql, limits);
}

}  // namespace quarry::store::sqlite
