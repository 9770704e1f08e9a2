// Small helpers shared by the server and the client (internal to net/).
#pragma once

#include <cstdint>
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

// Whether `s` holds CR or LF (a header name or value that would inject lines).
bool HasLineBreak(std::string_view s);

// An RFC 9110 token character (HTTP method, field name).
bool IsTokenChar(char c);

// Whether `s` holds a control character or a space (not allowed in a request target).
bool HasCtlOrSpace(std::string_view s);

// Whether `host` is an IPv4 or IPv6 address literal rather than a name (an IP
// is matched against iPAddress SANs and never sent as SNI).
bool IsIpLiteral(const std::string& host);

// Limits on a response the clients read: generous, since the clients talk to
// our own server; they only stop a broken peer from exhausting memory.
constexpr std::uint32_t kMaxResponseHeaderBytes = 64 * 1024;
constexpr std::uint64_t kMaxResponseBodyBytes = 256 * 1024 * 1024;

}  // namespace quarry::net
