// Streamed responses (HttpResponse::stream, Server-Sent Events) in HttpServer,
// read with HttpsClient::Stream and SseParser, and by hand where the test must
// misbehave (a client that never reads) or see the raw wire.
#include "net/http_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "net/https_client.h"
#include "net/net_test_support.h"
#include "net/sse.h"

namespace quarry::net {
namespace {

using namespace std::chrono_literals;
using test::kPatience;
using test::SharedPki;
using test::WaitUntil;

// The writers handed out by /events, for the test to produce from its threads.
struct Sink {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::shared_ptr<ResponseStream>> writers;

  void Add(std::shared_ptr<ResponseStream> w) {
    std::lock_guard lock(mu);
    writers.push_back(std::move(w));
    cv.notify_all();
  }
  // The n-th writer (0-based), waiting for it; null on timeout.
  std::shared_ptr<ResponseStream> Get(size_t n) {
    std::unique_lock lock(mu);
    if (!cv.wait_for(lock, kPatience, [&] { return writers.size() > n; })) return nullptr;
    return writers[n];
  }
};

// A future that becomes ready when `w` closes.
std::shared_future<void> ClosedFuture(const std::shared_ptr<ResponseStream>& w) {
  auto promise = std::make_shared<std::promise<void>>();
  std::shared_future<void> future = promise->get_future().share();
  w->OnClose([promise] { promise->set_value(); });
  return future;
}

class HttpStreamTest : public testing::Test {
 protected:
  void SetUp() override {
    auto events = [this](HttpRequest&&, Reply reply) {
      HttpResponse r;
      r.content_type = "text/event-stream";
      r.stream = [this](std::shared_ptr<ResponseStream> w) { sink_.Add(std::move(w)); };
      reply(std::move(r));
    };
    router_.Add("GET", "/events", {events});
    router_.Add("GET", "/ndjson", {[this](HttpRequest&&, Reply reply) {
                  HttpResponse r;
                  r.content_type = "application/x-ndjson";
                  r.stream = [this](std::shared_ptr<ResponseStream> w) { sink_.Add(std::move(w)); };
                  reply(std::move(r));
                }});
    router_.Add("GET", "/hello", {[](HttpRequest&&, Reply reply) {
                  HttpResponse r;
                  r.body = "hi";
                  reply(std::move(r));
                }});
    router_.Add("GET", "/throws", {[](HttpRequest&&, Reply reply) {
                  HttpResponse r;
                  r.content_type = "text/event-stream";
                  r.stream = [](std::shared_ptr<ResponseStream>) { throw std::runtime_error("no"); };
                  reply(std::move(r));
                }});
  }

  void TearDown() override {
    if (server_) server_->Stop();
    for (auto& t : threads_) t.join();
  }

  ListenerOptions Listener(bool tls = true) {
    ListenerOptions options;
    options.tls.enabled = tls;
    options.tls.cert_file = SharedPki().files.server_cert;
    options.tls.key_file = SharedPki().files.server_key;
    return options;
  }

  uint16_t Start(const ListenerOptions& options) {
    server_ = std::make_unique<HttpServer>(2);
    auto port = server_->AddListener(options, router_);
    EXPECT_TRUE(port.has_value()) << port.error().message;
    server_->Start();
    return port.value_or(0);
  }

  ClientOptions Client(uint16_t port) {
    ClientOptions options;
    options.port = port;
    options.ca_file = SharedPki().files.ca_cert;
    options.timeout = 5s;
    return options;
  }

  struct Received {
    Result<int> status = 0;
    std::vector<SseEvent> events;
    std::string raw;
  };

  // Reads /events (or `target`) to its end with a fresh client, parsing SSE.
  // `stop_after` > 0: on_body returns false once that many events arrived.
  Received ReadEvents(uint16_t port, std::string target = "/events", size_t stop_after = 0,
                      std::chrono::milliseconds idle = kPatience) {
    HttpsClient client(Client(port));
    return ReadEventsWith(client, std::move(target), stop_after, idle);
  }

  Received ReadEventsWith(HttpsClient& client, std::string target, size_t stop_after = 0,
                          std::chrono::milliseconds idle = kPatience) {
    Received out;
    SseParser parser;
    out.status = client.Stream("GET", target, {}, {}, [&](std::string_view chunk) {
      out.raw.append(chunk);
      parser.Feed(chunk, [&](const SseEvent& e) { out.events.push_back(e); });
      return stop_after == 0 || out.events.size() < stop_after;
    }, idle);
    return out;
  }

  test::TestRouter router_;
  Sink sink_;
  std::unique_ptr<HttpServer> server_;
  std::vector<std::thread> threads_;
};

// Reads from a raw socket until `marker` appears (or EOF/timeout).
std::string ReadUntil(int fd, std::string_view marker) {
  std::string data;
  char buf[4096];
  while (data.find(marker) == std::string::npos) {
    ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
    if (n <= 0) break;
    data.append(buf, static_cast<size_t>(n));
  }
  return data;
}

std::string ReadToEof(int fd) {
  std::string data;
  char buf[4096];
  ssize_t n;
  while ((n = ::recv(fd, buf, sizeof(buf), 0)) > 0) data.append(buf, static_cast<size_t>(n));
  return data;
}

// ---------------------------------------------------------------------------

TEST_F(HttpStreamTest, EventsFromAnotherThreadArriveInOrder) {
  uint16_t port = Start(Listener());
  constexpr int kEvents = 500;
  auto reading = std::async(std::launch::async, [&] { return ReadEvents(port); });
  auto writer = sink_.Get(0);
  ASSERT_NE(writer, nullptr);
  threads_.emplace_back([writer] {
    for (int i = 0; i < kEvents; ++i) {
      ASSERT_TRUE(writer->Write(FormatSseEvent("n", std::to_string(i), "event " + std::to_string(i))));
    }
    writer->Close();
  });
  ASSERT_EQ(reading.wait_for(kPatience), std::future_status::ready);
  Received got = reading.get();
  ASSERT_TRUE(got.status.has_value()) << got.status.error().message;
  EXPECT_EQ(*got.status, 200);
  ASSERT_EQ(got.events.size(), static_cast<size_t>(kEvents));
  for (int i = 0; i < kEvents; ++i) {
    EXPECT_EQ(got.events[i].id, std::to_string(i));
    EXPECT_EQ(got.events[i].event, "n");
    EXPECT_EQ(got.events[i].data, "event " + std::to_string(i));
  }
  EXPECT_TRUE(writer->closed());
  EXPECT_FALSE(writer->Write("late"));
  EXPECT_TRUE(WaitUntil([&] { return server_->Stats().streams_open == 0; }));
  EXPECT_EQ(server_->Stats().streams_total, 1u);
}

TEST_F(HttpStreamTest, HeadersAndChunkedFraming) {
  uint16_t port = Start(Listener(/*tls=*/false));
  int fd = test::ConnectLoopback(port);
  ASSERT_GE(fd, 0);
  std::string request = "GET /events HTTP/1.1\r\nHost: x\r\n\r\n";
  ::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  auto writer = sink_.Get(0);
  ASSERT_NE(writer, nullptr);
  ASSERT_TRUE(writer->Write("data: a\n\n"));
  std::string head = ReadUntil(fd, "data: a\n\n");
  writer->Close();
  std::string rest = ReadUntil(fd, "0\r\n\r\n");
  ::close(fd);
  EXPECT_EQ(head.rfind("HTTP/1.1 200", 0), 0u) << head;
  EXPECT_NE(head.find("Content-Type: text/event-stream\r\n"), std::string::npos) << head;
  EXPECT_NE(head.find("Cache-Control: no-cache\r\n"), std::string::npos) << head;
  EXPECT_NE(head.find("Transfer-Encoding: chunked\r\n"), std::string::npos) << head;
  EXPECT_EQ(head.find("Content-Length"), std::string::npos) << head;
  EXPECT_NE(head.find("\r\n\r\n9\r\ndata: a\n\n\r\n"), std::string::npos) << head;
  EXPECT_NE((head + rest).find("\r\n0\r\n\r\n"), std::string::npos) << rest;
}

TEST_F(HttpStreamTest, ProducerCloseEndsResponseAndKeepsTheConnection) {
  uint16_t port = Start(Listener());
  HttpsClient client(Client(port));
  for (int round = 0; round < 2; ++round) {
    auto reading = std::async(std::launch::async, [&] { return ReadEventsWith(client, "/events"); });
    auto writer = sink_.Get(static_cast<size_t>(round));
    ASSERT_NE(writer, nullptr);
    ASSERT_TRUE(writer->Write(FormatSseEvent("", "", "round " + std::to_string(round))));
    writer->Close();
    ASSERT_EQ(reading.wait_for(kPatience), std::future_status::ready);
    Received got = reading.get();
    ASSERT_TRUE(got.status.has_value()) << got.status.error().message;
    ASSERT_EQ(got.events.size(), 1u);
    EXPECT_EQ(got.events[0].data, "round " + std::to_string(round));
  }
  auto hello = client.Request("GET", "/hello");
  ASSERT_TRUE(hello.has_value()) << hello.error().message;
  EXPECT_EQ(hello->body, "hi");
  EXPECT_EQ(client.connects(), 1);  // two streams and a request on one connection
}

TEST_F(HttpStreamTest, ClientDisconnectClosesTheStream) {
  uint16_t port = Start(Listener());
  auto reading = std::async(std::launch::async, [&] {
    return ReadEvents(port, "/events", /*stop_after=*/1);  // then the client closes
  });
  auto writer = sink_.Get(0);
  ASSERT_NE(writer, nullptr);
  auto closed = ClosedFuture(writer);
  ASSERT_TRUE(writer->Write(FormatSseEvent("", "", "only")));
  ASSERT_EQ(reading.wait_for(kPatience), std::future_status::ready);
  Received got = reading.get();
  ASSERT_TRUE(got.status.has_value()) << got.status.error().message;
  EXPECT_EQ(*got.status, 200);
  ASSERT_EQ(closed.wait_for(kPatience), std::future_status::ready);
  EXPECT_TRUE(writer->closed());
  EXPECT_FALSE(writer->Write(FormatSseEvent("", "", "nobody listens")));
  // OnClose on a closed stream runs at once.
  bool ran = false;
  writer->OnClose([&] { ran = true; });
  EXPECT_TRUE(ran);
  EXPECT_TRUE(WaitUntil([&] { return server_->Stats().connections_open == 0; }));
  EXPECT_EQ(server_->Stats().streams_open, 0u);
}

TEST_F(HttpStreamTest, SlowConsumerIsDisconnected) {
  // The client never reads. The queue limit is far above what the socket
  // buffers absorb, so when it overflows the server is stuck in a write; the
  // overflow must cut that write at once (the write timeout, 60 s here, is
  // not what ends it).
  constexpr size_t kLimit = 16 << 20;
  ListenerOptions options = Listener(/*tls=*/false);
  options.limits.stream_queue_bytes = kLimit;
  options.limits.write_timeout = 60s;
  uint16_t port = Start(options);
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  int small = 16 * 1024;  // before connect, so the window stays small
  ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  std::string request = "GET /events HTTP/1.1\r\nHost: x\r\n\r\n";
  ::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  auto writer = sink_.Get(0);
  ASSERT_NE(writer, nullptr);
  auto closed = ClosedFuture(writer);
  const std::string chunk = FormatSseEvent("", "", std::string(64 * 1024, 'x'));
  size_t written = 0;
  while (writer->Write(chunk)) {
    written += chunk.size();
    // Accepted = held in the queue (at most the limit) + what already went
    // into the socket buffers (a few MiB with this receive window).
    ASSERT_LT(written, 2 * kLimit) << "the stream never pushed back";
  }
  EXPECT_GE(written + chunk.size(), kLimit);
  EXPECT_TRUE(writer->closed());
  ASSERT_EQ(closed.wait_for(kPatience), std::future_status::ready);
  EXPECT_TRUE(WaitUntil([&] { return server_->Stats().connections_open == 0; }));
  EXPECT_EQ(server_->Stats().streams_open, 0u);
  EXPECT_EQ(server_->Stats().timeouts, 0u);
  ::close(fd);
}

TEST_F(HttpStreamTest, QueueLimitMinusOneLimitPlusOne) {
  // One write into an empty queue: limit-1 and limit bytes fit, limit+1
  // closes the stream (each on a fresh stream, so nothing else is queued).
  constexpr size_t kLimit = 1000;
  ListenerOptions options = Listener(/*tls=*/false);
  options.limits.stream_queue_bytes = kLimit;
  uint16_t port = Start(options);
  ClientOptions plain = Client(port);
  plain.tls = false;
  HttpsClient client(plain);
  size_t stream_index = 0;
  for (size_t size : {kLimit - 1, kLimit, kLimit + 1}) {
    auto reading = std::async(std::launch::async, [&] { return ReadEventsWith(client, "/events"); });
    auto writer = sink_.Get(stream_index++);
    ASSERT_NE(writer, nullptr);
    const bool fits = size <= kLimit;
    EXPECT_EQ(writer->Write(std::string(size, 'x')), fits) << size;
    EXPECT_EQ(writer->closed(), !fits) << size;
    writer->Close();
    ASSERT_EQ(reading.wait_for(kPatience), std::future_status::ready);
    Received got = reading.get();
    if (fits) {
      ASSERT_TRUE(got.status.has_value()) << got.status.error().message;
      EXPECT_EQ(got.raw, std::string(size, 'x'));
    } else {
      EXPECT_FALSE(got.status.has_value());  // cut short, not ended
    }
  }
}

TEST_F(HttpStreamTest, HeartbeatWhenIdle) {
  ListenerOptions options = Listener();
  options.limits.stream_heartbeat = 200ms;
  uint16_t port = Start(options);
  auto start = std::chrono::steady_clock::now();
  std::chrono::steady_clock::duration first_beat{};
  std::string raw;
  auto reading = std::async(std::launch::async, [&] {
    HttpsClient client(Client(port));
    return client.Stream("GET", "/events", {}, {}, [&](std::string_view chunk) {
      raw.append(chunk);
      if (first_beat.count() == 0) first_beat = std::chrono::steady_clock::now() - start;
      return raw.size() < 3 * 3;  // three heartbeats
    }, kPatience);
  });
  ASSERT_NE(sink_.Get(0), nullptr);
  ASSERT_EQ(reading.wait_for(kPatience), std::future_status::ready);
  auto status = reading.get();
  ASSERT_TRUE(status.has_value()) << status.error().message;
  EXPECT_EQ(*status, 200);
  EXPECT_EQ(raw, ":\n\n:\n\n:\n\n");
  EXPECT_GE(first_beat, 150ms);
}

TEST_F(HttpStreamTest, NoHeartbeatOutsideEventStreams) {
  ListenerOptions options = Listener();
  options.limits.stream_heartbeat = 50ms;
  uint16_t port = Start(options);
  std::string raw;
  auto reading = std::async(std::launch::async, [&] {
    HttpsClient client(Client(port));
    return client.Stream("GET", "/ndjson", {}, {}, [&](std::string_view chunk) {
      raw.append(chunk);
      return true;
    }, kPatience);
  });
  auto writer = sink_.Get(0);
  ASSERT_NE(writer, nullptr);
  // An event stream on the same server is the clock: four of its heartbeats
  // (200 ms) is time for several on the ndjson stream, were it to get any.
  HttpsClient clock(Client(port));
  std::string beats;
  auto ticked = clock.Stream("GET", "/events", {}, {}, [&](std::string_view chunk) {
    beats.append(chunk);
    return beats.size() < 3 * 4;
  }, kPatience);
  ASSERT_TRUE(ticked.has_value()) << ticked.error().message;
  ASSERT_TRUE(writer->Write("{\"a\":1}\n"));
  writer->Close();
  ASSERT_EQ(reading.wait_for(kPatience), std::future_status::ready);
  auto status = reading.get();
  ASSERT_TRUE(status.has_value()) << status.error().message;
  EXPECT_EQ(raw, "{\"a\":1}\n");
}

TEST_F(HttpStreamTest, IdleAndReadTimeoutsDoNotCutALiveStream) {
  ListenerOptions options = Listener();
  options.limits.idle_timeout = 150ms;
  options.limits.read_timeout = 150ms;
  options.limits.stream_heartbeat = 100ms;
  uint16_t port = Start(options);
  HttpsClient client(Client(port));
  int beats = 0;
  // Eight heartbeats: 800 ms, several times both timeouts. A cut stream would
  // end Stream() with an error before that.
  auto status = client.Stream("GET", "/events", {}, {}, [&](std::string_view chunk) {
    beats += static_cast<int>(chunk.size() / 3);
    return beats < 8;
  }, kPatience);
  ASSERT_TRUE(status.has_value()) << status.error().message;
  EXPECT_EQ(beats, 8);
  EXPECT_EQ(server_->Stats().timeouts, 0u);
}

TEST_F(HttpStreamTest, StopClosesStreams) {
  uint16_t port = Start(Listener());
  constexpr int kStreams = 3;
  std::vector<std::future<Received>> readers;
  for (int i = 0; i < kStreams; ++i) {
    readers.push_back(std::async(std::launch::async, [&] { return ReadEvents(port); }));
  }
  std::vector<std::shared_future<void>> closed;
  for (int i = 0; i < kStreams; ++i) {
    auto w = sink_.Get(static_cast<size_t>(i));
    ASSERT_NE(w, nullptr);
    closed.push_back(ClosedFuture(w));
  }
  auto start = std::chrono::steady_clock::now();
  server_->Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
  for (auto& c : closed) ASSERT_EQ(c.wait_for(kPatience), std::future_status::ready);
  for (auto& r : readers) {
    ASSERT_EQ(r.wait_for(kPatience), std::future_status::ready);
    EXPECT_FALSE(r.get().status.has_value());  // cut short, not ended
  }
  EXPECT_EQ(server_->Stats().streams_open, 0u);
  std::lock_guard lock(sink_.mu);
  for (auto& w : sink_.writers) EXPECT_FALSE(w->Write("after stop"));
}

TEST_F(HttpStreamTest, ManyConcurrentStreams) {
  uint16_t port = Start(Listener());
  constexpr int kStreams = 40;
  constexpr int kEvents = 25;
  std::vector<std::future<Received>> readers;
  for (int i = 0; i < kStreams; ++i) {
    readers.push_back(std::async(std::launch::async, [&] { return ReadEvents(port); }));
  }
  for (int i = 0; i < kStreams; ++i) ASSERT_NE(sink_.Get(static_cast<size_t>(i)), nullptr);
  EXPECT_EQ(server_->Stats().streams_open, static_cast<uint64_t>(kStreams));
  std::vector<std::shared_ptr<ResponseStream>> writers;
  {
    std::lock_guard lock(sink_.mu);
    writers = sink_.writers;
  }
  // Two producer threads interleave over all streams.
  for (int p = 0; p < 2; ++p) {
    threads_.emplace_back([&writers, p] {
      for (int e = 0; e < kEvents; ++e) {
        for (size_t s = static_cast<size_t>(p); s < writers.size(); s += 2) {
          writers[s]->Write(FormatSseEvent("", std::to_string(e), "s" + std::to_string(s)));
        }
      }
      for (size_t s = static_cast<size_t>(p); s < writers.size(); s += 2) writers[s]->Close();
    });
  }
  for (auto& r : readers) {
    ASSERT_EQ(r.wait_for(kPatience), std::future_status::ready);
    Received got = r.get();
    ASSERT_TRUE(got.status.has_value()) << got.status.error().message;
    ASSERT_EQ(got.events.size(), static_cast<size_t>(kEvents));
    for (int e = 0; e < kEvents; ++e) EXPECT_EQ(got.events[e].id, std::to_string(e));
  }
  EXPECT_TRUE(WaitUntil([&] { return server_->Stats().streams_open == 0; }));
  EXPECT_EQ(server_->Stats().streams_total, static_cast<uint64_t>(kStreams));
}

TEST_F(HttpStreamTest, Http10StreamEndsByClosing) {
  uint16_t port = Start(Listener(/*tls=*/false));
  int fd = test::ConnectLoopback(port);
  ASSERT_GE(fd, 0);
  std::string request = "GET /events HTTP/1.0\r\n\r\n";
  ::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  auto writer = sink_.Get(0);
  ASSERT_NE(writer, nullptr);
  writer->Write("data: a\n\n");
  writer->Write("data: b\n\n");
  writer->Close();
  std::string all = ReadToEof(fd);  // EOF: the server closed
  ::close(fd);
  EXPECT_EQ(all.rfind("HTTP/1.0 200", 0), 0u) << all;
  EXPECT_EQ(all.find("Transfer-Encoding"), std::string::npos) << all;
  EXPECT_EQ(all.find("Content-Length"), std::string::npos) << all;
  EXPECT_EQ(all.substr(all.find("\r\n\r\n") + 4), "data: a\n\ndata: b\n\n");
}

TEST_F(HttpStreamTest, ThrowingStreamHandlerClosesTheConnection) {
  uint16_t port = Start(Listener());
  Received got = ReadEvents(port, "/throws");
  EXPECT_FALSE(got.status.has_value());
  EXPECT_TRUE(WaitUntil([&] { return server_->Stats().connections_open == 0; }));
  EXPECT_EQ(server_->Stats().streams_open, 0u);
}

TEST_F(HttpStreamTest, ClientStreamIdleTimeout) {
  ListenerOptions options = Listener();
  options.limits.stream_heartbeat = 0ms;  // off: nothing at all arrives
  uint16_t port = Start(options);
  auto start = std::chrono::steady_clock::now();
  Received got = ReadEvents(port, "/events", 0, 200ms);
  auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(got.status.has_value());
  EXPECT_EQ(got.status.error().code, ErrorCode::kDeadlineExceeded);
  EXPECT_GE(elapsed, 150ms);
  EXPECT_LT(elapsed, 3s);
  auto writer = sink_.Get(0);
  ASSERT_NE(writer, nullptr);
  auto closed = ClosedFuture(writer);
  ASSERT_EQ(closed.wait_for(kPatience), std::future_status::ready);  // the client hung up
}

TEST_F(HttpStreamTest, ClientStreamOfAnOrdinaryResponse) {
  uint16_t port = Start(Listener());
  HttpsClient client(Client(port));
  std::string body;
  auto status = client.Stream("GET", "/nope", {}, {}, [&](std::string_view chunk) {
    body.append(chunk);
    return true;
  }, kPatience);
  ASSERT_TRUE(status.has_value()) << status.error().message;
  EXPECT_EQ(*status, 404);
  EXPECT_EQ(body, R"({"error":"not found"})");
  // A body read to its end leaves the connection usable.
  auto hello = client.Request("GET", "/hello");
  ASSERT_TRUE(hello.has_value()) << hello.error().message;
  EXPECT_EQ(client.connects(), 1);
}

}  // namespace
}  // namespace quarry::net
