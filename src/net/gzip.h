// gzip bodies: inflate with a hard cap on the output (zlib, gzip wrapper).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "base/result.h"

namespace quarry::net {

// Inflates a gzip stream. kTooLarge when the output would exceed max_output;
// kInvalidArgument when the input is not a complete, valid gzip stream (trailing
// bytes after the stream included). The result has `padding` bytes of spare
// capacity.
Result<std::string> GunzipCapped(std::string_view input, size_t max_output, size_t padding = 64);

// Compresses with the gzip wrapper (for clients and tests).
std::string Gzip(std::string_view input, int level = 6);

}  // namespace quarry::net
