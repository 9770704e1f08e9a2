// NodeRegistry: the in-memory view of enrolled hosts that the agent hot path
// authenticates against, so that no poll reads the database.
//
// Fed only by Store change notifications (Apply), never by the request path, so
// the same code serves one process or several instances sharing a database.
// Last-seen times are kept here, updated without a store write on every request,
// and drained in batches (TakeDirtyLastSeen) by Fleet's maintenance loop.
//
// Thread-safe. Lookups take a shared lock on one of kShards shards.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "store/model.h"

namespace quarry::fleet {

// What the hot path needs to know about a host. Identity fields are immutable
// once published; times are atomics written by request threads.
struct NodeEntry {
  store::NodeId id = 0;
  std::string host_identifier;
  std::string hostname;
  std::string platform;
  std::string platform_type;
  std::vector<std::string> labels;

  std::atomic<int64_t> last_seen_us{0};
  std::atomic<int64_t> last_config_us{0};
  std::atomic<int64_t> last_log_us{0};
  std::atomic<int64_t> last_distributed_us{0};
  std::atomic<bool> dirty{false};  // times changed since the last drain

  // When each dynamic label is next due on this host (label id → µs). Only
  // this host's own polls touch it.
  std::mutex label_mu;
  std::unordered_map<int64_t, int64_t> label_due_us;  // GUARDED_BY(label_mu)

  void Touch(store::SeenVia via, int64_t now_us);
};

using NodeRef = std::shared_ptr<NodeEntry>;

class NodeRegistry {
 public:
  NodeRegistry() = default;
  NodeRegistry(const NodeRegistry&) = delete;
  NodeRegistry& operator=(const NodeRegistry&) = delete;

  // Installs or replaces the entry for node.id. A changed key hash stops the old
  // hash from matching; a revoked node (empty hash) stops matching at all.
  // Last-seen times already known in memory are kept when newer.
  void Apply(const store::Node& node);

  // The entry whose key hash equals HashSecret(node_key), or nullptr.
  NodeRef FindByKey(std::string_view node_key) const;
  NodeRef FindById(store::NodeId id) const;

  // Last-seen times changed since the previous call (clears the dirty marks).
  std::vector<store::LastSeen> TakeDirtyLastSeen();

  size_t size() const;
  // A snapshot of every known, non-revoked node.
  std::vector<NodeRef> All() const;

 private:
  static constexpr size_t kShards = 16;
  struct Shard {
    mutable std::shared_mutex mu;
    std::unordered_map<std::string, NodeRef> by_hash;  // GUARDED_BY(mu)
  };
  Shard& ShardFor(std::string_view hash) const;

  mutable std::array<Shard, kShards> shards_;
  mutable std::shared_mutex ids_mu_;
  struct ById {
    NodeRef entry;
    std::string hash;  // the hash it is filed under ("" = revoked)
  };
  std::unordered_map<store::NodeId, ById> by_id_;  // GUARDED_BY(ids_mu_)
};

}  // namespace quarry::fleet
