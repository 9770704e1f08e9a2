#include "sim/sim_fleet.h"

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

#include "base/log.h"
#include "sim/sim_host.h"

namespace quarry::sim {

struct SimFleet::Impl {
  std::shared_ptr<FleetContext> ctx;
  // One single-threaded loop per shard: a host's callbacks all run on its shard's thread.
  std::vector<std::unique_ptr<net::ClientLoop>> loops;
  std::vector<std::unique_ptr<SimHost>> hosts;
  // Written by the controlling thread before the flag that publishes them.
  std::chrono::steady_clock::time_point started_at;
  std::chrono::duration<double> ran_for{0};
  std::atomic<bool> started{false};
  std::atomic<bool> stopped{false};
};

SimFleet::SimFleet(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

SimFleet::~SimFleet() { Stop(); }

Result<std::unique_ptr<SimFleet>> SimFleet::Create(SimOptions options) {
  if (options.hosts == 0) return Fail(ErrorCode::kInvalidArgument, "hosts must be at least 1");
  if (options.ca_file.empty()) {
    return Fail(ErrorCode::kInvalidArgument, "a CA file is required (the server's ca.pem)");
  }
  auto mix = ParsePlatformMix(options.platforms);
  if (!mix) return Fail(ErrorCode::kInvalidArgument, "platforms: " + mix.error().message);
  if (options.backoff_unit.count() <= 0 || options.enroll_max_attempts < 0 ||
      options.config_max_attempts < 1 || options.distributed_max_attempts < 1 ||
      options.logger_max_lines == 0 || options.buffered_log_max == 0 ||
      options.buffered_log_max_bytes == 0) {
    return Fail(ErrorCode::kInvalidArgument,
                "backoff unit, attempts, logger_max_lines and buffered_log_max must be positive");
  }
  auto ctx = std::make_shared<FleetContext>();
  ctx->spec = FleetSpec{options.seed, *mix, options.fleet_start_unix};
  net::ClientOptions& client = ctx->client_options;
  client.host = options.server_host;
  client.port = options.server_port;
  client.tls = true;
  client.ca_file = options.ca_file;
  client.verify_name = options.verify_name.empty() ? options.server_host : options.verify_name;
  client.timeout = options.request_timeout;
  client.keep_alive = true;
  auto tls = net::ClientTlsContext::Create(client);
  if (!tls) return Fail(tls.error());
  ctx->tls = std::move(*tls);
  ctx->options = std::move(options);
  auto impl = std::make_unique<Impl>();
  impl->ctx = std::move(ctx);
  return std::unique_ptr<SimFleet>(new SimFleet(std::move(impl)));
}

void SimFleet::Start() {
  Impl& d = *impl_;
  if (d.started.load()) return;
  const SimOptions& o = d.ctx->options;
  unsigned shards = o.threads != 0 ? o.threads : std::max(1u, std::thread::hardware_concurrency());
  shards = std::min<unsigned>(shards, o.hosts);
  d.loops.reserve(shards);
  for (unsigned i = 0; i < shards; ++i) d.loops.push_back(std::make_unique<net::ClientLoop>(1));
  d.hosts.reserve(o.hosts);
  for (uint32_t i = 0; i < o.hosts; ++i) {
    d.hosts.push_back(std::make_unique<SimHost>(d.ctx, *d.loops[i % shards],
                                                MakeHostProfile(d.ctx->spec, o.first_index + i)));
  }
  d.started_at = std::chrono::steady_clock::now();
  d.started.store(true, std::memory_order_release);
  for (auto& loop : d.loops) loop->Start();
  // Host i starts at i/N of the ramp-up, on its own loop's thread.
  const int64_t ramp_ms = o.ramp_up.count();
  for (uint32_t i = 0; i < o.hosts; ++i) {
    SimHost* host = d.hosts[i].get();
    auto start = [ctx = d.ctx, host] {
      if (!ctx->stopping.load(std::memory_order_acquire)) host->Start();
    };
    net::ClientLoop& loop = *d.loops[i % shards];
    const int64_t delay = ramp_ms * static_cast<int64_t>(i) / static_cast<int64_t>(o.hosts);
    if (delay <= 0) {
      loop.Post(std::move(start));
    } else {
      loop.After(std::chrono::milliseconds(delay), std::move(start));
    }
  }
  log::Info("sim: {} hosts on {} loop threads, {} connections, ramp-up {} ms", o.hosts, shards,
            o.connections == ConnectionMode::kPerRole ? "per-role" : "per-host", ramp_ms);
}

void SimFleet::Stop() {
  Impl& d = *impl_;
  if (d.stopped.load()) return;
  if (d.started.load()) d.ran_for = std::chrono::steady_clock::now() - d.started_at;
  d.stopped.store(true, std::memory_order_release);
  // Callbacks check `stopping` before touching a host, so once the loops are joined no
  // callback can reach one, and the hosts may go.
  d.ctx->stopping.store(true, std::memory_order_release);
  for (auto& loop : d.loops) loop->Stop();
  d.hosts.clear();
}

SimStats SimFleet::Stats() const {
  const Impl& d = *impl_;
  SimStats stats;
  d.ctx->counters.Snapshot(stats);
  stats.hosts = d.ctx->options.hosts;
  if (d.stopped.load(std::memory_order_acquire)) {
    stats.elapsed_seconds = d.ran_for.count();
  } else if (d.started.load(std::memory_order_acquire)) {
    stats.elapsed_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - d.started_at).count();
  }
  return stats;
}

const SimOptions& SimFleet::options() const { return impl_->ctx->options; }

}  // namespace quarry::sim
