// The one table that maps Error codes to HTTP statuses, and JSON error bodies.
#pragma once

#include <string_view>

#include "base/result.h"
#include "net/http.h"

namespace quarry::api {

int HttpStatusFor(ErrorCode code);

// {"error": message} with the given status.
net::HttpResponse ErrorResponse(int status, std::string_view message);
// The status from HttpStatusFor(error.code), body {"error": error.message}.
net::HttpResponse ErrorResponse(const Error& error);
net::HttpResponse JsonResponse(std::string body, int status = 200);

}  // namespace quarry::api
