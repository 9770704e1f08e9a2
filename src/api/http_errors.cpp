#include "api/http_errors.h"

#include "proto/agent_messages.h"

namespace quarry::api {

int HttpStatusFor(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument: return 400;
    case ErrorCode::kUnauthenticated: return 401;
    case ErrorCode::kPermissionDenied: return 403;
    case ErrorCode::kNotFound: return 404;
    case ErrorCode::kConflict: return 409;
    case ErrorCode::kTooLarge: return 413;
    case ErrorCode::kUnavailable: return 503;
    case ErrorCode::kDeadlineExceeded: return 504;
    case ErrorCode::kIo: return 500;
    case ErrorCode::kInternal: return 500;
  }
  return 500;
}

net::HttpResponse ErrorResponse(int status, std::string_view message) {
  net::HttpResponse r;
  r.status = status;
  r.body = proto::RenderError(message);
  return r;
}

net::HttpResponse ErrorResponse(const Error& error) {
  return ErrorResponse(HttpStatusFor(error.code), error.message);
}

net::HttpResponse JsonResponse(std::string body, int status) {
  net::HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

}  // namespace quarry::api
