#include "fleet/label_index.h"

#include <algorithm>
#include <mutex>

namespace quarry::fleet {

void LabelIndex::ApplyLabel(const store::Label& label, bool deleted) {
  std::unique_lock lock(mu_);
  if (deleted) {
    id_by_name_.erase(label.name);
    by_id_.erase(label.id);
    return;
  }
  auto& e = by_id_[label.id];
  if (!e.label.name.empty() && e.label.name != label.name) id_by_name_.erase(e.label.name);
  e.label = label;
  id_by_name_[label.name] = label.id;
}

void LabelIndex::ApplyMembership(const store::LabelMembership& m) {
  std::unique_lock lock(mu_);
  auto it = by_id_.find(m.label);
  if (it == by_id_.end()) {
    // The membership may arrive before its label when loading: keep it.
    if (!m.member) return;
    it = by_id_.emplace(m.label, Entry{}).first;
    it->second.label.id = m.label;
  }
  if (m.member) {
    it->second.members.insert(m.node);
  } else {
    it->second.members.erase(m.node);
  }
}

std::optional<store::Label> LabelIndex::Find(std::string_view name) const {
  std::shared_lock lock(mu_);
  auto it = id_by_name_.find(std::string(name));
  if (it == id_by_name_.end()) return std::nullopt;
  return by_id_.at(it->second).label;
}

std::vector<store::Label> LabelIndex::All() const {
  std::shared_lock lock(mu_);
  std::vector<store::Label> out;
  for (const auto& [id, e] : by_id_) {
    if (!e.label.name.empty()) out.push_back(e.label);
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return out;
}

std::vector<store::Label> LabelIndex::Dynamic() const {
  std::shared_lock lock(mu_);
  std::vector<store::Label> out;
  for (const auto& [id, e] : by_id_) {
    if (!e.label.name.empty() && e.label.kind == store::LabelKind::kDynamic) out.push_back(e.label);
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  return out;
}

std::optional<std::unordered_set<store::NodeId>> LabelIndex::Members(
    std::string_view name, const NodeRegistry& nodes) const {
  std::optional<std::unordered_set<store::NodeId>> out;
  {
    std::shared_lock lock(mu_);
    auto it = id_by_name_.find(std::string(name));
    if (it != id_by_name_.end()) out = by_id_.at(it->second).members;
  }
  for (const auto& node : nodes.All()) {
    if (std::find(node->labels.begin(), node->labels.end(), name) != node->labels.end()) {
      if (!out) out.emplace();
      out->insert(node->id);
    }
  }
  return out;
}

std::vector<std::string> LabelIndex::LabelsOf(store::NodeId node) const {
  std::shared_lock lock(mu_);
  std::vector<std::string> out;
  for (const auto& [id, e] : by_id_) {
    if (!e.label.name.empty() && e.members.count(node)) out.push_back(e.label.name);
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace quarry::fleet
