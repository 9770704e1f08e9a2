#include "fleet/pending_queries.h"

#include <algorithm>
#include <charconv>

namespace quarry::fleet {

std::string RunWireId(store::RunId run) { return "q" + std::to_string(run); }

store::RunId ParseRunWireId(std::string_view wire_id) {
  if (wire_id.size() < 2 || wire_id[0] != 'q') return 0;
  store::RunId run = 0;
  auto digits = wire_id.substr(1);
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), run);
  if (ec != std::errc() || end != digits.data() + digits.size() || run <= 0) return 0;
  return run;
}

void PendingQueries::AddRun(const store::Run& run, const std::vector<store::NodeId>& targets) {
  if (run.status != store::RunStatus::kRunning) return;
  auto sql = std::make_shared<const std::string>(run.sql);
  {
    std::lock_guard lock(runs_mu_);
    auto& list = run_targets_[run.id];
    list.insert(list.end(), targets.begin(), targets.end());
  }
  for (store::NodeId node : targets) {
    Shard& s = ShardFor(node);
    std::lock_guard lock(s.mu);
    auto& queue = s.by_node[node];
    bool present = std::any_of(queue.begin(), queue.end(),
                               [&](const PendingQuery& q) { return q.run == run.id; });
    if (!present) queue.push_back(PendingQuery{run.id, sql, run.deadline_us});
  }
}

void PendingQueries::RemoveHost(store::RunId run, store::NodeId node) {
  Shard& s = ShardFor(node);
  std::lock_guard lock(s.mu);
  auto it = s.by_node.find(node);
  if (it == s.by_node.end()) return;
  auto& queue = it->second;
  std::erase_if(queue, [&](const PendingQuery& q) { return q.run == run; });
  if (queue.empty()) s.by_node.erase(it);
}

void PendingQueries::RemoveRun(store::RunId run) {
  std::vector<store::NodeId> targets;
  {
    std::lock_guard lock(runs_mu_);
    auto it = run_targets_.find(run);
    if (it == run_targets_.end()) return;
    targets = std::move(it->second);
    run_targets_.erase(it);
  }
  for (store::NodeId node : targets) RemoveHost(run, node);
}

std::vector<PendingQuery> PendingQueries::Take(store::NodeId node, int64_t now_us) {
  std::vector<PendingQuery> out;
  Shard& s = ShardFor(node);
  std::lock_guard lock(s.mu);
  auto it = s.by_node.find(node);
  if (it == s.by_node.end()) return out;
  for (auto& q : it->second) {
    if (q.deadline_us > now_us) out.push_back(std::move(q));
  }
  s.by_node.erase(it);
  return out;
}

bool PendingQueries::HasPending(store::NodeId node) const {
  Shard& s = ShardFor(node);
  std::lock_guard lock(s.mu);
  return s.by_node.count(node) != 0;
}

size_t PendingQueries::hosts_with_work() const {
  size_t n = 0;
  for (auto& s : shards_) {
    std::lock_guard lock(s.mu);
    n += s.by_node.size();
  }
  return n;
}

}  // namespace quarry::fleet
