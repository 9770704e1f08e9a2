// Secrets: random keys, their hashes, and constant-time comparison (libsodium).
//
// Node keys and API tokens are 256-bit random values shown to their holder once;
// only their BLAKE2b-256 hash is stored. A fast hash is enough because the input
// has full entropy. All functions are thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace quarry {

// Must be called once before any other function here (idempotent, thread-safe).
void InitSecrets();

// `bytes` random bytes, hex-encoded (2*bytes characters).
std::string RandomHex(size_t bytes);

// BLAKE2b-256 of `secret`, hex-encoded (64 characters).
std::string HashSecret(std::string_view secret);

// true when a == b, in time that depends only on the lengths.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

// Lower-case hex encoding.
std::string HexEncode(std::string_view bytes);

}  // namespace quarry
