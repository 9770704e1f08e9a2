// Fleet: the domain. It decides what each agent request means and what each
// operator action does; store/ persists, api/ only translates.
//
// Hot paths (authenticate, distributed read) are served from memory: the
// NodeRegistry and PendingQueries caches, both fed by Store notifications
// (Fleet is the StoreObserver). Writes go to the Store and complete after the
// commit, so an agent is only acknowledged once its data is durable.
//
// A maintenance thread flushes last-seen times and expires runs.
//
// Thread-safe after Start().
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "fleet/failure_limiter.h"
#include "fleet/node_registry.h"
#include "fleet/pending_queries.h"
#include "proto/agent_messages.h"
#include "store/store.h"

namespace quarry::fleet {

struct EnrollSecret {
  std::string name;
  std::string secret;
  std::vector<std::string> labels;
};

// Assembles the osquery config document for a platform (os_version.platform,
// platform_type bitmask). Called once per distinct pair; the result is cached.
using ConfigAssembler = std::function<std::string(const std::string& platform,
                                                  const std::string& platform_type)>;

struct FleetOptions {
  std::vector<EnrollSecret> enroll_secrets;
  int enroll_failures_per_minute = 30;
  int accelerate_seconds = 60;  // sent with a read that hands out work
  std::chrono::milliseconds last_seen_flush{5'000};
  std::chrono::milliseconds expiry_check{1'000};
  int64_t default_run_deadline_us = 600LL * 1'000'000;  // 10 minutes
  ConfigAssembler config_assembler;
};

struct DistributedWork {
  std::vector<proto::PendingQuery> queries;
  int accelerate_seconds = 0;
};

// An operator's request for a live query ("run").
struct RunRequest {
  std::string sql;
  std::string submitted_by;
  std::string selector_json = "{}";
  std::vector<store::NodeId> targets;  // empty with all_hosts: every enrolled host
  bool all_hosts = false;
  int64_t deadline_us = 0;  // 0: now + default_run_deadline_us
};

class Fleet final : public store::StoreObserver {
 public:
  Fleet(store::Store& store, const Clock& clock, FleetOptions options);
  ~Fleet() override;
  Fleet(const Fleet&) = delete;
  Fleet& operator=(const Fleet&) = delete;

  // Loads nodes and open runs into memory and starts the maintenance thread.
  Result<void> Start();
  // Flushes last-seen times and stops the maintenance thread. Idempotent.
  void Stop();

  // ---- Agent side ----

  // Checks the secret (constant time, against every configured secret), stores
  // the host and issues a new node key, passed to `done` after the commit.
  // kUnauthenticated: wrong or missing secret. kUnavailable: the source address
  // is over its failure budget, or the store is overloaded.
  void Enroll(proto::EnrollRequest request, const std::string& remote_address,
              store::Done<std::string> done);

  // The node holding this key, or nullptr (unknown or revoked: the host must
  // re-enroll). Records that the host was seen, in memory.
  NodeRef Authenticate(std::string_view node_key, store::SeenVia via);

  // The osquery config for this host.
  std::string ConfigFor(const NodeEntry& node);

  void IngestLogs(const NodeEntry& node, proto::LogRequest request, store::Done<void> done);

  // Pending queries for this host, from memory; records the pickups without
  // waiting for them to be written.
  DistributedWork ReadDistributed(const NodeEntry& node);

  void WriteDistributed(const NodeEntry& node, proto::DistributedWriteRequest request,
                        store::Done<void> done);

  // ---- Operator side ----

  // Resolves targets and creates a run; hosts receive it on their next read.
  // kInvalidArgument: empty SQL, unknown host id, or no target.
  void CreateRun(RunRequest request, store::Done<store::Run> done);
  void CancelRun(store::RunId run, store::Done<store::Run> done);
  void RevokeNode(store::NodeId node, store::Done<store::Node> done);

  const NodeRegistry& nodes() const { return nodes_; }
  const PendingQueries& pending() const { return pending_; }
  store::Store& store() { return store_; }

  // ---- StoreObserver ----
  void OnNodeChanged(const store::Node& node) override;
  void OnRunCreated(const store::Run& run, const std::vector<store::NodeId>& targets) override;
  void OnRunHostChanged(const store::RunHost& host) override;
  void OnRunEnded(const store::Run& run) override;

  // Runs one maintenance pass now (flush last-seen, expire runs). Used by the
  // maintenance thread; visible for tests.
  void TEST_MaintainNow() { Maintain(/*final_pass=*/false); }

 private:
  const EnrollSecret* MatchSecret(std::string_view presented) const;
  void Maintain(bool final_pass);
  void MaintenanceLoop();

  store::Store& store_;
  const Clock& clock_;
  FleetOptions options_;
  NodeRegistry nodes_;
  PendingQueries pending_;
  FailureLimiter enroll_failures_;

  std::mutex config_mu_;
  std::unordered_map<std::string, std::shared_ptr<const std::string>> config_cache_;  // GUARDED_BY

  std::mutex loop_mu_;
  std::condition_variable loop_cv_;
  bool stopping_ = false;  // GUARDED_BY(loop_mu_)
  bool started_ = false;
  std::thread loop_;
  int64_t last_flush_us_ = 0;  // maintenance thread only
};

}  // namespace quarry::fleet
