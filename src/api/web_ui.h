// The web UI on the operator listener: the files embedded by webui/ and the
// session endpoint that turns a pasted operator token into a cookie, so that
// the browser's fetch and EventSource calls (which cannot set an Authorization
// header) authenticate without script ever holding the token.
//
//   GET /, /index.html      index.html; Cache-Control: no-cache
//   GET /assets/*           content-hashed files; public, max-age=31536000, immutable
//                           Both: ETag / If-None-Match -> 304; gzip when the client
//                           accepts it (inflated here for the rare one that does not).
//   POST /api/v1/session    {"token"} (Content-Type: application/json) -> {"name","role"}
//                           and Set-Cookie: quarry_session=<token>; Path=/; Secure;
//                           HttpOnly; SameSite=Strict. 401 for an unknown token.
//   DELETE /api/v1/session  clears the cookie (no authentication needed).
//
// Asset requests are answered on the I/O thread (static data, no blocking); the
// session check runs on `pool` because OperatorAuth::Check may read the store.
#pragma once

#include "api/blocking_pool.h"
#include "api/operator_auth.h"
#include "api/route_table.h"
#include "config/server_config.h"

namespace quarry::api {

// The name of the session cookie; OperatorAuth reads the same name.
inline constexpr char kSessionCookie[] = "quarry_session";

// REQUIRES: `auth` and `pool` outlive the routes.
void AddWebUiRoutes(RouteTable& routes, const OperatorAuth& auth, BlockingPool& pool,
                    const config::Limits& limits);

}  // namespace quarry::api
