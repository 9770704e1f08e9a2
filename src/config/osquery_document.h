// The osquery config document Quarry serves to hosts: defaults, merging, and
// the checks osqueryd itself applies to what it receives. Internal to config/.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <string>
#include <string_view>

#include "config/server_config.h"

namespace quarry::config::internal {

// Limits osqueryd enforces on a config response (protocol reference 3.3 and 8):
// released agents (<= 5.23.1) refuse documents over 1 MiB, and every agent
// refuses nesting deeper than 32.
inline constexpr size_t kMaxOsqueryConfigBytes = 1024 * 1024;
inline constexpr int kMaxOsqueryConfigDepth = 32;

// Objects merge key by key, recursively; any other value in `over` replaces
// the one in `into` (arrays included).
void DeepMerge(boost::json::object& into, const boost::json::object& over);

// Nesting depth: a scalar is 0, {} and [] are 1, {"a":{}} is 2.
int JsonDepth(const boost::json::value& value);

// The document served when [osquery] gives neither config_file nor any table:
// a small schedule that shows a host is alive and what it runs. The agent
// options are added by AddAgentOptions like for any other document.
boost::json::object DefaultOsqueryDocument();

// Sets options.distributed_interval and options.logger_tls_period from [agent]
// unless the document already sets them, so that the server's idea of the
// polling periods is what hosts use. false when `options` is not an object.
bool AddAgentOptions(boost::json::object& document, const ServerConfig& config);

// osqueryd drops lines whose first non-blank characters are '#' or '//' before
// parsing a config (reference 3.3); config files written for it may have them.
std::string StripCommentLines(std::string_view text);

// "linux", "darwin" or "windows" from osquery's platform bitmask (LINUX=8,
// OSX=16, WINDOWS=2), or "" when the text is not a number or has none of those.
std::string_view PlatformFamily(std::string_view platform_type);

}  // namespace quarry::config::internal
