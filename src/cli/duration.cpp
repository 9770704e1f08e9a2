#include "cli/duration.h"

#include <cstdint>

namespace quarry::cli {

Result<std::chrono::seconds> ParseDuration(std::string_view text, std::chrono::seconds max) {
  auto bad = [&](const std::string& why) {
    return Fail(ErrorCode::kInvalidArgument,
                "duration '" + std::string(text) + "': " + why + " (e.g. 90, 90s, 5m, 1h)");
  };
  if (text.empty()) return bad("empty");
  int64_t total = 0;
  size_t i = 0;
  while (i < text.size()) {
    int64_t n = 0;
    size_t digits = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      n = n * 10 + (text[i] - '0');
      if (n > max.count()) return bad("too long (at most " + FormatDuration(max) + ")");
      ++i, ++digits;
    }
    if (digits == 0) return bad("expected a number");
    int64_t unit = 1;
    if (i < text.size()) {
      switch (text[i]) {
        case 's':
          unit = 1;
          break;
        case 'm':
          unit = 60;
          break;
        case 'h':
          unit = 3600;
          break;
        case 'd':
          unit = 86400;
          break;
        default:
          return bad("unknown unit '" + std::string(1, text[i]) + "'");
      }
      ++i;
    } else if (total != 0) {
      return bad("a unit is needed after the first number");
    }
    total += n * unit;
    if (total > max.count()) return bad("too long (at most " + FormatDuration(max) + ")");
  }
  if (total == 0) return bad("must be positive");
  return std::chrono::seconds(total);
}

std::string FormatDuration(std::chrono::seconds d) {
  int64_t s = d.count();
  if (s <= 0) return "0s";
  std::string out;
  if (s >= 86400) out += std::to_string(s / 86400) + "d", s %= 86400;
  if (s >= 3600) out += std::to_string(s / 3600) + "h", s %= 3600;
  if (s >= 60) out += std::to_string(s / 60) + "m", s %= 60;
  if (s > 0) out += std::to_string(s) + "s";
  return out;
}

}  // namespace quarry::cli
