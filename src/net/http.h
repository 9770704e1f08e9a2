// HTTP types that cross the net/ boundary. No Beast or Asio type appears here, so
// api/ and cli/ can include it cheaply.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace quarry::net {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // path + query, as sent
  std::string path;    // target without the query string
  std::string query;   // after '?', undecoded; "" when none
  HeaderList headers;
  // Decoded body (already inflated when Content-Encoding was gzip). Carries at
  // least proto::kPadding bytes of spare capacity for in-place JSON parsing.
  std::string body;
  std::string remote_address;  // peer IP, no port
  // TLS client certificate (mTLS): SHA-256 fingerprint (hex) and subject, or ""
  // when the client sent none.
  std::string client_cert_sha256;
  std::string client_cert_subject;

  // Case-insensitive header lookup; the first match.
  std::optional<std::string_view> Header(std::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  HeaderList headers;  // extra headers
  bool close = false;  // close the connection after this response
};

// How a handler answers. Call it exactly once, from any thread; the session
// resumes on its own executor. Later calls are ignored (and logged); calling it
// after the server stopped is harmless.
using Reply = std::function<void(HttpResponse)>;
// Runs on an I/O thread: it must not block. Slow work goes elsewhere and
// answers through `reply` later. An exception escaping the handler becomes a
// 500 response and a closed connection.
using Handler = std::function<void(HttpRequest&& request, Reply reply)>;

// One routed endpoint with its own limits. The body limit applies to the bytes
// on the wire; the inflated limit to a gzip body after decompression.
struct Endpoint {
  Handler handler;
  size_t body_limit = 64 * 1024;
  size_t inflated_limit = 64 * 1024;
  bool accept_gzip = false;  // Content-Encoding: gzip allowed
};

// Finds the endpoint for a request, given its method and path (no query). The
// server answers 404 (unknown path) itself when this returns nullptr; a router
// that knows the path but not the method returns its own 405 endpoint.
class Router {
 public:
  virtual ~Router() = default;
  virtual const Endpoint* Find(std::string_view method, std::string_view path) const = 0;
};

}  // namespace quarry::net
