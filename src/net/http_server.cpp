#include "net/http_server.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <span>
#include <condition_variable>
#include <deque>
#include <exception>
#include <limits>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/chunk_encode.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include "base/log.h"
#include "net/gzip.h"
#include "net/http_util.h"
#include "net/lean_tls_stream.h"
#include "net/tls_util.h"

namespace quarry::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using boost::system::error_code;

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);

// Spare capacity promised to handlers (proto::kPadding; net/ may not include proto/).
constexpr size_t kBodyPadding = 64;
// The first read of a request: small, because an idle keep-alive connection
// holds this buffer while it waits for the next request.
constexpr size_t kFirstReadBytes = 1024;
// While a response streams, the pending read that notices a disconnect takes
// at most this much per read.
constexpr size_t kStreamReadBytes = 512;
// The heartbeat of a text/event-stream response: an SSE comment line.
constexpr std::string_view kSseHeartbeat = ":\n\n";
// While lingering before a close, discard at most this much from the client.
constexpr size_t kMaxLingerBytes = 1024 * 1024;
// A response body up to this size is copied behind its header so that both
// go out in one write.
constexpr size_t kCoalesceBodyBytes = 8 * 1024;
// Stop() waits this long for sessions to wind down before abandoning them.
constexpr std::chrono::seconds kStopGrace{5};
// After accept() fails (EMFILE, ENFILE, ENOBUFS), pause before retrying so a
// full fd table does not turn the accept loop into a busy loop.
constexpr std::chrono::milliseconds kAcceptBackoff{50};

// ECDHE key exchange with AEAD ciphers only, matching what osqueryd offers for
// TLS 1.2. TLS 1.3 suites are OpenSSL's defaults (all AEAD).
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

Result<std::shared_ptr<ssl::context>> MakeServerContext(const TlsOptions& tls) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  SSL_CTX* native = ctx->native_handle();
  // tls_server leaves the version range open; pin only the minimum so TLS 1.3
  // stays available (ssl::context::tlsv12 would pin the maximum too).
  if (SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION) != 1 ||
      SSL_CTX_set_cipher_list(native, kTls12Ciphers) != 1) {
    return Fail(ErrorCode::kInternal, "TLS context setup: " + OpenSslErrors());
  }
  SSL_CTX_set_options(native, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION |
                                  SSL_OP_CIPHER_SERVER_PREFERENCE);
  // Each connection also sets RELEASE_BUFFERS (LeanTlsStream): an idle one
  // then holds no record buffers.
  SSL_CTX_set_mode(native, SSL_MODE_RELEASE_BUFFERS);
  // osqueryd keeps its connection alive (tls_session_reuse reuses the
  // connection, not a TLS session), so resumption buys nothing: issuing TLS
  // 1.3 tickets costs CPU per handshake, and the server-side session cache
  // holds memory per recent connection.
  SSL_CTX_set_options(native, SSL_OP_NO_TICKET);
  SSL_CTX_set_num_tickets(native, 0);
  SSL_CTX_set_session_cache_mode(native, SSL_SESS_CACHE_OFF);
  // Session resumption with client verification enabled requires an id
  // context; without one OpenSSL fails the resumed handshake.
  static constexpr unsigned char kSessionContext[] = "quarry";
  SSL_CTX_set_session_id_context(native, kSessionContext, sizeof(kSessionContext) - 1);

  error_code ec;
  ctx->use_certificate_chain_file(tls.cert_file, ec);
  if (ec) {
    return Fail(ErrorCode::kInvalidArgument,
                "TLS certificate " + tls.cert_file + ": " + ec.message());
  }
  ctx->use_private_key_file(tls.key_file, ssl::context::pem, ec);
  if (ec) return Fail(ErrorCode::kInvalidArgument, "TLS key " + tls.key_file + ": " + ec.message());
  if (SSL_CTX_check_private_key(native) != 1) {
    return Fail(ErrorCode::kInvalidArgument, "TLS key " + tls.key_file +
                                                 " does not match " + tls.cert_file);
  }

  if (tls.client_cert_mode != ClientCertMode::kOff) {
    if (tls.client_ca_file.empty()) {
      return Fail(ErrorCode::kInvalidArgument, "client certificates enabled without client_ca_file");
    }
    ctx->load_verify_file(tls.client_ca_file, ec);
    if (ec) {
      return Fail(ErrorCode::kInvalidArgument,
                  "client CA " + tls.client_ca_file + ": " + ec.message());
    }
    // Advertise the acceptable issuers so clients with several certs pick one.
    if (STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(tls.client_ca_file.c_str())) {
      SSL_CTX_set_client_CA_list(native, names);
    }
    ssl::verify_mode mode = ssl::verify_peer;
    if (tls.client_cert_mode == ClientCertMode::kRequired) mode |= ssl::verify_fail_if_no_peer_cert;
    ctx->set_verify_mode(mode);
  } else {
    ctx->set_verify_mode(ssl::verify_none);
  }
  ERR_clear_error();
  return ctx;
}

bool IsParseError(const error_code& ec) {
  static const auto& category = http::make_error_code(http::error::bad_method).category();
  if (ec.category() != category) return false;
  switch (static_cast<http::error>(ec.value())) {
    case http::error::end_of_stream:
    case http::error::partial_message:
    case http::error::need_more:
    case http::error::need_buffer:
    case http::error::stale_parser:
      return false;
    default:
      return true;
  }
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The body handed to a handler carries kBodyPadding spare bytes.
void EnsurePadding(std::string& body) {
  if (body.capacity() - body.size() < kBodyPadding) body.reserve(body.size() + kBodyPadding);
}

// ---------------------------------------------------------------------------
// ReplyState: the rendezvous between a handler's Reply (any thread, once) and
// the session coroutine waiting for it on its I/O thread.

class ReplyWaiter {
 public:
  virtual ~ReplyWaiter() = default;
  // Resumes the waiting coroutine on its own executor.
  virtual void Complete(error_code ec, HttpResponse response) = 0;
};

template <class Handler>
class ReplyWaiterImpl final : public ReplyWaiter {
 public:
  explicit ReplyWaiterImpl(Handler handler) : handler_(std::move(handler)) {}
  void Complete(error_code ec, HttpResponse response) override {
    auto executor = asio::get_associated_executor(handler_);
    asio::post(executor, [handler = std::move(handler_), ec,
                          response = std::move(response)]() mutable {
      std::move(handler)(ec, std::move(response));
    });
  }

 private:
  Handler handler_;
};

class ReplyState {
 public:
  // From the handler's Reply, on any thread. Only the first call counts.
  void Deliver(HttpResponse response) {
    std::unique_ptr<ReplyWaiter> waiter;
    {
      std::lock_guard lock(mu_);
      if (delivered_) {
        quarry::log::Warn("net: a handler replied twice; the second reply is ignored");
        return;
      }
      delivered_ = true;
      if (cancelled_) return;
      if (!waiter_) {
        response_ = std::move(response);
        return;
      }
      waiter = std::move(waiter_);
    }
    waiter->Complete({}, std::move(response));
  }

  // On the session's thread: the reply if it has already arrived.
  std::optional<HttpResponse> TakeReady() {
    std::lock_guard lock(mu_);
    std::optional<HttpResponse> out = std::move(response_);
    response_.reset();
    return out;
  }

  // On the session's thread: parks the coroutine's completion handler until Deliver or
  // Cancel.
  void Park(std::unique_ptr<ReplyWaiter> waiter) {
    std::optional<HttpResponse> ready;
    bool cancelled;
    {
      std::lock_guard lock(mu_);
      cancelled = cancelled_;
      ready = std::move(response_);
      response_.reset();
      if (!cancelled && !ready) {
        waiter_ = std::move(waiter);
        return;
      }
    }
    if (ready) {
      waiter->Complete({}, std::move(*ready));
    } else {
      waiter->Complete(asio::error::operation_aborted, {});
    }
  }

  // Wakes a parked coroutine with operation_aborted; later replies are dropped.
  void Cancel() {
    std::unique_ptr<ReplyWaiter> waiter;
    {
      std::lock_guard lock(mu_);
      cancelled_ = true;
      response_.reset();
      waiter = std::move(waiter_);
    }
    if (waiter) waiter->Complete(asio::error::operation_aborted, {});
  }

  // Destroys a parked handler without running it (the server is being torn
  // down and its threads have stopped).
  void DropWaiter() {
    std::unique_ptr<ReplyWaiter> waiter;
    std::lock_guard lock(mu_);
    cancelled_ = true;
    waiter = std::move(waiter_);
  }

 private:
  std::mutex mu_;
  bool delivered_ = false;
  bool cancelled_ = false;
  std::optional<HttpResponse> response_;
  std::unique_ptr<ReplyWaiter> waiter_;
};

auto AwaitReply(std::shared_ptr<ReplyState> state) {
  return asio::async_initiate<decltype(kUseTuple), void(error_code, HttpResponse)>(
      [state](auto handler) {
        using H = decltype(handler);
        state->Park(std::make_unique<ReplyWaiterImpl<H>>(std::move(handler)));
      },
      kUseTuple);
}

// ---------------------------------------------------------------------------
// StreamState: the rendezvous between a ResponseStream producer (any thread)
// and the session coroutine that writes the stream (its I/O thread).

class StreamState final : public ResponseStream {
 public:
  // Why a stream closed. Only kProducer ends the response cleanly (queued bytes
  // are flushed first); the others cut the connection at once.
  enum class End { kOpen, kProducer, kOverflow, kPeerGone, kServer };

  explicit StreamState(size_t queue_limit) : queue_limit_(queue_limit) {}

  bool Write(std::string bytes) override {
    std::vector<std::function<void()>> callbacks;
    {
      std::lock_guard lock(mu_);
      if (end_ != End::kOpen) return false;
      if (bytes.empty()) return true;
      if (bytes.size() > queue_limit_ - std::min(queue_limit_, queued_bytes_)) {
        callbacks = EndLocked(End::kOverflow);
      } else {
        queued_bytes_ += bytes.size();
        queue_.push_back(std::move(bytes));
        WakeLocked();
        return true;
      }
    }
    for (auto& cb : callbacks) cb();
    return false;
  }

  void Close() override { CloseFrom(End::kProducer); }

  bool closed() const override {
    std::lock_guard lock(mu_);
    return end_ != End::kOpen;
  }

  void OnClose(std::function<void()> cb) override {
    if (!cb) return;
    {
      std::lock_guard lock(mu_);
      if (end_ == End::kOpen) {
        on_close_.push_back(std::move(cb));
        return;
      }
    }
    cb();
  }

  // Closes the stream for `reason` unless it is already closed; runs the
  // OnClose callbacks on this thread.
  void CloseFrom(End reason) {
    std::vector<std::function<void()>> callbacks;
    {
      std::lock_guard lock(mu_);
      if (end_ != End::kOpen) return;
      callbacks = EndLocked(reason);
    }
    for (auto& cb : callbacks) cb();
  }

  // The session's side, on its I/O thread.
  //
  // `waker` runs under the state's mutex, from any thread, when there is news
  // for the writer; it must only post. Detach() guarantees no later call, so
  // the session can go away (and the server with it) while producers live on.
  void Attach(std::function<void()> waker) {
    std::lock_guard lock(mu_);
    waker_ = std::move(waker);
    wake_pending_ = false;
  }
  void Detach() {
    std::lock_guard lock(mu_);
    waker_ = nullptr;
  }
  // Moves the queued chunks into `out` (their bytes stay counted against the
  // limit until Written()) and returns the stream's state.
  End Take(std::vector<std::string>& out) {
    std::lock_guard lock(mu_);
    wake_pending_ = false;
    while (!queue_.empty()) {
      out.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
    return end_;
  }
  void Written(size_t bytes) {
    std::lock_guard lock(mu_);
    queued_bytes_ -= std::min(queued_bytes_, bytes);
  }
  End end() const {
    std::lock_guard lock(mu_);
    return end_;
  }

 private:
  // REQUIRES: mu_ held, end_ == kOpen. Returns the callbacks to run unlocked.
  std::vector<std::function<void()>> EndLocked(End reason) {
    end_ = reason;
    if (reason != End::kProducer) {
      queue_.clear();
      queued_bytes_ = 0;
    }
    // Always, even with a wake-up in flight: that one may already have run
    // while the writer was stuck in a write, and the writer must learn of the
    // close now (to cut a stalled write), not after the write.
    WakeLocked(/*force=*/true);
    return std::move(on_close_);
  }
  // REQUIRES: mu_ held. New data needs at most one wake-up in flight until
  // the writer takes the queue.
  void WakeLocked(bool force = false) {
    if (waker_ && (force || !wake_pending_)) {
      wake_pending_ = true;
      waker_();
    }
  }

  const size_t queue_limit_;
  mutable std::mutex mu_;
  End end_ = End::kOpen;
  std::deque<std::string> queue_;
  size_t queued_bytes_ = 0;  // queued plus being written
  std::vector<std::function<void()>> on_close_;
  std::function<void()> waker_;
  bool wake_pending_ = false;
};

void LogSpawnFailure(std::exception_ptr e) {
  // Boost 1.81's example rethrows unconditionally; a normal exit passes null.
  if (!e) return;
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& ex) {
    quarry::log::Warn("net: coroutine ended with an exception: {}", ex.what());
  } catch (...) {
    quarry::log::Warn("net: coroutine ended with an unknown exception");
  }
}

// ---------------------------------------------------------------------------

// Every I/O object of a connection uses its io_context's executor directly:
// one io_context per I/O thread, each connection pinned to one, so its
// handlers never run concurrently without a strand (and without the type
// erasure of any_io_executor on every operation).
using Executor = asio::io_context::executor_type;
using Socket = asio::basic_stream_socket<tcp, Executor>;
// Plain connections use the socket itself; TLS ones a LeanTlsStream over it.
// Neither has per-operation deadlines: each Session has one timer instead.
using TlsStream = LeanTlsStream<Executor>;
using Acceptor = asio::basic_socket_acceptor<tcp, Executor>;
using Timer = asio::basic_waitable_timer<std::chrono::steady_clock,
                                         asio::wait_traits<std::chrono::steady_clock>, Executor>;

struct Listener {
  // The acceptor runs on `ioc` (the first I/O thread).
  Listener(asio::io_context& ioc, ListenerOptions opts, const Router& r)
      : options(std::move(opts)), router(&r), executor(ioc.get_executor()), acceptor(executor) {}

  ListenerOptions options;
  const Router* router;
  std::shared_ptr<ssl::context> tls;  // null: plain TCP
  Executor executor;
  Acceptor acceptor;
  std::atomic<size_t> open{0};  // sessions of this listener, for max_connections
};

class SessionBase {
 public:
  virtual ~SessionBase() = default;
  // Closes the connection and wakes the session wherever it waits. Runs on the
  // session's I/O thread.
  virtual void Abort() = 0;
  virtual asio::any_io_executor executor() = 0;
  virtual void DropReplyWaiter() = 0;
};

struct ServerCore {
  explicit ServerCore(unsigned threads)
      : thread_count(threads != 0 ? threads : std::max(1u, std::thread::hardware_concurrency())) {
    // Concurrency hint 1: each io_context is run by exactly one thread, which
    // lets Asio skip some locking; posting from other threads stays safe.
    iocs.reserve(thread_count);
    work.reserve(thread_count);
    for (unsigned i = 0; i < thread_count; ++i) {
      iocs.push_back(std::make_unique<asio::io_context>(1));
      work.emplace_back(iocs.back()->get_executor());
    }
  }

  ~ServerCore() {
    Stop();
    // Sessions left behind by an expired Stop() grace period: drop parked
    // reply handlers while their executor exists, then let the io_context
    // destroy what remains. Listeners go first so their acceptors close before
    // the io_context does.
    {
      std::vector<std::shared_ptr<SessionBase>> left;
      {
        std::lock_guard lock(sessions_mu);
        for (auto& [ptr, weak] : sessions) {
          if (auto s = weak.lock()) left.push_back(std::move(s));
        }
      }
      for (auto& s : left) s->DropReplyWaiter();
    }
    listeners.clear();
    // The first context (the acceptors') last: sessions on the others hold
    // listeners whose acceptors live there.
    while (!iocs.empty()) iocs.pop_back();
  }

  Result<uint16_t> AddListener(const ListenerOptions& options, const Router& router);
  void Start();
  void Stop();

  // Accepts until the acceptor closes; counts itself out of accept_loops.
  asio::awaitable<void> AcceptLoop(std::shared_ptr<Listener> listener);
  asio::awaitable<void> AcceptConnections(std::shared_ptr<Listener> listener);

  // Session registry, for Stop() and the connections_open gauge. Register
  // returns false when the server is stopping (the session must close at once).
  void SessionCreated() {
    connections_open.fetch_add(1, std::memory_order_relaxed);
    connections_total.fetch_add(1, std::memory_order_relaxed);
  }
  bool Register(SessionBase* session, std::weak_ptr<SessionBase> weak) {
    std::lock_guard lock(sessions_mu);
    if (stopping.load()) return false;
    sessions.emplace(session, std::move(weak));
    return true;
  }
  // Under the mutex so that Stop() cannot miss the last wake-up.
  void SessionEnded(SessionBase* session) {
    std::lock_guard lock(sessions_mu);
    sessions.erase(session);
    connections_open.fetch_sub(1, std::memory_order_relaxed);
    sessions_cv.notify_all();
  }

  const unsigned thread_count;
  // One io_context per I/O thread; connections are spread over them round
  // robin and stay on theirs. iocs[0] also runs the acceptors.
  std::vector<std::unique_ptr<asio::io_context>> iocs;
  std::vector<asio::executor_work_guard<Executor>> work;
  size_t next_ioc = 0;  // only the accept loops touch it, all on iocs[0]
  std::vector<std::shared_ptr<Listener>> listeners;
  std::vector<std::thread> threads;

  std::mutex state_mu;  // guards started/stopped transitions
  bool started = false;
  bool stopped = false;
  std::atomic<bool> stopping{false};

  std::mutex sessions_mu;
  std::condition_variable sessions_cv;
  std::unordered_map<SessionBase*, std::weak_ptr<SessionBase>> sessions;
  int accept_loops = 0;  // guarded by sessions_mu

  std::atomic<uint64_t> connections_open{0};
  std::atomic<uint64_t> connections_total{0};
  std::atomic<uint64_t> requests_total{0};
  std::atomic<uint64_t> handshake_failures{0};
  std::atomic<uint64_t> timeouts{0};
  std::atomic<uint64_t> streams_open{0};
  std::atomic<uint64_t> streams_total{0};
};

// One connection. The coroutine in Run() owns it through a shared_ptr; the
// server's registry holds a weak_ptr for Stop(). Everything but the
// constructor and destructor runs on the connection's I/O thread.
template <class Stream>
class Session final : public SessionBase, public std::enable_shared_from_this<Session<Stream>> {
 public:
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;

  Session(ServerCore& server, std::shared_ptr<Listener> listener, Stream stream)
      : server_(server),
        listener_(std::move(listener)),
        stream_(std::move(stream)),
        deadline_(stream_.get_executor()) {
    listener_->open.fetch_add(1, std::memory_order_relaxed);
    server_.SessionCreated();
  }

  ~Session() override {
    if (streaming_) EndStreaming(StreamState::End::kServer);
    listener_->open.fetch_sub(1, std::memory_order_relaxed);
    server_.SessionEnded(this);
  }

  // Called once, right after construction, before Run().
  void Start() {
    if (!server_.Register(this, this->weak_from_this())) aborted_ = true;
  }

  asio::awaitable<void> Run() {
    try {
      co_await Serve();
    } catch (const std::exception& e) {
      quarry::log::Warn("net: session {} ended by exception: {}", remote_address_, e.what());
    }
    error_code ec;
    Sock().shutdown(tcp::socket::shutdown_both, ec);
    Sock().close(ec);
    Disarm();
  }

  void Abort() override {
    aborted_ = true;
    error_code ignored;
    Sock().close(ignored);
    if (reply_) reply_->Cancel();
    if (streaming_) {
      streaming_->state->CloseFrom(StreamState::End::kServer);
      streaming_->wake.cancel();
    }
  }

  asio::any_io_executor executor() override { return stream_.get_executor(); }

  void DropReplyWaiter() override {
    if (reply_) reply_->DropWaiter();
    if (streaming_) streaming_->state->Detach();
  }

 private:
  const ConnectionLimits& limits() const { return listener_->options.limits; }
  Socket& Sock() {
    if constexpr (kTls) {
      return stream_.socket();
    } else {
      return stream_;
    }
  }

  // The session's one deadline, re-armed per phase (handshake, reading a
  // request, idle, writing, lingering): on expiry it closes the socket, which
  // fails whatever operation is pending and ends the session. Each arming
  // bumps a generation, so an expiry that was already queued when the session
  // moved on (or ended) does nothing; the handler holds only a weak_ptr.
  void Arm(std::chrono::milliseconds timeout, bool counts_as_timeout = true) {
    const uint64_t generation = ++deadline_generation_;
    deadline_.expires_after(timeout);
    deadline_.async_wait([weak = this->weak_from_this(), generation,
                          counts_as_timeout](error_code ec) {
      if (ec) return;
      auto self = weak.lock();
      if (!self || self->deadline_generation_ != generation) return;
      self->OnDeadline(counts_as_timeout);
    });
  }

  // No deadline until the next Arm(). Leaves a pending wait to expire
  // harmlessly (the next Arm() replaces it), which saves a cancellation per
  // phase.
  void Disarm() { ++deadline_generation_; }

  void OnDeadline(bool counts_as_timeout) {
    if (counts_as_timeout && !timed_out_) {
      timed_out_ = true;
      server_.timeouts.fetch_add(1, std::memory_order_relaxed);
    }
    error_code ignored;
    Sock().close(ignored);
  }

  asio::awaitable<void> Serve() {
    if (aborted_) co_return;
    error_code ec;
    auto endpoint = Sock().remote_endpoint(ec);
    if (!ec) remote_address_ = endpoint.address().to_string();

    if constexpr (kTls) {
      Arm(limits().handshake_timeout);
      auto [hs_ec] = co_await stream_.async_handshake(kUseTuple);
      if (hs_ec) {
        server_.handshake_failures.fetch_add(1, std::memory_order_relaxed);
        quarry::log::Debug("net: TLS handshake with {} failed: {}", remote_address_,
                           hs_ec.message());
        co_return;
      }
      ReadPeerCertificate();
    }

    bool first = true;
    while (!aborted_) {
      // Wait for the first bytes of the next request. On a kept-alive
      // connection this wait is the idle timeout; the request itself (header
      // and body) then gets read_timeout. The first request of a connection
      // has read_timeout for everything.
      bool deadline_set = false;
      if (buffer_.size() == 0) {
        Arm(first ? limits().read_timeout : limits().idle_timeout);
        deadline_set = first;
        auto [rd_ec, n] = co_await stream_.async_read_some(buffer_.prepare(kFirstReadBytes),
                                                           kUseTuple);
        buffer_.commit(n);
        if (rd_ec) {
          co_return;
        }
      }
      if (!deadline_set) Arm(limits().read_timeout);
      first = false;
      if (!co_await ServeOne()) co_return;
      // Keep-alive: between requests hold no buffer memory unless the client
      // already pipelined the next request.
      if (buffer_.size() == 0) buffer_.shrink_to_fit();
    }
  }

  // Reads one request, runs its handler and writes the reply. Returns whether
  // the connection stays open. A separate coroutine so that its frame (parser,
  // request, response) exists only while a request is in flight.
  asio::awaitable<bool> ServeOne() {
    http::request_parser<http::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(
        std::min<size_t>(limits().header_limit, std::numeric_limits<std::uint32_t>::max())));
    // The real body limit depends on the route, known only after the header.
    // Beast checks Content-Length against body_limit while parsing the header,
    // so it must be unlimited here.
    parser.body_limit(boost::none);

    auto [ec, header_bytes] = co_await http::async_read_header(stream_, buffer_, parser, kUseTuple);
    if (ec) {
      if (ec == http::error::header_limit) {
        co_return co_await SendError(413, "request header exceeds " +
                                              std::to_string(limits().header_limit) + " bytes",
                                     /*keep_alive=*/false);
      }
      if (IsParseError(ec)) {
        co_return co_await SendError(400, "malformed HTTP request: " + ec.message(), false);
      }
      co_return false;
    }
    // Beast 1.81 applies header_limit to the request line and to the fields
    // separately, letting a whole header reach almost twice the limit; the
    // limit we promise is on the whole header.
    if (header_bytes > limits().header_limit) {
      co_return co_await SendError(
          413, "request header exceeds " + std::to_string(limits().header_limit) + " bytes", false);
    }
    server_.requests_total.fetch_add(1, std::memory_order_relaxed);

    auto& message = parser.get();
    // A body we do not read poisons the connection: answer and close.
    const bool body_pending = !parser.is_done();
    const bool keep_alive = message.keep_alive();

    HttpRequest request;
    request.method = std::string(message.method_string());
    request.target = std::string(message.target());
    if (size_t q = request.target.find('?'); q != std::string::npos) {
      request.path = request.target.substr(0, q);
      request.query = request.target.substr(q + 1);
    } else {
      request.path = request.target;
    }
    request.headers.reserve(static_cast<size_t>(std::distance(message.begin(), message.end())));
    for (const auto& field : message) {
      request.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    request.remote_address = remote_address_;
    request.client_cert_sha256 = client_cert_sha256_;
    request.client_cert_subject = client_cert_subject_;

    const Endpoint* endpoint = listener_->router->Find(request.method, request.path);
    if (endpoint == nullptr) {
      co_return co_await SendError(404, "not found", keep_alive && !body_pending);
    }

    bool gzip = false;
    if (auto it = message.find(http::field::content_encoding); it != message.end()) {
      std::string_view coding = Trim(it->value());
      if (EqualsIgnoreCase(coding, "gzip") || EqualsIgnoreCase(coding, "x-gzip")) {
        if (!endpoint->accept_gzip) {
          co_return co_await SendError(415, "Content-Encoding gzip is not accepted here",
                                       keep_alive && !body_pending);
        }
        gzip = true;
      } else if (!coding.empty() && !EqualsIgnoreCase(coding, "identity")) {
        co_return co_await SendError(415, "unsupported Content-Encoding",
                                     keep_alive && !body_pending);
      }
    }

    if (body_pending) {
      auto length = parser.content_length();
      // Beast only checks Content-Length against body_limit while parsing the
      // header (unlimited then), so the fixed-length case is checked here; the
      // parser enforces the limit on chunked bodies as they arrive.
      if (length && *length > endpoint->body_limit) {
        co_return co_await SendError(
            413, "body exceeds " + std::to_string(endpoint->body_limit) + " bytes", false);
      }
      parser.body_limit(endpoint->body_limit);
      if (length) message.body().reserve(static_cast<size_t>(*length) + kBodyPadding);

      if (auto expect = message.find(http::field::expect);
          expect != message.end() && EqualsIgnoreCase(Trim(expect->value()), "100-continue")) {
        static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
        auto [wr_ec, n] = co_await asio::async_write(
            stream_, asio::buffer(kContinue.data(), kContinue.size()), kUseTuple);
        if (wr_ec) {
          co_return false;
        }
      }

      auto [body_ec, body_bytes] = co_await http::async_read(stream_, buffer_, parser, kUseTuple);
      if (body_ec) {
        if (body_ec == http::error::body_limit) {
          co_return co_await SendError(
              413, "body exceeds " + std::to_string(endpoint->body_limit) + " bytes", false);
        }
        if (IsParseError(body_ec)) {
          co_return co_await SendError(400, "malformed HTTP request: " + body_ec.message(), false);
        }
        co_return false;
      }
    }
    request.body = std::move(message.body());

    if (gzip) {
      auto inflated = GunzipCapped(request.body, endpoint->inflated_limit, kBodyPadding);
      if (!inflated) {
        if (inflated.error().code == ErrorCode::kTooLarge) {
          co_return co_await SendError(413, inflated.error().message, keep_alive);
        }
        co_return co_await SendError(400, "bad gzip body: " + inflated.error().message,
                                     keep_alive);
      }
      request.body = std::move(*inflated);
    }
    EnsurePadding(request.body);

    // The handler may answer inline or later from any thread, under no deadline.
    Disarm();
    auto state = std::make_shared<ReplyState>();
    reply_ = state;
    HttpResponse response;
    bool have_response = false;
    try {
      endpoint->handler(std::move(request),
                        [state](HttpResponse r) { state->Deliver(std::move(r)); });
    } catch (const std::exception& e) {
      quarry::log::Warn("net: handler for {} threw: {}", message.target(), e.what());
      state->Cancel();
      response.status = 500;
      response.body = JsonError("internal error");
      response.close = true;
      have_response = true;
    }
    if (!have_response) {
      if (auto ready = state->TakeReady()) {
        response = std::move(*ready);
      } else {
        auto [wait_ec, r] = co_await AwaitReply(state);
        if (wait_ec) {
          reply_.reset();
          co_return false;  // aborted by Stop()
        }
        response = std::move(r);
      }
    }
    reply_.reset();
    if (response.stream) {
      co_return co_await SendStream(std::move(response), keep_alive, message.version());
    }
    co_return co_await Send(std::move(response), keep_alive, message.version());
  }

  asio::awaitable<bool> SendError(int status, std::string message, bool keep_alive) {
    HttpResponse response;
    response.status = status;
    response.body = JsonError(message);
    response.close = !keep_alive;
    co_return co_await Send(std::move(response), keep_alive, 11);
  }

  // Writes a response; returns whether the connection stays open.
  asio::awaitable<bool> Send(HttpResponse response, bool request_keep_alive, unsigned version) {
    if (response.status < 100 || response.status > 999) {
      quarry::log::Warn("net: handler returned invalid status {}", response.status);
      response.status = 500;
      response.body = JsonError("internal error");
    }
    const bool keep = request_keep_alive && !response.close && !aborted_ && !server_.stopping;
    if (std::string head; RenderPlainHead(response, keep, version, head)) {
      // The common case, without Beast's fields, serializer and their
      // allocations: header and body go out in one buffer (one TLS record)
      // unless the body is large.
      std::array<asio::const_buffer, 2> buffers;
      size_t count = 1;
      if (response.body.size() <= kCoalesceBodyBytes) {
        head += response.body;
        buffers[0] = asio::buffer(head);
      } else {
        buffers[0] = asio::buffer(head);
        buffers[1] = asio::buffer(response.body);
        count = 2;
      }
      Arm(limits().write_timeout);
      auto [ec, n] = co_await asio::async_write(
          stream_, std::span<const asio::const_buffer>(buffers.data(), count), kUseTuple);
      if (ec) {
        co_return false;
      }
      if (!keep) co_await Linger();
      co_return keep;
    }
    http::response<http::string_body> res;
    res.version(version);
    if (response.status < 100 || response.status > 999) {
      quarry::log::Warn("net: handler returned invalid status {}", response.status);
      response.status = 500;
      response.body = JsonError("internal error");
    }
    res.result(static_cast<unsigned>(response.status));
    if (!response.content_type.empty()) res.set(http::field::content_type, response.content_type);
    for (const auto& [name, value] : response.headers) {
      // A line break would let a header value inject its own header lines.
      if (name.empty() || HasLineBreak(name) || HasLineBreak(value)) {
        quarry::log::Warn("net: dropping response header with a line break");
        continue;
      }
      res.insert(name, value);
    }
    res.body() = std::move(response.body);
    res.keep_alive(keep);
    res.prepare_payload();

    Arm(limits().write_timeout);
    auto [ec, n] = co_await http::async_write(stream_, res, kUseTuple);
    if (ec) {
      co_return false;
    }
    if (!keep) co_await Linger();
    co_return keep;
  }

  // Renders the status line and fields of a buffered response exactly as
  // Beast's serializer would (same order: Content-Type, the handler's
  // headers, Connection, Content-Length), into `out`. Returns false, leaving
  // the response to Beast, in the cases where Beast rewrites fields: a
  // handler header that is a framing or connection field, a bad header, or a
  // status without a body (1xx, 204, 304).
  static bool RenderPlainHead(const HttpResponse& response, bool keep, unsigned version,
                              std::string& out) {
    const int status = response.status;
    if (status < 200 || status == 204 || status == 304) return false;
    size_t size = 64 + response.content_type.size();
    for (const auto& [name, value] : response.headers) {
      if (name.empty() || HasLineBreak(name) || HasLineBreak(value) ||
          EqualsIgnoreCase(name, "Connection") || EqualsIgnoreCase(name, "Content-Length") ||
          EqualsIgnoreCase(name, "Transfer-Encoding") || EqualsIgnoreCase(name, "Keep-Alive")) {
        return false;
      }
      size += name.size() + value.size() + 4;
    }
    const auto reason = http::obsolete_reason(http::int_to_status(static_cast<unsigned>(status)));
    char line[32];
    int n = std::snprintf(line, sizeof(line), "HTTP/%u.%u %03d ", version / 10, version % 10,
                          status);
    if (n <= 0 || static_cast<size_t>(n) >= sizeof(line)) return false;
    out.reserve(size + reason.size() +
                (response.body.size() <= kCoalesceBodyBytes ? response.body.size() : 0));
    out.append(line, static_cast<size_t>(n));
    out.append(reason.data(), reason.size());
    out += "\r\n";
    if (!response.content_type.empty()) {
      out += "Content-Type: ";
      out += response.content_type;
      out += "\r\n";
    }
    for (const auto& [name, value] : response.headers) {
      out += name;
      out += ": ";
      out += value;
      out += "\r\n";
    }
    if (version >= 11) {
      if (!keep) out += "Connection: close\r\n";
    } else if (keep) {
      out += "Connection: keep-alive\r\n";
    }
    out += "Content-Length: ";
    out += std::to_string(response.body.size());
    out += "\r\n\r\n";
    return true;
  }

  // What a session keeps while it writes a streamed response.
  struct Streaming {
    Streaming(std::shared_ptr<StreamState> s, const Executor& executor)
        : state(std::move(s)), wake(executor) {}
    std::shared_ptr<StreamState> state;
    // The writer sleeps on this timer (until the next heartbeat is due);
    // cancelling it wakes the writer.
    Timer wake;
    bool read_pending = false;
    bool stop_reading = false;  // a cancelled read is not a disconnect
    bool peer_gone = false;     // the pending read failed, or the client flooded us
  };

  // Writes a streamed response (see HttpResponse::stream); returns whether
  // the connection stays open. HTTP/1.1: chunked, so a clean end keeps the
  // connection. HTTP/1.0: the end of the body is the end of the connection.
  asio::awaitable<bool> SendStream(HttpResponse response, bool request_keep_alive,
                                   unsigned version) {
    using End = StreamState::End;
    const bool chunked = version >= 11;
    const bool sse = response.content_type.rfind("text/event-stream", 0) == 0;
    http::response<http::empty_body> res;
    res.version(version);
    if (response.status < 100 || response.status > 999) {
      quarry::log::Warn("net: handler returned invalid status {}", response.status);
      response.status = 500;
    }
    res.result(static_cast<unsigned>(response.status));
    if (!response.content_type.empty()) res.set(http::field::content_type, response.content_type);
    for (const auto& [name, value] : response.headers) {
      if (name.empty() || HasLineBreak(name) || HasLineBreak(value)) {
        quarry::log::Warn("net: dropping response header with a line break");
        continue;
      }
      res.insert(name, value);
    }
    if (res.find(http::field::cache_control) == res.end()) {
      res.set(http::field::cache_control, "no-cache");
    }
    bool keep = chunked && request_keep_alive && !response.close && !aborted_ && !server_.stopping;
    res.keep_alive(keep);
    if (chunked) res.chunked(true);

    auto state = std::make_shared<StreamState>(limits().stream_queue_bytes);
    streaming_ = std::make_unique<Streaming>(state, stream_.get_executor());
    server_.streams_open.fetch_add(1, std::memory_order_relaxed);
    server_.streams_total.fetch_add(1, std::memory_order_relaxed);
    auto stream_fn = std::move(response.stream);
    auto start_producer = [&] {
      try {
        stream_fn(state);
      } catch (const std::exception& e) {
        quarry::log::Warn("net: stream handler threw: {}", e.what());
        state->CloseFrom(End::kServer);
      }
    };

    {
      http::response_serializer<http::empty_body> serializer(res);
      Arm(limits().write_timeout);
      auto [ec, n] = co_await http::async_write_header(stream_, serializer, kUseTuple);
      if (ec || aborted_) {
        EndStreaming(End::kPeerGone);
        start_producer();  // with a closed writer, so the producer always hears
        co_return false;
      }
    }

    // From here no read or idle timeout: a stream lives as long as both ends
    // want it. The pending read is there only to notice the client leaving.
    Disarm();
    state->Attach([weak = this->weak_from_this(), executor = stream_.get_executor()] {
      asio::post(executor, [weak] {
        if (auto self = weak.lock()) self->WakeStream();
      });
    });
    StartStreamRead();
    start_producer();

    const auto heartbeat = limits().stream_heartbeat;
    auto last_write = std::chrono::steady_clock::now();
    std::vector<std::string> batch;
    std::vector<asio::const_buffer> buffers;
    End end = End::kOpen;
    for (;;) {
      if (aborted_) {
        end = End::kServer;
        break;
      }
      end = state->Take(batch);
      if (end == End::kOpen && streaming_->peer_gone) {
        state->CloseFrom(End::kPeerGone);
        end = state->end();
      }
      if (end != End::kOpen && end != End::kProducer) break;

      size_t bytes = 0;
      buffers.clear();
      for (const auto& chunk : batch) {
        buffers.push_back(asio::buffer(chunk));
        bytes += chunk.size();
      }
      const bool beat = batch.empty() && end == End::kOpen && sse && heartbeat.count() > 0 &&
                        std::chrono::steady_clock::now() - last_write >= heartbeat;
      if (beat) buffers.push_back(asio::buffer(kSseHeartbeat.data(), kSseHeartbeat.size()));

      if (!buffers.empty()) {
        // One write (one HTTP chunk) carries whatever was queued meanwhile;
        // write_timeout applies to each such write.
        Arm(limits().write_timeout);
        error_code ec;
        if (chunked) {
          std::tie(ec, std::ignore) =
              co_await asio::async_write(stream_, http::make_chunk(buffers), kUseTuple);
        } else {
          std::tie(ec, std::ignore) = co_await asio::async_write(stream_, buffers, kUseTuple);
        }
        batch.clear();
        state->Written(bytes);
        if (ec) {
          state->CloseFrom(End::kPeerGone);
          end = state->end();
          break;
        }
        Disarm();
        last_write = std::chrono::steady_clock::now();
        continue;
      }
      if (end == End::kProducer) break;  // flushed

      streaming_->wake.expires_at(heartbeat.count() > 0 && sse
                                      ? last_write + heartbeat
                                      : std::chrono::steady_clock::time_point::max());
      co_await streaming_->wake.async_wait(kUseTuple);
    }

    if (end == End::kProducer && !aborted_) {
      if (chunked) {
        Arm(limits().write_timeout);
        auto [ec, n] = co_await asio::async_write(stream_, http::make_chunk_last(), kUseTuple);
        if (ec) {
          keep = false;
          end = End::kPeerGone;
        }
      } else {
        keep = false;
      }
    } else {
      keep = false;
    }
    co_await StopStreamRead();
    const bool peer_gone = streaming_->peer_gone;
    EndStreaming(end);
    if (keep && !peer_gone && !aborted_ && !server_.stopping) co_return true;
    if (end == End::kProducer && !aborted_ && !peer_gone) {
      // A close-delimited body (HTTP/1.0, or Connection: close) ended
      // cleanly: TLS close_notify tells the client it got everything.
      if constexpr (kTls) {
        Arm(limits().linger_timeout, /*counts_as_timeout=*/false);
        co_await stream_.async_shutdown(kUseTuple);
      } else {
        co_await Linger();
      }
    }
    co_return false;
  }

  // The pending read of a stream: bytes that arrive are kept as the next
  // request (up to header_limit); EOF, an error or a flood mean the client is
  // gone, which wakes the writer.
  void StartStreamRead() {
    streaming_->read_pending = true;
    stream_.async_read_some(
        buffer_.prepare(kStreamReadBytes),
        [self = this->shared_from_this()](error_code ec, size_t n) { self->OnStreamRead(ec, n); });
  }

  void OnStreamRead(error_code ec, size_t n) {
    buffer_.commit(n);
    Streaming& run = *streaming_;  // EndStreaming waits for this read first
    run.read_pending = false;
    if (run.stop_reading) {
      run.wake.cancel();
      return;
    }
    if (ec || buffer_.size() >= limits().header_limit) {
      run.peer_gone = true;
      WakeStream();
      return;
    }
    StartStreamRead();
  }

  // Cancels the pending read and waits for its handler, so that the next
  // request can be read.
  asio::awaitable<void> StopStreamRead() {
    streaming_->stop_reading = true;
    if (streaming_->read_pending) {
      error_code ignored;
      Sock().cancel(ignored);
    }
    while (streaming_->read_pending) {
      streaming_->wake.expires_at(std::chrono::steady_clock::time_point::max());
      co_await streaming_->wake.async_wait(kUseTuple);
    }
  }

  // On the session's thread: there is news for the stream's writer. A stream closed for
  // any reason but the producer's Close() cuts the connection at once, which
  // also ends a write stalled on a client that does not read.
  void WakeStream() {
    if (!streaming_) return;
    auto end = streaming_->state->end();
    if (streaming_->peer_gone || (end != StreamState::End::kOpen &&
                                  end != StreamState::End::kProducer)) {
      error_code ignored;
      Sock().close(ignored);
    }
    streaming_->wake.cancel();
  }

  void EndStreaming(StreamState::End reason) {
    streaming_->state->Detach();
    streaming_->state->CloseFrom(reason);
    streaming_.reset();
    server_.streams_open.fetch_sub(1, std::memory_order_relaxed);
  }

  // Half-closes and discards the client's remaining bytes for a bounded time
  // so that closing with unread data does not reset the connection (a reset
  // can destroy the response in the client's receive buffer).
  asio::awaitable<void> Linger() {
    if (aborted_) co_return;
    error_code ec;
    Sock().shutdown(tcp::socket::shutdown_send, ec);
    if (ec) co_return;
    Arm(limits().linger_timeout, /*counts_as_timeout=*/false);
    char scratch[512];
    size_t drained = 0;
    while (drained < kMaxLingerBytes) {
      auto [rd_ec, n] = co_await Sock().async_read_some(asio::buffer(scratch), kUseTuple);
      if (rd_ec) break;
      drained += n;
    }
  }

  void ReadPeerCertificate() {
    if constexpr (kTls) {
      SSL* ssl = stream_.native_handle();
      X509* cert = SSL_get0_peer_certificate(ssl);
      if (cert == nullptr) return;
      unsigned char md[EVP_MAX_MD_SIZE];
      unsigned int len = 0;
      if (X509_digest(cert, EVP_sha256(), md, &len) == 1) {
        static constexpr char kHex[] = "0123456789abcdef";
        client_cert_sha256_.reserve(len * 2);
        for (unsigned int i = 0; i < len; ++i) {
          client_cert_sha256_ += kHex[md[i] >> 4];
          client_cert_sha256_ += kHex[md[i] & 0xf];
        }
      }
      if (BIO* bio = BIO_new(BIO_s_mem())) {
        if (X509_NAME_print_ex(bio, X509_get_subject_name(cert), 0, XN_FLAG_RFC2253) >= 0) {
          char* data = nullptr;
          long n = BIO_get_mem_data(bio, &data);
          if (n > 0) client_cert_subject_.assign(data, static_cast<size_t>(n));
        }
        BIO_free(bio);
      }
    }
  }

  ServerCore& server_;
  std::shared_ptr<Listener> listener_;
  Stream stream_;
  beast::flat_buffer buffer_;
  std::string remote_address_;
  std::string client_cert_sha256_;
  std::string client_cert_subject_;
  std::shared_ptr<ReplyState> reply_;  // set while a handler owes a reply
  std::unique_ptr<Streaming> streaming_;  // set while a response streams
  Timer deadline_;
  uint64_t deadline_generation_ = 0;
  bool timed_out_ = false;
  bool aborted_ = false;
};

template <class Stream>
asio::awaitable<void> RunSession(std::shared_ptr<Session<Stream>> session) {
  co_await session->Run();
}

template <class Stream>
void SpawnSession(ServerCore& server, std::shared_ptr<Listener> listener, Stream stream) {
  auto executor = stream.get_executor();
  auto session = std::make_shared<Session<Stream>>(server, std::move(listener), std::move(stream));
  session->Start();
  asio::co_spawn(executor, RunSession(std::move(session)), LogSpawnFailure);
}

asio::awaitable<void> ServerCore::AcceptLoop(std::shared_ptr<Listener> listener) {
  try {
    co_await AcceptConnections(listener);
  } catch (const std::exception& e) {
    quarry::log::Error("net: accept loop on port {} stopped: {}", listener->options.port,
                       e.what());
  }
  std::lock_guard lock(sessions_mu);
  --accept_loops;
  sessions_cv.notify_all();
}

asio::awaitable<void> ServerCore::AcceptConnections(std::shared_ptr<Listener> listener) {
  const ConnectionLimits& limits = listener->options.limits;
  while (!stopping) {
    // Each connection is pinned to one I/O thread's io_context: its handlers
    // never run concurrently, yet connections spread over all I/O threads.
    asio::io_context& target = *iocs[next_ioc++ % iocs.size()];
    auto [ec, socket] = co_await listener->acceptor.async_accept(target, kUseTuple);
    if (ec) {
      if (ec == asio::error::operation_aborted || stopping || !listener->acceptor.is_open()) break;
      quarry::log::Warn("net: accept on port {} failed: {}", listener->options.port, ec.message());
      Timer backoff(listener->executor, kAcceptBackoff);
      co_await backoff.async_wait(kUseTuple);
      continue;
    }
    if (stopping || listener->open.load(std::memory_order_relaxed) >= limits.max_connections) {
      error_code ignored;
      socket.close(ignored);
      continue;
    }
    // Small writes (response headers) must not wait for Nagle.
    error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    try {
      if (listener->tls) {
        SpawnSession(*this, listener, TlsStream(std::move(socket), listener->tls->native_handle()));
      } else {
        SpawnSession(*this, listener, std::move(socket));
      }
    } catch (const std::exception& e) {
      // Session construction failed (e.g. SSL_new out of memory): drop the
      // connection; ~Session rolled the counters back if it got that far.
      quarry::log::Warn("net: could not start a session: {}", e.what());
    }
  }
}

Result<uint16_t> ServerCore::AddListener(const ListenerOptions& options, const Router& router) {
  {
    std::lock_guard lock(state_mu);
    if (started || stopped) {
      return Fail(ErrorCode::kInvalidArgument, "AddListener must be called before Start()");
    }
  }
  auto listener = std::make_shared<Listener>(*iocs[0], options, router);
  if (options.tls.enabled) {
    auto ctx = MakeServerContext(options.tls);
    if (!ctx) return Fail(ctx.error());
    listener->tls = std::move(*ctx);
  }
  error_code ec;
  auto address = asio::ip::make_address(options.address, ec);
  if (ec) return Fail(ErrorCode::kInvalidArgument, "bad listen address: " + options.address);
  tcp::endpoint endpoint(address, options.port);
  auto& acceptor = listener->acceptor;
  auto fail = [&](const char* what) {
    return Fail(ErrorCode::kIo, std::string(what) + " " + options.address + ":" +
                                    std::to_string(options.port) + ": " + ec.message());
  };
  acceptor.open(endpoint.protocol(), ec);
  if (ec) return fail("open");
  acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (ec) return fail("setsockopt");
  acceptor.bind(endpoint, ec);
  if (ec) return fail("bind");
  acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return fail("listen");
  uint16_t port = acceptor.local_endpoint(ec).port();
  if (ec) return fail("getsockname");
  listener->options.port = port;
  listeners.push_back(std::move(listener));
  return port;
}

void ServerCore::Start() {
  {
    std::lock_guard lock(state_mu);
    if (started || stopped) return;
    started = true;
  }
  {
    std::lock_guard lock(sessions_mu);
    accept_loops = static_cast<int>(listeners.size());
  }
  for (auto& listener : listeners) {
    asio::co_spawn(listener->executor, AcceptLoop(listener), LogSpawnFailure);
  }
  threads.reserve(thread_count);
  for (unsigned i = 0; i < thread_count; ++i) {
    threads.emplace_back([this, ioc = iocs[i].get()] {
      for (;;) {
        try {
          ioc->run();
          return;
        } catch (const std::exception& e) {
          quarry::log::Error("net: I/O thread caught: {}", e.what());
        }
      }
    });
  }
}

void ServerCore::Stop() {
  bool was_started;
  {
    std::lock_guard lock(state_mu);
    if (stopped) return;
    stopped = true;
    was_started = started;
  }
  std::vector<std::shared_ptr<SessionBase>> live;
  {
    std::lock_guard lock(sessions_mu);
    stopping = true;
    for (auto& [ptr, weak] : sessions) {
      if (auto s = weak.lock()) live.push_back(std::move(s));
    }
  }
  for (auto& listener : listeners) {
    if (was_started) {
      asio::post(listener->executor, [listener] {
        error_code ignored;
        listener->acceptor.close(ignored);
      });
    } else {
      error_code ignored;
      listener->acceptor.close(ignored);
    }
  }
  for (auto& session : live) {
    asio::post(session->executor(), [session] { session->Abort(); });
  }
  live.clear();
  work.clear();
  if (was_started) {
    std::unique_lock lock(sessions_mu);
    bool drained = sessions_cv.wait_for(lock, kStopGrace, [this] {
      return accept_loops == 0 && connections_open.load() == 0;
    });
    if (!drained) {
      quarry::log::Warn("net: {} connections still open after {}s; abandoning them",
                        connections_open.load(), kStopGrace.count());
    }
  }
  for (auto& ioc : iocs) ioc->stop();
  for (auto& t : threads) t.join();
  threads.clear();
}

}  // namespace

struct HttpServer::Impl {
  explicit Impl(unsigned threads) : core(threads) {}
  ServerCore core;
};

HttpServer::HttpServer(unsigned threads) : impl_(std::make_unique<Impl>(threads)) {}

HttpServer::~HttpServer() = default;

Result<uint16_t> HttpServer::AddListener(const ListenerOptions& options, const Router& router) {
  return impl_->core.AddListener(options, router);
}

void HttpServer::Start() { impl_->core.Start(); }

void HttpServer::Stop() { impl_->core.Stop(); }

ServerStats HttpServer::Stats() const {
  ServerStats stats;
  stats.connections_open = impl_->core.connections_open.load(std::memory_order_relaxed);
  stats.connections_total = impl_->core.connections_total.load(std::memory_order_relaxed);
  stats.requests_total = impl_->core.requests_total.load(std::memory_order_relaxed);
  stats.handshake_failures = impl_->core.handshake_failures.load(std::memory_order_relaxed);
  stats.timeouts = impl_->core.timeouts.load(std::memory_order_relaxed);
  stats.streams_open = impl_->core.streams_open.load(std::memory_order_relaxed);
  stats.streams_total = impl_->core.streams_total.load(std::memory_order_relaxed);
  return stats;
}

}  // namespace quarry::net
