#include "sim/sim_agent_config.h"

#include <boost/json.hpp>
#include <charconv>
#include <set>

namespace quarry::sim {
namespace {

namespace json = boost::json;

// packs.cpp: an interval of 0 or above a week drops the query.
constexpr int64_t kMaxQueryInterval = 604800;
// --schedule_default_interval.
constexpr int64_t kDefaultInterval = 3600;

std::optional<int64_t> AsInteger(const json::value& v) {
  if (v.is_int64()) return v.as_int64();
  if (v.is_uint64()) {
    uint64_t u = v.as_uint64();
    return u > static_cast<uint64_t>(INT64_MAX) ? INT64_MAX : static_cast<int64_t>(u);
  }
  if (v.is_double()) return static_cast<int64_t>(v.as_double());
  if (const json::string* s = v.if_string()) {
    int64_t out = 0;
    auto [ptr, ec] = std::from_chars(s->data(), s->data() + s->size(), out);
    if (ec == std::errc() && ptr == s->data() + s->size()) return out;
  }
  return std::nullopt;
}

// osquery's JSON booleans: true/false, "true"/"t", or a non-zero number.
bool AsBool(const json::value& v, bool fallback) {
  if (v.is_bool()) return v.as_bool();
  if (v.is_int64()) return v.as_int64() != 0;
  if (v.is_uint64()) return v.as_uint64() != 0;
  if (v.is_double()) return v.as_double() != 0;
  if (const json::string* s = v.if_string()) return *s == "true" || *s == "t";
  return fallback;
}

// database.cpp's reserved prefixes and suffixes: such queries are dropped.
bool ReservedName(std::string_view name) {
  for (std::string_view prefix : {"query.", "cache.", "config_views."}) {
    if (name.substr(0, prefix.size()) == prefix) return true;
  }
  for (std::string_view suffix : {"epoch", "counter"}) {
    if (name.size() >= suffix.size() && name.substr(name.size() - suffix.size()) == suffix) {
      return true;
    }
  }
  return false;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

void AddQueries(const json::object& queries, const std::string& prefix, uint8_t pack_platforms,
                int64_t default_interval, std::set<std::string>& seen, ParsedAgentConfig& out) {
  for (const auto& member : queries) {
    const json::object* q = member.value().if_object();
    const json::string* sql =
        q != nullptr && q->contains("query") ? q->at("query").if_string() : nullptr;
    std::string name = prefix + std::string(member.key());
    if (sql == nullptr || sql->empty() || ReservedName(member.key()) || seen.count(name) != 0) {
      ++out.dropped_queries;
      continue;
    }
    int64_t interval = default_interval;
    if (auto it = q->find("interval"); it != q->end()) {
      interval = AsInteger(it->value()).value_or(default_interval);
    }
    if (interval <= 0 || interval > kMaxQueryInterval) {
      ++out.dropped_queries;
      continue;
    }
    ScheduledQuerySpec spec;
    spec.name = std::move(name);
    spec.sql = std::string(*sql);
    spec.interval = static_cast<uint32_t>(interval);
    if (auto it = q->find("snapshot"); it != q->end()) spec.snapshot = AsBool(it->value(), false);
    if (auto it = q->find("removed"); it != q->end()) spec.removed = AsBool(it->value(), true);
    spec.platforms = pack_platforms;
    if (auto it = q->find("platform"); it != q->end()) {
      if (const json::string* p = it->value().if_string()) {
        spec.platforms &= ParsePlatformList(*p);
      }
    }
    seen.insert(spec.name);
    out.queries.push_back(std::move(spec));
  }
}

}  // namespace

uint8_t ParsePlatformList(std::string_view platform) {
  platform = Trim(platform);
  if (platform.empty()) return kAllPlatforms;
  uint8_t mask = 0;
  while (!platform.empty()) {
    size_t comma = platform.find(',');
    std::string_view item = Trim(platform.substr(0, comma));
    platform = comma == std::string_view::npos ? std::string_view() : platform.substr(comma + 1);
    const uint8_t linux_bit = 1u << static_cast<int>(PlatformFamily::kLinux);
    const uint8_t darwin_bit = 1u << static_cast<int>(PlatformFamily::kDarwin);
    const uint8_t windows_bit = 1u << static_cast<int>(PlatformFamily::kWindows);
    if (item == "any" || item == "all")
      mask |= kAllPlatforms;
    else if (item == "linux" || item == "ubuntu" || item == "centos")
      mask |= linux_bit;
    else if (item == "darwin" || item == "macos")
      mask |= darwin_bit;
    else if (item == "windows")
      mask |= windows_bit;
    else if (item == "posix")
      mask |= linux_bit | darwin_bit;
  }
  return mask;
}

bool PlatformMatches(uint8_t platforms, PlatformFamily family) {
  return (platforms & (1u << static_cast<int>(family))) != 0;
}

Result<ParsedAgentConfig> ParseAgentConfig(const json::value& document) {
  const json::object* root = document.if_object();
  if (root == nullptr) return Fail(ErrorCode::kInvalidArgument, "config is not a JSON object");
  ParsedAgentConfig out;
  std::string delimiter = "_";
  int64_t default_interval = kDefaultInterval;
  if (auto it = root->find("options"); it != root->end()) {
    if (const json::object* options = it->value().if_object()) {
      auto read = [&](std::string_view key) -> std::optional<int64_t> {
        auto f = options->find(key);
        return f == options->end() ? std::nullopt : AsInteger(f->value());
      };
      out.options.distributed_interval = read("distributed_interval");
      out.options.logger_tls_period = read("logger_tls_period");
      out.options.logger_tls_max_lines = read("logger_tls_max_lines");
      out.options.buffered_log_max = read("buffered_log_max");
      if (auto d = read("schedule_default_interval"); d && *d > 0) default_interval = *d;
      if (auto f = options->find("pack_delimiter"); f != options->end() && f->value().is_string()) {
        delimiter = std::string(f->value().as_string());
      }
    }
  }
  std::set<std::string> seen;
  if (auto it = root->find("schedule"); it != root->end()) {
    if (const json::object* schedule = it->value().if_object()) {
      AddQueries(*schedule, "", kAllPlatforms, default_interval, seen, out);
    }
  }
  if (auto it = root->find("packs"); it != root->end()) {
    if (const json::object* packs = it->value().if_object()) {
      for (const auto& pack : *packs) {
        // A pack given as a string (a resource name) does not work over tls (§3.3).
        const json::object* p = pack.value().if_object();
        if (p == nullptr) continue;
        uint8_t platforms = kAllPlatforms;
        if (auto f = p->find("platform"); f != p->end() && f->value().is_string()) {
          platforms = ParsePlatformList(f->value().as_string());
        }
        auto q = p->find("queries");
        if (q == p->end() || !q->value().is_object()) continue;
        AddQueries(q->value().as_object(), "pack" + delimiter + std::string(pack.key()) + delimiter,
                   platforms, default_interval, seen, out);
      }
    }
  }
  return out;
}

AgentReply ReadAgentReply(std::string_view body, bool enroll) {
  AgentReply reply;
  // An empty body is accepted as {} (json serializer's deserialize).
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    reply.body = json::object();
    reply.ok = true;
    return reply;
  }
  json::error_code ec;
  reply.body = json::parse(body, ec);
  if (ec) {
    reply.body = nullptr;
    reply.error = "Cannot parse JSON: " + ec.message();
    return reply;
  }
  const json::object* object = reply.body.if_object();
  if (object == nullptr) {
    reply.error = "response is not a JSON object";
    return reply;
  }
  if (!enroll) {
    if (auto it = object->find("node_invalid");
        it != object->end() && it->value().is_bool() && it->value().as_bool()) {
      reply.node_invalid = true;
      reply.error = "Request failed: Invalid node key";
      return reply;
    }
    if (auto it = object->find("error"); it != object->end()) {
      const json::string* s = it->value().if_string();
      reply.error = s != nullptr ? std::string(*s) : json::serialize(it->value());
      return reply;
    }
  }
  reply.ok = true;
  return reply;
}

std::string EnrolledNodeKey(const json::value& body) {
  const json::object* object = body.if_object();
  if (object == nullptr) return "";
  for (std::string_view key : {"node_key", "id"}) {
    if (auto it = object->find(key); it != object->end()) {
      if (const json::string* s = it->value().if_string(); s != nullptr && !s->empty()) {
        return std::string(*s);
      }
      // A non-string or empty node_key is a refusal; osqueryd only falls back to `id`
      // when node_key is absent.
      return "";
    }
  }
  return "";
}

}  // namespace quarry::sim
