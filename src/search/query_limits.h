// QueryLimits: the named bounds every search query runs under.
//
// Used by RunReadOnly (sqlite_read_only.h) for SQL over stored data and by
// Reduce/Reducer (reduce.h) for SQL over a live query's results. A plain value
// type; copy it freely.
#pragma once

#include <chrono>
#include <cstddef>

namespace quarry::search {

struct QueryLimits {
  // At most this many rows are returned; when the query has more, the result
  // stops there and Table::truncated is set. Not an error.
  size_t max_rows = 10000;
  // Wall-clock budget for running the statement (from the first step to the
  // last row). Exceeding it aborts the query with kDeadlineExceeded.
  std::chrono::milliseconds max_time{5000};
  // Longer SQL text is refused with kTooLarge before it is compiled.
  size_t max_sql_bytes = 100 * 1024;
};

}  // namespace quarry::search
