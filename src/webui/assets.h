// The web UI's files, compiled into the binary (src/webui/CMakeLists.txt and
// cmake/EmbedAssets.cmake build ui/ with Vite and embed ui/dist; without npm, or
// with QUARRY_WEBUI=OFF, they embed one placeholder index.html instead).
//
// All data is static and immutable: every function here is thread-safe, and the
// string_views stay valid for the life of the program.
#pragma once

#include <span>
#include <string_view>

namespace quarry::webui {

struct Asset {
  std::string_view path;  // URL path: "/index.html", "/assets/index-3fa2c1.js"
  std::string_view mime;  // Content-Type: "text/javascript; charset=utf-8"
  std::string_view body;  // the bytes as stored: gzip data when `gzipped`
  std::string_view etag;  // quoted strong validator of the uncompressed bytes: "\"6f1c…\""
  bool gzipped;           // body is a gzip stream (Content-Encoding: gzip)
};

// The asset at exactly `path` (leading '/', no query), or nullptr.
const Asset* FindAsset(std::string_view path);

// Every asset, sorted by path.
std::span<const Asset> AllAssets();

// False when the placeholder page was embedded instead of the built UI.
bool WebUiBuilt();

}  // namespace quarry::webui
