#include "fleet/selector.h"

#include <algorithm>
#include <charconv>
#include <unordered_set>

namespace quarry::fleet {
namespace {

int PlatformMask(const NodeEntry& node) {
  int mask = 0;
  auto& t = node.platform_type;
  std::from_chars(t.data(), t.data() + t.size(), mask);
  return mask;
}

}  // namespace

bool MatchesPlatform(const NodeEntry& node, std::string_view platform) {
  int mask = PlatformMask(node);
  if (platform == "linux") return (mask & 8) != 0 || node.platform == "linux";
  if (platform == "darwin" || platform == "macos") return (mask & 16) != 0 || node.platform == "darwin";
  if (platform == "windows") return (mask & 2) != 0 || node.platform == "windows";
  if (platform == "posix") return (mask & 1) != 0;
  if (platform == "freebsd") return (mask & 32) != 0 || node.platform == "freebsd";
  return node.platform == platform;
}

Result<std::vector<store::NodeId>> ResolveTargets(const TargetSelector& selector,
                                                  const NodeRegistry& nodes,
                                                  const LabelIndex& labels) {
  if (selector.empty()) {
    return Fail(ErrorCode::kInvalidArgument,
                "targets: give all hosts, or hosts, platforms or labels");
  }
  std::unordered_set<store::NodeId> chosen;
  auto all = nodes.All();

  for (store::NodeId id : selector.host_ids) {
    auto node = nodes.FindById(id);
    if (!node) return Fail(ErrorCode::kInvalidArgument, "targets: unknown host id " + std::to_string(id));
    chosen.insert(id);
  }
  for (const auto& name : selector.hosts) {
    bool found = false;
    for (const auto& node : all) {
      if (node->host_identifier == name || node->hostname == name) {
        chosen.insert(node->id);
        found = true;
      }
    }
    if (!found) return Fail(ErrorCode::kInvalidArgument, "targets: unknown host '" + name + "'");
  }

  bool filtered = selector.all || !selector.platforms.empty() || !selector.labels.empty();
  if (filtered) {
    std::vector<std::unordered_set<store::NodeId>> label_sets;
    std::unordered_set<store::NodeId> in_any_label;
    for (const auto& name : selector.labels) {
      auto members = labels.Members(name, nodes);
      if (!members) return Fail(ErrorCode::kInvalidArgument, "targets: unknown label '" + name + "'");
      in_any_label.insert(members->begin(), members->end());
    }
    for (const auto& node : all) {
      if (!selector.platforms.empty() &&
          std::none_of(selector.platforms.begin(), selector.platforms.end(),
                       [&](const std::string& p) { return MatchesPlatform(*node, p); })) {
        continue;
      }
      if (!selector.labels.empty() && !in_any_label.count(node->id)) continue;
      chosen.insert(node->id);
    }
  }
  if (chosen.empty()) return Fail(ErrorCode::kInvalidArgument, "targets: no enrolled host matches");
  std::vector<store::NodeId> out(chosen.begin(), chosen.end());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace quarry::fleet
