// Certificates for the embedded default: an ECDSA P-256 CA and a server
// certificate it signs, generated once into the data directory (OpenSSL 3).
#pragma once

#include <string>
#include <vector>

#include "base/result.h"

namespace quarry::net {

struct PkiFiles {
  std::string ca_cert;      // <dir>/ca.pem: what osqueryd's --tls_server_certs names
  std::string ca_key;       // <dir>/ca.key (0600)
  std::string server_cert;  // <dir>/server.pem: server certificate then CA
  std::string server_key;   // <dir>/server.key (0600)
  bool generated = false;   // true when this call created them
};

// Reuses the four files when all exist; creates all four when none exists; any
// other mix is an error (nothing is regenerated behind the user's back).
// The server certificate's SANs: localhost, 127.0.0.1, ::1, the machine's
// hostname, and `extra_names` (DNS names or IP literals). Validity: CA 10 years,
// server 825 days.
Result<PkiFiles> EnsureServerPki(const std::string& dir, const std::vector<std::string>& extra_names);

// Issues a client certificate signed by the CA in `ca_cert`/`ca_key` (for mTLS
// tests and tooling). Writes cert and key PEM files.
Result<void> IssueClientCertificate(const std::string& ca_cert, const std::string& ca_key,
                                    const std::string& common_name, const std::string& cert_out,
                                    const std::string& key_out);

}  // namespace quarry::net
