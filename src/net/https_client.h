// HttpsClient: a blocking HTTP/1.1 client over TLS with keep-alive, for the CLI
// and tests. It speaks like osqueryd's client: it verifies the server
// certificate against one CA file (no system store), sends SNI, reuses one
// connection, and reconnects once when a kept-alive connection turned out stale.
//
// Not thread-safe: one client per thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

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
