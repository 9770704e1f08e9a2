// Loading ServerConfig: TOML file → environment → checks across keys → the
// osquery document. Every problem is collected (not just the first) with the
// place it came from, so one run of `quarry check-config` shows them all.
#include "config/server_config.h"

#include <toml++/toml.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>
#include <string_view>
#include <utility>

#include "config/config_keys.h"
#include "config/osquery_document.h"

namespace quarry::config {
namespace {

using internal::KeyDescriptor;
using internal::Settings;
using internal::Value;
using internal::ValueType;

// Where a value came from, for messages.
struct Origin {
  std::string where;  // "FILE:LINE:COL", "env NAME" or "FILE"
  uint32_t line = 0;  // 0 when not a position in the file
  uint32_t column = 0;
};

struct Diagnostic {
  Origin origin;
  size_t sequence = 0;
  std::string message;
};

std::optional<std::string> ReadFile(const std::string& path, std::string* error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *error = std::strerror(errno);
    return std::nullopt;
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    *error = "read error";
    return std::nullopt;
  }
  return std::move(text).str();
}

std::string Trim(std::string_view text) {
  const char* spaces = " \t\r\n\v\f";
  size_t begin = text.find_first_not_of(spaces);
  if (begin == std::string_view::npos) return "";
  size_t end = text.find_last_not_of(spaces);
  return std::string(text.substr(begin, end - begin + 1));
}

std::string_view TomlTypeName(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a float";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
    case toml::node_type::none:
      break;
  }
  return "nothing";
}

class Loader {
 public:
  explicit Loader(std::string file) : file_(std::move(file)) {}

  // Reads and applies the TOML file. REQUIRES: file_ is not empty.
  void LoadFile();
  // Applies QUARRY_* variables from a NAME=VALUE array ending in nullptr.
  void LoadEnvironment(char** env);
  // Checks that span several keys, then builds the osquery documents.
  void Finish();

  bool ok() const { return diagnostics_.empty(); }
  std::vector<std::string> Errors() const;
  ServerConfig TakeConfig() { return std::move(settings_.config); }

 private:
  Origin At(const toml::source_region& region) const {
    Origin origin;
    origin.line = region.begin.line;
    origin.column = region.begin.column;
    origin.where = file_ + ":" + std::to_string(origin.line) + ":" + std::to_string(origin.column);
    return origin;
  }
  Origin FileOrigin() const { return Origin{file_.empty() ? "config" : file_, 0, 0}; }
  // Where `path` was last set, or the file as a whole when it was not.
  Origin OriginOf(const std::string& path) const {
    auto it = origins_.find(path);
    return it != origins_.end() ? it->second : FileOrigin();
  }
  void Report(const Origin& origin, std::string message) {
    diagnostics_.push_back(Diagnostic{origin, diagnostics_.size(), std::move(message)});
  }

  void WalkTable(const toml::table& table, const std::string& prefix);
  void ApplyToml(const KeyDescriptor& key, const toml::node& node);
  void Apply(const KeyDescriptor& key, Value value, const Origin& origin);
  void LoadEnrollSecrets(const toml::node& node);
  void LoadEnrollSecret(const toml::table& table, size_t index);
  void LoadOsquery(const toml::node& node);
  std::optional<boost::json::value> TomlToJson(const toml::node& node, const std::string& path);
  std::optional<boost::json::object> ReadOsqueryConfigFile();
  void CheckDocumentLimits(const boost::json::object& document, const Origin& origin,
                           const std::string& what);
  void BuildOsqueryDocuments();

  std::string file_;
  Settings settings_;
  std::map<std::string, Origin> origins_;  // setting path → where it was last set
  std::vector<Diagnostic> diagnostics_;
  // [osquery] tables other than config_file and platform, converted to JSON.
  boost::json::object osquery_inline_;
  std::map<std::string, boost::json::object> osquery_platform_;
  std::vector<Origin> secret_origins_;  // parallel to config.enroll_secrets
};

std::vector<std::string> Loader::Errors() const {
  // File positions in file order first, then everything else as reported.
  std::vector<const Diagnostic*> sorted;
  for (const Diagnostic& d : diagnostics_) sorted.push_back(&d);
  std::stable_sort(sorted.begin(), sorted.end(), [](const Diagnostic* a, const Diagnostic* b) {
    auto key = [](const Diagnostic* d) {
      return std::make_tuple(d->origin.line == 0, d->origin.line, d->origin.column, d->sequence);
    };
    return key(a) < key(b);
  });
  std::vector<std::string> out;
  for (const Diagnostic* d : sorted) out.push_back(d->origin.where + ": " + d->message);
  return out;
}

void Loader::LoadFile() {
  std::string error;
  std::optional<std::string> text = ReadFile(file_, &error);
  if (!text) {
    Report(FileOrigin(), "cannot read: " + error);
    return;
  }
  toml::table root;
  try {
    root = toml::parse(*text, std::string_view(file_));
  } catch (const toml::parse_error& e) {
    Report(At(e.source()), std::string(e.description()));
    return;
  }
  WalkTable(root, "");
}

void Loader::WalkTable(const toml::table& table, const std::string& prefix) {
  for (auto&& [name, node] : table) {
    const std::string path =
        prefix.empty() ? std::string(name.str()) : prefix + "." + std::string(name.str());
    if (const KeyDescriptor* key = internal::FindKey(path)) {
      ApplyToml(*key, node);
    } else if (path == "enroll_secrets") {
      LoadEnrollSecrets(node);
    } else if (path == "osquery") {
      LoadOsquery(node);
    } else if (internal::IsSection(path)) {
      if (const toml::table* section = node.as_table()) {
        WalkTable(*section, path);
      } else {
        Report(At(node.source()),
               path + ": expected a table, got " + std::string(TomlTypeName(node)));
      }
    } else {
      Report(At(name.source()), "unknown key '" + path + "'");
    }
  }
}

void Loader::ApplyToml(const KeyDescriptor& key, const toml::node& node) {
  const Origin origin = At(node.source());
  const std::string path(key.path);
  auto wrong_type = [&] {
    Report(origin, path + ": expected " + std::string(internal::Describe(key.type)) + ", got " +
                       std::string(TomlTypeName(node)));
  };
  switch (key.type) {
    case ValueType::kString:
      if (auto v = node.value_exact<std::string>()) return Apply(key, *v, origin);
      return wrong_type();
    case ValueType::kInteger:
      if (auto v = node.value_exact<int64_t>()) return Apply(key, *v, origin);
      return wrong_type();
    case ValueType::kBool:
      if (auto v = node.value_exact<bool>()) return Apply(key, *v, origin);
      return wrong_type();
    case ValueType::kStringList: {
      const toml::array* array = node.as_array();
      if (array == nullptr) return wrong_type();
      std::vector<std::string> items;
      bool ok = true;
      for (size_t i = 0; i < array->size(); ++i) {
        const toml::node& element = *array->get(i);
        if (auto v = element.value_exact<std::string>()) {
          items.push_back(*v);
        } else {
          Report(At(element.source()), path + "[" + std::to_string(i) +
                                           "]: expected a string, got " +
                                           std::string(TomlTypeName(element)));
          ok = false;
        }
      }
      if (ok) Apply(key, std::move(items), origin);
      return;
    }
  }
}

// The one path by which a setting changes, from the file or the environment.
void Loader::Apply(const KeyDescriptor& key, Value value, const Origin& origin) {
  const std::string path(key.path);
  if (const int64_t* number = std::get_if<int64_t>(&value)) {
    if (*number < key.min || *number > key.max) {
      Report(origin, path + ": must be between " + std::to_string(key.min) + " and " +
                         std::to_string(key.max) + ", got " + std::to_string(*number));
      return;
    }
  }
  if (key.check != nullptr) {
    if (const std::string* text = std::get_if<std::string>(&value)) {
      if (std::string problem = key.check(*text); !problem.empty()) {
        Report(origin, path + ": " + problem);
        return;
      }
    }
    if (const auto* list = std::get_if<std::vector<std::string>>(&value)) {
      bool ok = true;
      for (size_t i = 0; i < list->size(); ++i) {
        if (std::string problem = key.check((*list)[i]); !problem.empty()) {
          Report(origin, path + "[" + std::to_string(i) + "]: " + problem);
          ok = false;
        }
      }
      if (!ok) return;
    }
  }
  key.store(value, settings_);
  origins_[path] = origin;
}

void Loader::LoadEnrollSecrets(const toml::node& node) {
  const toml::array* array = node.as_array();
  if (array == nullptr || !array->is_array_of_tables()) {
    Report(At(node.source()), "enroll_secrets: expected an array of tables ([[enroll_secrets]])");
    return;
  }
  for (size_t i = 0; i < array->size(); ++i) LoadEnrollSecret(*array->get(i)->as_table(), i);
}

void Loader::LoadEnrollSecret(const toml::table& table, size_t index) {
  const std::string path = "enroll_secrets[" + std::to_string(index) + "]";
  EnrollSecret secret;
  std::optional<Origin> name_at, secret_at, file_at;
  std::string secret_file;
  bool ok = true;
  auto read_string = [&](const toml::node& node, const std::string& member, std::string* out) {
    if (auto v = node.value_exact<std::string>()) {
      *out = *v;
      return true;
    }
    Report(At(node.source()),
           path + "." + member + ": expected a string, got " + std::string(TomlTypeName(node)));
    return false;
  };
  for (auto&& [key, node] : table) {
    const std::string member(key.str());
    if (member == "name") {
      name_at = At(node.source());
      ok &= read_string(node, member, &secret.name);
    } else if (member == "secret") {
      secret_at = At(node.source());
      ok &= read_string(node, member, &secret.secret);
    } else if (member == "secret_file") {
      file_at = At(node.source());
      ok &= read_string(node, member, &secret_file);
    } else if (member == "labels") {
      const toml::array* labels = node.as_array();
      if (labels == nullptr) {
        Report(At(node.source()), path + ".labels: expected an array of strings, got " +
                                      std::string(TomlTypeName(node)));
        ok = false;
        continue;
      }
      for (size_t i = 0; i < labels->size(); ++i) {
        const toml::node& label = *labels->get(i);
        auto v = label.value_exact<std::string>();
        if (!v || v->empty()) {
          Report(At(label.source()),
                 path + ".labels[" + std::to_string(i) + "]: expected a non-empty string");
          ok = false;
        } else {
          secret.labels.push_back(*v);
        }
      }
    } else {
      Report(At(key.source()), "unknown key 'enroll_secrets." + member + "'");
      ok = false;
    }
  }
  const Origin table_at = At(table.source());
  if (!name_at) {
    Report(table_at, path + ": missing name");
    ok = false;
  } else if (secret.name.empty()) {
    Report(*name_at, path + ".name: must not be empty");
    ok = false;
  }
  if (secret_at && file_at) {
    Report(*file_at, path + ": give secret or secret_file, not both");
    return;
  }
  if (!secret_at && !file_at) {
    Report(table_at, path + ": missing secret (or secret_file)");
    return;
  }
  Origin value_at = secret_at ? *secret_at : *file_at;
  if (file_at && !secret_file.empty()) {
    std::string error;
    std::optional<std::string> text = ReadFile(secret_file, &error);
    if (!text) {
      Report(*file_at, path + ".secret_file: cannot read '" + secret_file + "': " + error);
      return;
    }
    // osqueryd trims the file it reads with --enroll_secret_path; so do we, so
    // that one file can serve both sides.
    secret.secret = Trim(*text);
  }
  if (secret.secret.empty()) {
    Report(value_at, path + ": the secret is empty");
    return;
  }
  if (Trim(secret.secret) != secret.secret) {
    Report(value_at, path +
                         ": the secret has leading or trailing whitespace, which osqueryd "
                         "trims from --enroll_secret_path files");
    return;
  }
  if (!ok) return;
  for (size_t i = 0; i < settings_.config.enroll_secrets.size(); ++i) {
    const EnrollSecret& other = settings_.config.enroll_secrets[i];
    if (other.name == secret.name) {
      Report(*name_at, path + ".name: '" + secret.name + "' is already used by enroll_secrets[" +
                           std::to_string(i) + "] (" + secret_origins_[i].where + ")");
      return;
    }
    if (other.secret == secret.secret) {
      // Never echo a secret: name the entry that holds the same value.
      Report(value_at, path + ": same secret as enroll_secrets[" + std::to_string(i) + "] '" +
                           other.name + "'");
      return;
    }
  }
  settings_.config.enroll_secrets.push_back(std::move(secret));
  secret_origins_.push_back(table_at);
}

void Loader::LoadOsquery(const toml::node& node) {
  const toml::table* table = node.as_table();
  if (table == nullptr) {
    Report(At(node.source()), "osquery: expected a table, got " + std::string(TomlTypeName(node)));
    return;
  }
  for (auto&& [name, value] : *table) {
    const std::string member(name.str());
    const std::string path = "osquery." + member;
    if (const KeyDescriptor* key = internal::FindKey(path)) {
      ApplyToml(*key, value);
    } else if (member == "platform") {
      const toml::table* platforms = value.as_table();
      if (platforms == nullptr) {
        Report(At(value.source()),
               "osquery.platform: expected a table, got " + std::string(TomlTypeName(value)));
        continue;
      }
      for (auto&& [platform, override_node] : *platforms) {
        const std::string platform_path = "osquery.platform." + std::string(platform.str());
        if (!override_node.is_table()) {
          Report(At(override_node.source()), platform_path + ": expected a table, got " +
                                                 std::string(TomlTypeName(override_node)));
          continue;
        }
        if (std::optional<boost::json::value> json = TomlToJson(override_node, platform_path)) {
          osquery_platform_[std::string(platform.str())] = std::move(json->get_object());
          origins_[platform_path] = At(override_node.source());
        }
      }
    } else if (std::optional<boost::json::value> json = TomlToJson(value, path)) {
      osquery_inline_.insert_or_assign(member, std::move(*json));
      origins_.try_emplace("osquery", At(name.source()));
    }
  }
}

// TOML → JSON, verbatim: integers stay integers, booleans booleans. Dates and
// times have no JSON form and non-finite floats none either; both are refused
// rather than guessed at.
std::optional<boost::json::value> Loader::TomlToJson(const toml::node& node,
                                                     const std::string& path) {
  switch (node.type()) {
    case toml::node_type::table: {
      boost::json::object object;
      bool ok = true;
      for (auto&& [name, member] : *node.as_table()) {
        std::optional<boost::json::value> v =
            TomlToJson(member, path + "." + std::string(name.str()));
        if (v) {
          object.insert_or_assign(std::string_view(name.str()), std::move(*v));
        } else {
          ok = false;
        }
      }
      if (!ok) return std::nullopt;
      return boost::json::value(std::move(object));
    }
    case toml::node_type::array: {
      boost::json::array array;
      bool ok = true;
      const toml::array& items = *node.as_array();
      for (size_t i = 0; i < items.size(); ++i) {
        std::optional<boost::json::value> v =
            TomlToJson(*items.get(i), path + "[" + std::to_string(i) + "]");
        if (v) {
          array.push_back(std::move(*v));
        } else {
          ok = false;
        }
      }
      if (!ok) return std::nullopt;
      return boost::json::value(std::move(array));
    }
    case toml::node_type::string:
      return boost::json::value(std::string_view(*node.value_exact<std::string>()));
    case toml::node_type::integer:
      return boost::json::value(*node.value_exact<int64_t>());
    case toml::node_type::boolean:
      return boost::json::value(*node.value_exact<bool>());
    case toml::node_type::floating_point: {
      double d = *node.value_exact<double>();
      if (std::isfinite(d)) return boost::json::value(d);
      Report(At(node.source()), path + ": inf and nan have no JSON form");
      return std::nullopt;
    }
    case toml::node_type::date:
    case toml::node_type::time:
    case toml::node_type::date_time:
    case toml::node_type::none:
      break;
  }
  Report(At(node.source()),
         path + ": " + std::string(TomlTypeName(node)) + " has no JSON form; quote it as a string");
  return std::nullopt;
}

void Loader::LoadEnvironment(char** env) {
  if (env == nullptr) return;
  for (char** entry = env; *entry != nullptr; ++entry) {
    std::string_view text(*entry);
    size_t equals = text.find('=');
    if (equals == std::string_view::npos) continue;
    const std::string name(text.substr(0, equals));
    const std::string raw(text.substr(equals + 1));
    if (name.rfind("QUARRY_", 0) != 0) continue;
    const Origin origin{"env " + name, 0, 0};
    const KeyDescriptor* key = internal::FindKeyByEnv(name);
    if (key == nullptr) {
      // Other QUARRY_* variables may belong to other tools (the CLI's own, for
      // instance); only names inside a settings section are surely typos.
      for (std::string_view section :
           {"AGENT_", "ADMIN_", "TLS_", "LIMITS_", "STORE_", "OSQUERY_"}) {
        if (name.compare(7, section.size(), section) == 0) {
          Report(origin, "unknown setting (see docs/configuration.md for the names)");
          break;
        }
      }
      continue;
    }
    const std::string path(key->path);
    switch (key->type) {
      case ValueType::kString:
        Apply(*key, raw, origin);
        break;
      case ValueType::kInteger: {
        int64_t number = 0;
        auto [ptr, ec] = std::from_chars(raw.data(), raw.data() + raw.size(), number);
        if (raw.empty() || ec != std::errc() || ptr != raw.data() + raw.size()) {
          Report(origin, path + ": expected an integer, got '" + raw + "'");
        } else {
          Apply(*key, number, origin);
        }
        break;
      }
      case ValueType::kBool:
        if (raw == "true" || raw == "1") {
          Apply(*key, true, origin);
        } else if (raw == "false" || raw == "0") {
          Apply(*key, false, origin);
        } else {
          Report(origin, path + ": expected true, false, 1 or 0, got '" + raw + "'");
        }
        break;
      case ValueType::kStringList: {
        // Comma-separated; an empty variable gives an empty list.
        std::vector<std::string> items;
        std::string_view rest(raw);
        while (!rest.empty()) {
          size_t comma = rest.find(',');
          std::string item = Trim(rest.substr(0, comma));
          if (!item.empty()) items.push_back(std::move(item));
          rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
        }
        Apply(*key, std::move(items), origin);
        break;
      }
    }
  }
}

void Loader::Finish() {
  const ServerConfig& c = settings_.config;
  if (c.tls.client_cert_mode != "off" && c.tls.client_ca_file.empty()) {
    Report(OriginOf("tls.client_cert_mode"),
           "tls.client_cert_mode = '" + c.tls.client_cert_mode + "' needs tls.client_ca_file");
  }
  if (c.tls.cert_file.empty() != c.tls.key_file.empty()) {
    const bool has_cert = !c.tls.cert_file.empty();
    Report(OriginOf(has_cert ? "tls.cert_file" : "tls.key_file"),
           "tls.cert_file and tls.key_file go together: set both, or neither to generate them");
  }
  if (c.store.driver == "postgres" && c.store.postgres_url.empty()) {
    Report(OriginOf("store.driver"), "store.driver = 'postgres' needs store.postgres_url");
  }
  auto agent = ParseListenAddress(c.agent.listen);
  auto admin = ParseListenAddress(c.admin.listen);
  if (agent && admin && *agent == *admin && agent->second != 0) {
    Report(OriginOf("admin.listen"), "admin.listen is the same address as agent.listen");
  }
  BuildOsqueryDocuments();
}

std::optional<boost::json::object> Loader::ReadOsqueryConfigFile() {
  const std::string& path = settings_.osquery_config_file;
  const Origin origin = OriginOf("osquery.config_file");
  std::string error;
  std::optional<std::string> text = ReadFile(path, &error);
  if (!text) {
    Report(origin, "osquery.config_file: cannot read '" + path + "': " + error);
    return std::nullopt;
  }
  boost::json::error_code ec;
  boost::json::value document = boost::json::parse(internal::StripCommentLines(*text), ec);
  if (ec) {
    Report(origin, "osquery.config_file: '" + path + "' is not valid JSON: " + ec.message());
    return std::nullopt;
  }
  if (!document.is_object()) {
    Report(origin, "osquery.config_file: '" + path + "' is not a JSON object");
    return std::nullopt;
  }
  return std::move(document.get_object());
}

void Loader::CheckDocumentLimits(const boost::json::object& document, const Origin& origin,
                                 const std::string& what) {
  const size_t size = boost::json::serialize(document).size();
  if (size > internal::kMaxOsqueryConfigBytes) {
    Report(origin, what + " is " + std::to_string(size) +
                       " bytes; osqueryd up to 5.23.1 refuses configs over 1 MiB");
  }
  if (internal::JsonDepth(document) > internal::kMaxOsqueryConfigDepth) {
    Report(origin, what + " nests deeper than 32 levels, which osqueryd refuses");
  }
}

void Loader::BuildOsqueryDocuments() {
  boost::json::object base;
  if (!settings_.osquery_config_file.empty()) {
    std::optional<boost::json::object> from_file = ReadOsqueryConfigFile();
    if (!from_file) return;
    base = std::move(*from_file);
  }
  internal::DeepMerge(base, osquery_inline_);
  if (base.empty()) base = internal::DefaultOsqueryDocument();
  // Problems with the whole document point at the [osquery] table, else at
  // wherever config_file was set.
  const Origin origin =
      origins_.count("osquery") != 0 ? OriginOf("osquery") : OriginOf("osquery.config_file");
  if (!internal::AddAgentOptions(base, settings_.config)) {
    Report(origin, "osquery.options: expected a table (an object in osquery.config_file)");
    return;
  }
  CheckDocumentLimits(base, origin, "the osquery config");
  ServerConfig& c = settings_.config;
  c.osquery_config_json = boost::json::serialize(base);
  c.osquery_platform_json.clear();
  for (auto& [platform, document] : osquery_platform_) {
    boost::json::object merged = base;
    internal::DeepMerge(merged, document);
    CheckDocumentLimits(merged, OriginOf("osquery.platform." + platform),
                        "the osquery config for platform '" + platform + "'");
    c.osquery_platform_json[platform] = boost::json::serialize(document);
  }
}

bool IsHostChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' || c == '-' || c == '_';
}

// Hex digits, ':' and '.' (IPv4-mapped), plus a "%zone" suffix such as %eth0.
bool IsV6Char(char c) { return c == ':' || c == '%' || IsHostChar(c); }

}  // namespace

Result<std::pair<std::string, uint16_t>> ParseListenAddress(const std::string& text) {
  auto invalid = [&](std::string_view why) {
    return Fail(ErrorCode::kInvalidArgument,
                "invalid listen address '" + text + "': " + std::string(why));
  };
  std::string host;
  std::string_view port;
  if (!text.empty() && text.front() == '[') {
    size_t close = text.find(']');
    if (close == std::string::npos) return invalid("missing ']'");
    host = text.substr(1, close - 1);
    if (host.find(':') == std::string::npos || !std::all_of(host.begin(), host.end(), IsV6Char)) {
      return invalid("expected an IPv6 address inside [ ]");
    }
    if (close + 1 >= text.size() || text[close + 1] != ':') return invalid("expected [v6]:port");
    port = std::string_view(text).substr(close + 2);
  } else {
    size_t colon = text.rfind(':');
    if (colon == std::string::npos) return invalid("expected host:port");
    host = text.substr(0, colon);
    if (host.find(':') != std::string::npos) return invalid("write IPv6 addresses as [v6]:port");
    if (host.empty() || !std::all_of(host.begin(), host.end(), IsHostChar)) {
      return invalid("expected a host name or IPv4 address before ':'");
    }
    port = std::string_view(text).substr(colon + 1);
  }
  unsigned number = 0;
  auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), number);
  if (port.empty() || port.size() > 5 || ec != std::errc() || ptr != port.data() + port.size() ||
      number > 65535) {
    return invalid("the port must be a number from 0 to 65535");
  }
  return std::make_pair(std::move(host), static_cast<uint16_t>(number));
}

Result<ServerConfig> LoadConfig(const std::string& path, char** env) {
  Loader loader(path);
  if (!path.empty()) loader.LoadFile();
  loader.LoadEnvironment(env);
  loader.Finish();
  if (!loader.ok()) {
    std::string message;
    for (const std::string& line : loader.Errors()) {
      if (!message.empty()) message += '\n';
      message += line;
    }
    return Fail(ErrorCode::kInvalidArgument, std::move(message));
  }
  return loader.TakeConfig();
}

std::vector<std::string> CheckConfigFile(const std::string& path) {
  if (path.empty()) return {"no configuration file given"};
  Loader loader(path);
  loader.LoadFile();
  loader.Finish();
  return loader.Errors();
}

std::string OsqueryConfigFor(const ServerConfig& config, const std::string& platform,
                             const std::string& platform_type) {
  // The overrides that apply: the family first, then the exact platform.
  std::vector<const std::string*> overrides;
  auto add = [&](std::string_view name) {
    auto it = config.osquery_platform_json.find(std::string(name));
    if (it != config.osquery_platform_json.end()) overrides.push_back(&it->second);
  };
  const std::string_view family = internal::PlatformFamily(platform_type);
  if (!family.empty()) add(family);
  if (!platform.empty() && platform != family) add(platform);
  // Served on every config request: without an override the stored text is
  // the answer, with no parse.
  if (overrides.empty() && !config.osquery_config_json.empty()) return config.osquery_config_json;

  boost::json::object document;
  boost::json::error_code ec;
  boost::json::value base = boost::json::parse(config.osquery_config_json, ec);
  if (!ec && base.is_object()) {
    document = std::move(base.get_object());
  } else {
    // Not loaded through LoadConfig (a ServerConfig built in code): serve what
    // LoadConfig would have built with no [osquery] section.
    document = internal::DefaultOsqueryDocument();
    internal::AddAgentOptions(document, config);
  }
  for (const std::string* text : overrides) {
    boost::json::error_code override_ec;
    boost::json::value over = boost::json::parse(*text, override_ec);
    if (!override_ec && over.is_object()) internal::DeepMerge(document, over.get_object());
  }
  return boost::json::serialize(document);
}

}  // namespace quarry::config
