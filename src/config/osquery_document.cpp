#include "config/osquery_document.h"

#include <algorithm>
#include <boost/json/array.hpp>
#include <charconv>
#include <cstdint>

namespace quarry::config::internal {

void DeepMerge(boost::json::object& into, const boost::json::object& over) {
  for (const auto& member : over) {
    auto it = into.find(member.key());
    if (it != into.end() && it->value().is_object() && member.value().is_object()) {
      DeepMerge(it->value().get_object(), member.value().get_object());
    } else {
      into.insert_or_assign(member.key(), member.value());
    }
  }
}

int JsonDepth(const boost::json::value& value) {
  int deepest = 0;
  if (const boost::json::object* object = value.if_object()) {
    for (const auto& member : *object) deepest = std::max(deepest, JsonDepth(member.value()));
    return deepest + 1;
  }
  if (const boost::json::array* array = value.if_array()) {
    for (const boost::json::value& element : *array)
      deepest = std::max(deepest, JsonDepth(element));
    return deepest + 1;
  }
  return 0;
}

boost::json::object DefaultOsqueryDocument() {
  auto query = [](const char* sql, int64_t interval) {
    boost::json::object q;
    q.emplace("query", sql);
    q.emplace("interval", interval);
    q.emplace("snapshot", true);
    return q;
  };
  boost::json::object schedule;
  schedule.emplace("osquery_info",
                   query("SELECT version, build_platform, config_hash, start_time, watcher "
                         "FROM osquery_info;",
                         3600));
  schedule.emplace("uptime",
                   query("SELECT days, hours, minutes, total_seconds FROM uptime;", 3600));
  schedule.emplace("os_version",
                   query("SELECT name, version, platform, arch FROM os_version;", 86400));
  boost::json::object document;
  document.emplace("options", boost::json::object());
  document.emplace("schedule", std::move(schedule));
  return document;
}

bool AddAgentOptions(boost::json::object& document, const ServerConfig& config) {
  boost::json::value& options = document["options"];
  if (options.is_null()) options = boost::json::object();
  boost::json::object* object = options.if_object();
  if (object == nullptr) return false;
  object->emplace("distributed_interval", config.agent.distributed_interval);
  object->emplace("logger_tls_period", config.agent.logger_period);
  return true;
}

std::string StripCommentLines(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  while (!text.empty()) {
    size_t end = text.find('\n');
    std::string_view line = text.substr(0, end == std::string_view::npos ? text.size() : end + 1);
    text.remove_prefix(line.size());
    std::string_view rest = line.substr(std::min(line.find_first_not_of(" \t\r"), line.size()));
    if (rest.substr(0, 1) == "#" || rest.substr(0, 2) == "//") {
      out += '\n';  // keep line numbers right for parse errors
    } else {
      out += line;
    }
  }
  return out;
}

std::string_view PlatformFamily(std::string_view platform_type) {
  uint64_t mask = 0;
  const char* end = platform_type.data() + platform_type.size();
  auto [ptr, ec] = std::from_chars(platform_type.data(), end, mask);
  if (ec != std::errc() || ptr != end) return "";
  if ((mask & 8) != 0) return "linux";
  if ((mask & 16) != 0) return "darwin";
  if ((mask & 2) != 0) return "windows";
  return "";
}

}  // namespace quarry::config::internal
