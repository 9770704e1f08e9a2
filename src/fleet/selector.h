// TargetSelector: which hosts a run goes to, and its resolution to host ids.
//
// Kinds: all hosts; named hosts (ids, host identifiers or hostnames);
// platforms; labels. Values within a kind are OR-ed, kinds are AND-ed, and
// named hosts are always included: result = named ∪ (all|every host filtered by
// platforms AND labels).
//
// Platforms match a family ("linux", "darwin", "windows", "posix", from osquery's
// platform_type bitmask) or an exact os_version.platform ("ubuntu", "rhel").
#pragma once

#include <string>
#include <vector>

#include "base/result.h"
#include "fleet/label_index.h"
#include "fleet/node_registry.h"

namespace quarry::fleet {

struct TargetSelector {
  bool all = false;
  std::vector<store::NodeId> host_ids;
  std::vector<std::string> hosts;  // host identifiers or hostnames
  std::vector<std::string> platforms;
  std::vector<std::string> labels;

  bool empty() const {
    return !all && host_ids.empty() && hosts.empty() && platforms.empty() && labels.empty();
  }
};

// true when `node` runs on `platform` (a family or an exact platform name).
bool MatchesPlatform(const NodeEntry& node, std::string_view platform);

// Resolves to sorted, distinct host ids. kInvalidArgument for an unknown named
// host or label, an empty selector, or a selector that matches no host.
Result<std::vector<store::NodeId>> ResolveTargets(const TargetSelector& selector,
                                                  const NodeRegistry& nodes,
                                                  const LabelIndex& labels);

}  // namespace quarry::fleet
