// A small RAII layer over the SQLite C API that speaks Result<T>.
//
// Db owns one connection and a cache of prepared statements (prepared once with
// SQLITE_PREPARE_PERSISTENT, reused for the life of the connection). Stmt is a
// scoped lease on a cached statement: when it goes out of scope the statement is
// reset and its bindings cleared, so a lease never keeps a read transaction open
// by accident. Tx and Savepoint roll back unless told to commit/release.
//
// Thread-safety: none. A Db and everything obtained from it belong to one thread
// at a time (the store hands connections out under a mutex or keeps them on one
// thread). The connection is opened with SQLITE_OPEN_NOMUTEX accordingly.
//
// This header is the only one in Quarry that includes sqlite3.h, and only files
// in store/sqlite/ include it.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "base/result.h"

namespace quarry::store::sqlite {

// Maps an SQLite result code to a Quarry error. `what` names the operation.
Error SqliteError(sqlite3* db, int rc, std::string_view what);

// A prepared statement lease. Bind errors are remembered and reported by the
// next Step() so that call sites can bind without checking each call.
class Stmt {
 public:
  Stmt(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  Stmt(Stmt&& other) noexcept;
  Stmt& operator=(Stmt&&) = delete;
  Stmt(const Stmt&) = delete;
  ~Stmt();

  // Parameter indexes are 1-based, as in SQLite. Text is copied by SQLite.
  Stmt& BindInt(int index, int64_t value);
  Stmt& BindText(int index, std::string_view value);
  Stmt& BindNull(int index);
  // Binds NULL when `present` is false: for columns where NULL means "not yet".
  Stmt& BindOptInt(int index, int64_t value, bool present);

  // Advances the statement: true when a row is available, false when done.
  Result<bool> Step();
  // Steps a statement that returns no rows (or whose rows are not needed) to
  // completion, then resets it so that it can be bound and run again.
  Result<void> Run();
  // Makes the statement ready for new bindings and a new Step().
  void Reset();

  // Column accessors for the current row (0-based). NULL reads as 0 / "".
  int64_t ColumnInt(int column) const;
  std::string ColumnText(int column) const;
  bool ColumnIsNull(int column) const;

 private:
  void NoteBindError(int rc, int index);

  sqlite3* db_;
  sqlite3_stmt* stmt_;
  int bind_rc_ = SQLITE_OK;
  int bind_index_ = 0;
};

enum class OpenMode { kReadWriteCreate, kReadOnly };

class Db {
 public:
  // Opens a connection. `vfs` selects a registered SQLite VFS; empty = default.
  static Result<std::unique_ptr<Db>> Open(const std::string& path, OpenMode mode,
                                          const std::string& vfs = "");
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  // Runs one or more statements that take no parameters (pragmas, DDL). Parsed
  // on every call: for statements that run often, use Run().
  Result<void> Exec(std::string_view sql);
  // Runs one parameterless statement through the statement cache (BEGIN,
  // SAVEPOINT, COMMIT: things that run once per batch or per operation).
  Result<void> Run(std::string_view sql);

  // Returns a lease on the cached statement for `sql`, preparing it on first use.
  // REQUIRES: no other lease on the same statement is alive.
  Result<Stmt> Prepare(std::string_view sql);

  // Runs a statement returning a single integer (e.g. a pragma or a count).
  Result<int64_t> QueryInt(std::string_view sql);
  Result<std::string> QueryText(std::string_view sql);

  int64_t Changes() const;
  int64_t LastInsertRowId() const;
  // False when SQLite is in autocommit mode, e.g. after it rolled a transaction
  // back by itself on an I/O error.
  bool InTransaction() const;

  sqlite3* raw() const { return db_; }

 private:
  explicit Db(sqlite3* db) : db_(db) {}

  struct FinalizeStmt {
    void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
  };

  sqlite3* db_;
  std::unordered_map<std::string, std::unique_ptr<sqlite3_stmt, FinalizeStmt>> cache_;
};

// A transaction guard: rolls back on destruction unless Commit() succeeded.
class Tx {
 public:
  enum class Kind { kDeferred, kImmediate };
  static Result<Tx> Begin(Db& db, Kind kind);
  Tx(Tx&& other) noexcept : db_(other.db_) { other.db_ = nullptr; }
  Tx& operator=(Tx&&) = delete;
  ~Tx();

  Result<void> Commit();

 private:
  explicit Tx(Db* db) : db_(db) {}
  Db* db_;  // null once committed or rolled back
};

// A savepoint guard: rolls back to (and releases) the savepoint on destruction
// unless Release() succeeded. Lets one operation inside a batch transaction fail
// without undoing the others.
class Savepoint {
 public:
  static Result<Savepoint> Begin(Db& db);
  Savepoint(Savepoint&& other) noexcept : db_(other.db_) { other.db_ = nullptr; }
  Savepoint& operator=(Savepoint&&) = delete;
  ~Savepoint();

  Result<void> Release();

 private:
  explicit Savepoint(Db* db) : db_(db) {}
  Db* db_;
};

}  // namespace quarry::store::sqlite
