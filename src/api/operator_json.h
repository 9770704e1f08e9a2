// JSON shapes of the operator API (docs/api.md), in one place, shared by the
// request handlers and the event streams.
#pragma once

#include <boost/json/object.hpp>
#include <string>
#include <vector>

#include "fleet/fleet.h"
#include "store/model.h"

namespace quarry::api {

// Progress of a run: counts per state plus online/offline, and whether the
// run is done (ended, or every online target has finished).
struct Progress {
  int64_t targeted = 0, online = 0, offline = 0;
  int64_t pending = 0, picked_up = 0, answered = 0, failed = 0, expired = 0, cancelled = 0;
  int64_t rows = 0;
  bool done = false;
  bool operator==(const Progress&) const = default;
};

Progress ComputeProgress(const store::Run& run, const std::vector<store::RunHost>& hosts,
                         const fleet::Fleet& fleet);

boost::json::object ProgressJson(const Progress& p);
boost::json::object RunJson(const store::Run& run);
boost::json::object RunHostJson(const store::RunHost& host, const fleet::Fleet& fleet);
boost::json::object NodeJson(const store::Node& node, const fleet::Fleet& fleet);
boost::json::object LabelJson(const store::Label& label, int64_t hosts);

// The hostname of a host id from memory ("" when unknown).
std::string HostnameOf(const fleet::Fleet& fleet, store::NodeId node);

// {"rows":[{"seq","host_id","host","row":{…}}]}: stored row JSON is spliced in
// as it is, never re-parsed.
std::string RowsJson(const std::vector<store::ResultRow>& rows, const fleet::Fleet& fleet);

std::string Serialize(const boost::json::object& o);

}  // namespace quarry::api
