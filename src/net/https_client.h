// HttpsClient: a blocking HTTP/1.1 client over TLS with keep-alive, for the CLI
// and tests. It speaks like osqueryd's client: it verifies the server
// certificate against one CA file (no system store), sends SNI, reuses one
// connection, and reconnects once when a kept-alive connection turned out stale.
//
// Not thread-safe: one client per thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "net/http.h"

namespace quarry::net {

struct ClientOptions {
  std::string host = "127.0.0.1";  // connect address, and the name verified/SNI
  uint16_t port = 443;
  bool tls = true;
  std::string ca_file;           // trust store: required when tls
  // Name checked against the cert (an IP literal matches an iPAddress SAN) and
  // sent as SNI unless it is an IP literal (RFC 6066); default `host`.
  std::string verify_name;
  std::string client_cert_file;  // optional mTLS
  std::string client_key_file;
  std::chrono::milliseconds timeout{16'000};  // one request, end to end
  bool keep_alive = true;
  int min_tls_version = 0;  // 0: TLS 1.2; 13: TLS 1.3 only
  int max_tls_version = 0;  // 0: no maximum; 12: TLS 1.2 only
};

struct ClientResponse {
  int status = 0;
  HeaderList headers;
  std::string body;
  std::optional<std::string_view> Header(std::string_view name) const;
};

class HttpsClient {
 public:
  explicit HttpsClient(ClientOptions options);
  ~HttpsClient();
  HttpsClient(const HttpsClient&) = delete;
  HttpsClient& operator=(const HttpsClient&) = delete;

  // Sends one request and reads the response. `headers` are added as given;
  // Host, Content-Length and (for a body) Content-Type: application/json are set
  // unless present. kIo on connection/TLS failure, kDeadlineExceeded on timeout
  // (the connection is then closed and the request not retried),
  // kInvalidArgument when the options are unusable (no CA file, bad client
  // certificate). A kept-alive connection that fails before any response byte
  // arrives is reopened and the request sent once more, within the same
  // deadline.
  Result<ClientResponse> Request(std::string_view method, std::string_view target,
                                 std::string_view body = {}, const HeaderList& headers = {});
  Result<ClientResponse> Post(std::string_view target, std::string_view body,
                              const HeaderList& headers = {}) {
    return Request("POST", target, body, headers);
  }

  // Sends one request and hands the response body to `on_body` as it arrives
  // (de-chunked; for Server-Sent Events, see net/sse.h), for responses that
  // stream. Returns the status once the body ends, or as soon as `on_body`
  // returns false (the connection is then closed, since the rest of the body
  // is unread). Connecting and sending are bounded by options.timeout, with
  // the same single retry on a stale kept-alive connection as Request();
  // after that, each wait for response bytes (header included) is bounded by
  // `idle_timeout`: kDeadlineExceeded when none came for that long. Bodies of
  // error statuses stream to `on_body` too. The response body has no size
  // limit; the header has Request()'s.
  Result<int> Stream(std::string_view method, std::string_view target, std::string_view body,
                     const HeaderList& headers,
                     const std::function<bool(std::string_view chunk)>& on_body,
                     std::chrono::milliseconds idle_timeout);

  // Connections opened so far (1 when keep-alive held).
  int connects() const;
  // The negotiated TLS version of the current connection ("TLSv1.3"), "" if none.
  std::string tls_version() const;
  void Close();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace quarry::net
