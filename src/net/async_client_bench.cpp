// Memory per AsyncHttpsClient: N clients on one ClientLoop, each with one idle
// keep-alive TLS connection to a local HttpServer. The server runs in a child
// process so that the parent's RSS counts only the client side.
//
//   net_async_client_bench [clients=2000] [loop_threads=2] [tls|plain]
//
// `plain` runs the same over plain HTTP, which separates what TLS costs per
// connection from what the socket, Asio and the client object cost.
//
// Prints RSS (from /proc/self/status) after each phase; asserts nothing.
#include <malloc.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "net/async_client.h"
#include "net/client_loop.h"
#include "net/http_server.h"
#include "net/pki.h"

namespace {

using namespace quarry;
using namespace quarry::net;
using namespace std::chrono_literals;

long StatusKb(const std::string& path, const char* field) {
  std::ifstream in(path);
  std::string line;
  const std::string prefix = std::string(field) + ":";
  while (std::getline(in, line)) {
    if (line.rfind(prefix, 0) == 0) return std::strtol(line.c_str() + prefix.size(), nullptr, 10);
  }
  return -1;
}

// Bytes malloc has handed out and not had back, over all arenas: live heap,
// without the allocator's fragmentation.
long HeapKb() { return static_cast<long>(::mallinfo2().uordblks / 1024); }

long RssKb(pid_t pid = 0) {
  return StatusKb(pid == 0 ? "/proc/self/status" : "/proc/" + std::to_string(pid) + "/status",
                  "VmRSS");
}

std::string CpuModel() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  }
  return "unknown";
}

class OneRoute : public Router {
 public:
  const Endpoint* Find(std::string_view, std::string_view path) const override {
    return path == "/hello" ? &hello_ : nullptr;
  }

 private:
  Endpoint hello_{[](HttpRequest&&, Reply reply) {
    HttpResponse r;
    r.body = R"({"node_invalid":false})";
    reply(std::move(r));
  }};
};

// The child: serves until its stdin pipe closes.
[[noreturn]] void RunServer(const PkiFiles& pki, bool tls, int port_out, int stop_in) {
  OneRoute router;
  HttpServer server(1);
  ListenerOptions options;
  options.tls.enabled = tls;
  options.tls.cert_file = pki.server_cert;
  options.tls.key_file = pki.server_key;
  auto port = server.AddListener(options, router);
  uint16_t value = port.value_or(0);
  server.Start();
  if (::write(port_out, &value, sizeof(value)) != sizeof(value)) _exit(1);
  char c;
  while (::read(stop_in, &c, 1) > 0) {
  }
  std::printf("server (child): %ld KiB RSS with %llu connections open before stopping\n",
              RssKb(), static_cast<unsigned long long>(server.Stats().connections_open));
  std::fflush(stdout);
  server.Stop();
  _exit(0);
}

// Runs one request on each client and waits for all.
bool RequestAll(const std::vector<std::shared_ptr<AsyncHttpsClient>>& clients, int& failures) {
  std::mutex mu;
  std::condition_variable cv;
  size_t left = clients.size();
  failures = 0;
  for (auto& client : clients) {
    client->Request("GET", "/hello", {}, {}, [&](Result<ClientResponse> r) {
      std::lock_guard lock(mu);
      if (!r || r->status != 200) {
        if (failures++ == 0 && !r) std::fprintf(stderr, "first failure: %s\n", r.error().message.c_str());
      }
      if (--left == 0) cv.notify_all();
    });
  }
  std::unique_lock lock(mu);
  return cv.wait_for(lock, 120s, [&] { return left == 0; });
}

}  // namespace

int main(int argc, char** argv) {
  const size_t n = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 2000;
  const unsigned threads = argc > 2 ? static_cast<unsigned>(std::strtoul(argv[2], nullptr, 10)) : 2;
  const bool tls_mode = argc <= 3 || std::string(argv[3]) != "plain";

  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0) {
    limit.rlim_cur = std::min<rlim_t>(limit.rlim_max, n * 2 + 256);
    ::setrlimit(RLIMIT_NOFILE, &limit);
  }

  std::string dir = (std::filesystem::temp_directory_path() / "quarry_client_bench_XXXXXX").string();
  if (::mkdtemp(dir.data()) == nullptr) return 1;
  auto pki = EnsureServerPki(dir + "/pki", {});
  if (!pki) {
    std::fprintf(stderr, "pki: %s\n", pki.error().message.c_str());
    return 1;
  }

  int port_pipe[2];
  int stop_pipe[2];
  if (::pipe(port_pipe) != 0 || ::pipe(stop_pipe) != 0) return 1;
  std::fflush(stdout);
  const pid_t child = ::fork();
  if (child < 0) return 1;
  if (child == 0) {
    ::close(port_pipe[0]);
    ::close(stop_pipe[1]);
    RunServer(*pki, tls_mode, port_pipe[1], stop_pipe[0]);
  }
  ::close(port_pipe[1]);
  ::close(stop_pipe[0]);
  uint16_t port = 0;
  if (::read(port_pipe[0], &port, sizeof(port)) != sizeof(port) || port == 0) return 1;

  std::printf("machine: %u cores, %s\n", std::thread::hardware_concurrency(), CpuModel().c_str());
  std::printf("clients: %zu, loop threads: %u, %s to 127.0.0.1:%u (server in pid %d)\n", n,
              threads, tls_mode ? "TLS" : "plain HTTP", port, static_cast<int>(child));

  ClientOptions options;
  options.port = port;
  options.ca_file = pki->ca_cert;
  options.timeout = 60s;
  options.tls = tls_mode;
  auto tls = ClientTlsContext::Create(options);
  if (!tls) {
    std::fprintf(stderr, "tls: %s\n", tls.error().message.c_str());
    return 1;
  }
  ClientLoop loop(threads);
  loop.Start();

  // Warm-up: OpenSSL tables, loop threads, allocator arenas.
  int failures = 0;
  {
    std::vector<std::shared_ptr<AsyncHttpsClient>> warm;
    for (int i = 0; i < 20; ++i) warm.push_back(AsyncHttpsClient::Create(loop, options, *tls));
    RequestAll(warm, failures);
  }
  ::malloc_trim(0);
  const long base = RssKb();
  const long heap_base = HeapKb();

  std::vector<std::shared_ptr<AsyncHttpsClient>> clients;
  clients.reserve(n);
  for (size_t i = 0; i < n; ++i) clients.push_back(AsyncHttpsClient::Create(loop, options, *tls));
  const long created = RssKb();

  const auto start = std::chrono::steady_clock::now();
  const bool done = RequestAll(clients, failures);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const long connected = RssKb();
  ::malloc_trim(0);
  const long trimmed = RssKb();
  uint64_t connects = 0;
  for (auto& c : clients) connects += c->connects();

  // A second round on the same connections: steady state of a polling fleet.
  int failures2 = 0;
  RequestAll(clients, failures2);
  const long second = RssKb();
  ::malloc_trim(0);
  const long second_trimmed = RssKb();
  const long heap_idle = HeapKb();

  auto per = [&](long kb) { return (kb - base) * 1024.0 / static_cast<double>(n); };
  std::printf("all requests done: %s in %.2f s, failures %d + %d, connects %llu\n",
              done ? "yes" : "NO", seconds, failures, failures2,
              static_cast<unsigned long long>(connects));
  std::printf("RSS baseline (after warm-up)         %8ld KiB\n", base);
  std::printf("RSS %zu clients created, unconnected %8ld KiB  (%7.0f B per client)\n", n, created,
              per(created));
  std::printf("RSS connected, idle                  %8ld KiB  (%7.0f B per client)\n", connected,
              per(connected));
  std::printf("  after malloc_trim                  %8ld KiB  (%7.0f B per client)\n", trimmed,
              per(trimmed));
  std::printf("RSS after a 2nd request each, idle   %8ld KiB  (%7.0f B per client)\n", second,
              per(second));
  std::printf("  after malloc_trim                  %8ld KiB  (%7.0f B per client)\n",
              second_trimmed, per(second_trimmed));
  std::printf("live heap (mallinfo2), idle          %8ld KiB  (%7.0f B per client)\n", heap_idle,
              (heap_idle - heap_base) * 1024.0 / static_cast<double>(n));
  std::printf("projected for 100,000 idle connections: %.1f GiB RSS\n",
              per(second_trimmed) * 100000 / (1024.0 * 1024 * 1024));
  std::fflush(stdout);

  clients.clear();
  loop.Stop();
  ::close(stop_pipe[1]);
  int status = 0;
  ::waitpid(child, &status, 0);
  std::filesystem::remove_all(dir);
  return done && failures == 0 ? 0 : 1;
}
