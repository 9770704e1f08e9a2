#include "net/net_test_support.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <stdexcept>

namespace quarry::net::test {
namespace {

std::unique_ptr<TestPki> MakePki(const char* name) {
  auto pki = std::make_unique<TestPki>();
  const char* tmp = std::getenv("TMPDIR");
  std::string tmpl = std::string(tmp != nullptr ? tmp : "/tmp") + "/quarry_" + name + "_XXXXXX";
  if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  pki->root = tmpl;
  auto files = EnsureServerPki(pki->root + "/pki", {});
  if (!files) throw std::runtime_error("test PKI: " + files.error().message);
  pki->files = *files;
  return pki;
}

// Removes the directories at exit.
struct PkiHolder {
  std::unique_ptr<TestPki> pki;
  ~PkiHolder() {
    if (pki) {
      std::error_code ignored;
      std::filesystem::remove_all(pki->root, ignored);
    }
  }
};

}  // namespace

const TestPki& SharedPki() {
  static PkiHolder holder{MakePki("net_shared")};
  return *holder.pki;
}

const TestPki& OtherPki() {
  static PkiHolder holder{MakePki("net_other")};
  return *holder.pki;
}

int ConnectLoopback(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    return -1;
  }
  timeval tv{};
  tv.tv_sec = std::chrono::duration_cast<std::chrono::seconds>(kPatience).count();
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  return fd;
}

}  // namespace quarry::net::test
