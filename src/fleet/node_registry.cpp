#include "fleet/node_registry.h"

#include <functional>
#include <mutex>

#include "base/secret.h"

namespace quarry::fleet {
namespace {

void RaiseTo(std::atomic<int64_t>& slot, int64_t value) {
  int64_t seen = slot.load(std::memory_order_relaxed);
  while (seen < value && !slot.compare_exchange_weak(seen, value, std::memory_order_relaxed)) {
  }
}

}  // namespace

void NodeEntry::Touch(store::SeenVia via, int64_t now_us) {
  RaiseTo(last_seen_us, now_us);
  switch (via) {
    case store::SeenVia::kConfig: RaiseTo(last_config_us, now_us); break;
    case store::SeenVia::kLog: RaiseTo(last_log_us, now_us); break;
    case store::SeenVia::kDistributed: RaiseTo(last_distributed_us, now_us); break;
  }
  dirty.store(true, std::memory_order_relaxed);
}

NodeRegistry::Shard& NodeRegistry::ShardFor(std::string_view hash) const {
  return shards_[std::hash<std::string_view>{}(hash) % kShards];
}

void NodeRegistry::Apply(const store::Node& node) {
  auto entry = std::make_shared<NodeEntry>();
  entry->id = node.id;
  entry->host_identifier = node.identity.host_identifier;
  entry->hostname = node.identity.hostname;
  entry->platform = node.identity.platform;
  entry->platform_type = node.identity.platform_type;
  entry->labels = node.secret_labels;
  entry->last_seen_us = node.last_seen_us;
  entry->last_config_us = node.last_config_us;
  entry->last_log_us = node.last_log_us;
  entry->last_distributed_us = node.last_distributed_us;

  std::string new_hash = node.revoked ? std::string() : node.node_key_hash;
  std::string old_hash;
  {
    std::unique_lock lock(ids_mu_);
    auto it = by_id_.find(node.id);
    if (it != by_id_.end()) {
      old_hash = it->second.hash;
      const NodeEntry& prev = *it->second.entry;
      RaiseTo(entry->last_seen_us, prev.last_seen_us.load());
      RaiseTo(entry->last_config_us, prev.last_config_us.load());
      RaiseTo(entry->last_log_us, prev.last_log_us.load());
      RaiseTo(entry->last_distributed_us, prev.last_distributed_us.load());
      entry->dirty = prev.dirty.load();
    }
    by_id_[node.id] = ById{entry, new_hash};
    // The hash shards are updated under ids_mu_ too, so two Apply calls for the
    // same node cannot interleave and leave a stale hash filed.
    if (!old_hash.empty() && old_hash != new_hash) {
      Shard& s = ShardFor(old_hash);
      std::unique_lock slock(s.mu);
      auto found = s.by_hash.find(old_hash);
      if (found != s.by_hash.end() && found->second->id == node.id) s.by_hash.erase(found);
    }
    if (!new_hash.empty()) {
      Shard& s = ShardFor(new_hash);
      std::unique_lock slock(s.mu);
      s.by_hash[new_hash] = entry;
    }
  }
}

NodeRef NodeRegistry::FindByKey(std::string_view node_key) const {
  if (node_key.empty()) return nullptr;
  std::string hash = HashSecret(node_key);
  const Shard& s = ShardFor(hash);
  std::shared_lock lock(s.mu);
  auto it = s.by_hash.find(hash);
  return it == s.by_hash.end() ? nullptr : it->second;
}

NodeRef NodeRegistry::FindById(store::NodeId id) const {
  std::shared_lock lock(ids_mu_);
  auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : it->second.entry;
}

std::vector<store::LastSeen> NodeRegistry::TakeDirtyLastSeen() {
  std::vector<store::LastSeen> out;
  std::shared_lock lock(ids_mu_);
  for (auto& [id, slot] : by_id_) {
    NodeEntry& e = *slot.entry;
    if (!e.dirty.exchange(false, std::memory_order_relaxed)) continue;
    out.push_back(store::LastSeen{id, e.last_seen_us.load(), e.last_config_us.load(),
                                  e.last_log_us.load(), e.last_distributed_us.load()});
  }
  return out;
}

size_t NodeRegistry::size() const {
  std::shared_lock lock(ids_mu_);
  return by_id_.size();
}

std::vector<NodeRef> NodeRegistry::All() const {
  std::vector<NodeRef> out;
  std::shared_lock lock(ids_mu_);
  out.reserve(by_id_.size());
  for (auto& [id, slot] : by_id_) {
    if (!slot.hash.empty()) out.push_back(slot.entry);
  }
  return out;
}

}  // namespace quarry::fleet
