// The operator side of the `quarry` command: where the server is (connection
// settings from flags, environment or a local data directory), and typed calls
// to its HTTP API (docs/api.md). Responses are Boost.JSON values, passed
// through as the server sent them so that `--format json` loses nothing; the
// few shapes the CLI reasons about (progress, a run's host state) have structs.
//
// Not thread-safe: one OperatorClient per thread (it owns one HttpsClient).
#pragma once

#include <boost/json.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "net/https_client.h"

namespace quarry::cli {

// ---------------------------------------------------------------------------
// Connection settings

// What the command line said; empty means "not given".
struct ConnectionFlags {
  std::string server;    // --server URL
  std::string token;     // --token T
  std::string ca_file;   // --ca FILE
  std::string data_dir;  // --data-dir DIR
};

inline constexpr const char* kDefaultDataDir = "./quarry-data";

struct Connection {
  std::string url;   // as resolved, without a trailing slash
  std::string host;  // from the URL; IPv6 without brackets; 0.0.0.0/:: -> loopback
  uint16_t port = 0;
  bool tls = true;        // https
  std::string base_path;  // path prefix of the URL ("" or "/prefix"), for a proxy
  std::string ca_file;
  std::string token;
  // Where each setting came from ("--server", "QUARRY_SERVER",
  // "./quarry-data/server.json"), for error messages.
  std::string server_from;
  std::string token_from;
};

struct ServerUrl {
  bool tls = true;
  std::string host;
  uint16_t port = 0;
  std::string base_path;
};

// "https://host[:port][/prefix]" or "http://..."; "host:port" alone means
// https. IPv6 literals in brackets. kInvalidArgument otherwise.
Result<ServerUrl> ParseServerUrl(std::string_view url);

// Returns the value of an environment variable, or nullopt when unset/empty.
using EnvLookup = std::function<std::optional<std::string>(const char* name)>;
EnvLookup ProcessEnv();

// Resolves the settings, per field, in the order flag > environment
// (QUARRY_SERVER, QUARRY_TOKEN, QUARRY_CA) > data directory. The data
// directory (--data-dir, default ./quarry-data) describes one local server:
// its server.json gives admin_url, ca_file and operator_token_file. It fills
// in the missing settings when it was named with --data-dir, or when the
// server URL is its own (came from it, or equals its admin_url); the default
// directory never lends its admin token to some other server.
// Errors (kInvalidArgument, with the fix in the message): no server at all
// ("no server: start `quarry serve` or give --server/--token"), an explicit
// data directory without a readable server.json, no token, an https URL with
// no CA file, a malformed URL.
Result<Connection> ResolveConnection(const ConnectionFlags& flags, const EnvLookup& env);

// ---------------------------------------------------------------------------
// Shapes the CLI reasons about

struct Progress {
  int64_t targeted = 0, online = 0, offline = 0, pending = 0, picked_up = 0, answered = 0,
          failed = 0, expired = 0, cancelled = 0, rows = 0;
  bool done = false;
};
Progress ProgressFromJson(const boost::json::object& o);

struct RunHost {
  int64_t host_id = 0;
  std::string hostname;
  std::string state;  // pending, picked_up, answered, failed, expired, cancelled
  std::string message;
  int64_t picked_up_us = 0, finished_us = 0, rows = 0;
};
RunHost RunHostFromJson(const boost::json::object& o);

// Lenient field access: the default when missing or of another type.
int64_t GetInt(const boost::json::object& o, std::string_view key, int64_t def = 0);
std::string GetString(const boost::json::object& o, std::string_view key);
bool GetBool(const boost::json::object& o, std::string_view key, bool def = false);

// A run's targets (docs/api.md "Targets"). A host given as digits is an id,
// anything else a host identifier or hostname.
struct Targets {
  bool all = false;
  std::vector<std::string> hosts, platforms, labels;
};
boost::json::object TargetsJson(const Targets& targets);
// One id-or-name as the API takes it: digits -> number, else string.
boost::json::value HostRef(const std::string& text);

struct RunRequest {
  std::string sql;
  Targets targets;
  int64_t timeout_seconds = 60;
  std::string reduce;  // "" for none
};

struct HostFilter {
  std::string platform, label, status, search;
};

struct LabelSpec {
  std::string name, description;
  std::vector<std::string> hosts;  // manual
  std::string sql;                 // dynamic
  int64_t refresh_seconds = 0;     // dynamic; 0: the server's default
};

// "a b/c" -> "a%20b%2Fc" (RFC 3986 unreserved characters kept).
std::string PercentEncode(std::string_view text);

// ---------------------------------------------------------------------------
// The client

// Errors: kIo when the server could not be reached or the connection broke
// (the message names the URL and where it came from); otherwise the HTTP
// status mapped to a code (400 kInvalidArgument, 401 kUnauthenticated, 403
// kPermissionDenied, 404 kNotFound, 409 kConflict, 413 kTooLarge, 503
// kUnavailable, 504 kDeadlineExceeded, other kInternal) with the server's
// {"error"} message.
class OperatorClient {
 public:
  explicit OperatorClient(Connection connection,
                          std::chrono::milliseconds timeout = std::chrono::seconds(30));

  const Connection& connection() const { return connection_; }

  // One call; `body` null for none. The parsed JSON body (null for an empty one).
  Result<boost::json::value> Call(std::string_view method, const std::string& target,
                                  const boost::json::value* body = nullptr);
  // Same, but an object is required.
  Result<boost::json::object> CallObject(std::string_view method, const std::string& target,
                                         const boost::json::value* body = nullptr);

  Result<boost::json::object> Whoami();

  Result<boost::json::object> ListHosts(const HostFilter& filter, int64_t limit, int64_t offset);
  Result<boost::json::object> GetHost(const std::string& id);
  Result<boost::json::object> RevokeHost(const std::string& id);

  Result<boost::json::object> CreateRun(const RunRequest& request);
  Result<boost::json::object> ListRuns(const std::string& status, int64_t limit, int64_t before);
  Result<boost::json::object> GetRun(int64_t id, bool with_hosts = true);
  Result<boost::json::object> CancelRun(int64_t id);
  // {"rows":[{"seq","host_id","host","row"}], "next_after"}
  Result<boost::json::object> Results(int64_t id, int64_t after, int64_t limit);
  // A Table: {"columns","rows","truncated"}.
  Result<boost::json::object> Reduce(int64_t id, const std::string& sql);

  // Follows GET /api/v1/runs/{id}/events: every chunk of the body goes to
  // `on_bytes` (stop by returning false). Returns the HTTP status when the
  // stream ends; for a status other than 200 the body is the server's error
  // and is turned into an Error here. kDeadlineExceeded when no byte came for
  // `idle_timeout`.
  Result<int> StreamRunEvents(int64_t id, const std::string& reduce,
                              std::optional<int64_t> last_event_id,
                              const std::function<bool(std::string_view)>& on_bytes,
                              std::chrono::milliseconds idle_timeout);

  Result<boost::json::object> ListLabels();
  Result<boost::json::object> GetLabel(const std::string& name);
  Result<boost::json::object> CreateLabel(const LabelSpec& spec);
  Result<boost::json::object> UpdateLabel(const std::string& name,
                                          const boost::json::object& fields);
  Result<void> DeleteLabel(const std::string& name);

  Result<boost::json::object> Search(const std::string& sql, int64_t max_rows);

  Result<boost::json::object> ListTokens();
  Result<boost::json::object> CreateToken(const std::string& name, const std::string& role);
  Result<void> RevokeToken(const std::string& id);

 private:
  net::HeaderList Headers() const;
  Error TransportError(const Error& e) const;

  Connection connection_;
  net::HttpsClient http_;
};

// The API's error body and status as an Error (see OperatorClient).
Error HttpError(int status, std::string_view body);

}  // namespace quarry::cli
