// The settings table: one descriptor per scalar setting of ServerConfig.
//
// Internal to config/. The TOML loader and the environment loader both read and
// store settings only through this table, and docs/configuration.md lists the
// same rows (server_config_test checks that every key and environment variable
// appears there), so each setting is described in exactly one place.
// [[enroll_secrets]] (a list of records) and [osquery] (a pass-through JSON
// document) have shapes of their own and are handled by the loader directly.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "config/server_config.h"

namespace quarry::config::internal {

// What the table writes into: the config itself, plus settings that only steer
// loading (the osquery config file is read once the file and environment have
// both been applied).
struct Settings {
  ServerConfig config;
  std::string osquery_config_file;
};

enum class ValueType { kString, kInteger, kBool, kStringList };

// A value as read from TOML or the environment, already of the key's type but
// not yet range-checked.
using Value = std::variant<std::string, int64_t, bool, std::vector<std::string>>;

struct KeyDescriptor {
  std::string_view path;  // dotted TOML path, e.g. "limits.log_body_bytes"
  ValueType type = ValueType::kString;
  int64_t min = 0;  // integers only, inclusive
  int64_t max = 0;
  // Strings (and each list element): "" when acceptable, else what is wrong.
  std::string (*check)(const std::string&) = nullptr;
  // REQUIRES: `value` holds this key's type and passed min/max and check.
  void (*store)(const Value& value, Settings& settings) = nullptr;
  std::string_view help;
};

std::span<const KeyDescriptor> Keys();

// nullptr when `path` names no setting.
const KeyDescriptor* FindKey(std::string_view path);
const KeyDescriptor* FindKeyByEnv(std::string_view env_name);

// "QUARRY_" + the path upper-cased with '.' → '_': agent.listen → QUARRY_AGENT_LISTEN.
std::string EnvName(std::string_view path);

// True when `path` is a table that holds settings ("agent", "agent.paths", ...).
bool IsSection(std::string_view path);

// Type name for messages: "a string", "an integer", ...
std::string_view Describe(ValueType type);

}  // namespace quarry::config::internal
