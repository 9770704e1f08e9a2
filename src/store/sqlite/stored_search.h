// Store::Search for the SQLite backend: operator SQL over the stored tables,
// through search/'s read-only guard, with secrets kept out of reach.
//
// RunReadOnly (search/sqlite_read_only.h) refuses anything that is not a read,
// but any read is allowed, and its authorizer takes no list of things to hide.
// So the statement is first compiled (never stepped) under an authorizer of our
// own that watches which columns it reads; one that reads a hidden column is
// refused with kPermissionDenied before RunReadOnly sees it. Everything else
// RunReadOnly decides, with its own error codes and messages.
//
// Hidden: api_tokens.token_hash (hashes of operator tokens), and the
// sqlite_dbpage virtual table when the SQLite build has it (raw pages would
// bypass any column check). Hashes of 256-bit random tokens cannot be reversed:
// this is defence in depth.
//
// Thread-safety: REQUIRES exclusive use of `db` (a read connection taken from
// the pool) for the call, and that no authorizer is installed on it.
#pragma once

#include <string_view>

#include "base/result.h"
#include "search/query_limits.h"
#include "search/table.h"
#include "store/sqlite/sqlite_db.h"

namespace quarry::store::sqlite {

Result<search::Table> RunStoredSearch(Db& db, std::string_view sql,
                                      const search::QueryLimits& limits);

}  // namespace quarry::store::sqlite
