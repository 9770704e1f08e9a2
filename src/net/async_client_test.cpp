#include "net/async_client.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "net/client_loop.h"
#include "net/http_server.h"
#include "net/net_test_support.h"

namespace quarry::net {
namespace {

using namespace std::chrono_literals;
using test::kPatience;
using test::Latch;
using test::SharedPki;
using test::WaitUntil;

// ---------------------------------------------------------------------------
// ClientLoop on its own.

TEST(ClientLoopTest, PostRunsOnALoopThread) {
  ClientLoop loop(2);
  EXPECT_EQ(loop.threads(), 2u);
  loop.Start();
  std::promise<std::thread::id> ran;
  loop.Post([&] { ran.set_value(std::this_thread::get_id()); });
  auto future = ran.get_future();
  ASSERT_EQ(future.wait_for(kPatience), std::future_status::ready);
  EXPECT_NE(future.get(), std::this_thread::get_id());
}

TEST(ClientLoopTest, PostBeforeStartRunsAfterStart) {
  ClientLoop loop(1);
  std::promise<void> ran;
  loop.Post([&] { ran.set_value(); });
  loop.Start();
  EXPECT_EQ(ran.get_future().wait_for(kPatience), std::future_status::ready);
}

TEST(ClientLoopTest, AfterWaitsAndCancelPrevents) {
  ClientLoop loop(2);
  loop.Start();
  const auto start = std::chrono::steady_clock::now();
  std::promise<std::chrono::steady_clock::duration> fired;
  std::atomic<bool> cancelled_ran{false};
  const uint64_t cancelled = loop.After(100ms, [&] { cancelled_ran = true; });
  const uint64_t kept = loop.After(150ms, [&] { fired.set_value(std::chrono::steady_clock::now() - start); });
  EXPECT_NE(cancelled, 0u);
  EXPECT_NE(kept, cancelled);
  loop.Cancel(cancelled);
  loop.Cancel(cancelled);   // twice: ignored
  loop.Cancel(123456789);   // unknown: ignored
  auto future = fired.get_future();
  ASSERT_EQ(future.wait_for(kPatience), std::future_status::ready);
  EXPECT_GE(future.get(), 150ms);
  // The cancelled timer was due before the kept one: had it run, it would have.
  EXPECT_FALSE(cancelled_ran.load());
  loop.Cancel(kept);  // already fired: ignored
}

TEST(ClientLoopTest, StopCancelsTimersAndIgnoresLaterWork) {
  ClientLoop loop(2);
  loop.Start();
  std::atomic<bool> timer_ran{false};
  loop.After(1h, [&] { timer_ran = true; });
  const auto start = std::chrono::steady_clock::now();
  loop.Stop();
  loop.Stop();  // idempotent
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
  EXPECT_FALSE(timer_ran.load());
  EXPECT_EQ(loop.After(1ms, [] {}), 0u);
  loop.Post([] { FAIL() << "ran after Stop"; });
}

TEST(ClientLoopTest, NeverStartedLoopStops) {
  ClientLoop loop(1);
  std::atomic<bool> ran{false};
  loop.Post([&] { ran = true; });
  loop.Stop();  // drains on this thread
  EXPECT_TRUE(ran.load());
}

// ---------------------------------------------------------------------------
// AsyncHttpsClient against a local HttpServer.

// Replies parked by /later until the test (or nobody) releases them.
struct Parked {
  std::mutex mu;
  std::vector<Reply> replies;
};

class AsyncClientTest : public testing::Test {
 protected:
  void SetUp() override {
    router_.Add("POST", "/echo", {[](HttpRequest&& req, Reply reply) {
                  HttpResponse r;
                  r.content_type = "text/plain";
                  r.body = req.body;
                  r.headers.emplace_back("X-Host", std::string(req.Header("host").value_or("")));
                  reply(std::move(r));
                }});
    router_.Add("GET", "/hello", {[](HttpRequest&&, Reply reply) {
                  HttpResponse r;
                  r.body = R"({"hello":"world"})";
                  reply(std::move(r));
                }});
    router_.Add("POST", "/later", {[this](HttpRequest&&, Reply reply) {
                  std::lock_guard lock(parked_.mu);
                  parked_.replies.push_back(std::move(reply));
                }});
    router_.Add("GET", "/close", {[](HttpRequest&&, Reply reply) {
                  HttpResponse r;
                  r.body = "bye";
                  r.close = true;
                  reply(std::move(r));
                }});
    loop_ = std::make_unique<ClientLoop>(2);
    loop_->Start();
  }

  void TearDown() override {
    loop_->Stop();
    if (server_) server_->Stop();
  }

  uint16_t StartServer(ConnectionLimits limits = {}, bool tls = true) {
    ListenerOptions options;
    options.tls.enabled = tls;
    options.tls.cert_file = SharedPki().files.server_cert;
    options.tls.key_file = SharedPki().files.server_key;
    options.limits = limits;
    server_ = std::make_unique<HttpServer>(2);
    auto port = server_->AddListener(options, router_);
    EXPECT_TRUE(port.has_value()) << port.error().message;
    server_->Start();
    return port.value_or(0);
  }

  ClientOptions Options(uint16_t port) {
    ClientOptions options;
    options.port = port;
    options.ca_file = SharedPki().files.ca_cert;
    options.timeout = 5s;
    return options;
  }

  std::shared_ptr<ClientTlsContext> Tls(const ClientOptions& options) {
    auto tls = ClientTlsContext::Create(options);
    EXPECT_TRUE(tls.has_value()) << tls.error().message;
    return tls.value_or(nullptr);
  }

  // One request, waited for.
  static Result<ClientResponse> Call(AsyncHttpsClient& client, std::string method,
                                     std::string target, std::string body = {}) {
    auto promise = std::make_shared<std::promise<Result<ClientResponse>>>();
    auto future = promise->get_future();
    client.Request(std::move(method), std::move(target), std::move(body), {},
                   [promise](Result<ClientResponse> r) { promise->set_value(std::move(r)); });
    if (future.wait_for(kPatience) != std::future_status::ready) {
      return Fail(ErrorCode::kInternal, "test: no completion within patience");
    }
    return future.get();
  }

  test::TestRouter router_;
  Parked parked_;
  std::unique_ptr<HttpServer> server_;
  std::unique_ptr<ClientLoop> loop_;
};

TEST_F(AsyncClientTest, ManyClientsManyRequestsInOrder) {
  uint16_t port = StartServer();
  ClientOptions options = Options(port);
  options.timeout = 30s;  // 2 shared cores, many handshakes at once
  auto tls = Tls(options);
  constexpr int kClients = 40;
  constexpr int kRequests = 15;
  std::vector<std::shared_ptr<AsyncHttpsClient>> clients;
  std::mutex mu;
  std::map<int, std::vector<std::string>> seen;  // client -> bodies, in completion order
  std::atomic<int> failures{0};
  Latch all(kClients * kRequests);
  for (int c = 0; c < kClients; ++c) {
    clients.push_back(AsyncHttpsClient::Create(*loop_, options, tls));
    // Every request queued at once: they must still go out one at a time, in order.
    for (int i = 0; i < kRequests; ++i) {
      std::string body = std::to_string(c) + ":" + std::to_string(i);
      clients.back()->Request("POST", "/echo", body, {{"X-Seq", std::to_string(i)}},
                              [&, c, body](Result<ClientResponse> r) {
                                if (!r || r->status != 200 || r->body != body) ++failures;
                                {
                                  std::lock_guard lock(mu);
                                  seen[c].push_back(r ? r->body : r.error().message);
                                }
                                all.CountDown();
                              });
    }
  }
  ASSERT_TRUE(all.Wait(60s));
  EXPECT_EQ(failures.load(), 0);
  for (int c = 0; c < kClients; ++c) {
    ASSERT_EQ(seen[c].size(), static_cast<size_t>(kRequests));
    for (int i = 0; i < kRequests; ++i) {
      EXPECT_EQ(seen[c][i], std::to_string(c) + ":" + std::to_string(i));
    }
    EXPECT_EQ(clients[c]->connects(), 1u) << c;
  }
  EXPECT_EQ(server_->Stats().connections_total, static_cast<uint64_t>(kClients));
  EXPECT_EQ(server_->Stats().requests_total, static_cast<uint64_t>(kClients * kRequests));
}

TEST_F(AsyncClientTest, SendsHostAndVerifiesByName) {
  uint16_t port = StartServer();
  ClientOptions options = Options(port);
  options.verify_name = "localhost";  // connect to 127.0.0.1, verify and send SNI "localhost"
  auto client = AsyncHttpsClient::Create(*loop_, options, Tls(options));
  auto r = Call(*client, "POST", "/echo", "x");
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->Header("X-Host").value_or(""), "localhost:" + std::to_string(port));

  ClientOptions wrong = Options(port);
  wrong.verify_name = "not-this-server.example";
  auto bad = AsyncHttpsClient::Create(*loop_, wrong, Tls(wrong));
  auto refused = Call(*bad, "GET", "/hello");
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, ErrorCode::kIo);
  EXPECT_EQ(bad->connects(), 0u);
}

TEST_F(AsyncClientTest, ReconnectsWhenTheServerClosedTheIdleConnection) {
  ConnectionLimits limits;
  limits.idle_timeout = 200ms;
  uint16_t port = StartServer(limits);
  ClientOptions options = Options(port);
  auto client = AsyncHttpsClient::Create(*loop_, options, Tls(options));
  auto first = Call(*client, "GET", "/hello");
  ASSERT_TRUE(first.has_value()) << first.error().message;
  // The server drops the idle connection; the client still holds it.
  ASSERT_TRUE(WaitUntil([&] { return server_->Stats().connections_open == 0; }));
  auto second = Call(*client, "POST", "/echo", "again");
  ASSERT_TRUE(second.has_value()) << second.error().message;
  EXPECT_EQ(second->body, "again");
  EXPECT_EQ(client->connects(), 2u);
  EXPECT_EQ(server_->Stats().requests_total, 2u);  // sent once on the live connection
}

TEST_F(AsyncClientTest, ConnectionCloseFromTheServerIsHonoured) {
  uint16_t port = StartServer();
  ClientOptions options = Options(port);
  auto client = AsyncHttpsClient::Create(*loop_, options, Tls(options));
  auto bye = Call(*client, "GET", "/close");
  ASSERT_TRUE(bye.has_value()) << bye.error().message;
  EXPECT_EQ(bye->body, "bye");
  auto next = Call(*client, "GET", "/hello");
  ASSERT_TRUE(next.has_value()) << next.error().message;
  EXPECT_EQ(client->connects(), 2u);
}

TEST_F(AsyncClientTest, DeadlineExceededThenRecovers) {
  uint16_t port = StartServer();
  ClientOptions options = Options(port);
  options.timeout = 300ms;
  auto client = AsyncHttpsClient::Create(*loop_, options, Tls(options));
  const auto start = std::chrono::steady_clock::now();
  auto r = Call(*client, "POST", "/later", "never answered");
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kDeadlineExceeded) << r.error().message;
  EXPECT_GE(elapsed, 250ms);
  EXPECT_LT(elapsed, 3s);
  {
    std::lock_guard lock(parked_.mu);
    EXPECT_EQ(parked_.replies.size(), 1u);  // not retried after a timeout
  }
  // The timed-out connection was dropped; the next request reconnects.
  auto next = Call(*client, "GET", "/hello");
  ASSERT_TRUE(next.has_value()) << next.error().message;
  EXPECT_EQ(client->connects(), 2u);
}

TEST_F(AsyncClientTest, HandshakeDeadline) {
  // A socket that listens but never accepts: the kernel completes the TCP
  // handshake, nobody ever answers the ClientHello.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(::listen(fd, 16), 0);
  socklen_t len = sizeof(addr);
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  ClientOptions options = Options(ntohs(addr.sin_port));
  options.timeout = 300ms;
  auto client = AsyncHttpsClient::Create(*loop_, options, Tls(options));
  const auto start = std::chrono::steady_clock::now();
  auto r = Call(*client, "GET", "/hello");
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ::close(fd);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kDeadlineExceeded) << r.error().message;
  EXPECT_GE(elapsed, 250ms);
  EXPECT_LT(elapsed, 3s);
}

TEST_F(AsyncClientTest, TlsAgainstAPlainServerFailsPromptly) {
  uint16_t port = StartServer({}, /*tls=*/false);
  ClientOptions options = Options(port);
  auto client = AsyncHttpsClient::Create(*loop_, options, Tls(options));
  const auto start = std::chrono::steady_clock::now();
  auto r = Call(*client, "GET", "/hello");
  ASSERT_FALSE(r.has_value());
  // The plain server answers the ClientHello with a 400 and closes.
  EXPECT_EQ(r.error().code, ErrorCode::kIo) << r.error().message;
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
}

TEST_F(AsyncClientTest, WrongCaFailsVerification) {
  uint16_t port = StartServer();
  ClientOptions options = Options(port);
  options.ca_file = test::OtherPki().files.ca_cert;
  auto client = AsyncHttpsClient::Create(*loop_, options, Tls(options));
  const auto start = std::chrono::steady_clock::now();
  auto r = Call(*client, "GET", "/hello");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kIo);
  EXPECT_NE(r.error().message.find("certificate"), std::string::npos) << r.error().message;
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
  EXPECT_EQ(client->connects(), 0u);
}

TEST_F(AsyncClientTest, TlsContextErrors) {
  ClientOptions options = Options(1);
  options.ca_file = "/nonexistent/ca.pem";
  auto missing = ClientTlsContext::Create(options);
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code, ErrorCode::kInvalidArgument);
  options.ca_file.clear();
  EXPECT_FALSE(ClientTlsContext::Create(options).has_value());
  options.ca_file = SharedPki().files.ca_cert;
  options.min_tls_version = 13;
  options.max_tls_version = 12;
  EXPECT_FALSE(ClientTlsContext::Create(options).has_value());

  // TLS without a context fails the request instead of crashing.
  auto client = AsyncHttpsClient::Create(*loop_, Options(1), nullptr);
  auto r = Call(*client, "GET", "/hello");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
}

TEST_F(AsyncClientTest, PlainHttp) {
  uint16_t port = StartServer({}, /*tls=*/false);
  ClientOptions options = Options(port);
  options.tls = false;
  auto client = AsyncHttpsClient::Create(*loop_, options, nullptr);
  for (int i = 0; i < 3; ++i) {
    auto r = Call(*client, "POST", "/echo", std::to_string(i));
    ASSERT_TRUE(r.has_value()) << r.error().message;
    EXPECT_EQ(r->body, std::to_string(i));
  }
  EXPECT_EQ(client->connects(), 1u);
}

TEST_F(AsyncClientTest, RefusedConnectionIsAnError) {
  uint16_t port = StartServer();
  server_->Stop();  // the port is closed now
  ClientOptions options = Options(port);
  auto client = AsyncHttpsClient::Create(*loop_, options, Tls(options));
  auto r = Call(*client, "GET", "/hello");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kIo);
}

TEST_F(AsyncClientTest, DroppingTheHandleDoesNotCancel) {
  uint16_t port = StartServer();
  ClientOptions options = Options(port);
  auto promise = std::make_shared<std::promise<Result<ClientResponse>>>();
  {
    auto client = AsyncHttpsClient::Create(*loop_, options, Tls(options));
    client->Request("POST", "/echo", "kept alive", {},
                    [promise](Result<ClientResponse> r) { promise->set_value(std::move(r)); });
  }
  auto future = promise->get_future();
  ASSERT_EQ(future.wait_for(kPatience), std::future_status::ready);
  auto r = future.get();
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->body, "kept alive");
  // Once done, the client is gone and its connection closed.
  EXPECT_TRUE(WaitUntil([&] { return server_->Stats().connections_open == 0; }));
}

TEST_F(AsyncClientTest, CloseFailsQueuedAndInFlightRequests) {
  uint16_t port = StartServer();
  ClientOptions options = Options(port);
  auto client = AsyncHttpsClient::Create(*loop_, options, Tls(options));
  constexpr int kRequests = 4;
  std::vector<std::future<Result<ClientResponse>>> futures;
  for (int i = 0; i < kRequests; ++i) {
    auto promise = std::make_shared<std::promise<Result<ClientResponse>>>();
    futures.push_back(promise->get_future());
    client->Request("POST", "/later", "x", {},
                    [promise](Result<ClientResponse> r) { promise->set_value(std::move(r)); });
  }
  ASSERT_TRUE(WaitUntil([&] {
    std::lock_guard lock(parked_.mu);
    return parked_.replies.size() == 1;  // the first is in flight, the rest queued
  }));
  client->Close();
  for (auto& f : futures) {
    ASSERT_EQ(f.wait_for(kPatience), std::future_status::ready);
    auto r = f.get();
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, ErrorCode::kUnavailable);
  }
  auto after = Call(*client, "GET", "/hello");
  ASSERT_FALSE(after.has_value());
  EXPECT_EQ(after.error().code, ErrorCode::kUnavailable);
}

TEST_F(AsyncClientTest, LoopStopCompletesEveryCallback) {
  uint16_t port = StartServer();
  ClientOptions options = Options(port);
  auto tls = Tls(options);
  constexpr int kClients = 10;
  constexpr int kPerClient = 3;
  std::vector<std::shared_ptr<AsyncHttpsClient>> clients;
  std::atomic<int> unavailable{0};
  std::atomic<int> other{0};
  Latch all(kClients * kPerClient);
  for (int c = 0; c < kClients; ++c) {
    clients.push_back(AsyncHttpsClient::Create(*loop_, options, tls));
    for (int i = 0; i < kPerClient; ++i) {
      clients.back()->Request("POST", "/later", "stuck", {}, [&](Result<ClientResponse> r) {
        if (!r && r.error().code == ErrorCode::kUnavailable) {
          ++unavailable;
        } else {
          ++other;
        }
        all.CountDown();
      });
    }
  }
  // Some are in flight (parked by the server), the rest queued behind them.
  ASSERT_TRUE(WaitUntil([&] {
    std::lock_guard lock(parked_.mu);
    return parked_.replies.size() == kClients;
  }));
  const auto start = std::chrono::steady_clock::now();
  loop_->Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
  ASSERT_TRUE(all.Wait(1s));  // already done: Stop() returned after them
  EXPECT_EQ(unavailable.load(), kClients * kPerClient);
  EXPECT_EQ(other.load(), 0);

  // After Stop, a request completes at once, on this thread.
  bool inline_done = false;
  clients[0]->Request("GET", "/hello", {}, {}, [&](Result<ClientResponse> r) {
    inline_done = !r && r.error().code == ErrorCode::kUnavailable;
  });
  EXPECT_TRUE(inline_done);
  // A client created after Stop is closed from the start.
  auto late = AsyncHttpsClient::Create(*loop_, options, tls);
  bool late_done = false;
  late->Request("GET", "/hello", {}, {}, [&](Result<ClientResponse> r) { late_done = !r; });
  EXPECT_TRUE(late_done);
}

TEST_F(AsyncClientTest, ClientsMayOutliveTheLoop) {
  uint16_t port = StartServer();
  ClientOptions options = Options(port);
  auto client = AsyncHttpsClient::Create(*loop_, options, Tls(options));
  auto r = Call(*client, "GET", "/hello");
  ASSERT_TRUE(r.has_value()) << r.error().message;
  loop_.reset();   // stops and destroys the loop object; the client holds its internals
  client.reset();  // closes its socket against a still-valid io_context
  loop_ = std::make_unique<ClientLoop>(1);  // for TearDown
}

TEST_F(AsyncClientTest, BadRequestArgumentsAreRejected) {
  uint16_t port = StartServer();
  ClientOptions options = Options(port);
  auto client = AsyncHttpsClient::Create(*loop_, options, Tls(options));
  auto bad_target = Call(*client, "GET", "/a b");
  ASSERT_FALSE(bad_target.has_value());
  EXPECT_EQ(bad_target.error().code, ErrorCode::kInvalidArgument);
  auto bad_method = Call(*client, "G T", "/hello");
  ASSERT_FALSE(bad_method.has_value());
  EXPECT_EQ(bad_method.error().code, ErrorCode::kInvalidArgument);
  auto promise = std::make_shared<std::promise<Result<ClientResponse>>>();
  client->Request("GET", "/hello", {}, {{"X-Evil", "a\r\nInjected: 1"}},
                  [promise](Result<ClientResponse> r) { promise->set_value(std::move(r)); });
  auto future = promise->get_future();
  ASSERT_EQ(future.wait_for(kPatience), std::future_status::ready);
  auto injected = future.get();
  ASSERT_FALSE(injected.has_value());
  EXPECT_EQ(injected.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(client->connects(), 0u);
}

}  // namespace
}  // namespace quarry::net
