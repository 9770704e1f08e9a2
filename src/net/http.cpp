#include "net/http.h"

#include "net/http_util.h"

namespace quarry::net {

std::optional<std::string_view> HttpRequest::Header(std::string_view name) const {
  return FindHeader(headers, name);
}

}  // namespace quarry::net
