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

// Producer side of a streamed response body (Server-Sent Events and the like).
// Thread-safe; may outlive the connection and the server: once the stream is
// closed every call is a cheap no-op.
class ResponseStream {
 public:
  virtual ~ResponseStream() = default;
  // Queues bytes. Returns false once the stream is closed: the client went
  // away, Close() was called, the server stopped, or the queue went over its
  // byte limit (ConnectionLimits::stream_queue_bytes: a slow consumer is
  // disconnected rather than buffered for).
  virtual bool Write(std::string bytes) = 0;
  // Flushes what is queued, then ends the response.
  virtual void Close() = 0;
  virtual bool closed() const = 0;
  // `cb` runs once (on any thread, possibly inside Write or Close) when the
  // stream closes for any reason; at once, on the caller's thread, if already
  // closed. It must not block.
  virtual void OnClose(std::function<void()> cb) = 0;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  HeaderList headers;  // extra headers
  bool close = false;  // close the connection after this response
  // Streamed body. When set, `body` is ignored: the server writes the status
  // line and headers (plus Cache-Control: no-cache and, for HTTP/1.1,
  // Transfer-Encoding: chunked; HTTP/1.0 gets a body delimited by closing the
  // connection), then calls `stream` once, on an I/O thread (it must not
  // block), with the writer. Bytes written go out as they come until the
  // producer closes the stream, the client disconnects or the server stops.
  // If the header cannot be written, `stream` still runs, with a closed writer.
  std::function<void(std::shared_ptr<ResponseStream>)> stream;
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
