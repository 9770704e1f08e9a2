#include "config/config_keys.h"

#include <array>
#include <cctype>
#include <chrono>
#include <cstddef>
#include <type_traits>

namespace quarry::config::internal {
namespace {

// ---- reaching a field through a chain of member pointers ----

template <class T>
struct MemberOf;
template <class C, class M>
struct MemberOf<M C::*> {
  using Class = C;
};

// Settings → field, for a chain that starts either at Settings or at ServerConfig.
// The return is a fold over `.*`: Resolve<&S::agent, &A::listen> is
// (settings.config.*&S::agent).*&A::listen, i.e. settings.config.agent.listen.
template <auto First, auto... Rest>
auto& Resolve(Settings& settings) {
  using Start = typename MemberOf<decltype(First)>::Class;
  if constexpr (std::is_same_v<Start, Settings>) {
    return ((settings.*First).*....*Rest);
  } else {
    return ((settings.config.*First).*....*Rest);
  }
}

template <auto... Chain>
using FieldType = std::remove_reference_t<decltype(Resolve<Chain...>(std::declval<Settings&>()))>;

template <auto... Chain>
void Store(const Value& value, Settings& settings) {
  auto& field = Resolve<Chain...>(settings);
  using T = FieldType<Chain...>;
  if constexpr (std::is_same_v<T, std::string>) {
    field = std::get<std::string>(value);
  } else if constexpr (std::is_same_v<T, bool>) {
    field = std::get<bool>(value);
  } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
    field = std::get<std::vector<std::string>>(value);
  } else if constexpr (std::is_same_v<T, std::chrono::milliseconds>) {
    field = std::chrono::milliseconds(std::get<int64_t>(value));
  } else {
    static_assert(std::is_integral_v<T>, "unsupported setting type");
    field = static_cast<T>(std::get<int64_t>(value));
  }
}

using Check = std::string (*)(const std::string&);

template <auto... Chain>
constexpr KeyDescriptor String(std::string_view path, Check check, std::string_view help) {
  static_assert(std::is_same_v<FieldType<Chain...>, std::string>);
  return {path, ValueType::kString, 0, 0, check, &Store<Chain...>, help};
}

template <auto... Chain>
constexpr KeyDescriptor Integer(std::string_view path, int64_t min, int64_t max,
                                std::string_view help) {
  using T = FieldType<Chain...>;
  static_assert(std::is_integral_v<T> || std::is_same_v<T, std::chrono::milliseconds>);
  return {path, ValueType::kInteger, min, max, nullptr, &Store<Chain...>, help};
}

template <auto... Chain>
constexpr KeyDescriptor Bool(std::string_view path, std::string_view help) {
  static_assert(std::is_same_v<FieldType<Chain...>, bool>);
  return {path, ValueType::kBool, 0, 0, nullptr, &Store<Chain...>, help};
}

template <auto... Chain>
constexpr KeyDescriptor List(std::string_view path, Check check, std::string_view help) {
  static_assert(std::is_same_v<FieldType<Chain...>, std::vector<std::string>>);
  return {path, ValueType::kStringList, 0, 0, check, &Store<Chain...>, help};
}

// ---- value checks ----

std::string OneOf(const std::string& value, std::initializer_list<std::string_view> allowed) {
  std::string list;
  for (std::string_view a : allowed) {
    if (value == a) return "";
    if (!list.empty()) list += ", ";
    list += a;
  }
  return "'" + value + "' is not one of: " + list;
}

bool HasSpace(const std::string& value) {
  for (char c : value) {
    if (std::isspace(static_cast<unsigned char>(c)) != 0) return true;
  }
  return false;
}

std::string CheckNonEmpty(const std::string& value) {
  return value.empty() ? "must not be empty" : "";
}

std::string CheckLogLevel(const std::string& value) {
  return OneOf(value, {"debug", "info", "warn", "error"});
}

std::string CheckListen(const std::string& value) {
  auto parsed = ParseListenAddress(value);
  return parsed ? "" : parsed.error().message;
}

// What osqueryd's --tls_hostname takes: a host with an optional :port, no scheme.
std::string CheckPublicHostname(const std::string& value) {
  if (HasSpace(value) || value.find('/') != std::string::npos) {
    return "'" + value + "' must be a host name with an optional :port (no scheme, no path)";
  }
  return "";
}

std::string CheckPrefix(const std::string& value) {
  if (value.empty()) return "";
  if (value.front() != '/' || value.back() == '/' || HasSpace(value) ||
      value.find_first_of("?#") != std::string::npos) {
    return "'" + value +
           "' must be empty or start with '/', not end with '/', "
           "and hold no spaces, '?' or '#'";
  }
  return "";
}

std::string CheckEndpoint(const std::string& value) {
  if (value.empty() || value.front() != '/' || HasSpace(value) ||
      value.find_first_of("?#") != std::string::npos) {
    return "'" + value + "' must start with '/' and hold no spaces, '?' or '#'";
  }
  return "";
}

std::string CheckClientCertMode(const std::string& value) {
  return OneOf(value, {"off", "optional", "required"});
}

std::string CheckDriver(const std::string& value) { return OneOf(value, {"sqlite", "postgres"}); }

std::string CheckDnsName(const std::string& value) {
  if (value.empty() || HasSpace(value)) return "'" + value + "' is not a host name or address";
  return "";
}

constexpr int64_t kKiB = 1024;
constexpr int64_t kMiB = 1024 * kKiB;
constexpr int64_t kGiB = 1024 * kMiB;
constexpr int64_t kWeek = 7 * 24 * 3600;
constexpr int64_t kHourMs = 3600 * 1000;

using S = ServerConfig;
using A = AgentConfig;
using P = AgentPaths;
using L = Limits;

// The table. Ranges are inclusive; the help text is the one-line meaning shown
// in docs/configuration.md.
const std::array kKeys = {
    String<&S::data_dir>("data_dir", CheckNonEmpty,
                         "Directory for the database, generated certificates and secrets."),
    String<&S::log_level>("log_level", CheckLogLevel, "debug, info, warn or error."),
    Integer<&S::threads>("threads", 0, 1024, "I/O threads; 0 = one per core."),

    String<&S::agent, &A::listen>("agent.listen", CheckListen,
                                  "Address for osqueryd hosts (TLS), host:port or [v6]:port."),
    String<&S::agent, &A::public_hostname>(
        "agent.public_hostname", CheckPublicHostname,
        "--tls_hostname written into generated osquery.flags; default: this machine's name."),
    Integer<&S::agent, &A::distributed_interval>(
        "agent.distributed_interval", 1, kWeek,
        "Seconds between a host's distributed reads (sent as options.distributed_interval)."),
    Integer<&S::agent, &A::config_refresh>("agent.config_refresh", 1, kWeek,
                                           "--config_refresh written into osquery.flags."),
    Integer<&S::agent, &A::logger_period>(
        "agent.logger_period", 1, kWeek,
        "Seconds between log flushes (sent as options.logger_tls_period)."),
    Integer<&S::agent, &A::hold_poll_ms>(
        "agent.hold_poll_ms", 0, 14000,
        "How long an empty distributed read is held open waiting for work; 0 = not held."),
    Integer<&S::agent, &A::online_window_seconds>(
        "agent.online_window_seconds", 0, kWeek,
        "A host is online when it polled within this window; 0 = 2 x (interval + hold)."),
    Integer<&S::agent, &A::accelerate_seconds>(
        "agent.accelerate_seconds", 0, 86400,
        "`accelerate` sent while a host has pending work; 0 = never."),
    String<&S::agent, &A::paths, &P::prefix>("agent.paths.prefix", CheckPrefix,
                                             "Prefix of every agent endpoint."),
    String<&S::agent, &A::paths, &P::enroll>("agent.paths.enroll", CheckEndpoint, "Enroll path."),
    String<&S::agent, &A::paths, &P::config>("agent.paths.config", CheckEndpoint, "Config path."),
    String<&S::agent, &A::paths, &P::log>("agent.paths.log", CheckEndpoint, "Logger path."),
    String<&S::agent, &A::paths, &P::distributed_read>("agent.paths.distributed_read",
                                                       CheckEndpoint, "Distributed read path."),
    String<&S::agent, &A::paths, &P::distributed_write>("agent.paths.distributed_write",
                                                        CheckEndpoint, "Distributed write path."),
    String<&S::agent, &A::paths, &P::carve_begin>("agent.paths.carve_begin", CheckEndpoint,
                                                  "Carve start path."),
    String<&S::agent, &A::paths, &P::carve_block>("agent.paths.carve_block", CheckEndpoint,
                                                  "Carve block path."),

    String<&S::admin, &AdminConfig::listen>("admin.listen", CheckListen,
                                            "Address of the operator API and UI."),
    Bool<&S::admin, &AdminConfig::tls>("admin.tls", "Serve the admin listener over TLS."),

    String<&S::tls, &TlsConfig::cert_file>("tls.cert_file", nullptr,
                                           "Server certificate chain (PEM); \"\" = generated."),
    String<&S::tls, &TlsConfig::key_file>("tls.key_file", nullptr,
                                          "Private key for cert_file (PEM)."),
    String<&S::tls, &TlsConfig::client_ca_file>(
        "tls.client_ca_file", nullptr, "CA bundle that client certificates must chain to."),
    String<&S::tls, &TlsConfig::client_cert_mode>("tls.client_cert_mode", CheckClientCertMode,
                                                  "off, optional or required (mTLS)."),
    List<&S::tls, &TlsConfig::extra_names>("tls.extra_names", CheckDnsName,
                                           "Extra SANs for the generated certificate."),

    Integer<&S::limits, &L::header_bytes>("limits.header_bytes", kKiB, kMiB,
                                          "Largest request header block."),
    Integer<&S::limits, &L::enroll_body_bytes>("limits.enroll_body_bytes", kKiB, 16 * kGiB,
                                               "Largest enroll body."),
    Integer<&S::limits, &L::small_body_bytes>("limits.small_body_bytes", kKiB, 16 * kGiB,
                                              "Largest config / distributed read body."),
    Integer<&S::limits, &L::log_body_bytes>("limits.log_body_bytes", kKiB, 16 * kGiB,
                                            "Largest logger body, as sent (maybe gzip)."),
    Integer<&S::limits, &L::write_body_bytes>("limits.write_body_bytes", kKiB, 16 * kGiB,
                                              "Largest distributed write body."),
    Integer<&S::limits, &L::inflated_body_bytes>("limits.inflated_body_bytes", kKiB, 16 * kGiB,
                                                 "Largest body after gzip inflation."),
    Integer<&S::limits, &L::admin_body_bytes>("limits.admin_body_bytes", kKiB, 16 * kGiB,
                                              "Largest operator API body."),
    Integer<&S::limits, &L::handshake_timeout>("limits.handshake_timeout_ms", 1, kHourMs,
                                               "TLS handshake deadline."),
    Integer<&S::limits, &L::read_timeout>("limits.read_timeout_ms", 1, kHourMs,
                                          "Deadline to read one request once it has started."),
    Integer<&S::limits, &L::idle_timeout>("limits.idle_timeout_ms", 1, 24 * kHourMs,
                                          "Keep-alive connection idle time before closing."),
    Integer<&S::limits, &L::write_timeout>("limits.write_timeout_ms", 1, kHourMs,
                                           "Deadline to write one response."),
    Integer<&S::limits, &L::max_connections>("limits.max_connections", 1, 10'000'000,
                                             "Open connections across both listeners."),
    Integer<&S::limits, &L::write_queue>("limits.write_queue", 1, 10'000'000,
                                         "Queued store writes before agents get \"try later\"."),
    Integer<&S::limits, &L::enroll_failures_per_minute>(
        "limits.enroll_failures_per_minute", 0, 1'000'000,
        "Failed enrolls per source address per minute; 0 = unlimited."),

    String<&S::store, &StoreConfig::driver>("store.driver", CheckDriver, "sqlite or postgres."),
    String<&S::store, &StoreConfig::sqlite_path>("store.sqlite_path", nullptr,
                                                 "SQLite file; \"\" = <data_dir>/quarry.db."),
    String<&S::store, &StoreConfig::postgres_url>("store.postgres_url", nullptr,
                                                  "libpq connection URI (driver = postgres)."),

    String<&Settings::osquery_config_file>(
        "osquery.config_file", nullptr,
        "JSON osquery config used as the base document (tables under [osquery] merge over it)."),
};

}  // namespace

std::span<const KeyDescriptor> Keys() { return kKeys; }

const KeyDescriptor* FindKey(std::string_view path) {
  for (const KeyDescriptor& key : kKeys) {
    if (key.path == path) return &key;
  }
  return nullptr;
}

const KeyDescriptor* FindKeyByEnv(std::string_view env_name) {
  for (const KeyDescriptor& key : kKeys) {
    if (EnvName(key.path) == env_name) return &key;
  }
  return nullptr;
}

std::string EnvName(std::string_view path) {
  std::string name = "QUARRY_";
  for (char c : path) {
    name += c == '.' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return name;
}

bool IsSection(std::string_view path) {
  for (const KeyDescriptor& key : kKeys) {
    if (key.path.size() > path.size() && key.path.substr(0, path.size()) == path &&
        key.path[path.size()] == '.') {
      return true;
    }
  }
  return false;
}

std::string_view Describe(ValueType type) {
  switch (type) {
    case ValueType::kString:
      return "a string";
    case ValueType::kInteger:
      return "an integer";
    case ValueType::kBool:
      return "a boolean";
    case ValueType::kStringList:
      return "an array of strings";
  }
  return "a value";
}

}  // namespace quarry::config::internal
