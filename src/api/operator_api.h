// The operator side of the API on the admin listener: /healthz, and JSON under
// /api/v1 authenticated by "Authorization: Bearer <token>".
//
//   GET  /healthz                      liveness and a few counts (no token)
//   GET  /api/v1/hosts                 enrolled hosts
//   POST /api/v1/hosts/{id}/revoke     the host's node key stops working at once
//   POST /api/v1/runs                  {"sql", "hosts":[ids] | "all":true, "timeout_seconds"}
//   GET  /api/v1/runs/{id}             the run, its progress and per-host states
//   GET  /api/v1/runs/{id}/results     rows (?after=<seq>&limit=<n>)
//   POST /api/v1/runs/{id}/cancel
//
// Reads run on a BlockingPool, never on an I/O thread.
#pragma once

#include <string>
#include <vector>

#include "api/blocking_pool.h"
#include "api/route_table.h"
#include "config/server_config.h"
#include "fleet/fleet.h"

namespace quarry::api {

enum class Role { kViewer, kOperator, kAdmin };

// Known operator tokens, by hash. Thread-safe after construction.
class OperatorAuth {
 public:
  void AddToken(std::string_view token, Role role, std::string name);
  // The role and name of the bearer token in `authorization`, or an error.
  Result<std::pair<Role, std::string>> Check(std::optional<std::string_view> authorization) const;

 private:
  struct Entry {
    std::string hash;
    Role role;
    std::string name;
  };
  std::vector<Entry> tokens_;
};

void AddOperatorRoutes(RouteTable& routes, fleet::Fleet& fleet, const OperatorAuth& auth,
                       BlockingPool& pool, const config::Limits& limits);

}  // namespace quarry::api
