#include "cli/operator_client.h"

#include <charconv>
#include <cstdlib>

#include "cli/data_dir.h"

namespace quarry::cli {
namespace json = boost::json;
namespace {

// Kept of an error status's body, to show the server's message.
constexpr size_t kErrorBodyBytes = 4096;

std::string Trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  size_t e = s.find_last_not_of(" \t\r\n");
  return b == std::string_view::npos ? std::string() : std::string(s.substr(b, e - b + 1));
}

bool SameServer(const std::string& a, const std::string& b) {
  auto x = ParseServerUrl(a);
  auto y = ParseServerUrl(b);
  return x && y && x->tls == y->tls && x->host == y->host && x->port == y->port &&
         x->base_path == y->base_path;
}

struct DataDirInfo {
  std::string admin_url, ca_file, token_file, server_json;
};

Result<DataDirInfo> ReadDataDir(const std::string& dir) {
  DataDirInfo info;
  info.server_json = JoinPath(dir, "server.json");
  auto text = ReadFile(info.server_json);
  if (!text) return Fail(ErrorCode::kNotFound, "cannot read " + info.server_json);
  json::error_code ec;
  json::value v = json::parse(*text, ec);
  if (ec || !v.is_object())
    return Fail(ErrorCode::kInvalidArgument, info.server_json + ": not a JSON object");
  info.admin_url = GetString(v.as_object(), "admin_url");
  info.ca_file = GetString(v.as_object(), "ca_file");
  info.token_file = GetString(v.as_object(), "operator_token_file");
  if (info.admin_url.empty())
    return Fail(ErrorCode::kInvalidArgument, info.server_json + ": no admin_url");
  return info;
}

std::string QueryString(const std::vector<std::pair<std::string, std::string>>& params) {
  std::string out;
  for (const auto& [k, v] : params) {
    if (v.empty()) continue;
    out += out.empty() ? '?' : '&';
    out += k + "=" + PercentEncode(v);
  }
  return out;
}

}  // namespace

// ---------------------------------------------------------------------------
// Connection settings

Result<ServerUrl> ParseServerUrl(std::string_view url) {
  auto bad = [&](const std::string& why) {
    return Fail(ErrorCode::kInvalidArgument,
                "server URL '" + std::string(url) + "': " + why + " (expected https://host:port)");
  };
  ServerUrl out;
  std::string_view rest = url;
  if (size_t p = rest.find("://"); p != std::string_view::npos) {
    std::string_view scheme = rest.substr(0, p);
    if (scheme == "https") {
      out.tls = true;
    } else if (scheme == "http") {
      out.tls = false;
    } else {
      return bad("scheme must be https or http");
    }
    rest.remove_prefix(p + 3);
  }
  if (rest.find_first_of("?#@") != std::string_view::npos)
    return bad("no user, query or fragment allowed");
  size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  out.base_path = std::string(path);
  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return bad("unclosed '['");
    out.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return bad("junk after ']'");
      port_text = after.substr(1);
    }
  } else {
    size_t colon = authority.find(':');
    if (colon != std::string_view::npos && authority.find(':', colon + 1) != std::string_view::npos)
      return bad("an IPv6 address needs brackets");
    out.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
  }
  if (out.host.empty()) return bad("no host");
  if (port_text.empty()) {
    out.port = out.tls ? 443 : 80;
  } else {
    unsigned port = 0;
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || port == 0 ||
        port > 65535)
      return bad("bad port");
    out.port = static_cast<uint16_t>(port);
  }
  return out;
}

EnvLookup ProcessEnv() {
  return [](const char* name) -> std::optional<std::string> {
    const char* v = std::getenv(name);
    if (!v || !*v) return std::nullopt;
    return std::string(v);
  };
}

Result<Connection> ResolveConnection(const ConnectionFlags& flags, const EnvLookup& env) {
  Connection c;
  auto pick = [&](const std::string& flag, const char* flag_name, const char* env_name,
                  std::string& value, std::string* from) {
    if (!flag.empty()) {
      value = flag;
      if (from) *from = flag_name;
    } else if (auto v = env(env_name)) {
      value = *v;
      if (from) *from = env_name;
    }
  };
  std::string server;
  pick(flags.server, "--server", "QUARRY_SERVER", server, &c.server_from);
  pick(flags.token, "--token", "QUARRY_TOKEN", c.token, &c.token_from);
  pick(flags.ca_file, "--ca", "QUARRY_CA", c.ca_file, nullptr);

  const bool explicit_dir = !flags.data_dir.empty();
  const std::string dir = explicit_dir ? flags.data_dir : kDefaultDataDir;
  if (explicit_dir || server.empty() || c.token.empty() || c.ca_file.empty()) {
    auto info = ReadDataDir(dir);
    if (!info && explicit_dir) {
      return Fail(ErrorCode::kInvalidArgument,
                  info.error().message + ": is `quarry serve --data-dir " + dir + "` running?");
    }
    if (info && (explicit_dir || server.empty() || SameServer(server, info->admin_url))) {
      if (server.empty()) {
        server = info->admin_url;
        c.server_from = info->server_json;
      }
      if (c.token.empty() && !info->token_file.empty()) {
        auto token = ReadFile(info->token_file);
        if (!token) {
          return Fail(ErrorCode::kInvalidArgument, "cannot read the operator token " +
                                                       info->token_file +
                                                       ": give --token or set QUARRY_TOKEN");
        }
        c.token = Trim(*token);
        c.token_from = info->token_file;
      }
      if (c.ca_file.empty()) c.ca_file = info->ca_file;
    }
  }
  if (server.empty()) {
    return Fail(ErrorCode::kInvalidArgument,
                "no server: start `quarry serve` or give --server/--token (or set "
                "QUARRY_SERVER/QUARRY_TOKEN; no " +
                    JoinPath(dir, "server.json") + ")");
  }
  auto url = ParseServerUrl(server);
  if (!url) return Fail(url.error());
  if (c.token.empty()) {
    return Fail(ErrorCode::kInvalidArgument,
                "no token for " + server + ": give --token or set QUARRY_TOKEN");
  }
  if (url->tls && c.ca_file.empty()) {
    return Fail(ErrorCode::kInvalidArgument,
                "no CA certificate to verify " + server + ": give --ca FILE or set QUARRY_CA");
  }
  while (!server.empty() && server.back() == '/') server.pop_back();
  c.url = server;
  // A wildcard listen address (server.json of `serve --admin-listen
  // 0.0.0.0:...`) means this machine.
  if (url->host == "0.0.0.0") url->host = "127.0.0.1";
  if (url->host == "::") url->host = "::1";
  c.host = url->host;
  c.port = url->port;
  c.tls = url->tls;
  c.base_path = url->base_path;
  return c;
}

// ---------------------------------------------------------------------------
// Shapes

int64_t GetInt(const json::object& o, std::string_view key, int64_t def) {
  const json::value* v = o.if_contains(key);
  if (!v) return def;
  if (v->is_int64()) return v->as_int64();
  if (v->is_uint64()) return static_cast<int64_t>(v->as_uint64());
  if (v->is_double()) return static_cast<int64_t>(v->as_double());
  return def;
}

std::string GetString(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (!v || v->is_null()) return {};
  if (v->is_string()) return std::string(v->as_string());
  return json::serialize(*v);
}

bool GetBool(const json::object& o, std::string_view key, bool def) {
  const json::value* v = o.if_contains(key);
  return v && v->is_bool() ? v->as_bool() : def;
}

Progress ProgressFromJson(const json::object& o) {
  Progress p;
  p.targeted = GetInt(o, "targeted");
  p.online = GetInt(o, "online");
  p.offline = GetInt(o, "offline");
  p.pending = GetInt(o, "pending");
  p.picked_up = GetInt(o, "picked_up");
  p.answered = GetInt(o, "answered");
  p.failed = GetInt(o, "failed");
  p.expired = GetInt(o, "expired");
  p.cancelled = GetInt(o, "cancelled");
  p.rows = GetInt(o, "rows");
  p.done = GetBool(o, "done");
  return p;
}

RunHost RunHostFromJson(const json::object& o) {
  RunHost h;
  h.host_id = GetInt(o, "host_id");
  h.hostname = GetString(o, "hostname");
  h.state = GetString(o, "state");
  h.message = GetString(o, "message");
  h.picked_up_us = GetInt(o, "picked_up_us");
  h.finished_us = GetInt(o, "finished_us");
  h.rows = GetInt(o, "rows");
  return h;
}

json::value HostRef(const std::string& text) {
  int64_t id = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec == std::errc() && end == text.data() + text.size() && id > 0) return id;
  return json::string(text);
}

json::object TargetsJson(const Targets& t) {
  json::object o;
  o["all"] = t.all;
  json::array hosts;
  for (const auto& h : t.hosts) hosts.push_back(HostRef(h));
  o["hosts"] = std::move(hosts);
  o["platforms"] = json::array(t.platforms.begin(), t.platforms.end());
  o["labels"] = json::array(t.labels.begin(), t.labels.end());
  return o;
}

std::string PercentEncode(std::string_view text) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

Error HttpError(int status, std::string_view body) {
  std::string message;
  json::error_code ec;
  json::value v = json::parse(body, ec);
  if (!ec && v.is_object()) message = GetString(v.as_object(), "error");
  if (message.empty()) message = Trim(body.substr(0, 200));
  if (message.empty()) message = "no message";
  message += " (HTTP " + std::to_string(status) + ")";
  ErrorCode code = ErrorCode::kInternal;
  switch (status) {
    case 400:
      code = ErrorCode::kInvalidArgument;
      break;
    case 401:
      code = ErrorCode::kUnauthenticated;
      break;
    case 403:
      code = ErrorCode::kPermissionDenied;
      break;
    case 404:
      code = ErrorCode::kNotFound;
      break;
    case 409:
      code = ErrorCode::kConflict;
      break;
    case 413:
      code = ErrorCode::kTooLarge;
      break;
    case 503:
      code = ErrorCode::kUnavailable;
      break;
    case 504:
      code = ErrorCode::kDeadlineExceeded;
      break;
    default:
      break;
  }
  return Error{code, std::move(message)};
}

// ---------------------------------------------------------------------------
// The client

namespace {
net::ClientOptions ClientOptionsFor(const Connection& c, std::chrono::milliseconds timeout) {
  net::ClientOptions o;
  o.host = c.host;
  o.port = c.port;
  o.tls = c.tls;
  o.ca_file = c.ca_file;
  o.timeout = timeout;
  return o;
}
}  // namespace

OperatorClient::OperatorClient(Connection connection, std::chrono::milliseconds timeout)
    : connection_(std::move(connection)), http_(ClientOptionsFor(connection_, timeout)) {}

net::HeaderList OperatorClient::Headers() const {
  return {{"Authorization", "Bearer " + connection_.token}, {"Accept", "application/json"}};
}

Error OperatorClient::TransportError(const Error& e) const {
  std::string message = "cannot reach " + connection_.url;
  if (!connection_.server_from.empty() && connection_.server_from != "--server")
    message += " (from " + connection_.server_from + ")";
  message += ": " + e.message;
  if (e.code == ErrorCode::kInvalidArgument) return Error{ErrorCode::kIo, message};
  message += "; is `quarry serve` running?";
  return Error{ErrorCode::kIo, std::move(message)};
}

Result<json::value> OperatorClient::Call(std::string_view method, const std::string& target,
                                         const json::value* body) {
  std::string text = body ? json::serialize(*body) : std::string();
  auto r = http_.Request(method, connection_.base_path + target, text, Headers());
  if (!r) return Fail(TransportError(r.error()));
  if (r->status < 200 || r->status > 299) {
    Error e = HttpError(r->status, r->body);
    if (r->status == 401 && !connection_.token_from.empty())
      e.message += "; the token came from " + connection_.token_from;
    return Fail(std::move(e));
  }
  if (Trim(r->body).empty()) return json::value();
  json::error_code ec;
  json::value v = json::parse(r->body, ec);
  if (ec) {
    return Fail(ErrorCode::kInternal, "the server's answer to " + std::string(method) + " " +
                                          target + " is not JSON: " + ec.message());
  }
  return v;
}

Result<json::object> OperatorClient::CallObject(std::string_view method, const std::string& target,
                                                const json::value* body) {
  auto v = Call(method, target, body);
  if (!v) return Fail(v.error());
  if (!v->is_object()) {
    return Fail(ErrorCode::kInternal, "the server's answer to " + std::string(method) + " " +
                                          target + " is not a JSON object");
  }
  return std::move(v->as_object());
}

Result<json::object> OperatorClient::Whoami() { return CallObject("GET", "/api/v1/whoami"); }

Result<json::object> OperatorClient::ListHosts(const HostFilter& f, int64_t limit, int64_t offset) {
  return CallObject("GET", "/api/v1/hosts" + QueryString({{"platform", f.platform},
                                                          {"label", f.label},
                                                          {"status", f.status},
                                                          {"q", f.search},
                                                          {"limit", std::to_string(limit)},
                                                          {"offset", std::to_string(offset)}}));
}

Result<json::object> OperatorClient::GetHost(const std::string& id) {
  return CallObject("GET", "/api/v1/hosts/" + PercentEncode(id));
}

Result<json::object> OperatorClient::RevokeHost(const std::string& id) {
  return CallObject("POST", "/api/v1/hosts/" + PercentEncode(id) + "/revoke");
}

Result<json::object> OperatorClient::CreateRun(const RunRequest& request) {
  json::object body;
  body["sql"] = request.sql;
  body["targets"] = TargetsJson(request.targets);
  body["timeout_seconds"] = request.timeout_seconds;
  if (!request.reduce.empty()) body["reduce"] = request.reduce;
  json::value v(std::move(body));
  return CallObject("POST", "/api/v1/runs", &v);
}

Result<json::object> OperatorClient::ListRuns(const std::string& status, int64_t limit,
                                              int64_t before) {
  return CallObject(
      "GET", "/api/v1/runs" + QueryString({{"status", status},
                                           {"before", before > 0 ? std::to_string(before) : ""},
                                           {"limit", limit > 0 ? std::to_string(limit) : ""}}));
}

Result<json::object> OperatorClient::GetRun(int64_t id, bool with_hosts) {
  return CallObject("GET", "/api/v1/runs/" + std::to_string(id) + (with_hosts ? "" : "?hosts=0"));
}

Result<json::object> OperatorClient::CancelRun(int64_t id) {
  return CallObject("POST", "/api/v1/runs/" + std::to_string(id) + "/cancel");
}

Result<json::object> OperatorClient::Results(int64_t id, int64_t after, int64_t limit) {
  return CallObject("GET", "/api/v1/runs/" + std::to_string(id) + "/results?after=" +
                               std::to_string(after) + "&limit=" + std::to_string(limit));
}

Result<json::object> OperatorClient::Reduce(int64_t id, const std::string& sql) {
  json::value body(json::object{{"sql", sql}});
  return CallObject("POST", "/api/v1/runs/" + std::to_string(id) + "/reduce", &body);
}

Result<int> OperatorClient::StreamRunEvents(int64_t id, const std::string& reduce,
                                            std::optional<int64_t> last_event_id,
                                            const std::function<bool(std::string_view)>& on_bytes,
                                            std::chrono::milliseconds idle_timeout) {
  std::string target = connection_.base_path + "/api/v1/runs/" + std::to_string(id) + "/events" +
                       QueryString({{"reduce", reduce}});
  net::HeaderList headers = {{"Authorization", "Bearer " + connection_.token},
                             {"Accept", "text/event-stream"}};
  if (last_event_id) headers.emplace_back("Last-Event-ID", std::to_string(*last_event_id));
  // The status is known only when the body ends; keep the start of the body
  // so that an error status can show the server's message.
  std::string head;
  auto status = http_.Stream(
      "GET", target, {}, headers,
      [&](std::string_view chunk) {
        if (head.size() < kErrorBodyBytes)
          head.append(chunk.substr(0, kErrorBodyBytes - head.size()));
        return on_bytes(chunk);
      },
      idle_timeout);
  if (!status) {
    if (status.error().code == ErrorCode::kDeadlineExceeded) return Fail(status.error());
    return Fail(TransportError(status.error()));
  }
  if (*status != 200) return Fail(HttpError(*status, head));
  return *status;
}

Result<json::object> OperatorClient::ListLabels() { return CallObject("GET", "/api/v1/labels"); }

Result<json::object> OperatorClient::GetLabel(const std::string& name) {
  return CallObject("GET", "/api/v1/labels/" + PercentEncode(name));
}

Result<json::object> OperatorClient::CreateLabel(const LabelSpec& spec) {
  json::object body;
  body["name"] = spec.name;
  if (!spec.description.empty()) body["description"] = spec.description;
  if (!spec.sql.empty()) {
    body["kind"] = "dynamic";
    body["sql"] = spec.sql;
    if (spec.refresh_seconds > 0) body["refresh_seconds"] = spec.refresh_seconds;
  } else {
    body["kind"] = "manual";
    json::array hosts;
    for (const auto& h : spec.hosts) hosts.push_back(HostRef(h));
    body["hosts"] = std::move(hosts);
  }
  json::value v(std::move(body));
  return CallObject("POST", "/api/v1/labels", &v);
}

Result<json::object> OperatorClient::UpdateLabel(const std::string& name,
                                                 const json::object& fields) {
  json::value v(fields);
  return CallObject("PUT", "/api/v1/labels/" + PercentEncode(name), &v);
}

Result<void> OperatorClient::DeleteLabel(const std::string& name) {
  auto r = Call("DELETE", "/api/v1/labels/" + PercentEncode(name));
  if (!r) return Fail(r.error());
  return Ok();
}

Result<json::object> OperatorClient::Search(const std::string& sql, int64_t max_rows) {
  json::object body{{"sql", sql}};
  if (max_rows > 0) body["max_rows"] = max_rows;
  json::value v(std::move(body));
  return CallObject("POST", "/api/v1/search", &v);
}

Result<json::object> OperatorClient::ListTokens() { return CallObject("GET", "/api/v1/tokens"); }

Result<json::object> OperatorClient::CreateToken(const std::string& name, const std::string& role) {
  json::value body(json::object{{"name", name}, {"role", role}});
  return CallObject("POST", "/api/v1/tokens", &body);
}

Result<void> OperatorClient::RevokeToken(const std::string& id) {
  auto r = Call("POST", "/api/v1/tokens/" + PercentEncode(id) + "/revoke");
  if (!r) return Fail(r.error());
  return Ok();
}

}  // namespace quarry::cli
