#include "net/async_client.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdint>
#include <exception>
#include <list>
#include <optional>
#include <tuple>
#include <utility>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include "base/log.h"
#include "net/client_loop_impl.h"
#include "net/http_util.h"
#include "net/tls_util.h"

namespace quarry::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);

// Bytes read per call while a response arrives. The buffer exists only while
// a response is being read.
constexpr size_t kReadBytes = 16 * 1024;

// ---------------------------------------------------------------------------

// Runs a completion callback exactly once. If it is destroyed unrun (its
// handler was dropped because the loop stopped), it runs with kUnavailable.
class Completion {
 public:
  explicit Completion(AsyncHttpsClient::Done fn) : fn_(std::move(fn)) {}
  Completion(Completion&& other) noexcept : fn_(std::exchange(other.fn_, nullptr)) {}
  Completion& operator=(Completion&&) = delete;
  Completion(const Completion&) = delete;
  ~Completion() {
    if (fn_) (*this)(Fail(ErrorCode::kUnavailable, "client loop stopped"));
  }

  void operator()(Result<ClientResponse> result) {
    auto fn = std::exchange(fn_, nullptr);
    if (!fn) return;
    try {
      fn(std::move(result));
    } catch (const std::exception& e) {
      quarry::log::Warn("net: request callback threw: {}", e.what());
    } catch (...) {
      quarry::log::Warn("net: request callback threw");
    }
  }

 private:
  AsyncHttpsClient::Done fn_;
};

struct Pending {
  std::string method;
  std::string target;
  std::string body;
  HeaderList headers;
  Completion done;
};

// One TCP connection and, for TLS, its SSL object (which reads and writes the
// socket itself, through the BIO above; Asio only waits for readiness).
struct Conn {
  explicit Conn(const asio::any_io_executor& executor) : socket(executor) {}
  ~Conn() {
    if (ssl != nullptr) SSL_free(ssl);  // before the socket closes its fd
  }
  Conn(const Conn&) = delete;
  Conn& operator=(const Conn&) = delete;

  tcp::socket socket;
  SSL* ssl = nullptr;
  bool healthy = false;  // handshake done and no I/O error since: close_notify may be sent
};

}  // namespace

// ---------------------------------------------------------------------------

struct ClientTlsContext::Impl {
  ~Impl() {
    if (ctx != nullptr) SSL_CTX_free(ctx);
  }
  SSL_CTX* ctx = nullptr;
};

ClientTlsContext::ClientTlsContext(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

ClientTlsContext::~ClientTlsContext() = default;

Result<std::shared_ptr<ClientTlsContext>> ClientTlsContext::Create(const ClientOptions& options) {
  if (options.max_tls_version == 12 && options.min_tls_version == 13) {
    return Fail(ErrorCode::kInvalidArgument, "min_tls_version 13 > max_tls_version 12");
  }
  if (options.ca_file.empty()) {
    return Fail(ErrorCode::kInvalidArgument, "ca_file is required for TLS");
  }
  auto impl = std::make_unique<Impl>();
  ERR_clear_error();
  impl->ctx = SSL_CTX_new(TLS_client_method());
  SSL_CTX* ctx = impl->ctx;
  if (ctx == nullptr) return Fail(ErrorCode::kInternal, "SSL_CTX_new: " + OpenSslErrors());
  const int min_version = options.min_tls_version == 13 ? TLS1_3_VERSION : TLS1_2_VERSION;
  const int max_version = options.max_tls_version == 12 ? TLS1_2_VERSION : 0;
  if (SSL_CTX_set_min_proto_version(ctx, min_version) != 1 ||
      SSL_CTX_set_max_proto_version(ctx, max_version) != 1) {
    return Fail(ErrorCode::kInternal, "TLS version range: " + OpenSslErrors());
  }
  // Only this CA is trusted: no system store, like osqueryd's --tls_server_certs.
  if (SSL_CTX_load_verify_locations(ctx, options.ca_file.c_str(), nullptr) != 1) {
    return Fail(ErrorCode::kInvalidArgument,
                "CA file " + options.ca_file + ": " + OpenSslErrors());
  }
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  if (!options.client_cert_file.empty()) {
    const std::string& key =
        options.client_key_file.empty() ? options.client_cert_file : options.client_key_file;
    if (SSL_CTX_use_certificate_chain_file(ctx, options.client_cert_file.c_str()) != 1 ||
        SSL_CTX_use_PrivateKey_file(ctx, key.c_str(), SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_check_private_key(ctx) != 1) {
      return Fail(ErrorCode::kInvalidArgument, "client certificate: " + OpenSslErrors());
    }
  }
  // RELEASE_BUFFERS: an idle connection holds no record buffers. Partial
  // writes and moving buffers suit the non-blocking write loop. Like
  // osqueryd: no session resumption, so no client-side session cache.
  SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ENABLE_PARTIAL_WRITE |
                            SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION |
                               SSL_OP_IGNORE_UNEXPECTED_EOF);
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
  ERR_clear_error();
  return std::shared_ptr<ClientTlsContext>(new ClientTlsContext(std::move(impl)));
}

// ---------------------------------------------------------------------------

// Everything runs on `strand`, except construction, destruction, Request()'s
// first check and Shutdown()/Close(), which only post.
struct AsyncHttpsClient::Impl final : LoopClient, std::enable_shared_from_this<Impl> {
  Impl(std::shared_ptr<ClientLoop::Core> core, ClientOptions opts,
       std::shared_ptr<ClientTlsContext> tls_context)
      : loop(std::move(core)),
        options(std::move(opts)),
        tls(std::move(tls_context)),
        strand(asio::make_strand(loop->ioc)),
        deadline(strand) {
    if (options.verify_name.empty()) options.verify_name = options.host;
  }

  ~Impl() override {
    loop->Unregister(this);
    Drop();
  }

  void Shutdown() override { PostAbort(Error{ErrorCode::kUnavailable, "client loop stopped"}); }

  void PostAbort(Error error) {
    asio::post(strand, [self = shared_from_this(), error = std::move(error)]() mutable {
      self->Abort(std::move(error));
    });
  }

  void Request(Pending pending) {
    if (loop->stopping()) {
      pending.done(Fail(ErrorCode::kUnavailable, "client loop stopped"));
      return;
    }
    asio::post(strand, [self = shared_from_this(), pending = std::move(pending)]() mutable {
      self->Enqueue(std::move(pending));
    });
  }

  void Enqueue(Pending pending) {
    if (closed) {
      pending.done(Fail(close_error));
      return;
    }
    queue.push_back(std::move(pending));
    if (running) return;
    running = true;
    asio::co_spawn(strand, Work(shared_from_this()), [](std::exception_ptr e) {
      if (!e) return;
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& ex) {
        quarry::log::Error("net: async client worker ended with: {}", ex.what());
      } catch (...) {
        quarry::log::Error("net: async client worker ended with an unknown exception");
      }
    });
  }

  // The worker: exists only while requests are queued, so an idle client
  // holds no coroutine frame.
  static asio::awaitable<void> Work(std::shared_ptr<Impl> self) { co_await self->Drain(); }

  asio::awaitable<void> Drain() {
    while (!queue.empty()) {
      Pending pending = std::move(queue.front());
      queue.pop_front();
      Result<ClientResponse> result = Fail(ErrorCode::kInternal, "request not run");
      try {
        result = co_await Exchange(pending);
      } catch (const std::exception& e) {
        active_generation = 0;
        deadline.cancel();
        Drop();
        result = Fail(ErrorCode::kInternal, std::string("request failed: ") + e.what());
      }
      pending.done(std::move(result));
    }
    running = false;
    if (closed) Drop();
  }

  // Closes the client for good.
  void Abort(Error error) {
    if (closed) return;
    closed = true;
    close_error = error;
    std::list<Pending> waiting = std::move(queue);
    queue.clear();
    for (auto& pending : waiting) pending.done(Fail(error));
    if (running) {
      Interrupt(std::move(error));
    } else {
      Drop();
    }
  }

  // Makes the request in flight fail with `error` as soon as it resumes.
  void Interrupt(Error error) {
    interrupted = true;
    interrupt_error = std::move(error);
    error_code ignored;
    if (conn) conn->socket.cancel(ignored);
    if (resolver) resolver->cancel();
  }

  void Drop() {
    if (!conn) return;
    if (conn->ssl != nullptr && conn->healthy) {
      // Best effort close_notify; never waits.
      SSL_shutdown(conn->ssl);
      ERR_clear_error();
    }
    conn.reset();
  }

  std::string Where() const { return options.host + ":" + std::to_string(options.port); }

  std::string HostHeader() const {
    std::string host = options.verify_name;
    if (host.find(':') != std::string::npos) host = "[" + host + "]";  // IPv6 literal
    return host + ":" + std::to_string(options.port);
  }

  Result<std::string> Serialize(const Pending& p) const {
    if (p.method.empty() || !std::all_of(p.method.begin(), p.method.end(), IsTokenChar)) {
      return Fail(ErrorCode::kInvalidArgument, "bad HTTP method");
    }
    if (p.target.empty() || HasCtlOrSpace(p.target)) {
      return Fail(ErrorCode::kInvalidArgument, "bad request target");
    }
    std::string out;
    out.reserve(p.method.size() + p.target.size() + p.body.size() + 128);
    out.append(p.method).append(" ").append(p.target).append(" HTTP/1.1\r\n");
    bool host = false, length = false, type = false;
    for (const auto& [name, value] : p.headers) {
      if (name.empty() || HasLineBreak(name) || HasLineBreak(value)) {
        return Fail(ErrorCode::kInvalidArgument, "header with a line break");
      }
      host = host || EqualsIgnoreCase(name, "host");
      length = length || EqualsIgnoreCase(name, "content-length") ||
               EqualsIgnoreCase(name, "transfer-encoding");
      type = type || EqualsIgnoreCase(name, "content-type");
      out.append(name).append(": ").append(value).append("\r\n");
    }
    if (!host) out.append("Host: ").append(HostHeader()).append("\r\n");
    if (!p.body.empty() && !type) out.append("Content-Type: application/json\r\n");
    if (!length && (!p.body.empty() || p.method == "POST" || p.method == "PUT" ||
                    p.method == "PATCH")) {
      out.append("Content-Length: ").append(std::to_string(p.body.size())).append("\r\n");
    }
    if (!options.keep_alive) out.append("Connection: close\r\n");
    out.append("\r\n").append(p.body);
    return out;
  }

  asio::awaitable<Result<ClientResponse>> Exchange(const Pending& pending) {
    if (options.tls && !tls) {
      co_return Fail(ErrorCode::kInvalidArgument, "TLS requested without a ClientTlsContext");
    }
    auto wire = Serialize(pending);
    if (!wire) co_return Fail(wire.error());
    interrupted = false;
    const uint64_t gen = ++generation;
    active_generation = gen;
    deadline.expires_after(options.timeout);
    deadline.async_wait([self = shared_from_this(), gen](error_code ec) {
      // A stale expiry (the request ended just as the timer fired) is ignored.
      if (ec || self->active_generation != gen) return;
      self->Interrupt(Error{ErrorCode::kDeadlineExceeded,
                            "request to " + self->Where() + " timed out after " +
                                std::to_string(self->options.timeout.count()) + " ms"});
    });
    auto result = co_await Attempts(pending, *wire);
    active_generation = 0;
    deadline.cancel();
    co_return result;
  }

  asio::awaitable<Result<ClientResponse>> Attempts(const Pending& pending, const std::string& wire) {
    const bool head = pending.method == "HEAD";
    for (int attempt = 0;; ++attempt) {
      const bool reused = conn != nullptr;
      if (!conn) {
        if (auto connected = co_await Connect(); !connected) co_return Fail(connected.error());
      }
      if (error_code ec = co_await WriteAll(wire); ec) {
        Drop();
        if (interrupted) co_return Fail(interrupt_error);
        // A kept-alive connection the server has since closed: reconnect once.
        if (reused && attempt == 0) continue;
        co_return Fail(ErrorCode::kIo, "send to " + Where() + ": " + ec.message());
      }
      bool nothing_received = true;
      auto response = co_await ReadResponse(head, nothing_received);
      if (!response) {
        Drop();
        if (interrupted) co_return Fail(interrupt_error);
        // The server closed a reused connection before answering (its idle
        // timeout raced our request): like osqueryd, retry once.
        if (reused && attempt == 0 && nothing_received) continue;
        co_return Fail(response.error());
      }
      co_return response;
    }
  }

  asio::awaitable<Result<void>> Connect() {
    std::vector<tcp::endpoint> endpoints;
    error_code ec;
    auto address = asio::ip::make_address(options.host, ec);
    if (!ec) {
      endpoints.emplace_back(address, options.port);
    } else {
      resolver = std::make_unique<tcp::resolver>(strand);
      auto [resolve_ec, results] = co_await resolver->async_resolve(
          options.host, std::to_string(options.port), kUseTuple);
      resolver.reset();
      if (interrupted) co_return Fail(interrupt_error);
      if (resolve_ec) {
        co_return Fail(ErrorCode::kIo, "resolve " + options.host + ": " + resolve_ec.message());
      }
      for (const auto& entry : results) endpoints.push_back(entry.endpoint());
    }

    conn = std::make_unique<Conn>(strand);
    auto [connect_ec, endpoint] = co_await asio::async_connect(conn->socket, endpoints, kUseTuple);
    if (interrupted || connect_ec) {
      Drop();
      if (interrupted) co_return Fail(interrupt_error);
      co_return Fail(ErrorCode::kIo, "connect " + Where() + ": " + connect_ec.message());
    }
    error_code ignored;
    conn->socket.set_option(tcp::no_delay(true), ignored);

    if (options.tls) {
      if (auto setup = SetUpTls(); !setup) {
        Drop();
        co_return Fail(setup.error());
      }
      for (;;) {
        ERR_clear_error();
        const int r = SSL_do_handshake(conn->ssl);
        if (r == 1) break;
        const int saved_errno = errno;
        const int err = SSL_get_error(conn->ssl, r);
        if (error_code hs_ec = co_await AwaitSsl(err, saved_errno); hs_ec) {
          std::string detail = hs_ec.message();
          const long verify = SSL_get_verify_result(conn->ssl);
          if (verify != X509_V_OK) {
            detail += std::string(" (") + X509_verify_cert_error_string(verify) + ")";
          }
          ERR_clear_error();
          Drop();
          if (interrupted) co_return Fail(interrupt_error);
          co_return Fail(ErrorCode::kIo, "TLS handshake with " + Where() + ": " + detail);
        }
      }
    }
    conn->healthy = true;
    connects.fetch_add(1, std::memory_order_relaxed);
    co_return Ok();
  }

  Result<void> SetUpTls() {
    error_code ec;
    conn->socket.non_blocking(true, ec);
    if (ec) return Fail(ErrorCode::kIo, "non-blocking socket: " + ec.message());
    ERR_clear_error();
    conn->ssl = SSL_new(tls->impl().ctx);
    if (conn->ssl == nullptr || !AttachSocketBio(conn->ssl, conn->socket.native_handle())) {
      return Fail(ErrorCode::kInternal, "SSL_new: " + OpenSslErrors());
    }
    const std::string& name = options.verify_name;
    bool ok;
    if (IsIpLiteral(name)) {
      // An IP literal is matched against iPAddress SANs and, per RFC 6066,
      // never sent as SNI.
      ok = X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(conn->ssl), name.c_str()) == 1;
    } else {
      ok = SSL_set_tlsext_host_name(conn->ssl, name.c_str()) == 1 &&
           SSL_set1_host(conn->ssl, name.c_str()) == 1;
    }
    if (!ok) return Fail(ErrorCode::kInternal, "TLS peer name: " + OpenSslErrors());
    SSL_set_connect_state(conn->ssl);
    return Ok();
  }

  // After an SSL call failed with `err`: waits for the socket when OpenSSL
  // wants I/O (returns no error: call again), or returns the error.
  asio::awaitable<error_code> AwaitSsl(int err, int saved_errno) {
    switch (err) {
      case SSL_ERROR_WANT_READ:
        co_return co_await WaitFor(tcp::socket::wait_read);
      case SSL_ERROR_WANT_WRITE:
        co_return co_await WaitFor(tcp::socket::wait_write);
      case SSL_ERROR_ZERO_RETURN:
        co_return asio::error::eof;
      case SSL_ERROR_SYSCALL:
        conn->healthy = false;
        if (saved_errno != 0) co_return error_code(saved_errno, asio::error::get_system_category());
        co_return asio::error::eof;
      default: {
        conn->healthy = false;
        const unsigned long code = ERR_get_error();
        ERR_clear_error();
        if (code == 0) co_return asio::error::connection_aborted;
        co_return error_code(static_cast<int>(code), asio::error::get_ssl_category());
      }
    }
  }

  asio::awaitable<error_code> WaitFor(tcp::socket::wait_type what) {
    if (interrupted) co_return asio::error::operation_aborted;
    auto [ec] = co_await conn->socket.async_wait(what, kUseTuple);
    if (!ec && interrupted) ec = asio::error::operation_aborted;
    co_return ec;
  }

  asio::awaitable<error_code> WriteAll(std::string_view data) {
    if (interrupted) co_return asio::error::operation_aborted;
    if (conn->ssl == nullptr) {
      auto [ec, n] = co_await asio::async_write(conn->socket, asio::buffer(data), kUseTuple);
      if (!ec && interrupted) ec = asio::error::operation_aborted;
      co_return ec;
    }
    size_t offset = 0;
    while (offset < data.size()) {
      size_t written = 0;
      ERR_clear_error();
      const int r = SSL_write_ex(conn->ssl, data.data() + offset, data.size() - offset, &written);
      if (r == 1) {
        offset += written;
        continue;
      }
      const int saved_errno = errno;
      if (error_code ec = co_await AwaitSsl(SSL_get_error(conn->ssl, r), saved_errno); ec) {
        co_return ec;
      }
    }
    co_return error_code{};
  }

  asio::awaitable<std::tuple<error_code, size_t>> ReadSome(asio::mutable_buffer buffer) {
    if (interrupted) co_return std::make_tuple(error_code(asio::error::operation_aborted), size_t{0});
    if (conn->ssl == nullptr) {
      auto [ec, n] = co_await conn->socket.async_read_some(buffer, kUseTuple);
      if (!ec && interrupted) ec = asio::error::operation_aborted;
      co_return std::make_tuple(ec, n);
    }
    for (;;) {
      size_t n = 0;
      ERR_clear_error();
      const int r = SSL_read_ex(conn->ssl, buffer.data(), buffer.size(), &n);
      if (r == 1) co_return std::make_tuple(error_code{}, n);
      const int saved_errno = errno;
      if (error_code ec = co_await AwaitSsl(SSL_get_error(conn->ssl, r), saved_errno); ec) {
        co_return std::make_tuple(ec, size_t{0});
      }
    }
  }

  // Reads one response. `nothing_received` stays true while no byte came.
  asio::awaitable<Result<ClientResponse>> ReadResponse(bool head, bool& nothing_received) {
    http::response_parser<http::string_body> parser;
    parser.header_limit(kMaxResponseHeaderBytes);
    parser.body_limit(kMaxResponseBodyBytes);
    if (head) parser.skip(true);
    beast::flat_buffer buffer;
    for (;;) {
      while (buffer.size() > 0 && !parser.is_done()) {
        error_code ec;
        const size_t used = parser.put(buffer.data(), ec);
        buffer.consume(used);
        if (ec == http::error::need_more) break;
        if (ec) co_return Fail(ErrorCode::kIo, "bad response from " + Where() + ": " + ec.message());
        if (used == 0) break;
      }
      if (parser.is_done()) break;
      auto [ec, n] = co_await ReadSome(buffer.prepare(kReadBytes));
      buffer.commit(n);
      if (n > 0) nothing_received = false;
      if (ec == asio::error::eof) {
        // Only a body delimited by the end of the connection may end here.
        // (put_eof on a parser that got nothing would "complete" an empty
        // message: Beast asserts got_some() only in debug builds.)
        if (!parser.got_some()) {
          co_return Fail(ErrorCode::kIo, "connection closed by " + Where() + " before a response");
        }
        error_code eof_ec;
        parser.put_eof(eof_ec);
        if (eof_ec || !parser.is_done()) {
          co_return Fail(ErrorCode::kIo,
                         "connection closed by " + Where() + " before the response ended");
        }
        break;
      }
      if (ec) co_return Fail(ErrorCode::kIo, "read from " + Where() + ": " + ec.message());
    }
    auto& res = parser.get();
    ClientResponse out;
    out.status = static_cast<int>(res.result_int());
    for (const auto& field : res) {
      out.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    out.body = std::move(res.body());
    // Bytes after the response mean a confused peer: do not reuse.
    if (!options.keep_alive || !res.keep_alive() || buffer.size() > 0) Drop();
    co_return out;
  }

  const std::shared_ptr<ClientLoop::Core> loop;
  ClientOptions options;
  const std::shared_ptr<ClientTlsContext> tls;
  const asio::strand<asio::io_context::executor_type> strand;
  asio::steady_timer deadline;
  std::unique_ptr<Conn> conn;               // null while disconnected
  std::unique_ptr<tcp::resolver> resolver;  // only while resolving a name
  std::list<Pending> queue;                 // allocates nothing while empty
  bool running = false;                     // a worker coroutine exists
  bool closed = false;
  Error close_error;
  bool interrupted = false;  // the request in flight must fail with interrupt_error
  Error interrupt_error;
  uint64_t generation = 0;         // of requests, for the deadline timer
  uint64_t active_generation = 0;  // the request in flight; 0: none
  std::atomic<uint64_t> connects{0};
};

// ---------------------------------------------------------------------------

AsyncHttpsClient::AsyncHttpsClient(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}

AsyncHttpsClient::~AsyncHttpsClient() = default;

std::shared_ptr<AsyncHttpsClient> AsyncHttpsClient::Create(ClientLoop& loop, ClientOptions options,
                                                           std::shared_ptr<ClientTlsContext> tls) {
  auto impl = std::make_shared<Impl>(loop.core_, std::move(options), std::move(tls));
  if (!loop.core_->Register(impl.get(), impl)) {
    impl->closed = true;
    impl->close_error = Error{ErrorCode::kUnavailable, "client loop stopped"};
  }
  return std::shared_ptr<AsyncHttpsClient>(new AsyncHttpsClient(std::move(impl)));
}

void AsyncHttpsClient::Request(std::string method, std::string target, std::string body,
                               HeaderList headers, Done done) {
  if (!done) done = [](Result<ClientResponse>) {};
  impl_->Request(Pending{std::move(method), std::move(target), std::move(body), std::move(headers),
                         Completion(std::move(done))});
}

void AsyncHttpsClient::Close() {
  impl_->PostAbort(Error{ErrorCode::kUnavailable, "client closed"});
}

uint64_t AsyncHttpsClient::connects() const {
  return impl_->connects.load(std::memory_order_relaxed);
}

}  // namespace quarry::net
