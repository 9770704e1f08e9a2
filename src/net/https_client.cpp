#include "net/https_client.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <optional>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "net/http_util.h"
#include "net/tls_util.h"

namespace quarry::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using boost::system::error_code;
using Clock = std::chrono::steady_clock;

// Stream(): body bytes handed to on_body per read, at most.
constexpr size_t kStreamChunkBytes = 16 * 1024;

}  // namespace

std::optional<std::string_view> ClientResponse::Header(std::string_view name) const {
  return FindHeader(headers, name);
}

struct HttpsClient::Impl {
  using TlsStream = beast::ssl_stream<tcp::socket>;

  explicit Impl(ClientOptions opts) : options(std::move(opts)), resolver(ioc) {
    if (options.verify_name.empty()) options.verify_name = options.host;
    if (options.tls) SetUpTls();
  }

  void SetUpTls() {
    ctx.emplace(ssl::context::tls_client);
    SSL_CTX* native = ctx->native_handle();
    int min_version = options.min_tls_version == 13 ? TLS1_3_VERSION : TLS1_2_VERSION;
    int max_version = options.max_tls_version == 12 ? TLS1_2_VERSION : 0;
    if (options.max_tls_version == 12 && options.min_tls_version == 13) {
      config_error = Error{ErrorCode::kInvalidArgument, "min_tls_version 13 > max_tls_version 12"};
      return;
    }
    if (SSL_CTX_set_min_proto_version(native, min_version) != 1 ||
        SSL_CTX_set_max_proto_version(native, max_version) != 1) {
      config_error = Error{ErrorCode::kInternal, "TLS version range: " + OpenSslErrors()};
      return;
    }
    if (options.ca_file.empty()) {
      config_error = Error{ErrorCode::kInvalidArgument, "ca_file is required for TLS"};
      return;
    }
    error_code ec;
    // Only this CA is trusted: no system store, like osqueryd's --tls_server_certs.
    ctx->load_verify_file(options.ca_file, ec);
    if (ec) {
      config_error = Error{ErrorCode::kInvalidArgument, "CA file " + options.ca_file + ": " +
                                                            ec.message()};
      return;
    }
    ctx->set_verify_mode(ssl::verify_peer);
    if (!options.client_cert_file.empty()) {
      ctx->use_certificate_chain_file(options.client_cert_file, ec);
      if (!ec) {
        ctx->use_private_key_file(
            options.client_key_file.empty() ? options.client_cert_file : options.client_key_file,
            ssl::context::pem, ec);
      }
      if (ec) {
        config_error = Error{ErrorCode::kInvalidArgument, "client certificate: " + ec.message()};
        return;
      }
    }
    ERR_clear_error();
  }

  // Runs the event loop until `done` or the deadline. On the deadline it
  // closes the connection, which completes every pending operation, and
  // returns false.
  bool Wait(const bool& done, Clock::time_point deadline) {
    ioc.restart();
    ioc.run_until(deadline);
    if (done) return true;
    resolver.cancel();
    CloseSocket();
    ioc.restart();
    ioc.run();
    return false;
  }

  void CloseSocket() {
    error_code ignored;
    if (tls) beast::get_lowest_layer(*tls).close(ignored);
    if (plain) plain->close(ignored);
  }

  void Close() {
    CloseSocket();
    tls.reset();
    plain.reset();
    buffer.clear();
    buffer.shrink_to_fit();
    connected = false;
  }

  template <class F>
  void WithStream(F&& f) {
    if (tls) {
      f(*tls);
    } else {
      f(*plain);
    }
  }

  tcp::socket& Socket() { return tls ? beast::get_lowest_layer(*tls) : *plain; }

  Result<void> Connect(Clock::time_point deadline) {
    Close();
    bool done = false;
    error_code ec;

    std::vector<tcp::endpoint> endpoints;
    error_code addr_ec;
    auto address = asio::ip::make_address(options.host, addr_ec);
    if (!addr_ec) {
      endpoints.emplace_back(address, options.port);
    } else {
      resolver.async_resolve(options.host, std::to_string(options.port),
                             [&](error_code e, tcp::resolver::results_type results) {
                               ec = e;
                               for (const auto& entry : results) endpoints.push_back(entry);
                               done = true;
                             });
      if (!Wait(done, deadline)) {
        return Fail(ErrorCode::kDeadlineExceeded, "timed out resolving " + options.host);
      }
      if (ec) return Fail(ErrorCode::kIo, "resolve " + options.host + ": " + ec.message());
    }

    if (options.tls) {
      tls.emplace(ioc, *ctx);
    } else {
      plain.emplace(ioc);
    }
    done = false;
    asio::async_connect(Socket(), endpoints, [&](error_code e, const tcp::endpoint&) {
      ec = e;
      done = true;
    });
    if (!Wait(done, deadline)) {
      Close();
      return Fail(ErrorCode::kDeadlineExceeded, "timed out connecting to " + Where());
    }
    if (ec) {
      Close();
      return Fail(ErrorCode::kIo, "connect " + Where() + ": " + ec.message());
    }
    error_code ignored;
    Socket().set_option(tcp::no_delay(true), ignored);

    if (tls) {
      // SNI carries host names only; RFC 6066 forbids IP literals there.
      if (!IsIpLiteral(options.verify_name) &&
          !SSL_set_tlsext_host_name(tls->native_handle(), options.verify_name.c_str())) {
        Close();
        return Fail(ErrorCode::kInternal, "SNI: " + OpenSslErrors());
      }
      tls->set_verify_callback(ssl::host_name_verification(options.verify_name), ec);
      done = false;
      tls->async_handshake(ssl::stream_base::client, [&](error_code e) {
        ec = e;
        done = true;
      });
      if (!Wait(done, deadline)) {
        Close();
        return Fail(ErrorCode::kDeadlineExceeded, "timed out in TLS handshake with " + Where());
      }
      if (ec) {
        std::string detail = ec.message();
        long verify = SSL_get_verify_result(tls->native_handle());
        if (verify != X509_V_OK) {
          detail += std::string(" (") + X509_verify_cert_error_string(verify) + ")";
        }
        Close();
        ERR_clear_error();
        return Fail(ErrorCode::kIo, "TLS handshake with " + Where() + ": " + detail);
      }
    }
    connected = true;
    ++connects;
    return Ok();
  }

  std::string Where() const { return options.host + ":" + std::to_string(options.port); }

  std::string HostHeader() const {
    std::string host = options.verify_name;
    if (host.find(':') != std::string::npos) host = "[" + host + "]";  // IPv6 literal
    return host + ":" + std::to_string(options.port);
  }

  http::request<http::string_body> MakeRequest(std::string_view method, std::string_view target,
                                               std::string_view body, const HeaderList& headers) {
    http::request<http::string_body> req;
    http::verb verb = http::string_to_verb(method);
    if (verb == http::verb::unknown) {
      req.method_string(method);
    } else {
      req.method(verb);
    }
    req.target(target);
    req.version(11);
    for (const auto& [name, value] : headers) req.insert(name, value);
    if (req.find(http::field::host) == req.end()) req.set(http::field::host, HostHeader());
    if (!body.empty() && req.find(http::field::content_type) == req.end()) {
      req.set(http::field::content_type, "application/json");
    }
    req.body() = std::string(body);
    if (req.find(http::field::content_length) == req.end() &&
        req.find(http::field::transfer_encoding) == req.end() &&
        (!body.empty() || verb == http::verb::post || verb == http::verb::put ||
         verb == http::verb::patch)) {
      req.content_length(body.size());
    }
    if (!options.keep_alive) req.keep_alive(false);
    return req;
  }

  // Connects if needed and writes `req`. Sets `retry` (and returns an error)
  // when a reused connection failed and the caller may try once more.
  Result<void> Send(const http::request<http::string_body>& req, Clock::time_point deadline,
                    bool reused, int attempt, bool& retry) {
    retry = false;
    if (!connected) {
      if (auto r = Connect(deadline); !r) return Fail(r.error());
    }
    bool done = false;
    error_code ec;
    WithStream([&](auto& stream) {
      http::async_write(stream, req, [&](error_code e, size_t) {
        ec = e;
        done = true;
      });
    });
    if (!Wait(done, deadline)) {
      Close();
      return Fail(ErrorCode::kDeadlineExceeded, "timed out sending to " + Where());
    }
    if (ec) {
      Close();
      // A kept-alive connection the server has since closed: reconnect once.
      retry = reused && attempt == 0;
      return Fail(ErrorCode::kIo, "send to " + Where() + ": " + ec.message());
    }
    return Ok();
  }

  Result<ClientResponse> Request(std::string_view method, std::string_view target,
                                 std::string_view body, const HeaderList& headers) {
    if (config_error) return Fail(*config_error);
    const Clock::time_point deadline = Clock::now() + options.timeout;
    const http::request<http::string_body> req = MakeRequest(method, target, body, headers);
    const bool head = req.method() == http::verb::head;

    for (int attempt = 0;; ++attempt) {
      const bool reused = connected;
      bool retry = false;
      if (auto sent = Send(req, deadline, reused, attempt, retry); !sent) {
        if (retry) continue;
        return Fail(sent.error());
      }
      bool done = false;
      error_code ec;

      http::response_parser<http::string_body> parser;
      parser.header_limit(kMaxResponseHeaderBytes);
      parser.body_limit(kMaxResponseBodyBytes);
      if (head) parser.skip(true);
      WithStream([&](auto& stream) {
        http::async_read(stream, buffer, parser, [&](error_code e, size_t) {
          ec = e;
          done = true;
        });
      });
      if (!Wait(done, deadline)) {
        Close();
        return Fail(ErrorCode::kDeadlineExceeded, "timed out waiting for " + Where());
      }
      if (ec) {
        const bool nothing_received = !parser.got_some() && buffer.size() == 0;
        Close();
        // The server closed a reused connection before answering (idle
        // timeout race): like osqueryd, retry once on a fresh connection.
        if (reused && attempt == 0 && nothing_received) continue;
        return Fail(ErrorCode::kIo, "read from " + Where() + ": " + ec.message());
      }

      auto& res = parser.get();
      ClientResponse out;
      out.status = static_cast<int>(res.result_int());
      for (const auto& field : res) {
        out.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
      }
      out.body = std::move(res.body());
      if (!options.keep_alive || !res.keep_alive()) Close();
      if (buffer.size() == 0) buffer.shrink_to_fit();
      return out;
    }
  }

  Result<int> Stream(std::string_view method, std::string_view target, std::string_view body,
                     const HeaderList& headers,
                     const std::function<bool(std::string_view)>& on_body,
                     std::chrono::milliseconds idle_timeout) {
    if (config_error) return Fail(*config_error);
    const Clock::time_point deadline = Clock::now() + options.timeout;
    const http::request<http::string_body> req = MakeRequest(method, target, body, headers);
    std::vector<char> chunk(kStreamChunkBytes);

    for (int attempt = 0;; ++attempt) {
      const bool reused = connected;
      bool retry = false;
      if (auto sent = Send(req, deadline, reused, attempt, retry); !sent) {
        if (retry) continue;
        return Fail(sent.error());
      }

      http::response_parser<http::buffer_body> parser;
      parser.header_limit(kMaxResponseHeaderBytes);
      parser.body_limit(boost::none);  // a stream; on_body decides when it is enough
      if (req.method() == http::verb::head) parser.skip(true);
      bool retry_read = false;
      while (!parser.is_done()) {
        auto& res_body = parser.get().body();
        res_body.data = chunk.data();
        res_body.size = chunk.size();
        bool done = false;
        error_code ec;
        WithStream([&](auto& stream) {
          http::async_read_some(stream, buffer, parser, [&](error_code e, size_t) {
            ec = e;
            done = true;
          });
        });
        if (!Wait(done, Clock::now() + idle_timeout)) {
          Close();
          return Fail(ErrorCode::kDeadlineExceeded,
                      "no bytes from " + Where() + " for " +
                          std::to_string(idle_timeout.count()) + " ms");
        }
        if (ec == http::error::need_buffer) ec = {};  // the chunk buffer is full: hand it over
        if (ec) {
          const bool nothing_received = !parser.got_some() && buffer.size() == 0;
          Close();
          if (reused && attempt == 0 && nothing_received) {
            retry_read = true;
            break;
          }
          return Fail(ErrorCode::kIo, "read from " + Where() + ": " + ec.message());
        }
        const size_t n = chunk.size() - parser.get().body().size;
        if (n > 0 && !on_body(std::string_view(chunk.data(), n))) {
          const int status = static_cast<int>(parser.get().result_int());
          Close();  // the rest of the body is unread: the connection is unusable
          return status;
        }
      }
      if (retry_read) continue;
      const int status = static_cast<int>(parser.get().result_int());
      if (!options.keep_alive || !parser.get().keep_alive()) Close();
      if (buffer.size() == 0) buffer.shrink_to_fit();
      return status;
    }
  }

  ClientOptions options;
  std::optional<Error> config_error;
  asio::io_context ioc;
  tcp::resolver resolver;
  std::optional<ssl::context> ctx;
  // Exactly one of these is engaged while connected.
  std::optional<TlsStream> tls;
  std::optional<tcp::socket> plain;
  beast::flat_buffer buffer;
  bool connected = false;
  int connects = 0;
};

HttpsClient::HttpsClient(ClientOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}

HttpsClient::~HttpsClient() { impl_->Close(); }

Result<ClientResponse> HttpsClient::Request(std::string_view method, std::string_view target,
                                            std::string_view body, const HeaderList& headers) {
  return impl_->Request(method, target, body, headers);
}

Result<int> HttpsClient::Stream(std::string_view method, std::string_view target,
                                std::string_view body, const HeaderList& headers,
                                const std::function<bool(std::string_view chunk)>& on_body,
                                std::chrono::milliseconds idle_timeout) {
  return impl_->Stream(method, target, body, headers, on_body, idle_timeout);
}

int HttpsClient::connects() const { return impl_->connects; }

std::string HttpsClient::tls_version() const {
  if (!impl_->connected || !impl_->tls) return "";
  return SSL_get_version(impl_->tls->native_handle());
}

void HttpsClient::Close() { impl_->Close(); }

}  // namespace quarry::net
