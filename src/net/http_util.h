// Small helpers shared by the server and the client (internal to net/).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "net/http.h"

namespace quarry::net {

// ASCII case-insensitive equality, as HTTP field names compare.
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

// The first header named `name` (case-insensitive), or nullopt.
std::optional<std::string_view> FindHeader(const HeaderList& headers, std::string_view name);

// {"error":"<message>"} with the message JSON-escaped.
std::string JsonError(std::string_view message);

}  // namespace quarry::net
