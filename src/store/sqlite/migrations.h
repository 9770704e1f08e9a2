// Numbered schema migrations for the SQLite backend, embedded in the binary.
//
// Each migration runs once, in its own transaction, and is recorded in the
// `schema_version` table. A migration is never edited once released: changes go
// into a new, higher-numbered one. A database whose schema is newer than this
// binary knows is refused rather than written with wrong assumptions.
#pragma once

#include <span>

#include "base/result.h"
#include "store/sqlite/sqlite_db.h"

namespace quarry::store::sqlite {

struct Migration {
  int version;       // 1, 2, 3 ... with no gaps
  const char* name;  // short description, stored in schema_version
  const char* sql;   // one or more statements
};

std::span<const Migration> Migrations();

// Brings `db` up to the latest version. Returns the resulting version.
// kConflict when the database is newer than this binary.
Result<int> ApplyMigrations(Db& db, int64_t now_us);

}  // namespace quarry::store::sqlite
