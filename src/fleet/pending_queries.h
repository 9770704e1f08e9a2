// PendingQueries: which runs each host has yet to pick up, in memory, so that a
// distributed read is answered without touching the database.
//
// Fed only by Store change notifications (run created, host state changed, run
// ended) and by LoadOpenRuns at start-up. Take() removes what it hands out, so a
// query goes out once per host even before the pickup is committed.
//
// Thread-safe; a host's poll locks one of kShards shards briefly.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "store/model.h"

namespace quarry::fleet {

// The wire id of a run in distributed reads and writes: "q<run id>".
std::string RunWireId(store::RunId run);
// The run named by a wire id, or 0 when it names none of ours.
store::RunId ParseRunWireId(std::string_view wire_id);

struct PendingQuery {
  store::RunId run = 0;
  std::shared_ptr<const std::string> sql;  // shared by every target of the run
  int64_t deadline_us = 0;
};

class PendingQueries {
 public:
  // Adds the run for every target.
  void AddRun(const store::Run& run, const std::vector<store::NodeId>& targets);
  // Removes one host's pending entry for a run (it was picked up, or finished).
  void RemoveHost(store::RunId run, store::NodeId node);
  // Removes a run from every host.
  void RemoveRun(store::RunId run);

  // Hands out, and forgets, every pending query of `node` whose deadline is
  // still ahead of now_us. Expired ones are dropped.
  std::vector<PendingQuery> Take(store::NodeId node, int64_t now_us);
  // true when `node` has something pending (without taking it).
  bool HasPending(store::NodeId node) const;

  size_t hosts_with_work() const;

 private:
  static constexpr size_t kShards = 64;
  struct Shard {
    mutable std::mutex mu;
    std::unordered_map<store::NodeId, std::vector<PendingQuery>> by_node;  // GUARDED_BY(mu)
  };
  Shard& ShardFor(store::NodeId node) const { return shards_[static_cast<size_t>(node) % kShards]; }

  mutable std::array<Shard, kShards> shards_;
  // Which hosts each run is pending on, so RemoveRun does not scan every host.
  mutable std::mutex runs_mu_;
  std::unordered_map<store::RunId, std::vector<store::NodeId>> run_targets_;  // GUARDED_BY(runs_mu_)
};

}  // namespace quarry::fleet
