// Helpers shared by the net/ tests that came after http_server_test.cpp: one
// generated PKI per test binary, a map-backed Router, waiting primitives.
// Test-only: compiled into net_test, never into quarry_net.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>

#include "net/http.h"
#include "net/pki.h"

namespace quarry::net::test {

using namespace std::chrono_literals;

// Upper bound for anything a test waits on; far above what a pass needs.
inline constexpr auto kPatience = std::chrono::seconds(10);

struct TestPki {
  std::string root;  // a temporary directory, removed at exit
  PkiFiles files;    // CA, server certificate (localhost, 127.0.0.1, ::1) and keys
};

// Generated on first use (an ECDSA CA and server certificate); lives until the
// test binary exits.
const TestPki& SharedPki();

// A second, unrelated CA (and a server certificate it signs), for tests that
// need a trust store that does not match the server.
const TestPki& OtherPki();

class TestRouter : public Router {
 public:
  void Add(std::string method, std::string path, Endpoint endpoint) {
    routes_[{std::move(method), std::move(path)}] = std::move(endpoint);
  }
  const Endpoint* Find(std::string_view method, std::string_view path) const override {
    auto it = routes_.find({std::string(method), std::string(path)});
    return it == routes_.end() ? nullptr : &it->second;
  }

 private:
  std::map<std::pair<std::string, std::string>, Endpoint> routes_;
};

// Counts down from n; Wait() is bounded.
class Latch {
 public:
  explicit Latch(size_t n) : count_(n) {}
  void CountDown() {
    std::lock_guard lock(mu_);
    if (count_ > 0 && --count_ == 0) cv_.notify_all();
  }
  bool Wait(std::chrono::milliseconds timeout = kPatience) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return count_ == 0; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  size_t count_;
};

// Polls `predicate` until it holds or `timeout` passes. Only for state that
// changes on the server's own threads with no event to wait on (counters).
template <class Predicate>
bool WaitUntil(Predicate predicate, std::chrono::milliseconds timeout = kPatience) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!predicate()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::yield();
  }
  return true;
}

// A blocking TCP socket to 127.0.0.1:port with a receive timeout of
// kPatience, or -1.
int ConnectLoopback(uint16_t port);

}  // namespace quarry::net::test
