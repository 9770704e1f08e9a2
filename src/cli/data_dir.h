// The data directory of an embedded-default server: where `quarry serve` keeps
// its database, certificates, secrets and the osqueryd flagfile, and where
// clients on the same machine (CLI, simulator) find them.
//
//   ca.pem ca.key server.pem server.key   generated PKI (net/pki.h)
//   enroll_secret                         the default enroll secret (0600)
//   operator_token                        the first admin token (0600)
//   osquery.flags                         ready flagfile for osqueryd
//   quarry.db                             the SQLite store
//   server.json                           addresses of the running server
#pragma once

#include <string>

#include "base/result.h"

namespace quarry::cli {

// Creates `dir` (mode 0700) when missing.
Result<void> EnsureDirectory(const std::string& dir);

// Reads a secret file (trimmed); when it does not exist, creates it (0600,
// exclusively) with `bytes` random bytes hex-encoded. `created` tells which.
Result<std::string> ReadOrCreateSecret(const std::string& path, size_t bytes, bool* created);

// Reads a whole file / writes one atomically (temp file + rename) with `mode`.
Result<std::string> ReadFile(const std::string& path);
Result<void> WriteFileAtomic(const std::string& path, const std::string& content, int mode);

std::string AbsolutePath(const std::string& path);
std::string JoinPath(const std::string& dir, const std::string& name);

}  // namespace quarry::cli
