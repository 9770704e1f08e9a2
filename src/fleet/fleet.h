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
#include "fleet/held_polls.h"
#include "fleet/label_index.h"
#include "fleet/node_registry.h"
#include "fleet/pending_queries.h"
#include "fleet/selector.h"
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
  // How long an empty distributed read is held open waiting for work (0: not
  // held). Keep it well under osqueryd's 16 s request deadline.
  std::chrono::milliseconds hold_poll{0};
  // A host is online when it polled within this window (or holds a poll now).
  std::chrono::milliseconds online_window{30'000};
  // How often hosts re-evaluate a dynamic label whose refresh is not set.
  int64_t default_label_refresh_seconds = 300;
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
  TargetSelector selector;
  std::string selector_json = "{}";  // the selector as submitted, kept with the run
  std::string reduce_sql;            // optional aggregation, kept with the run
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

  // Pending queries (runs, and dynamic labels that are due) for this host, from
  // memory; records the pickups without waiting for them to be written. With
  // nothing to hand out and hold_poll > 0, the answer is held until work for
  // the host arrives or the hold runs out. `reply` runs exactly once, on this
  // thread or on the hold thread.
  void ReadDistributed(const NodeRef& node, std::function<void(DistributedWork)> reply);

  void WriteDistributed(const NodeEntry& node, proto::DistributedWriteRequest request,
                        store::Done<void> done);

  // ---- Operator side ----

  // Resolves the selector and creates a run; hosts receive it on their next
  // read (at once, when their read is held). kInvalidArgument: empty SQL, an
  // unknown host or label, or no host matches.
  void CreateRun(RunRequest request, store::Done<store::Run> done);
  void CancelRun(store::RunId run, store::Done<store::Run> done);
  void RevokeNode(store::NodeId node, store::Done<store::Node> done);

  // Called on a store thread, after the commit, with the id of a run whose
  // state or rows changed. Must be quick. REQUIRES: set before Start().
  void SetRunListener(std::function<void(store::RunId)> listener) {
    run_listener_ = std::move(listener);
  }

  // Hosts a selector resolves to now (for showing counts before a run).
  Result<std::vector<store::NodeId>> Resolve(const TargetSelector& selector) const {
    return ResolveTargets(selector, nodes_, labels_);
  }
  // Online: polled within online_window, or holding a poll right now.
  bool IsOnline(const NodeEntry& node) const;

  const NodeRegistry& nodes() const { return nodes_; }
  const LabelIndex& labels() const { return labels_; }
  size_t held_polls() const { return held_.held(); }
  const PendingQueries& pending() const { return pending_; }
  store::Store& store() { return store_; }

  // ---- StoreObserver ----
  void OnNodeChanged(const store::Node& node) override;
  void OnRunCreated(const store::Run& run, const std::vector<store::NodeId>& targets) override;
  void OnRunHostChanged(const store::RunHost& host) override;
  void OnRunEnded(const store::Run& run) override;
  void OnLabelChanged(const store::Label& label, bool deleted) override;
  void OnLabelMembershipChanged(const store::LabelMembership& membership) override;

  // Runs one maintenance pass now (flush last-seen, expire runs). Used by the
  // maintenance thread; visible for tests.
  void TEST_MaintainNow() { Maintain(/*final_pass=*/false); }
  // Writes the pickups gathered so far now (normally ~20 ms after a read).
  void TEST_FlushPickups() { FlushPickups(); }

 private:
  const EnrollSecret* MatchSecret(std::string_view presented) const;
  // Takes what `node` should run now: pending runs and due dynamic labels.
  DistributedWork TakeWork(NodeEntry& node, int64_t now_us);
  void RefreshDynamicLabels();
  void Maintain(bool final_pass);
  void FlushPickups();
  void MaintenanceLoop();

  store::Store& store_;
  const Clock& clock_;
  FleetOptions options_;
  NodeRegistry nodes_;
  PendingQueries pending_;
  FailureLimiter enroll_failures_;
  LabelIndex labels_;
  HeldPolls held_;
  std::function<void(store::RunId)> run_listener_;
  // Dynamic labels, replaced as a whole when one changes. Every distributed
  // read loads it, so it is an atomic pointer rather than a mutex that all
  // hosts' polls would share.
  std::atomic<std::shared_ptr<const std::vector<store::Label>>> dynamic_labels_;

  std::mutex config_mu_;
  std::unordered_map<std::string, std::shared_ptr<const std::string>> config_cache_;  // GUARDED_BY

  std::mutex loop_mu_;
  std::condition_variable loop_cv_;
  bool stopping_ = false;  // GUARDED_BY(loop_mu_)
  bool started_ = false;
  std::thread loop_;
  int64_t last_flush_us_ = 0;  // maintenance thread only
  int64_t last_expiry_us_ = 0;  // maintenance thread only
  // Pickups waiting to be written: collected from every host's read and
  // written as one store write by the maintenance thread (at most ~20 ms
  // later), so a burst of reads is one write, not one write per host.
  std::vector<store::Pickup> pickups_;  // GUARDED_BY(loop_mu_)
};

}  // namespace quarry::fleet
