// Writing JSON text by hand where building a document would cost more than it
// gives (hot paths that splice stored JSON, generated log lines).
#pragma once

#include <string>
#include <string_view>

namespace quarry {

// Appends `s` as a JSON string literal (quotes included). Control characters
// are escaped; bytes >= 0x80 pass through, so valid UTF-8 stays valid.
void AppendJsonString(std::string& out, std::string_view s);

}  // namespace quarry
