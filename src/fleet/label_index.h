// LabelIndex: label definitions and memberships in memory, for resolving
// selectors and scheduling dynamic-label queries without reading the store.
//
// Fed only by Store notifications (Apply*) and the start-up load. Labels that a
// host got from its enroll secret are not here: they live on its NodeEntry, and
// Members() adds them.
//
// Thread-safe (one shared_mutex; writes are rare).
#pragma once

#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "fleet/node_registry.h"
#include "store/model.h"

namespace quarry::fleet {

class LabelIndex {
 public:
  void ApplyLabel(const store::Label& label, bool deleted);
  void ApplyMembership(const store::LabelMembership& membership);

  std::optional<store::Label> Find(std::string_view name) const;
  std::vector<store::Label> All() const;
  std::vector<store::Label> Dynamic() const;

  // Stored members of `name` (manual or dynamic) plus hosts whose enroll
  // secret carried a label of that name. nullopt when no host and no stored
  // label has that name.
  std::optional<std::unordered_set<store::NodeId>> Members(std::string_view name,
                                                           const NodeRegistry& nodes) const;
  // Stored labels `node` belongs to (names).
  std::vector<std::string> LabelsOf(store::NodeId node) const;

 private:
  struct Entry {
    store::Label label;
    std::unordered_set<store::NodeId> members;
  };
  mutable std::shared_mutex mu_;
  std::unordered_map<int64_t, Entry> by_id_;             // GUARDED_BY(mu_)
  std::unordered_map<std::string, int64_t> id_by_name_;  // GUARDED_BY(mu_)
};

}  // namespace quarry::fleet
