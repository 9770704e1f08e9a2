// Internal to webui/: what the generated file (cmake/EmbedAssets.cmake) defines.
#pragma once

#include <span>

#include "webui/assets.h"

namespace quarry::webui::internal {

// Sorted by path.
std::span<const Asset> EmbeddedAssets();
extern const bool kWebUiBuilt;

}  // namespace quarry::webui::internal
