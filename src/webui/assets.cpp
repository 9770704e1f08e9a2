#include "webui/assets.h"

#include <algorithm>

#include "webui/embedded_assets.h"

namespace quarry::webui {

const Asset* FindAsset(std::string_view path) {
  auto all = internal::EmbeddedAssets();
  auto it = std::lower_bound(all.begin(), all.end(), path,
                             [](const Asset& a, std::string_view p) { return a.path < p; });
  if (it == all.end() || it->path != path) return nullptr;
  return &*it;
}

std::span<const Asset> AllAssets() { return internal::EmbeddedAssets(); }

bool WebUiBuilt() { return internal::kWebUiBuilt; }

}  // namespace quarry::webui
