// OpenSSL helpers shared by the server and the clients (internal to net/).
#pragma once

#include <openssl/ssl.h>

#include <string>

namespace quarry::net {

// Drains OpenSSL's (thread-local) error queue into one readable line.
std::string OpenSslErrors();

// Gives `ssl` a BIO that reads and writes the non-blocking socket `fd`
// directly: recv() and send(MSG_NOSIGNAL) (OpenSSL's own socket BIO uses
// write(), which raises SIGPIPE when the peer has gone). The SSL owns the BIO;
// the BIO does not own the descriptor, so the SSL must not touch it after the
// socket is closed. Returns false when OpenSSL is out of memory.
bool AttachSocketBio(SSL* ssl, int fd);

}  // namespace quarry::net
