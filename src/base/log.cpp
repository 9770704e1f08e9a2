#include "base/log.h"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

namespace quarry::log {
namespace {

spdlog::logger& Logger() {
  static auto logger = [] {
    auto l = spdlog::stderr_color_mt("quarry");
    l->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
    return l;
  }();
  return *logger;
}

spdlog::level::level_enum ToSpd(Level level) {
  switch (level) {
    case Level::kDebug: return spdlog::level::debug;
    case Level::kInfo: return spdlog::level::info;
    case Level::kWarn: return spdlog::level::warn;
    case Level::kError: return spdlog::level::err;
  }
  return spdlog::level::info;
}

}  // namespace

void SetLevel(Level level) { Logger().set_level(ToSpd(level)); }
bool Enabled(Level level) { return Logger().should_log(ToSpd(level)); }
void Write(Level level, std::string_view message) { Logger().log(ToSpd(level), "{}", message); }

}  // namespace quarry::log
