#include "store/sqlite/sqlite_db.h"

#include <fmt/format.h>

#include <limits>
#include <utility>

namespace quarry::store::sqlite {

Error SqliteError(sqlite3* db, int rc, std::string_view what) {
  ErrorCode code = ErrorCode::kInternal;
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_NOMEM:
    case SQLITE_INTERRUPT:
      code = ErrorCode::kUnavailable;
      break;
    case SQLITE_CONSTRAINT:
      code = ErrorCode::kConflict;
      break;
    case SQLITE_TOOBIG:
      code = ErrorCode::kTooLarge;
      break;
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
    case SQLITE_READONLY:
    case SQLITE_PROTOCOL:
    case SQLITE_NOLFS:
    case SQLITE_PERM:
      code = ErrorCode::kIo;
      break;
    default:
      break;
  }
  // The connection's message describes the latest failure only when it is the
  // one we are reporting; otherwise fall back to the generic text of the code.
  const char* detail = (db != nullptr && sqlite3_extended_errcode(db) == rc) ? sqlite3_errmsg(db)
                                                                             : sqlite3_errstr(rc);
  return Error{code, fmt::format("sqlite: {}: {} (code {})", what, detail, rc)};
}

// ---- Stmt ----

Stmt::Stmt(Stmt&& other) noexcept
    : db_(other.db_), stmt_(other.stmt_), bind_rc_(other.bind_rc_), bind_index_(other.bind_index_) {
  other.stmt_ = nullptr;
}

Stmt::~Stmt() {
  if (stmt_ != nullptr) Reset();
}

void Stmt::NoteBindError(int rc, int index) {
  if (rc != SQLITE_OK && bind_rc_ == SQLITE_OK) {
    bind_rc_ = rc;
    bind_index_ = index;
  }
}

Stmt& Stmt::BindInt(int index, int64_t value) {
  NoteBindError(sqlite3_bind_int64(stmt_, index, value), index);
  return *this;
}

Stmt& Stmt::BindText(int index, std::string_view value) {
  // SQLITE_TRANSIENT: SQLite copies the text, so callers may bind temporaries.
  NoteBindError(
      sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8),
      index);
  return *this;
}

Stmt& Stmt::BindNull(int index) {
  NoteBindError(sqlite3_bind_null(stmt_, index), index);
  return *this;
}

Stmt& Stmt::BindOptInt(int index, int64_t value, bool present) {
  return present ? BindInt(index, value) : BindNull(index);
}

Result<bool> Stmt::Step() {
  if (bind_rc_ != SQLITE_OK) {
    return Fail(SqliteError(nullptr, bind_rc_, fmt::format("bind parameter {}", bind_index_)));
  }
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return Fail(SqliteError(db_, rc, sqlite3_sql(stmt_)));
}

Result<void> Stmt::Run() {
  for (;;) {
    auto row = Step();
    if (!row) {
      Reset();
      return Fail(row.error());
    }
    if (!*row) break;
  }
  Reset();
  return Ok();
}

void Stmt::Reset() {
  // The return value of sqlite3_reset repeats the last Step() error, which the
  // caller has already seen.
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  bind_rc_ = SQLITE_OK;
  bind_index_ = 0;
}

int64_t Stmt::ColumnInt(int column) const { return sqlite3_column_int64(stmt_, column); }

std::string Stmt::ColumnText(int column) const {
  const unsigned char* text = sqlite3_column_text(stmt_, column);
  if (text == nullptr) return {};
  int size = sqlite3_column_bytes(stmt_, column);
  return std::string(reinterpret_cast<const char*>(text), static_cast<size_t>(size));
}

bool Stmt::ColumnIsNull(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

// ---- Db ----

Result<std::unique_ptr<Db>> Db::Open(const std::string& path, OpenMode mode,
                                     const std::string& vfs) {
  int flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
  flags |= mode == OpenMode::kReadOnly ? SQLITE_OPEN_READONLY
                                       : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, vfs.empty() ? nullptr : vfs.c_str());
  if (rc != SQLITE_OK) {
    Error error = SqliteError(raw, rc, fmt::format("open {}", path));
    sqlite3_close_v2(raw);  // a handle is allocated even when open fails
    return Fail(std::move(error));
  }
  return std::unique_ptr<Db>(new Db(raw));
}

Db::~Db() {
  cache_.clear();  // statements must be finalized before the connection closes
  sqlite3_close_v2(db_);
}

Result<void> Db::Exec(std::string_view sql) {
  std::string text(sql);
  char* message = nullptr;
  int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &message);
  if (rc != SQLITE_OK) {
    std::string detail = message != nullptr ? message : sqlite3_errstr(rc);
    sqlite3_free(message);
    ErrorCode code = SqliteError(nullptr, rc, "").code;
    return Fail(code, fmt::format("sqlite: {}: {} (code {})", text.substr(0, 60), detail, rc));
  }
  return Ok();
}

Result<Stmt> Db::Prepare(std::string_view sql) {
  std::string key(sql);
  auto it = cache_.find(key);
  if (it == cache_.end()) {
    sqlite3_stmt* raw = nullptr;
    if (sql.size() > static_cast<size_t>(std::numeric_limits<int>::max())) {
      return Fail(ErrorCode::kInternal, "sqlite: statement text too long");
    }
    int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
    if (rc != SQLITE_OK) return Fail(SqliteError(db_, rc, fmt::format("prepare {}", key)));
    if (raw == nullptr) return Fail(ErrorCode::kInternal, "sqlite: empty statement");
    it = cache_.emplace(std::move(key), raw).first;
  }
  return Stmt(db_, it->second.get());
}

Result<void> Db::Run(std::string_view sql) {
  auto stmt = Prepare(sql);
  if (!stmt) return Fail(stmt.error());
  return stmt->Run();
}

Result<int64_t> Db::QueryInt(std::string_view sql) {
  auto stmt = Prepare(sql);
  if (!stmt) return Fail(stmt.error());
  auto row = stmt->Step();
  if (!row) return Fail(row.error());
  if (!*row) return Fail(ErrorCode::kInternal, fmt::format("sqlite: no row from {}", sql));
  return stmt->ColumnInt(0);
}

Result<std::string> Db::QueryText(std::string_view sql) {
  auto stmt = Prepare(sql);
  if (!stmt) return Fail(stmt.error());
  auto row = stmt->Step();
  if (!row) return Fail(row.error());
  if (!*row) return Fail(ErrorCode::kInternal, fmt::format("sqlite: no row from {}", sql));
  return stmt->ColumnText(0);
}

int64_t Db::Changes() const { return sqlite3_changes64(db_); }

int64_t Db::LastInsertRowId() const { return sqlite3_last_insert_rowid(db_); }

bool Db::InTransaction() const { return sqlite3_get_autocommit(db_) == 0; }

// ---- Tx ----

Result<Tx> Tx::Begin(Db& db, Kind kind) {
  auto begun = db.Run(kind == Kind::kImmediate ? "BEGIN IMMEDIATE" : "BEGIN");
  if (!begun) return Fail(begun.error());
  return Tx(&db);
}

Tx::~Tx() {
  // A failed statement may already have made SQLite roll back on its own.
  if (db_ != nullptr && db_->InTransaction()) (void)db_->Run("ROLLBACK");
}

Result<void> Tx::Commit() {
  if (db_ == nullptr) return Fail(ErrorCode::kInternal, "sqlite: transaction already ended");
  auto committed = db_->Run("COMMIT");
  if (!committed) return committed;  // the destructor rolls back if still open
  db_ = nullptr;
  return Ok();
}

// ---- Savepoint ----

Result<Savepoint> Savepoint::Begin(Db& db) {
  auto begun = db.Run("SAVEPOINT op");
  if (!begun) return Fail(begun.error());
  return Savepoint(&db);
}

Savepoint::~Savepoint() {
  if (db_ != nullptr && db_->InTransaction()) {
    (void)db_->Run("ROLLBACK TO op");
    (void)db_->Run("RELEASE op");
  }
}

Result<void> Savepoint::Release() {
  if (db_ == nullptr) return Fail(ErrorCode::kInternal, "sqlite: savepoint already ended");
  auto released = db_->Run("RELEASE op");
  if (!released) return released;
  db_ = nullptr;
  return Ok();
}

}  // namespace quarry::store::sqlite
