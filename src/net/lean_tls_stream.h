// LeanTlsStream: a server-side TLS stream over a non-blocking TCP socket that
// lets OpenSSL read and write the socket itself (net/tls_util.h's socket BIO);
// Asio only waits for readiness (socket.async_wait). Internal to net/.
//
// Why not asio::ssl::stream: it holds two 17 KB record buffers and a 2×17 KB
// BIO pair per connection for its whole life, ~68 KB of an idle keep-alive
// connection. Here OpenSSL owns the only record buffers, and
// SSL_MODE_RELEASE_BUFFERS frees them between records, so an idle connection
// keeps the SSL object and its cipher state only.
//
// It is an Asio AsyncReadStream/AsyncWriteStream (async_read_some,
// async_write_some, get_executor), so Beast's http::async_read/async_write and
// asio::async_write work on it unchanged. Operations never complete inline:
// one that finishes without waiting is posted.
//
// Like asio::ssl::stream: at most one read and one write operation at a time
// (a read may be pending while a write runs), all on the socket's executor.
// Closing the socket (socket().close(), e.g. from a timeout) completes pending
// operations with operation_aborted; later operations fail with
// bad_descriptor and never touch OpenSSL, whose BIO still holds the old
// descriptor number.
#pragma once

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <utility>

#include <boost/asio/buffer.hpp>
#include <boost/asio/compose.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/error.hpp>

#include "net/tls_util.h"

namespace quarry::net {

template <class Executor>
class LeanTlsStream {
 public:
  using executor_type = Executor;
  using socket_type = boost::asio::basic_stream_socket<boost::asio::ip::tcp, Executor>;
  using error_code = boost::system::error_code;

  // A server-side TLS stream over an accepted socket. Throws
  // std::runtime_error when OpenSSL cannot allocate the connection.
  LeanTlsStream(socket_type socket, SSL_CTX* ctx) : socket_(std::move(socket)) {
    error_code ec;
    socket_.non_blocking(true, ec);
    if (ec) throw std::runtime_error("non-blocking socket: " + ec.message());
    ERR_clear_error();
    ssl_ = SSL_new(ctx);
    if (ssl_ == nullptr || !AttachSocketBio(ssl_, socket_.native_handle())) {
      if (ssl_ != nullptr) SSL_free(ssl_);
      ssl_ = nullptr;
      throw std::runtime_error("SSL_new: " + OpenSslErrors());
    }
    // RELEASE_BUFFERS: an idle connection holds no record buffers. Partial
    // writes and moving buffers suit write_some over a non-blocking socket.
    SSL_set_mode(ssl_, SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ENABLE_PARTIAL_WRITE |
                           SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    SSL_set_accept_state(ssl_);
  }

  LeanTlsStream(LeanTlsStream&& other) noexcept
      : socket_(std::move(other.socket_)),
        ssl_(std::exchange(other.ssl_, nullptr)),
        broken_(other.broken_) {}
  LeanTlsStream& operator=(LeanTlsStream&&) = delete;
  LeanTlsStream(const LeanTlsStream&) = delete;

  ~LeanTlsStream() {
    // SSL_free does no I/O (no close_notify), so the socket's state does not matter.
    if (ssl_ != nullptr) SSL_free(ssl_);
  }

  executor_type get_executor() noexcept { return socket_.get_executor(); }
  socket_type& socket() noexcept { return socket_; }
  SSL* native_handle() noexcept { return ssl_; }

  // Completes with (error_code). A failed handshake leaves the stream broken.
  template <class Token>
  auto async_handshake(Token&& token) {
    return boost::asio::async_compose<Token, void(error_code)>(
        Op<kHandshake, Unit>{this, {}}, token, socket_);
  }

  // Sends close_notify and waits for the peer's (or its EOF). Completes with
  // (error_code). Does nothing on a broken stream.
  template <class Token>
  auto async_shutdown(Token&& token) {
    return boost::asio::async_compose<Token, void(error_code)>(
        Op<kShutdown, Unit>{this, {}}, token, socket_);
  }

  // Decrypted bytes into the first non-empty buffer. TLS close_notify
  // completes with asio::error::eof.
  template <class MutableBufferSequence, class Token>
  auto async_read_some(const MutableBufferSequence& buffers, Token&& token) {
    return boost::asio::async_compose<Token, void(error_code, std::size_t)>(
        Op<kRead, ReadBuf>{this, ReadBuf{FirstMutable(buffers)}}, token, socket_);
  }

  // Encrypts from the sequence: its first buffer alone when that is big
  // enough, else up to kCoalesceBytes of the sequence copied into one buffer,
  // so that a response header or an HTTP chunk's framing does not become a
  // TLS record of its own.
  template <class ConstBufferSequence, class Token>
  auto async_write_some(const ConstBufferSequence& buffers, Token&& token) {
    return boost::asio::async_compose<Token, void(error_code, std::size_t)>(
        Op<kWrite, WriteBuf>{this, MakeWriteBuf(buffers)}, token, socket_);
  }

 private:
  static constexpr std::size_t kCoalesceBytes = 16 * 1024;

  enum Kind { kHandshake, kShutdown, kRead, kWrite };
  struct Unit {};
  struct ReadBuf {
    boost::asio::mutable_buffer buffer;
  };
  struct WriteBuf {
    boost::asio::const_buffer buffer;
    std::unique_ptr<char[]> copy;  // owns `buffer`'s bytes when coalesced
  };

  template <class MutableBufferSequence>
  static boost::asio::mutable_buffer FirstMutable(const MutableBufferSequence& buffers) {
    for (auto it = boost::asio::buffer_sequence_begin(buffers);
         it != boost::asio::buffer_sequence_end(buffers); ++it) {
      boost::asio::mutable_buffer b(*it);
      if (b.size() != 0) return b;
    }
    return {};
  }

  template <class ConstBufferSequence>
  static WriteBuf MakeWriteBuf(const ConstBufferSequence& buffers) {
    WriteBuf out;
    std::size_t total = 0, count = 0;
    boost::asio::const_buffer first;
    for (auto it = boost::asio::buffer_sequence_begin(buffers);
         it != boost::asio::buffer_sequence_end(buffers); ++it) {
      boost::asio::const_buffer b(*it);
      if (b.size() == 0) continue;
      if (count++ == 0) first = b;
      total += b.size();
      if (total >= kCoalesceBytes) break;
    }
    if (count <= 1 || first.size() >= kCoalesceBytes) {
      out.buffer = first;
      return out;
    }
    const std::size_t size = std::min(total, kCoalesceBytes);
    out.copy.reset(new char[size]);
    out.buffer = boost::asio::const_buffer(out.copy.get(), size);
    boost::asio::buffer_copy(boost::asio::mutable_buffer(out.copy.get(), size), buffers);
    return out;
  }

  // Runs one OpenSSL call until it completes, waiting for the socket when it
  // wants I/O. State: `posted` once a synchronous result has been posted.
  template <Kind kind, class Buf>
  struct Op {
    LeanTlsStream* stream;
    Buf buf;
    bool waited = false;  // the op has suspended once: completing now is not inline
    bool posted = false;
    error_code result{};
    std::size_t bytes = 0;

    template <class Self>
    void operator()(Self& self, error_code ec = {}) {
      if (posted) return Finish(self);
      if (ec) return Done(self, ec, 0);
      if (!stream->socket_.is_open()) {
        return Done(self, boost::asio::error::bad_descriptor, 0);
      }
      SSL* ssl = stream->ssl_;
      std::size_t n = 0;
      int r;
      ERR_clear_error();
      errno = 0;
      if constexpr (kind == kHandshake) {
        r = SSL_do_handshake(ssl);
      } else if constexpr (kind == kShutdown) {
        if (stream->broken_) return Done(self, {}, 0);
        r = SSL_shutdown(ssl);
        // 0: our close_notify is out; call again to read the peer's.
        if (r == 0) r = SSL_shutdown(ssl);
      } else if constexpr (kind == kRead) {
        if (buf.buffer.size() == 0) return Done(self, {}, 0);
        r = SSL_read_ex(ssl, buf.buffer.data(), buf.buffer.size(), &n);
      } else {
        if (buf.buffer.size() == 0) return Done(self, {}, 0);
        r = SSL_write_ex(ssl, buf.buffer.data(), buf.buffer.size(), &n);
      }
      if (r == 1) return Done(self, {}, n);
      const int saved_errno = errno;
      switch (SSL_get_error(ssl, r)) {
        case SSL_ERROR_WANT_READ:
          waited = true;
          stream->socket_.async_wait(socket_type::wait_read, std::move(self));
          return;
        case SSL_ERROR_WANT_WRITE:
          waited = true;
          stream->socket_.async_wait(socket_type::wait_write, std::move(self));
          return;
        case SSL_ERROR_ZERO_RETURN:
          return Done(self, boost::asio::error::eof, 0);
        case SSL_ERROR_SYSCALL:
          stream->broken_ = true;
          ERR_clear_error();
          if (saved_errno != 0) {
            return Done(self, error_code(saved_errno, boost::asio::error::get_system_category()),
                        0);
          }
          return Done(self, boost::asio::error::eof, 0);
        default: {
          stream->broken_ = true;
          const unsigned long code = ERR_get_error();
          ERR_clear_error();
          if (code == 0) return Done(self, boost::asio::error::connection_aborted, 0);
          return Done(self, error_code(static_cast<int>(code), boost::asio::error::get_ssl_category()),
                      0);
        }
      }
    }

    template <class Self>
    void Done(Self& self, error_code ec, std::size_t n) {
      result = ec;
      bytes = n;
      if (waited) return Finish(self);
      // Completed inside the initiating call: post, as Asio's own streams do,
      // so that composed callers never recurse.
      posted = true;
      boost::asio::post(std::move(self));
    }

    template <class Self>
    void Finish(Self& self) {
      if constexpr (kind == kHandshake || kind == kShutdown) {
        self.complete(result);
      } else {
        self.complete(result, bytes);
      }
    }
  };

  socket_type socket_;
  SSL* ssl_ = nullptr;
  bool broken_ = false;  // a fatal TLS or socket error: no close_notify
};

}  // namespace quarry::net
