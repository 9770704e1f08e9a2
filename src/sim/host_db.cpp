#include "sim/host_db.h"

#include <sqlite3.h>

#include <array>
#include <charconv>
#include <cstring>
#include <mutex>
#include <unordered_map>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "sim/host_tables.h"

namespace quarry::sim {
namespace {

// ---- SQLite's clock ---------------------------------------------------------------------
//
// SQLite asks its VFS for the current time ('now' in date functions). The engine's
// connections use a VFS that copies the default one but answers with the `now_unix` of the
// Execute running on this thread, so strftime('%s','now') agrees with the time table.

constexpr char kClockVfsName[] = "quarry_sim_clock";
constexpr sqlite3_int64 kUnixEpochJulianMs = 210866760000000;  // 2440587.5 days

thread_local int64_t t_now_override_ms = -1;

sqlite3_vfs g_clock_vfs;
sqlite3_vfs* g_base_vfs = nullptr;

int ClockCurrentTimeInt64(sqlite3_vfs*, sqlite3_int64* out) {
  if (t_now_override_ms >= 0) {
    *out = kUnixEpochJulianMs + t_now_override_ms;
    return SQLITE_OK;
  }
  return g_base_vfs->xCurrentTimeInt64(g_base_vfs, out);
}

int ClockCurrentTime(sqlite3_vfs* vfs, double* out) {
  sqlite3_int64 ms = 0;
  int rc = ClockCurrentTimeInt64(vfs, &ms);
  *out = static_cast<double>(ms) / 86400000.0;
  return rc;
}

bool RegisterClockVfs() {
  static std::once_flag once;
  static bool ok = false;
  std::call_once(once, [] {
    if (sqlite3_initialize() != SQLITE_OK) return;
    g_base_vfs = sqlite3_vfs_find(nullptr);
    if (g_base_vfs == nullptr || g_base_vfs->iVersion < 2 || g_base_vfs->xCurrentTimeInt64 == nullptr) return;
    g_clock_vfs = *g_base_vfs;
    g_clock_vfs.zName = kClockVfsName;
    g_clock_vfs.pNext = nullptr;
    g_clock_vfs.xCurrentTime = ClockCurrentTime;
    g_clock_vfs.xCurrentTimeInt64 = ClockCurrentTimeInt64;
    ok = sqlite3_vfs_register(&g_clock_vfs, 0) == SQLITE_OK;
  });
  return ok;
}

// Sets this thread's SQLite 'now' for the lifetime of the guard.
class ClockGuard {
 public:
  explicit ClockGuard(int64_t now_unix) { t_now_override_ms = now_unix * 1000; }
  ~ClockGuard() { t_now_override_ms = -1; }
  ClockGuard(const ClockGuard&) = delete;
  ClockGuard& operator=(const ClockGuard&) = delete;
};

// ---- JSON rendering ---------------------------------------------------------------------

constexpr char kHex[] = "0123456789abcdef";

// Length of the valid UTF-8 sequence starting at s[i], or 0 if invalid.
size_t Utf8SequenceLength(std::string_view s, size_t i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = byte(i);
  size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
  if (n == 0 || c > 0xF4 || i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
  }
  unsigned char c1 = byte(i + 1);
  if (c == 0xE0 && c1 < 0xA0) return 0;  // overlong
  if (c == 0xED && c1 > 0x9F) return 0;  // surrogates
  if (c == 0xF0 && c1 < 0x90) return 0;  // overlong
  if (c == 0xF4 && c1 > 0x8F) return 0;  // > U+10FFFF
  return n;
}

// Appends s as a JSON string. Control characters are escaped; bytes that are not valid
// UTF-8 (SQLite text may hold anything, e.g. randomblob()) become U+FFFD so the output is
// always valid JSON.
void AppendJsonString(std::string& out, std::string_view s) {
  out.push_back('"');
  size_t run = 0;  // start of the pending run of bytes copied verbatim
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
      ++i;
      continue;
    }
    if (c >= 0x80) {
      size_t n = Utf8SequenceLength(s, i);
      if (n != 0) {
        i += n;
        continue;
      }
    }
    out.append(s.data() + run, i - run);
    switch (c) {
      case '"': out.append("\\\""); break;
      case '\\': out.append("\\\\"); break;
      case '\n': out.append("\\n"); break;
      case '\r': out.append("\\r"); break;
      case '\t': out.append("\\t"); break;
      case '\b': out.append("\\b"); break;
      case '\f': out.append("\\f"); break;
      default:
        if (c < 0x20) {
          out.append("\\u00");
          out.push_back(kHex[c >> 4]);
          out.push_back(kHex[c & 0xF]);
        } else {
          out.append("\\ufffd");
        }
    }
    ++i;
    run = i;
  }
  out.append(s.data() + run, s.size() - run);
  out.push_back('"');
}

// osquery renders a REAL with 15 significant digits and appends ".0" when the text has no
// decimal point (castvariant / reference §4.4).
void AppendDouble(std::string& out, double d) {
  char buf[40];
  auto res = std::to_chars(buf, buf + sizeof(buf), d, std::chars_format::general, 15);
  std::string_view text(buf, static_cast<size_t>(res.ptr - buf));
  out.push_back('"');
  out.append(text);
  if (text.find('.') == std::string_view::npos) out.append(".0");
  out.push_back('"');
}

void AppendInt(std::string& out, sqlite3_int64 v) {
  char buf[24];
  auto res = std::to_chars(buf, buf + sizeof(buf), static_cast<long long>(v));
  out.push_back('"');
  out.append(buf, static_cast<size_t>(res.ptr - buf));
  out.push_back('"');
}

bool OnlySeparators(const char* p, const char* end) {
  for (; p < end; ++p) {
    if (*p != ';' && *p != ' ' && *p != '\t' && *p != '\n' && *p != '\r' && *p != '\f' && *p != '\v') return false;
  }
  return true;
}

// ---- authorizer ---------------------------------------------------------------------------

// One connection serves every host, so nothing may change its state: only reads, function
// calls and the introspection pragmas are allowed.
int Authorize(void*, int action, const char* arg1, const char*, const char*, const char*) {
  switch (action) {
    case SQLITE_SELECT:
    case SQLITE_READ:
    case SQLITE_FUNCTION:
    case SQLITE_RECURSIVE:
      return SQLITE_OK;
    case SQLITE_PRAGMA: {
      std::string_view pragma = arg1 == nullptr ? "" : arg1;
      if (pragma == "table_info" || pragma == "table_xinfo" || pragma == "table_list" ||
          pragma == "function_list" || pragma == "module_list" || pragma == "collation_list") {
        return SQLITE_OK;
      }
      return SQLITE_DENY;
    }
    default:
      return SQLITE_DENY;
  }
}

}  // namespace

// ---------------------------------------------------------------------------------------------

struct QueryEngine::Impl {
  struct CachedStatement {
    sqlite3_stmt* stmt = nullptr;
    uint64_t last_used = 0;
  };

  struct Connection {
    sqlite3* db = nullptr;
    PlatformFamily family = PlatformFamily::kLinux;
    std::unordered_map<std::string, CachedStatement> cache;

    Connection() = default;
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;
    ~Connection() {
      for (auto& [sql, cached] : cache) sqlite3_finalize(cached.stmt);
      sqlite3_close_v2(db);
    }
  };

  // What a registered eponymous table needs to find its rows.
  struct ModuleAux {
    Impl* engine;
    size_t table_index;
    PlatformFamily family;
  };

  struct TableCache {
    RowBuffer rows;
    uint64_t generation = 0;
  };

  struct Vtab : sqlite3_vtab {
    Impl* engine = nullptr;
    size_t table_index = 0;
    std::vector<size_t> columns;      // declared column -> TableDef column
    std::vector<ColumnType> types;    // declared column types
  };

  struct Cursor : sqlite3_vtab_cursor {
    const RowBuffer* rows = nullptr;
    size_t row = 0;
  };

  QueryEngineOptions options;
  std::array<std::unique_ptr<Connection>, kPlatformFamilyCount> connections;
  std::vector<std::unique_ptr<ModuleAux>> module_aux;
  std::vector<TableCache> tables;
  const HostProfile* host = nullptr;
  int64_t now = 0;
  uint64_t generation = 0;
  uint64_t use_counter = 0;
  std::chrono::steady_clock::time_point deadline;
  bool timed_out = false;

  // Connections go first: closing them disconnects the virtual tables that point at us.
  ~Impl() {
    for (auto& conn : connections) conn.reset();
  }

  // ---- virtual table callbacks ----------------------------------------------------------

  static int XConnect(sqlite3* db, void* aux_ptr, int, const char* const*, sqlite3_vtab** out, char** err) {
    auto* aux = static_cast<ModuleAux*>(aux_ptr);
    const TableDef& def = HostTables()[aux->table_index];
    auto vtab = std::make_unique<Vtab>();
    vtab->engine = aux->engine;
    vtab->table_index = aux->table_index;
    vtab->columns = TableColumns(def, aux->family);
    std::string ddl = "CREATE TABLE x(";
    for (size_t i = 0; i < vtab->columns.size(); ++i) {
      const ColumnDef& c = def.columns[vtab->columns[i]];
      vtab->types.push_back(c.type);
      if (i > 0) ddl += ", ";
      ddl += fmt::format("\"{}\" {}", c.name, ColumnTypeName(c.type));
    }
    ddl += ")";
    int rc = sqlite3_declare_vtab(db, ddl.c_str());
    if (rc != SQLITE_OK) {
      *err = sqlite3_mprintf("cannot declare %s: %s", std::string(def.name).c_str(), sqlite3_errmsg(db));
      return rc;
    }
    sqlite3_vtab_config(db, SQLITE_VTAB_INNOCUOUS);
    *out = vtab.release();
    return SQLITE_OK;
  }

  static int XDisconnect(sqlite3_vtab* vtab) {
    delete static_cast<Vtab*>(vtab);
    return SQLITE_OK;
  }

  static int XBestIndex(sqlite3_vtab* vtab, sqlite3_index_info* info) {
    // Every scan generates (or reuses) the whole table; SQLite applies the constraints. The
    // estimate lets the planner put small tables on the outside of joins.
    const TableDef& def = HostTables()[static_cast<Vtab*>(vtab)->table_index];
    info->estimatedRows = static_cast<sqlite3_int64>(def.estimated_rows);
    info->estimatedCost = def.estimated_rows * 10.0;
    info->idxNum = 0;
    return SQLITE_OK;
  }

  static int XOpen(sqlite3_vtab*, sqlite3_vtab_cursor** out) {
    *out = new Cursor();
    return SQLITE_OK;
  }

  static int XClose(sqlite3_vtab_cursor* cursor) {
    delete static_cast<Cursor*>(cursor);
    return SQLITE_OK;
  }

  static int XFilter(sqlite3_vtab_cursor* cursor_base, int, const char*, int, sqlite3_value**) {
    auto* cursor = static_cast<Cursor*>(cursor_base);
    auto* vtab = static_cast<Vtab*>(cursor->pVtab);
    cursor->rows = &vtab->engine->RowsFor(vtab->table_index);
    cursor->row = 0;
    return SQLITE_OK;
  }

  static int XNext(sqlite3_vtab_cursor* cursor) {
    ++static_cast<Cursor*>(cursor)->row;
    return SQLITE_OK;
  }

  static int XEof(sqlite3_vtab_cursor* cursor_base) {
    auto* cursor = static_cast<Cursor*>(cursor_base);
    return cursor->rows == nullptr || cursor->row >= cursor->rows->rows();
  }

  static int XColumn(sqlite3_vtab_cursor* cursor_base, sqlite3_context* ctx, int i) {
    auto* cursor = static_cast<Cursor*>(cursor_base);
    auto* vtab = static_cast<Vtab*>(cursor->pVtab);
    size_t column = vtab->columns[static_cast<size_t>(i)];
    std::string_view text = cursor->rows->Get(cursor->row, column);
    // The buffer stays untouched until the next Execute, after every statement was reset,
    // so SQLite may reference the text without copying it.
    switch (vtab->types[static_cast<size_t>(i)]) {
      case ColumnType::kText:
        sqlite3_result_text(ctx, text.data(), static_cast<int>(text.size()), SQLITE_STATIC);
        break;
      case ColumnType::kInteger:
      case ColumnType::kBigInt: {
        // Like osquery: an empty or unparsable value in a numeric column is NULL.
        long long v = 0;
        auto res = std::from_chars(text.data(), text.data() + text.size(), v);
        if (text.empty() || res.ec != std::errc() || res.ptr != text.data() + text.size()) {
          sqlite3_result_null(ctx);
        } else {
          sqlite3_result_int64(ctx, v);
        }
        break;
      }
      case ColumnType::kDouble: {
        double v = 0;
        auto res = std::from_chars(text.data(), text.data() + text.size(), v);
        if (text.empty() || res.ec != std::errc() || res.ptr != text.data() + text.size()) {
          sqlite3_result_null(ctx);
        } else {
          sqlite3_result_double(ctx, v);
        }
        break;
      }
    }
    return SQLITE_OK;
  }

  static int XRowid(sqlite3_vtab_cursor* cursor, sqlite3_int64* rowid) {
    *rowid = static_cast<sqlite3_int64>(static_cast<Cursor*>(cursor)->row);
    return SQLITE_OK;
  }

  static const sqlite3_module* Module() {
    static const sqlite3_module module = [] {
      sqlite3_module m{};
      m.iVersion = 1;
      m.xCreate = nullptr;  // eponymous-only: the table exists without CREATE VIRTUAL TABLE
      m.xConnect = XConnect;
      m.xBestIndex = XBestIndex;
      m.xDisconnect = XDisconnect;
      m.xDestroy = XDisconnect;
      m.xOpen = XOpen;
      m.xClose = XClose;
      m.xFilter = XFilter;
      m.xNext = XNext;
      m.xEof = XEof;
      m.xColumn = XColumn;
      m.xRowid = XRowid;
      return m;
    }();
    return &module;
  }

  static int Progress(void* self) {
    auto* impl = static_cast<Impl*>(self);
    if (std::chrono::steady_clock::now() > impl->deadline) {
      impl->timed_out = true;
      return 1;
    }
    return 0;
  }

  // ---- engine ---------------------------------------------------------------------------

  const RowBuffer& RowsFor(size_t table_index) {
    TableCache& cache = tables[table_index];
    if (cache.generation != generation) {
      const TableDef& def = HostTables()[table_index];
      if (host != nullptr) {
        GenerateTable(def, *host, now, cache.rows);
      } else {
        cache.rows.Reset(def.columns.size());
      }
      cache.generation = generation;
    }
    return cache.rows;
  }

  Result<Connection*> ConnectionFor(PlatformFamily family) {
    auto& slot = connections[static_cast<size_t>(family)];
    if (slot) return slot.get();
    auto conn = std::make_unique<Connection>();
    conn->family = family;
    int rc = sqlite3_open_v2(":memory:", &conn->db,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, kClockVfsName);
    if (rc != SQLITE_OK) {
      std::string msg = conn->db != nullptr ? sqlite3_errmsg(conn->db) : sqlite3_errstr(rc);
      return Fail(ErrorCode::kInternal, "sim engine: cannot open SQLite: " + msg);
    }
    sqlite3* db = conn->db;
    // Ownership moves to the slot now so that the destructor closes it on any failure below.
    slot = std::move(conn);
    sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, nullptr);
    sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0, nullptr);
    sqlite3_limit(db, SQLITE_LIMIT_LENGTH, options.max_value_bytes);
    sqlite3_limit(db, SQLITE_LIMIT_ATTACHED, 0);
    std::span<const TableDef> defs = HostTables();
    for (size_t i = 0; i < defs.size(); ++i) {
      if (!TableOnPlatform(defs[i], family)) continue;
      module_aux.push_back(std::make_unique<ModuleAux>(ModuleAux{this, i, family}));
      std::string name(defs[i].name);
      rc = sqlite3_create_module_v2(db, name.c_str(), Module(), module_aux.back().get(), nullptr);
      if (rc != SQLITE_OK) {
        std::string msg = sqlite3_errmsg(db);
        slot.reset();
        return Fail(ErrorCode::kInternal, fmt::format("sim engine: cannot register {}: {}", name, msg));
      }
    }
    // Connect every table now (SQLite caches eponymous tables per connection), before the
    // authorizer is installed, so the first real query pays nothing extra.
    for (const TableDef& def : defs) {
      if (!TableOnPlatform(def, family)) continue;
      std::string sql = fmt::format("SELECT * FROM \"{}\" LIMIT 0", def.name);
      sqlite3_stmt* stmt = nullptr;
      rc = sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr);
      sqlite3_finalize(stmt);
      if (rc != SQLITE_OK) {
        std::string msg = sqlite3_errmsg(db);
        slot.reset();
        return Fail(ErrorCode::kInternal, fmt::format("sim engine: table {}: {}", def.name, msg));
      }
    }
    // Only now: the tables' own declarations may be longer than the user-SQL limit.
    sqlite3_limit(db, SQLITE_LIMIT_SQL_LENGTH, options.max_sql_bytes);
    sqlite3_set_authorizer(db, Authorize, nullptr);
    sqlite3_progress_handler(db, 1000, Progress, this);
    return connections[static_cast<size_t>(family)].get();
  }

  // Returns a cached statement for `sql` or nullptr.
  sqlite3_stmt* Cached(Connection& conn, std::string_view sql) {
    if (options.statement_cache_size == 0) return nullptr;
    auto it = conn.cache.find(std::string(sql));
    if (it == conn.cache.end()) return nullptr;
    it->second.last_used = ++use_counter;
    return it->second.stmt;
  }

  void Remember(Connection& conn, std::string_view sql, sqlite3_stmt* stmt) {
    if (conn.cache.size() >= options.statement_cache_size) {
      auto oldest = conn.cache.begin();
      for (auto it = conn.cache.begin(); it != conn.cache.end(); ++it) {
        if (it->second.last_used < oldest->second.last_used) oldest = it;
      }
      sqlite3_finalize(oldest->second.stmt);
      conn.cache.erase(oldest);
    }
    conn.cache.emplace(std::string(sql), CachedStatement{stmt, ++use_counter});
  }

  // Column layout of the answer: osquery takes the names from the first statement.
  struct OutputColumns {
    std::vector<std::string> names;
    std::vector<std::string> keys;  // `"name":` ready to append
  };

  static OutputColumns ColumnsOf(sqlite3_stmt* stmt) {
    OutputColumns out;
    int n = sqlite3_column_count(stmt);
    for (int i = 0; i < n; ++i) {
      const char* name = sqlite3_column_name(stmt, i);
      out.names.emplace_back(name == nullptr ? "" : name);
      std::string key;
      AppendJsonString(key, out.names.back());
      key.push_back(':');
      out.keys.push_back(std::move(key));
    }
    return out;
  }

  // For each output column, the index in `stmt` whose value it shows: the last column of
  // that name (osquery's row is a name -> value map), or -1 when the statement lacks it.
  static std::vector<int> SourceColumns(const OutputColumns& cols, sqlite3_stmt* stmt) {
    int n = sqlite3_column_count(stmt);
    std::vector<int> src(cols.names.size(), -1);
    for (size_t o = 0; o < cols.names.size(); ++o) {
      for (int i = n - 1; i >= 0; --i) {
        const char* name = sqlite3_column_name(stmt, i);
        if (name != nullptr && cols.names[o] == name) {
          src[o] = i;
          break;
        }
      }
    }
    return src;
  }

  // Steps `stmt` to completion, appending rows. Returns false with `answer` set on error.
  bool Run(sqlite3* db, sqlite3_stmt* stmt, const OutputColumns& cols, SqlAnswer& answer) {
    std::vector<int> src = SourceColumns(cols, stmt);
    std::string& out = answer.rows_json;
    while (true) {
      int rc = sqlite3_step(stmt);
      if (rc == SQLITE_DONE) return true;
      if (rc != SQLITE_ROW) {
        answer.status = 1;
        answer.message = timed_out ? fmt::format("interrupted: query ran longer than {} ms",
                                                 options.time_limit.count())
                                   : sqlite3_errmsg(db);
        return false;
      }
      out.push_back(answer.row_count == 0 ? '[' : ',');
      out.push_back('{');
      bool first = true;
      for (size_t o = 0; o < src.size(); ++o) {
        int i = src[o];
        if (i < 0) continue;
        if (!first) out.push_back(',');
        first = false;
        out.append(cols.keys[o]);
        switch (sqlite3_column_type(stmt, i)) {
          case SQLITE_INTEGER: AppendInt(out, sqlite3_column_int64(stmt, i)); break;
          case SQLITE_FLOAT: AppendDouble(out, sqlite3_column_double(stmt, i)); break;
          case SQLITE_NULL: out.append("\"\""); break;
          default: {
            // _blob, not _text: a table's text is not NUL-terminated, and _text would make
            // SQLite copy every value to terminate it. The bytes are the same.
            const auto* text = static_cast<const char*>(sqlite3_column_blob(stmt, i));
            int bytes = sqlite3_column_bytes(stmt, i);
            AppendJsonString(out, text == nullptr ? std::string_view() : std::string_view(text, static_cast<size_t>(bytes)));
          }
        }
      }
      out.push_back('}');
      ++answer.row_count;
      if (out.size() > options.max_result_bytes) {
        answer.status = 1;
        answer.message = fmt::format("query result exceeds {} bytes", options.max_result_bytes);
        return false;
      }
    }
  }

  SqlAnswer Execute(const HostProfile& profile, std::string_view sql, int64_t now_unix) {
    SqlAnswer answer;
    answer.rows_json.clear();
    auto conn_or = ConnectionFor(profile.family);
    if (!conn_or) {
      answer.status = 1;
      answer.message = conn_or.error().message;
      answer.rows_json = "[]";
      return answer;
    }
    Connection& conn = **conn_or;
    sqlite3* db = conn.db;
    ClockGuard clock(now_unix);
    host = &profile;
    now = now_unix;
    ++generation;
    timed_out = false;
    deadline = std::chrono::steady_clock::now() + options.time_limit;

    // osqueryd hands SQLite a C string: anything after a NUL byte is not seen.
    sql = sql.substr(0, sql.find('\0'));
    bool ok = true;
    bool first_statement = true;
    OutputColumns cols;
    const char* p = sql.data();
    const char* end = sql.data() + sql.size();
    if (sql.size() > static_cast<size_t>(options.max_sql_bytes)) {
      ok = false;
      answer.status = 1;
      answer.message = "statement too long";
    }
    while (ok && p < end && !OnlySeparators(p, end)) {
      sqlite3_stmt* stmt = nullptr;
      bool cached = false;
      bool cacheable = false;
      const char* tail = end;
      if (first_statement) {
        stmt = Cached(conn, std::string_view(p, static_cast<size_t>(end - p)));
        cached = stmt != nullptr;
      }
      if (!cached) {
        int rc = sqlite3_prepare_v3(db, p, static_cast<int>(end - p), SQLITE_PREPARE_PERSISTENT, &stmt, &tail);
        if (rc != SQLITE_OK) {
          answer.status = 1;
          answer.message = timed_out ? "interrupted" : sqlite3_errmsg(db);
          sqlite3_finalize(stmt);
          ok = false;
          break;
        }
        // A lone statement (the common case) is kept for the next host.
        cacheable = first_statement && stmt != nullptr && OnlySeparators(tail, end) &&
                    options.statement_cache_size > 0;
      }
      if (stmt == nullptr) {  // only whitespace or a comment
        if (tail <= p) break;
        p = tail;
        continue;
      }
      if (first_statement) {
        cols = ColumnsOf(stmt);
        first_statement = false;
      }
      ok = Run(db, stmt, cols, answer);
      if (cached || cacheable) {
        sqlite3_reset(stmt);
        if (cacheable) Remember(conn, std::string_view(p, static_cast<size_t>(end - p)), stmt);
      } else {
        sqlite3_finalize(stmt);
      }
      p = tail;
    }
    host = nullptr;
    if (!ok) {
      answer.rows_json = "[]";
      answer.row_count = 0;
      if (answer.status == 0) answer.status = 1;
      return answer;
    }
    if (answer.row_count == 0) {
      answer.rows_json = "[]";
    } else {
      answer.rows_json.push_back(']');
    }
    return answer;
  }
};

QueryEngine::QueryEngine(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
QueryEngine::~QueryEngine() = default;

Result<std::unique_ptr<QueryEngine>> QueryEngine::Create(const QueryEngineOptions& options) {
  if (options.max_sql_bytes <= 0 || options.max_value_bytes <= 0 || options.max_result_bytes == 0 ||
      options.time_limit.count() <= 0) {
    return Fail(ErrorCode::kInvalidArgument, "sim engine: limits must be positive");
  }
  if (!RegisterClockVfs()) return Fail(ErrorCode::kInternal, "sim engine: cannot register the SQLite clock VFS");
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->tables.resize(HostTables().size());
  return std::unique_ptr<QueryEngine>(new QueryEngine(std::move(impl)));
}

SqlAnswer QueryEngine::Execute(const HostProfile& host, std::string_view sql, int64_t now_unix) {
  return impl_->Execute(host, sql, now_unix);
}

QueryEngine::MemoryStats QueryEngine::Memory() const {
  MemoryStats stats;
  for (const auto& conn : impl_->connections) {
    if (!conn) continue;
    ++stats.connections;
    stats.cached_statements += conn->cache.size();
    for (int op : {SQLITE_DBSTATUS_CACHE_USED, SQLITE_DBSTATUS_SCHEMA_USED, SQLITE_DBSTATUS_STMT_USED}) {
      int current = 0;
      int high = 0;
      if (sqlite3_db_status(conn->db, op, &current, &high, 0) == SQLITE_OK) {
        stats.sqlite_bytes += static_cast<size_t>(current);
      }
    }
  }
  for (const auto& t : impl_->tables) stats.row_buffer_bytes += t.rows.MemoryBytes();
  return stats;
}

}  // namespace quarry::sim
