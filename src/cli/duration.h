// Durations on the command line: "90" (seconds), "90s", "5m", "1h", "2d", and
// sums of them ("1h30m"). Pure functions; thread-safe.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "base/result.h"

namespace quarry::cli {

// kInvalidArgument for an empty text, an unknown unit, a zero duration or one
// over `max` (default: the server's run limit, 7 days).
Result<std::chrono::seconds> ParseDuration(std::string_view text,
                                           std::chrono::seconds max = std::chrono::hours(24 * 7));

// 90 -> "1m30s", 3600 -> "1h", 0 -> "0s".
std::string FormatDuration(std::chrono::seconds d);

}  // namespace quarry::cli
