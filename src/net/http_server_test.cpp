#include "net/http_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "net/gzip.h"
#include "net/https_client.h"
#include "net/pki.h"
#include "net/net_test_support.h"

namespace quarry::net {
namespace {

using namespace std::chrono_literals;

constexpr size_t kBodyLimit = 1000;
constexpr size_t kInflatedLimit = 5000;
constexpr size_t kHeaderLimit = 2048;
// Larger than what loopback socket buffers absorb, so a client that never
// reads stalls the server's write.
constexpr size_t kBigResponse = 64 << 20;
// Shared with the other net tests (net_test_support.h): kPatience, TestRouter,
// WaitUntil, ConnectLoopback.
using test::ConnectLoopback;
using test::kPatience;
using test::TestRouter;
using test::WaitUntil;

// ---------------------------------------------------------------------------
// Fixture data shared by all tests: one generated PKI and a client certificate.

struct Pki {
  std::string root;
  PkiFiles files;
  std::string client_cert;
  std::string client_key;
};

Pki* g_pki = nullptr;

class PkiEnvironment : public testing::Environment {
 public:
  void SetUp() override {
    auto* pki = new Pki;
    std::string tmpl = testing::TempDir() + "/quarry_net_XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    pki->root = tmpl;
    auto files = EnsureServerPki(pki->root + "/pki", {});
    ASSERT_TRUE(files.has_value()) << files.error().message;
    pki->files = *files;
    pki->client_cert = pki->root + "/client.pem";
    pki->client_key = pki->root + "/client.key";
    auto issued = IssueClientCertificate(files->ca_cert, files->ca_key, "agent-1",
                                         pki->client_cert, pki->client_key);
    ASSERT_TRUE(issued.has_value()) << issued.error().message;
    g_pki = pki;
  }
  void TearDown() override {
    if (g_pki != nullptr) std::filesystem::remove_all(g_pki->root);
    delete g_pki;
    g_pki = nullptr;
  }
};

const testing::Environment* const kPkiEnv = testing::AddGlobalTestEnvironment(new PkiEnvironment);

// SHA-256 of a PEM certificate's DER, lower-case hex, computed independently
// of the server.
std::string CertSha256(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "r");
  if (f == nullptr) return "";
  X509* cert = PEM_read_X509(f, nullptr, nullptr, nullptr);
  std::fclose(f);
  if (cert == nullptr) return "";
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  X509_digest(cert, EVP_sha256(), md, &len);
  X509_free(cert);
  std::string hex;
  char buf[3];
  for (unsigned int i = 0; i < len; ++i) {
    std::snprintf(buf, sizeof(buf), "%02x", md[i]);
    hex += buf;
  }
  return hex;
}


// ---------------------------------------------------------------------------
// A router over a map, and the endpoints the tests use.


HttpResponse Text(std::string body) {
  HttpResponse r;
  r.content_type = "text/plain";
  r.body = std::move(body);
  return r;
}

// Replies that are parked by /later until the test releases them.
struct Parked {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::pair<std::string, Reply>> replies;  // (request body, reply)

  bool WaitForCount(size_t n) {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, kPatience, [&] { return replies.size() >= n; });
  }
};

class HttpServerTest : public testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NE(g_pki, nullptr);
    router_.Add("GET", "/hello", {[](HttpRequest&& req, Reply reply) {
                  HttpResponse r;
                  r.body = R"({"hello":"world"})";
                  r.headers.emplace_back("X-Query", req.query);
                  r.headers.emplace_back("X-Path", req.path);
                  reply(std::move(r));
                }});
    router_.Add("GET", "/whoami", {[](HttpRequest&& req, Reply reply) {
                  reply(Text(req.remote_address + "|" + req.client_cert_sha256 + "|" +
                             req.client_cert_subject));
                }});
    Endpoint echo{[](HttpRequest&& req, Reply reply) {
                    HttpResponse r = Text(req.body);
                    r.headers.emplace_back("X-Spare",
                                           std::to_string(req.body.capacity() - req.body.size()));
                    r.headers.emplace_back("X-Agent", std::string(req.Header("x-AGENT").value_or("")));
                    reply(std::move(r));
                  },
                  kBodyLimit, kInflatedLimit, /*accept_gzip=*/false};
    router_.Add("POST", "/echo", echo);
    echo.accept_gzip = true;
    router_.Add("POST", "/gz", echo);
    router_.Add("POST", "/later", {[this](HttpRequest&& req, Reply reply) {
                  std::lock_guard lock(parked_.mu);
                  parked_.replies.emplace_back(req.body, std::move(reply));
                  parked_.cv.notify_all();
                }});
    router_.Add("GET", "/close", {[](HttpRequest&&, Reply reply) {
                  HttpResponse r = Text("bye");
                  r.close = true;
                  reply(std::move(r));
                }});
    router_.Add("GET", "/big", {[](HttpRequest&&, Reply reply) {
                  reply(Text(std::string(kBigResponse, 'b')));
                }});
    router_.Add("GET", "/throw", {[](HttpRequest&&, Reply) { throw std::runtime_error("boom"); }});
  }

  void TearDown() override {
    if (server_) server_->Stop();
    for (auto& t : threads_) t.join();
  }

  ListenerOptions TlsListener() {
    ListenerOptions options;
    options.tls.cert_file = g_pki->files.server_cert;
    options.tls.key_file = g_pki->files.server_key;
    options.tls.client_ca_file = g_pki->files.ca_cert;
    options.limits.header_limit = kHeaderLimit;
    return options;
  }

  uint16_t Start(const ListenerOptions& options, unsigned threads = 2) {
    server_ = std::make_unique<HttpServer>(threads);
    auto port = server_->AddListener(options, router_);
    EXPECT_TRUE(port.has_value()) << port.error().message;
    server_->Start();
    return port.value_or(0);
  }

  ClientOptions Client(uint16_t port) {
    ClientOptions options;
    options.port = port;
    options.ca_file = g_pki->files.ca_cert;
    options.timeout = 5s;
    return options;
  }

  TestRouter router_;
  Parked parked_;
  std::unique_ptr<HttpServer> server_;
  std::vector<std::thread> threads_;
};

// ---------------------------------------------------------------------------
// Raw clients, for what HttpsClient cannot do: stall, send garbage.


struct RawResult {
  std::string data;
  bool closed = false;  // EOF or reset, as opposed to the receive timeout
};

// Sends `request` over plain TCP and reads until the server closes.
RawResult PlainExchange(uint16_t port, const std::string& request) {
  RawResult result;
  int fd = ConnectLoopback(port);
  if (fd < 0) return result;
  ::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  char buf[4096];
  for (;;) {
    ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
    if (n > 0) {
      result.data.append(buf, static_cast<size_t>(n));
      continue;
    }
    result.closed = n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK);
    break;
  }
  ::close(fd);
  return result;
}

// A TLS connection driven by hand with OpenSSL.
class RawTls {
 public:
  explicit RawTls(uint16_t port) {
    ctx_ = SSL_CTX_new(TLS_client_method());
    SSL_CTX_load_verify_locations(ctx_, g_pki->files.ca_cert.c_str(), nullptr);
    SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER, nullptr);
    fd_ = ConnectLoopback(port);
    if (fd_ < 0) return;
    ssl_ = SSL_new(ctx_);
    SSL_set_fd(ssl_, fd_);
    connected_ = SSL_connect(ssl_) == 1;
  }
  ~RawTls() {
    if (ssl_ != nullptr) SSL_free(ssl_);
    if (fd_ >= 0) ::close(fd_);
    SSL_CTX_free(ctx_);
  }
  bool connected() const { return connected_; }
  bool Write(const std::string& data) {
    return SSL_write(ssl_, data.data(), static_cast<int>(data.size())) ==
           static_cast<int>(data.size());
  }
  // Reads until the server closes; `closed` is false if the receive timeout hit.
  RawResult ReadUntilClosed() {
    RawResult result;
    char buf[4096];
    for (;;) {
      errno = 0;
      int n = SSL_read(ssl_, buf, sizeof(buf));
      if (n > 0) {
        result.data.append(buf, static_cast<size_t>(n));
        continue;
      }
      int err = SSL_get_error(ssl_, n);
      bool timed_out = (err == SSL_ERROR_SYSCALL || err == SSL_ERROR_WANT_READ) &&
                       (errno == EAGAIN || errno == EWOULDBLOCK);
      result.closed = !timed_out;
      ERR_clear_error();
      break;
    }
    return result;
  }

 private:
  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
  int fd_ = -1;
  bool connected_ = false;
};

// ---------------------------------------------------------------------------

TEST_F(HttpServerTest, GetAndPostRoundTrip) {
  uint16_t port = Start(TlsListener());
  ASSERT_NE(port, 0);
  HttpsClient client(Client(port));

  auto get = client.Request("GET", "/hello?x=1&y=2");
  ASSERT_TRUE(get.has_value()) << get.error().message;
  EXPECT_EQ(get->status, 200);
  EXPECT_EQ(get->body, R"({"hello":"world"})");
  EXPECT_EQ(get->Header("content-type").value_or(""), "application/json");
  EXPECT_EQ(get->Header("X-Query").value_or(""), "x=1&y=2");
  EXPECT_EQ(get->Header("x-path").value_or(""), "/hello");

  auto post = client.Post("/echo", R"({"a":1})", {{"X-Agent", "osquery"}});
  ASSERT_TRUE(post.has_value()) << post.error().message;
  EXPECT_EQ(post->status, 200);
  EXPECT_EQ(post->body, R"({"a":1})");
  EXPECT_EQ(post->Header("x-agent").value_or(""), "osquery");
  EXPECT_GE(std::stoul(std::string(post->Header("X-Spare").value_or("0"))), 64u);

  auto who = client.Request("GET", "/whoami");
  ASSERT_TRUE(who.has_value()) << who.error().message;
  EXPECT_EQ(who->body, "127.0.0.1||");  // no client certificate
}

TEST_F(HttpServerTest, KeepAliveReusesOneConnection) {
  uint16_t port = Start(TlsListener());
  HttpsClient client(Client(port));
  for (int i = 0; i < 3; ++i) {
    auto r = client.Post("/echo", "ping" + std::to_string(i));
    ASSERT_TRUE(r.has_value()) << r.error().message;
    EXPECT_EQ(r->body, "ping" + std::to_string(i));
  }
  EXPECT_EQ(client.connects(), 1);
  ServerStats stats = server_->Stats();
  EXPECT_EQ(stats.connections_total, 1u);
  EXPECT_EQ(stats.connections_open, 1u);
  EXPECT_EQ(stats.requests_total, 3u);
  client.Close();
  EXPECT_TRUE(WaitUntil([&] { return server_->Stats().connections_open == 0; }));
}

TEST_F(HttpServerTest, UnknownPathIs404Json) {
  uint16_t port = Start(TlsListener());
  HttpsClient client(Client(port));
  auto r = client.Request("GET", "/nope?q=1");
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(r->body, R"({"error":"not found"})");
  EXPECT_EQ(r->Header("Content-Type").value_or(""), "application/json");
  // A bodiless 404 keeps the connection.
  ASSERT_TRUE(client.Request("GET", "/hello").has_value());
  EXPECT_EQ(client.connects(), 1);
}

TEST_F(HttpServerTest, BodyLimitMinusOneLimitPlusOne) {
  uint16_t port = Start(TlsListener());
  HttpsClient client(Client(port));
  for (size_t n : {kBodyLimit - 1, kBodyLimit}) {
    auto r = client.Post("/echo", std::string(n, 'a'));
    ASSERT_TRUE(r.has_value()) << r.error().message;
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body.size(), n);
  }
  auto over = client.Post("/echo", std::string(kBodyLimit + 1, 'a'));
  ASSERT_TRUE(over.has_value()) << over.error().message;
  EXPECT_EQ(over->status, 413);
  EXPECT_EQ(over->Header("Content-Type").value_or(""), "application/json");
  EXPECT_EQ(over->body.rfind(R"({"error":")", 0), 0u) << over->body;
  // The unread body made the server close; the next request reconnects.
  auto after = client.Request("GET", "/hello");
  ASSERT_TRUE(after.has_value()) << after.error().message;
  EXPECT_EQ(client.connects(), 2);
}

TEST_F(HttpServerTest, ChunkedBodyOverLimitIs413) {
  ListenerOptions options = TlsListener();
  options.tls.enabled = false;
  uint16_t port = Start(options);
  auto chunk = [](size_t n) {
    char size[32];
    std::snprintf(size, sizeof(size), "%zx\r\n", n);
    return std::string(size) + std::string(n, 'c') + "\r\n";
  };
  std::string head = "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
  RawResult ok = PlainExchange(port, head + chunk(600) + chunk(kBodyLimit - 600) + "0\r\n\r\n" +
                                         "GET /close HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(ok.data.rfind("HTTP/1.1 200", 0), 0u) << ok.data;
  RawResult over = PlainExchange(port, head + chunk(600) + chunk(kBodyLimit - 599) + "0\r\n\r\n");
  EXPECT_TRUE(over.closed);
  EXPECT_EQ(over.data.rfind("HTTP/1.1 413", 0), 0u) << over.data;
  EXPECT_NE(over.data.find(R"({"error":")"), std::string::npos) << over.data;
}

TEST_F(HttpServerTest, HeaderOverLimitIs413Json) {
  uint16_t port = Start(TlsListener());
  HttpsClient client(Client(port));
  auto fits = client.Request("GET", "/hello", {}, {{"X-Pad", std::string(kHeaderLimit / 2, 'p')}});
  ASSERT_TRUE(fits.has_value()) << fits.error().message;
  EXPECT_EQ(fits->status, 200);
  auto over = client.Request("GET", "/hello", {}, {{"X-Pad", std::string(kHeaderLimit, 'p')}});
  ASSERT_TRUE(over.has_value()) << over.error().message;
  EXPECT_EQ(over->status, 413);
  EXPECT_EQ(over->body.rfind(R"({"error":")", 0), 0u) << over->body;
}

TEST_F(HttpServerTest, HeaderLimitIsExactOnTheWire) {
  ListenerOptions options = TlsListener();
  options.tls.enabled = false;
  uint16_t port = Start(options);
  // A request whose header (request line through the blank line) is `size` bytes.
  auto request_of_size = [](size_t size) {
    std::string head = "GET /close HTTP/1.1\r\nHost: x\r\nX-Pad: ";
    std::string tail = "\r\n\r\n";
    return head + std::string(size - head.size() - tail.size(), 'p') + tail;
  };
  for (size_t size : {kHeaderLimit - 1, kHeaderLimit}) {
    RawResult r = PlainExchange(port, request_of_size(size));
    EXPECT_EQ(r.data.rfind("HTTP/1.1 200", 0), 0u) << size << ": " << r.data;
  }
  RawResult over = PlainExchange(port, request_of_size(kHeaderLimit + 1));
  EXPECT_EQ(over.data.rfind("HTTP/1.1 413", 0), 0u) << over.data;
  EXPECT_TRUE(over.closed);
}

TEST_F(HttpServerTest, GzipBodies) {
  uint16_t port = Start(TlsListener());
  HttpsClient client(Client(port));
  const HeaderList gzip = {{"Content-Encoding", "gzip"}};

  // Accepted and inflated: the wire body is small, the inflated one larger
  // than the wire limit but within the inflated limit.
  std::string big(kInflatedLimit, 'z');
  auto ok = client.Post("/gz", Gzip(big), gzip);
  ASSERT_TRUE(ok.has_value()) << ok.error().message;
  EXPECT_EQ(ok->status, 200);
  EXPECT_EQ(ok->body, big);
  EXPECT_GE(std::stoul(std::string(ok->Header("X-Spare").value_or("0"))), 64u);

  auto too_big = client.Post("/gz", Gzip(big + "z"), gzip);
  ASSERT_TRUE(too_big.has_value()) << too_big.error().message;
  EXPECT_EQ(too_big->status, 413);
  EXPECT_EQ(too_big->body.rfind(R"({"error":")", 0), 0u);

  auto bad = client.Post("/gz", "this is not gzip", gzip);
  ASSERT_TRUE(bad.has_value()) << bad.error().message;
  EXPECT_EQ(bad->status, 400);
  EXPECT_EQ(bad->body.rfind(R"({"error":")", 0), 0u);

  auto refused = client.Post("/echo", Gzip("{}"), gzip);
  ASSERT_TRUE(refused.has_value()) << refused.error().message;
  EXPECT_EQ(refused->status, 415);
  EXPECT_EQ(refused->body.rfind(R"({"error":")", 0), 0u);

  auto unknown = client.Post("/gz", "{}", {{"Content-Encoding", "br"}});
  ASSERT_TRUE(unknown.has_value()) << unknown.error().message;
  EXPECT_EQ(unknown->status, 415);

  auto identity = client.Post("/echo", "{}", {{"Content-Encoding", "identity"}});
  ASSERT_TRUE(identity.has_value()) << identity.error().message;
  EXPECT_EQ(identity->status, 200);
}

TEST_F(HttpServerTest, HandlerRepliesFromAnotherThread) {
  uint16_t port = Start(TlsListener());
  auto pending = std::async(std::launch::async, [&] {
    HttpsClient client(Client(port));
    return client.Post("/later", "payload");
  });
  ASSERT_TRUE(parked_.WaitForCount(1));
  Reply reply;
  std::string body;
  {
    std::lock_guard lock(parked_.mu);
    body = parked_.replies[0].first;
    reply = parked_.replies[0].second;
  }
  threads_.emplace_back([reply, body] {
    reply(Text("later:" + body));
    reply(Text("a second reply is ignored"));
  });
  ASSERT_EQ(pending.wait_for(kPatience), std::future_status::ready);
  auto r = pending.get();
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "later:payload");
}

TEST_F(HttpServerTest, ThrowingHandlerGets500AndServerSurvives) {
  uint16_t port = Start(TlsListener());
  HttpsClient client(Client(port));
  auto r = client.Request("GET", "/throw");
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->status, 500);
  auto next = client.Request("GET", "/hello");
  ASSERT_TRUE(next.has_value()) << next.error().message;
  EXPECT_EQ(next->status, 200);
}

TEST_F(HttpServerTest, ResponseCloseIsHonoured) {
  uint16_t port = Start(TlsListener());
  HttpsClient client(Client(port));
  auto r = client.Request("GET", "/close");
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->Header("Connection").value_or(""), "close");
  ASSERT_TRUE(client.Request("GET", "/hello").has_value());
  EXPECT_EQ(client.connects(), 2);
}

TEST_F(HttpServerTest, NegotiatesTls12AndTls13) {
  uint16_t port = Start(TlsListener());
  ClientOptions only12 = Client(port);
  only12.max_tls_version = 12;
  HttpsClient c12(only12);
  ASSERT_TRUE(c12.Request("GET", "/hello").has_value());
  EXPECT_EQ(c12.tls_version(), "TLSv1.2");

  ClientOptions only13 = Client(port);
  only13.min_tls_version = 13;
  HttpsClient c13(only13);
  ASSERT_TRUE(c13.Request("GET", "/hello").has_value());
  EXPECT_EQ(c13.tls_version(), "TLSv1.3");

  HttpsClient any(Client(port));
  ASSERT_TRUE(any.Request("GET", "/hello").has_value());
  EXPECT_EQ(any.tls_version(), "TLSv1.3");
}

TEST_F(HttpServerTest, ClientVerifiesServerName) {
  uint16_t port = Start(TlsListener());
  ClientOptions by_name = Client(port);
  by_name.verify_name = "localhost";  // connects to 127.0.0.1, verifies and sends SNI "localhost"
  HttpsClient good(by_name);
  ASSERT_TRUE(good.Request("GET", "/hello").has_value());

  ClientOptions wrong = Client(port);
  wrong.verify_name = "not-this-server.example";
  HttpsClient bad(wrong);
  auto r = bad.Request("GET", "/hello");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kIo);
}

TEST_F(HttpServerTest, MutualTlsRequired) {
  ListenerOptions options = TlsListener();
  options.tls.client_cert_mode = ClientCertMode::kRequired;
  uint16_t port = Start(options);

  HttpsClient anonymous(Client(port));
  auto refused = anonymous.Request("GET", "/whoami");
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, ErrorCode::kIo);
  EXPECT_TRUE(WaitUntil([&] { return server_->Stats().handshake_failures >= 1; }));

  ClientOptions with_cert = Client(port);
  with_cert.client_cert_file = g_pki->client_cert;
  with_cert.client_key_file = g_pki->client_key;
  HttpsClient agent(with_cert);
  auto r = agent.Request("GET", "/whoami");
  ASSERT_TRUE(r.has_value()) << r.error().message;
  std::string expected_sha = CertSha256(g_pki->client_cert);
  ASSERT_EQ(expected_sha.size(), 64u);
  EXPECT_EQ(r->body.substr(0, r->body.find('|', 10) + 1), "127.0.0.1|" + expected_sha + "|");
  EXPECT_NE(r->body.find("CN=agent-1"), std::string::npos) << r->body;
}

TEST_F(HttpServerTest, MutualTlsOptional) {
  ListenerOptions options = TlsListener();
  options.tls.client_cert_mode = ClientCertMode::kOptional;
  uint16_t port = Start(options);

  HttpsClient anonymous(Client(port));
  auto a = anonymous.Request("GET", "/whoami");
  ASSERT_TRUE(a.has_value()) << a.error().message;
  EXPECT_EQ(a->body, "127.0.0.1||");

  ClientOptions with_cert = Client(port);
  with_cert.client_cert_file = g_pki->client_cert;
  with_cert.client_key_file = g_pki->client_key;
  HttpsClient agent(with_cert);
  auto b = agent.Request("GET", "/whoami");
  ASSERT_TRUE(b.has_value()) << b.error().message;
  EXPECT_NE(b->body.find(CertSha256(g_pki->client_cert)), std::string::npos) << b->body;
}

TEST_F(HttpServerTest, PlainHttpListener) {
  ListenerOptions options = TlsListener();
  options.tls.enabled = false;
  uint16_t port = Start(options);
  ClientOptions plain = Client(port);
  plain.tls = false;
  HttpsClient client(plain);
  for (int i = 0; i < 3; ++i) {
    auto r = client.Post("/echo", "x");
    ASSERT_TRUE(r.has_value()) << r.error().message;
    EXPECT_EQ(r->body, "x");
  }
  EXPECT_EQ(client.connects(), 1);
  EXPECT_EQ(client.tls_version(), "");
}

TEST_F(HttpServerTest, MalformedRequestIs400ThenClose) {
  ListenerOptions options = TlsListener();
  options.tls.enabled = false;
  uint16_t port = Start(options);
  RawResult r = PlainExchange(port, "GET /hello HTTP/1.1\r\nBad Header\r\n\r\n");
  EXPECT_TRUE(r.closed);
  EXPECT_EQ(r.data.rfind("HTTP/1.1 400", 0), 0u) << r.data;
  EXPECT_NE(r.data.find(R"({"error":")"), std::string::npos) << r.data;
}

TEST_F(HttpServerTest, ExpectContinue) {
  ListenerOptions options = TlsListener();
  options.tls.enabled = false;
  uint16_t port = Start(options);
  int fd = ConnectLoopback(port);
  ASSERT_GE(fd, 0);
  std::string head =
      "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n"
      "Connection: close\r\n\r\n";
  ::send(fd, head.data(), head.size(), MSG_NOSIGNAL);
  char buf[4096];
  ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
  ASSERT_GT(n, 0);
  EXPECT_EQ(std::string(buf, static_cast<size_t>(n)), "HTTP/1.1 100 Continue\r\n\r\n");
  ::send(fd, "hello", 5, MSG_NOSIGNAL);
  std::string rest;
  while ((n = ::recv(fd, buf, sizeof(buf), 0)) > 0) rest.append(buf, static_cast<size_t>(n));
  ::close(fd);
  EXPECT_EQ(rest.rfind("HTTP/1.1 200", 0), 0u) << rest;
  EXPECT_EQ(rest.substr(rest.size() - 5), "hello");
}

TEST_F(HttpServerTest, SlowClientIsClosedAfterReadTimeout) {
  ListenerOptions options = TlsListener();
  options.limits.read_timeout = 300ms;
  uint16_t port = Start(options);

  RawTls slow(port);
  ASSERT_TRUE(slow.connected());
  auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(slow.Write("GET /hello HTTP/1.1\r\nHost: loc"));  // half a header, then nothing

  // Another client is served while the slow one stalls.
  HttpsClient other(Client(port));
  auto r = other.Request("GET", "/hello");
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->status, 200);

  RawResult result = slow.ReadUntilClosed();
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_TRUE(result.closed);
  EXPECT_TRUE(result.data.empty()) << result.data;
  EXPECT_GE(elapsed, 250ms);
  EXPECT_LT(elapsed, 5s);
  EXPECT_TRUE(WaitUntil([&] { return server_->Stats().timeouts >= 1; }));
}

TEST_F(HttpServerTest, SilentConnectionIsClosedAfterHandshakeTimeout) {
  ListenerOptions options = TlsListener();
  options.limits.handshake_timeout = 300ms;
  uint16_t port = Start(options);
  int fd = ConnectLoopback(port);
  ASSERT_GE(fd, 0);
  char buf[64];
  auto start = std::chrono::steady_clock::now();
  ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
  auto elapsed = std::chrono::steady_clock::now() - start;
  ::close(fd);
  EXPECT_EQ(n, 0);  // EOF, not the receive timeout
  EXPECT_LT(elapsed, 5s);
  EXPECT_TRUE(WaitUntil([&] { return server_->Stats().handshake_failures >= 1; }));
}

TEST_F(HttpServerTest, ClientThatDoesNotReadIsClosedAfterWriteTimeout) {
  ListenerOptions options = TlsListener();
  options.tls.enabled = false;
  options.limits.write_timeout = 300ms;
  uint16_t port = Start(options);
  int fd = ConnectLoopback(port);
  ASSERT_GE(fd, 0);
  // Ask for a response far larger than the loopback socket buffers, then never read.
  std::string request = "GET /big HTTP/1.1\r\nHost: x\r\n\r\n";
  ::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  EXPECT_TRUE(WaitUntil([&] { return server_->Stats().timeouts >= 1; }));
  EXPECT_TRUE(WaitUntil([&] { return server_->Stats().connections_open == 0; }));
  ::close(fd);
}

TEST_F(HttpServerTest, IdleConnectionIsClosedAndClientReconnectsOnce) {
  ListenerOptions options = TlsListener();
  options.limits.idle_timeout = 200ms;
  uint16_t port = Start(options);
  HttpsClient client(Client(port));
  ASSERT_TRUE(client.Request("GET", "/hello").has_value());
  // The server drops the idle connection; the client still believes it open.
  ASSERT_TRUE(WaitUntil([&] { return server_->Stats().connections_open == 0; }));
  auto r = client.Post("/echo", "again");
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->body, "again");
  EXPECT_EQ(client.connects(), 2);
  EXPECT_GE(server_->Stats().timeouts, 1u);
}

TEST_F(HttpServerTest, ClientTimesOutWithoutRetry) {
  uint16_t port = Start(TlsListener());
  ClientOptions options = Client(port);
  options.timeout = 300ms;
  HttpsClient client(options);
  ASSERT_TRUE(client.Request("GET", "/hello").has_value());
  auto start = std::chrono::steady_clock::now();
  auto r = client.Post("/later", "never answered in time");
  auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kDeadlineExceeded);
  EXPECT_LT(elapsed, 3s);
  EXPECT_EQ(client.connects(), 1);  // no retry after a timeout
  {
    std::lock_guard lock(parked_.mu);
    EXPECT_EQ(parked_.replies.size(), 1u);
  }
}

TEST_F(HttpServerTest, MaxConnectionsAcceptsAndCloses) {
  ListenerOptions options = TlsListener();
  options.limits.max_connections = 1;
  uint16_t port = Start(options);
  auto first = std::make_unique<HttpsClient>(Client(port));
  ASSERT_TRUE(first->Request("GET", "/hello").has_value());

  HttpsClient second(Client(port));
  auto refused = second.Request("GET", "/hello");
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, ErrorCode::kIo);

  first.reset();
  ASSERT_TRUE(WaitUntil([&] { return server_->Stats().connections_open == 0; }));
  auto ok = second.Request("GET", "/hello");
  ASSERT_TRUE(ok.has_value()) << ok.error().message;
}

TEST_F(HttpServerTest, FiftyConcurrentKeepAliveClients) {
  uint16_t port = Start(TlsListener());
  constexpr int kClients = 50;
  constexpr int kRequests = 20;
  std::atomic<int> ok{0};
  std::atomic<int> single_connection{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      ClientOptions options = Client(port);
      options.timeout = 30s;  // 2 shared cores, 50 handshakes at once
      HttpsClient client(options);
      for (int i = 0; i < kRequests; ++i) {
        std::string body = std::to_string(c) + ":" + std::to_string(i);
        auto r = client.Post("/echo", body);
        if (r.has_value() && r->status == 200 && r->body == body) ++ok;
      }
      if (client.connects() == 1) ++single_connection;
    });
  }
  for (auto& t : clients) t.join();
  EXPECT_EQ(ok.load(), kClients * kRequests);
  EXPECT_EQ(single_connection.load(), kClients);
  EXPECT_EQ(server_->Stats().requests_total, static_cast<uint64_t>(kClients * kRequests));
  EXPECT_EQ(server_->Stats().connections_total, static_cast<uint64_t>(kClients));
}

TEST_F(HttpServerTest, StopIsBoundedWithPendingHandlersAndIdleConnections) {
  uint16_t port = Start(TlsListener());
  HttpsClient idle(Client(port));
  ASSERT_TRUE(idle.Request("GET", "/hello").has_value());
  auto pending = std::async(std::launch::async, [&] {
    HttpsClient client(Client(port));
    return client.Post("/later", "stuck");
  });
  ASSERT_TRUE(parked_.WaitForCount(1));

  auto start = std::chrono::steady_clock::now();
  server_->Stop();
  server_->Stop();  // idempotent
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
  EXPECT_EQ(server_->Stats().connections_open, 0u);

  ASSERT_EQ(pending.wait_for(kPatience), std::future_status::ready);
  EXPECT_FALSE(pending.get().has_value());

  // Replying after the server is gone is harmless.
  server_.reset();
  std::lock_guard lock(parked_.mu);
  parked_.replies[0].second(Text("too late"));
}

TEST_F(HttpServerTest, AddListenerErrors) {
  HttpServer server(1);
  ListenerOptions bad_cert = TlsListener();
  bad_cert.tls.cert_file = g_pki->root + "/missing.pem";
  auto r1 = server.AddListener(bad_cert, router_);
  ASSERT_FALSE(r1.has_value());
  EXPECT_EQ(r1.error().code, ErrorCode::kInvalidArgument);

  ListenerOptions bad_address = TlsListener();
  bad_address.address = "not an address";
  EXPECT_FALSE(server.AddListener(bad_address, router_).has_value());

  auto ok = server.AddListener(TlsListener(), router_);
  ASSERT_TRUE(ok.has_value()) << ok.error().message;
  ListenerOptions same_port = TlsListener();
  same_port.port = *ok;
  auto busy = server.AddListener(same_port, router_);
  ASSERT_FALSE(busy.has_value());
  EXPECT_EQ(busy.error().code, ErrorCode::kIo);
  // Never started: Stop (and the destructor) must still return.
  server.Stop();
}

}  // namespace
}  // namespace quarry::net
