// The operator side of the API on the admin listener (docs/api.md): /healthz,
// and JSON under /api/v1 authenticated by a bearer token (or the session
// cookie). Every call that may touch the database runs on a BlockingPool, never
// on an I/O thread; every change is recorded in the audit log.
#pragma once

#include "api/blocking_pool.h"
#include "api/operator_auth.h"
#include "api/route_table.h"
#include "api/run_streams.h"
#include "config/server_config.h"
#include "fleet/fleet.h"

namespace quarry::api {

struct OperatorApiDeps {
  fleet::Fleet& fleet;
  store::Store& store;
  const OperatorAuth& auth;
  BlockingPool& pool;
  RunStreams& streams;
};

void AddOperatorRoutes(RouteTable& routes, const OperatorApiDeps& deps,
                       const config::Limits& limits);

}  // namespace quarry::api
