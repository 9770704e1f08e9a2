// Result<T>: the value-or-error type used at every module boundary.
//
// Errors are values; exceptions never cross a module boundary. An Error carries a
// code (which api/ maps to an HTTP status in one table) and a human-readable
// message that is safe to show to the caller.
#pragma once

#include <string>
#include <utility>

#include <tl/expected.hpp>

namespace quarry {

enum class ErrorCode {
  kInvalidArgument,   // the caller sent something malformed or of the wrong shape
  kNotFound,          // the named thing does not exist
  kUnauthenticated,   // no or unknown credentials (node key, token, enroll secret)
  kPermissionDenied,  // credentials are valid but do not allow this
  kTooLarge,          // a body, header or inflated body is over its named limit
  kUnavailable,       // overloaded or shutting down: try again later
  kConflict,          // the state does not allow this transition
  kDeadlineExceeded,  // a timeout expired
  kIo,                // disk, database or network failure
  kInternal,          // a bug: an invariant did not hold
};

// Short stable name of a code ("invalid_argument", ...), for logs and JSON bodies.
const char* ErrorCodeName(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
};

// [[nodiscard]] so that an unchecked error is a compiler warning.
template <class T>
class [[nodiscard]] Result : public tl::expected<T, Error> {
 public:
  using tl::expected<T, Error>::expected;
  Result(const tl::expected<T, Error>& e) : tl::expected<T, Error>(e) {}
  Result(tl::expected<T, Error>&& e) : tl::expected<T, Error>(std::move(e)) {}
};

inline tl::unexpected<Error> Fail(ErrorCode code, std::string message) {
  return tl::unexpected<Error>(Error{code, std::move(message)});
}

inline tl::unexpected<Error> Fail(Error error) { return tl::unexpected<Error>(std::move(error)); }

// Result<void> success value: `return Ok();`
inline Result<void> Ok() { return {}; }

}  // namespace quarry
