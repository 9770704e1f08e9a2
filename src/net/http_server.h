// HttpServer: TLS (and optionally plain) HTTP/1.1 listeners on a thread pool.
//
// One coroutine per connection (Asio C++20 coroutines, Beast parser), HTTP/1.1
// keep-alive, TLS 1.2 (ECDHE-AES-GCM) and 1.3, optional or required client
// certificates. Each request: read the header (header_limit), route it, then read
// the body under that endpoint's body_limit, inflate gzip under its inflated
// limit, call the handler, write its reply. Errors the server answers itself,
// all with a JSON body {"error": "..."}:
//   404 unknown path; 413 header, body or inflated body over its limit;
//   415 Content-Encoding the endpoint does not accept; 400 malformed HTTP or a
//   gzip body that does not inflate.
// Timeouts close the connection: handshake, reading a request (header + body),
// idle between keep-alive requests, writing a response.
//
// Streamed responses (Server-Sent Events): see HttpResponse::stream. HTTP/1.1
// streams use chunked encoding, so a stream the producer ends cleanly leaves
// the connection open for the next request (unless either side asked for
// close); HTTP/1.0 streams end by closing. While streaming the server keeps a
// read pending to notice the client leaving at once (EOF or error), and bytes a
// client sends meanwhile are kept as its next request, up to header_limit.
//
// No Beast or Asio type appears in this header. Thread-safe after Start().
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "base/result.h"
#include "net/http.h"

namespace quarry::net {

enum class ClientCertMode { kOff, kOptional, kRequired };

struct TlsOptions {
  bool enabled = true;
  std::string cert_file;       // PEM chain: server certificate first
  std::string key_file;        // PEM private key
  std::string client_ca_file;  // CA bundle for client certificates (mTLS)
  ClientCertMode client_cert_mode = ClientCertMode::kOff;
};

struct ConnectionLimits {
  size_t header_limit = 16 * 1024;
  std::chrono::milliseconds handshake_timeout{10'000};
  std::chrono::milliseconds read_timeout{30'000};   // one request, header + body
  std::chrono::milliseconds idle_timeout{120'000};  // between keep-alive requests
  std::chrono::milliseconds write_timeout{30'000};
  // After a response that closes the connection (an error, Connection: close),
  // the server half-closes and discards what the client still sends for up to
  // this long, so the client reads the response instead of a TCP reset.
  std::chrono::milliseconds linger_timeout{1'000};
  size_t max_connections = 200'000;  // beyond: accept and close at once
  // Streamed responses (HttpResponse::stream). Bytes queued and not yet
  // written, per stream; a Write that takes the queue over this closes the
  // stream and the connection (the client missed data, so the response is cut
  // short rather than ended cleanly).
  size_t stream_queue_bytes = 1024 * 1024;
  // When nothing was written for this long the server writes the SSE comment
  // ":\n\n" itself, so proxies and EventSource keep the connection. 0: off.
  // A streamed response has no read or idle timeout; write_timeout applies to
  // each chunk written.
  std::chrono::milliseconds stream_heartbeat{15'000};
};

struct ListenerOptions {
  std::string address = "127.0.0.1";
  uint16_t port = 0;  // 0: pick a free port (see the return value of AddListener)
  TlsOptions tls;
  ConnectionLimits limits;
};

struct ServerStats {
  uint64_t connections_open = 0;
  uint64_t connections_total = 0;
  uint64_t requests_total = 0;
  uint64_t handshake_failures = 0;
  uint64_t timeouts = 0;
  uint64_t streams_open = 0;  // streamed responses in progress
  uint64_t streams_total = 0;
};

class HttpServer {
 public:
  // `threads` I/O threads (0: one per core).
  explicit HttpServer(unsigned threads = 0);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and listens. Returns the bound port. The router must outlive the server.
  // REQUIRES: called before Start().
  Result<uint16_t> AddListener(const ListenerOptions& options, const Router& router);

  // Starts the I/O threads and returns.
  void Start();
  // Stops accepting, closes connections (a handler's pending reply is then
  // dropped), joins the threads. Idempotent. Waits at most a few seconds for
  // sessions to wind down, but cannot interrupt a handler that blocks an I/O
  // thread.
  void Stop();

  ServerStats Stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace quarry::net
