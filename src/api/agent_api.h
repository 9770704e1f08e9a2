// The agent side of the API: osquery's remote endpoints (enroll, config, log,
// distributed read/write, carve), served on three path sets at once so that
// hosts can move over by changing only --tls_hostname:
//   Quarry's own:  <prefix>/enroll ... (prefix default /api/v1/osquery)
//   without v1:    the same prefix with "/v1" removed (/api/osquery/enroll ...)
//   Splunk app's:  /services/osquery/{enroll,config,logger,distributed_read,distributed_write}
//
// Each handler parses the body (proto/), asks the domain (fleet/), and renders
// the answer. Responses follow the reference's rules: a refused enrollment has no
// node_key; an unknown node key gets {"node_invalid": true}; a success never
// carries an `error` key.
#pragma once

#include "api/route_table.h"
#include "config/server_config.h"
#include "fleet/fleet.h"

namespace quarry::api {

// The node key from "Authorization: NodeKey <key>", or "" when absent.
std::string_view NodeKeyFromHeader(const net::HttpRequest& request);

// The path sets served, for logs and the flagfile: each entry is a prefix-less
// map from endpoint name to path.
struct AgentPathSet {
  std::string name;
  std::string enroll, config, log, distributed_read, distributed_write, carve_begin, carve_block;
};
std::vector<AgentPathSet> AgentPathSets(const config::AgentPaths& paths);

void AddAgentRoutes(RouteTable& routes, fleet::Fleet& fleet, const config::AgentPaths& paths,
                    const config::Limits& limits);

}  // namespace quarry::api
