#include "net/pki.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <filesystem>
#include <memory>
#include <set>
#include <tuple>
#include <utility>

namespace quarry::net {
namespace {

constexpr long kCaValidityDays = 3650;
// 825 days: the longest validity Apple platforms accept for TLS server certs.
constexpr long kServerValidityDays = 825;
constexpr long kClientValidityDays = 825;
// Backdate notBefore so that a slightly slow clock on an agent still accepts it.
constexpr long kBackdateSeconds = 60 * 60;
constexpr long kSecondsPerDay = 24 * 60 * 60;

struct Deleter {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(X509* p) const { X509_free(p); }
  void operator()(BIO* p) const { BIO_free_all(p); }
  void operator()(BIGNUM* p) const { BN_free(p); }
  void operator()(X509_EXTENSION* p) const { X509_EXTENSION_free(p); }
  void operator()(GENERAL_NAMES* p) const { GENERAL_NAMES_free(p); }
  void operator()(GENERAL_NAME* p) const { GENERAL_NAME_free(p); }
  void operator()(ASN1_OCTET_STRING* p) const { ASN1_OCTET_STRING_free(p); }
};
template <class T>
using Ptr = std::unique_ptr<T, Deleter>;

// The first queued OpenSSL error, for messages; clears the queue.
std::string OpenSslError(const char* what) {
  unsigned long code = ERR_get_error();
  std::string message = what;
  if (code != 0) {
    char buf[256];
    ERR_error_string_n(code, buf, sizeof(buf));
    message += ": ";
    message += buf;
  }
  ERR_clear_error();
  return message;
}

bool FileExists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

Result<Ptr<EVP_PKEY>> NewP256Key() {
  Ptr<EVP_PKEY> key(EVP_EC_gen("P-256"));
  if (!key) return Fail(ErrorCode::kInternal, OpenSslError("EVP_EC_gen"));
  return key;
}

Result<void> SetRandomSerial(X509* cert) {
  Ptr<BIGNUM> bn(BN_new());
  if (!bn || !BN_rand(bn.get(), 128, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY)) {
    return Fail(ErrorCode::kInternal, OpenSslError("BN_rand"));
  }
  ASN1_INTEGER* serial = X509_get_serialNumber(cert);
  if (!BN_to_ASN1_INTEGER(bn.get(), serial)) {
    return Fail(ErrorCode::kInternal, OpenSslError("BN_to_ASN1_INTEGER"));
  }
  return Ok();
}

Result<void> AddExtension(X509* cert, X509V3_CTX* ctx, int nid, const char* value) {
  Ptr<X509_EXTENSION> ext(X509V3_EXT_conf_nid(nullptr, ctx, nid, value));
  if (!ext || !X509_add_ext(cert, ext.get(), -1)) {
    return Fail(ErrorCode::kInternal, OpenSslError(OBJ_nid2sn(nid)));
  }
  return Ok();
}

// A certificate skeleton: version 3, random serial, validity, subject CN,
// public key. The issuer name is set by the caller.
Result<Ptr<X509>> NewCertificate(EVP_PKEY* key, const std::string& common_name, long days) {
  Ptr<X509> cert(X509_new());
  if (!cert) return Fail(ErrorCode::kInternal, OpenSslError("X509_new"));
  if (!X509_set_version(cert.get(), X509_VERSION_3)) {
    return Fail(ErrorCode::kInternal, OpenSslError("X509_set_version"));
  }
  if (auto r = SetRandomSerial(cert.get()); !r) return Fail(r.error());
  if (!X509_gmtime_adj(X509_getm_notBefore(cert.get()), -kBackdateSeconds) ||
      !X509_gmtime_adj(X509_getm_notAfter(cert.get()), days * kSecondsPerDay)) {
    return Fail(ErrorCode::kInternal, OpenSslError("X509_gmtime_adj"));
  }
  X509_NAME* name = X509_get_subject_name(cert.get());
  if (!X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
                                  reinterpret_cast<const unsigned char*>("Quarry"), -1, -1, 0) ||
      !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                  reinterpret_cast<const unsigned char*>(common_name.c_str()), -1,
                                  -1, 0)) {
    return Fail(ErrorCode::kInvalidArgument, OpenSslError("subject name"));
  }
  if (!X509_set_pubkey(cert.get(), key)) {
    return Fail(ErrorCode::kInternal, OpenSslError("X509_set_pubkey"));
  }
  return cert;
}

Result<void> Sign(X509* cert, EVP_PKEY* issuer_key) {
  if (X509_sign(cert, issuer_key, EVP_sha256()) <= 0) {
    return Fail(ErrorCode::kInternal, OpenSslError("X509_sign"));
  }
  return Ok();
}

Result<std::string> CertPem(X509* cert) {
  Ptr<BIO> bio(BIO_new(BIO_s_mem()));
  if (!bio || !PEM_write_bio_X509(bio.get(), cert)) {
    return Fail(ErrorCode::kInternal, OpenSslError("PEM_write_bio_X509"));
  }
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

Result<std::string> KeyPem(EVP_PKEY* key) {
  Ptr<BIO> bio(BIO_new(BIO_s_mem()));
  if (!bio || !PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr)) {
    return Fail(ErrorCode::kInternal, OpenSslError("PEM_write_bio_PrivateKey"));
  }
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

// Writes `contents` to `path` with `mode`. With `exclusive`, the file must not
// exist (O_EXCL), so a key is never written through a pre-planted symlink or
// with a wider mode. Otherwise it is truncated and its mode forced.
Result<void> WriteFile(const std::string& path, const std::string& contents, mode_t mode,
                       bool exclusive) {
  int flags = O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW | (exclusive ? O_EXCL : O_TRUNC);
  int fd = ::open(path.c_str(), flags, mode);
  if (fd < 0) return Fail(ErrorCode::kIo, "open " + path + ": " + std::strerror(errno));
  if (!exclusive && ::fchmod(fd, mode) != 0) {
    int err = errno;
    ::close(fd);
    return Fail(ErrorCode::kIo, "chmod " + path + ": " + std::strerror(err));
  }
  size_t done = 0;
  while (done < contents.size()) {
    ssize_t n = ::write(fd, contents.data() + done, contents.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      return Fail(ErrorCode::kIo, "write " + path + ": " + std::strerror(err));
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    return Fail(ErrorCode::kIo, "close " + path + ": " + std::strerror(errno));
  }
  return Ok();
}

Result<Ptr<X509>> ReadCert(const std::string& path) {
  Ptr<BIO> bio(BIO_new_file(path.c_str(), "r"));
  if (!bio) return Fail(ErrorCode::kIo, OpenSslError(("open " + path).c_str()));
  Ptr<X509> cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!cert) return Fail(ErrorCode::kInvalidArgument, OpenSslError(("read " + path).c_str()));
  return cert;
}

Result<Ptr<EVP_PKEY>> ReadKey(const std::string& path) {
  Ptr<BIO> bio(BIO_new_file(path.c_str(), "r"));
  if (!bio) return Fail(ErrorCode::kIo, OpenSslError(("open " + path).c_str()));
  Ptr<EVP_PKEY> key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (!key) return Fail(ErrorCode::kInvalidArgument, OpenSslError(("read " + path).c_str()));
  return key;
}

// Adds one SAN: an IP literal (v4 or v6) becomes an iPAddress, anything else a
// dNSName. Names are validated so that a typo fails loudly instead of
// producing a certificate no client will accept.
Result<void> AddSan(GENERAL_NAMES* names, const std::string& name) {
  if (name.empty()) return Fail(ErrorCode::kInvalidArgument, "empty certificate name");
  Ptr<GENERAL_NAME> gen(GENERAL_NAME_new());
  if (!gen) return Fail(ErrorCode::kInternal, "GENERAL_NAME_new");
  if (ASN1_OCTET_STRING* ip = a2i_IPADDRESS(name.c_str())) {
    GENERAL_NAME_set0_value(gen.get(), GEN_IPADD, ip);
  } else {
    ERR_clear_error();
    for (char c : name) {
      bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '-' || c == '.' || c == '*' || c == '_';
      if (!ok) return Fail(ErrorCode::kInvalidArgument, "invalid DNS name: " + name);
    }
    ASN1_IA5STRING* dns = ASN1_IA5STRING_new();
    if (!dns || !ASN1_STRING_set(dns, name.data(), static_cast<int>(name.size()))) {
      ASN1_IA5STRING_free(dns);
      return Fail(ErrorCode::kInternal, "ASN1_STRING_set");
    }
    GENERAL_NAME_set0_value(gen.get(), GEN_DNS, dns);
  }
  if (!sk_GENERAL_NAME_push(names, gen.get())) return Fail(ErrorCode::kInternal, "push SAN");
  gen.release();
  return Ok();
}

std::string HostName() {
  char buf[HOST_NAME_MAX + 1] = {};
  if (::gethostname(buf, sizeof(buf) - 1) != 0) return {};
  return buf;
}

struct Generated {
  std::string ca_cert_pem, ca_key_pem, server_cert_pem, server_key_pem;
};

Result<Generated> GenerateServerPki(const std::vector<std::string>& extra_names) {
  // CA.
  auto ca_key = NewP256Key();
  if (!ca_key) return Fail(ca_key.error());
  auto ca = NewCertificate(ca_key->get(), "Quarry CA", kCaValidityDays);
  if (!ca) return Fail(ca.error());
  X509* ca_cert = ca->get();
  if (!X509_set_issuer_name(ca_cert, X509_get_subject_name(ca_cert))) {
    return Fail(ErrorCode::kInternal, OpenSslError("X509_set_issuer_name"));
  }
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, ca_cert, ca_cert, nullptr, nullptr, 0);
  for (auto [nid, value] : {std::pair{NID_basic_constraints, "critical,CA:TRUE"},
                            std::pair{NID_key_usage, "critical,keyCertSign,cRLSign"},
                            std::pair{NID_subject_key_identifier, "hash"}}) {
    if (auto r = AddExtension(ca_cert, &ctx, nid, value); !r) return Fail(r.error());
  }
  if (auto r = Sign(ca_cert, ca_key->get()); !r) return Fail(r.error());

  // Server certificate.
  auto server_key = NewP256Key();
  if (!server_key) return Fail(server_key.error());
  std::string host = HostName();
  auto server = NewCertificate(server_key->get(), host.empty() ? "localhost" : host,
                               kServerValidityDays);
  if (!server) return Fail(server.error());
  X509* server_cert = server->get();
  if (!X509_set_issuer_name(server_cert, X509_get_subject_name(ca_cert))) {
    return Fail(ErrorCode::kInternal, OpenSslError("X509_set_issuer_name"));
  }
  X509V3_set_ctx(&ctx, ca_cert, server_cert, nullptr, nullptr, 0);
  for (auto [nid, value] : {std::pair{NID_basic_constraints, "critical,CA:FALSE"},
                            std::pair{NID_key_usage, "critical,digitalSignature"},
                            std::pair{NID_ext_key_usage, "serverAuth"},
                            std::pair{NID_subject_key_identifier, "hash"},
                            std::pair{NID_authority_key_identifier, "keyid:always"}}) {
    if (auto r = AddExtension(server_cert, &ctx, nid, value); !r) return Fail(r.error());
  }
  Ptr<GENERAL_NAMES> sans(sk_GENERAL_NAME_new_null());
  if (!sans) return Fail(ErrorCode::kInternal, "sk_GENERAL_NAME_new_null");
  std::vector<std::string> names = {"localhost", "127.0.0.1", "::1"};
  if (!host.empty()) names.push_back(host);
  names.insert(names.end(), extra_names.begin(), extra_names.end());
  std::set<std::string> seen;
  for (const std::string& name : names) {
    if (!seen.insert(name).second) continue;
    if (auto r = AddSan(sans.get(), name); !r) return Fail(r.error());
  }
  if (!X509_add1_ext_i2d(server_cert, NID_subject_alt_name, sans.get(), 0, X509V3_ADD_DEFAULT)) {
    return Fail(ErrorCode::kInternal, OpenSslError("subjectAltName"));
  }
  if (auto r = Sign(server_cert, ca_key->get()); !r) return Fail(r.error());

  Generated out;
  auto ca_pem = CertPem(ca_cert);
  auto ca_key_pem = KeyPem(ca_key->get());
  auto server_pem = CertPem(server_cert);
  auto server_key_pem = KeyPem(server_key->get());
  if (!ca_pem) return Fail(ca_pem.error());
  if (!ca_key_pem) return Fail(ca_key_pem.error());
  if (!server_pem) return Fail(server_pem.error());
  if (!server_key_pem) return Fail(server_key_pem.error());
  out.ca_cert_pem = *ca_pem;
  out.ca_key_pem = *ca_key_pem;
  out.server_cert_pem = *server_pem + *ca_pem;  // chain: leaf first, then the CA
  out.server_key_pem = *server_key_pem;
  return out;
}

}  // namespace

Result<PkiFiles> EnsureServerPki(const std::string& dir,
                                 const std::vector<std::string>& extra_names) {
  if (dir.empty()) return Fail(ErrorCode::kInvalidArgument, "empty PKI directory");
  PkiFiles files;
  files.ca_cert = dir + "/ca.pem";
  files.ca_key = dir + "/ca.key";
  files.server_cert = dir + "/server.pem";
  files.server_key = dir + "/server.key";

  const std::pair<const char*, const std::string*> all[] = {{"ca.pem", &files.ca_cert},
                                                            {"ca.key", &files.ca_key},
                                                            {"server.pem", &files.server_cert},
                                                            {"server.key", &files.server_key}};
  std::string missing;
  int present = 0;
  for (const auto& [name, path] : all) {
    if (FileExists(*path)) {
      ++present;
    } else {
      missing += missing.empty() ? "" : ", ";
      missing += name;
    }
  }
  if (present == 4) return files;
  if (present != 0) {
    return Fail(ErrorCode::kInvalidArgument,
                "PKI directory " + dir + " is incomplete (missing " + missing +
                    "); refusing to regenerate: restore the files or empty the directory");
  }

  // Parents get the default mode; the PKI directory itself is private.
  std::error_code fs_ec;
  std::filesystem::path parent = std::filesystem::path(dir).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, fs_ec);
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return Fail(ErrorCode::kIo, "mkdir " + dir + ": " + std::strerror(errno));
  }
  auto generated = GenerateServerPki(extra_names);
  if (!generated) return Fail(generated.error());

  // Write every file under a temporary name first and rename at the end, so an
  // error midway leaves no partial set that the next start would refuse.
  const std::tuple<const std::string*, const std::string*, mode_t> outputs[] = {
      {&files.ca_cert, &generated->ca_cert_pem, 0644},
      {&files.ca_key, &generated->ca_key_pem, 0600},
      {&files.server_cert, &generated->server_cert_pem, 0644},
      {&files.server_key, &generated->server_key_pem, 0600}};
  std::vector<std::string> written;
  auto cleanup = [&written] {
    for (const std::string& tmp : written) ::unlink(tmp.c_str());
  };
  for (const auto& [path, contents, mode] : outputs) {
    std::string tmp = *path + ".tmp";
    ::unlink(tmp.c_str());  // a leftover from a crashed run
    if (auto r = WriteFile(tmp, *contents, mode, /*exclusive=*/true); !r) {
      cleanup();
      return Fail(r.error());
    }
    written.push_back(tmp);
  }
  for (const auto& [path, contents, mode] : outputs) {
    if (::rename((*path + ".tmp").c_str(), path->c_str()) != 0) {
      int err = errno;
      cleanup();
      return Fail(ErrorCode::kIo, "rename " + *path + ": " + std::strerror(err));
    }
  }
  files.generated = true;
  return files;
}

Result<void> IssueClientCertificate(const std::string& ca_cert, const std::string& ca_key,
                                    const std::string& common_name, const std::string& cert_out,
                                    const std::string& key_out) {
  auto ca = ReadCert(ca_cert);
  if (!ca) return Fail(ca.error());
  auto issuer_key = ReadKey(ca_key);
  if (!issuer_key) return Fail(issuer_key.error());
  if (X509_check_private_key(ca->get(), issuer_key->get()) != 1) {
    return Fail(ErrorCode::kInvalidArgument, OpenSslError("CA key does not match CA certificate"));
  }

  auto key = NewP256Key();
  if (!key) return Fail(key.error());
  auto cert = NewCertificate(key->get(), common_name, kClientValidityDays);
  if (!cert) return Fail(cert.error());
  if (!X509_set_issuer_name(cert->get(), X509_get_subject_name(ca->get()))) {
    return Fail(ErrorCode::kInternal, OpenSslError("X509_set_issuer_name"));
  }
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, ca->get(), cert->get(), nullptr, nullptr, 0);
  for (auto [nid, value] : {std::pair{NID_basic_constraints, "critical,CA:FALSE"},
                            std::pair{NID_key_usage, "critical,digitalSignature"},
                            std::pair{NID_ext_key_usage, "clientAuth"},
                            std::pair{NID_subject_key_identifier, "hash"},
                            std::pair{NID_authority_key_identifier, "keyid:always"}}) {
    if (auto r = AddExtension(cert->get(), &ctx, nid, value); !r) return Fail(r.error());
  }
  if (auto r = Sign(cert->get(), issuer_key->get()); !r) return Fail(r.error());

  auto cert_pem = CertPem(cert->get());
  if (!cert_pem) return Fail(cert_pem.error());
  auto key_pem = KeyPem(key->get());
  if (!key_pem) return Fail(key_pem.error());
  if (auto r = WriteFile(key_out, *key_pem, 0600, /*exclusive=*/false); !r) return r;
  return WriteFile(cert_out, *cert_pem, 0644, /*exclusive=*/false);
}

}  // namespace quarry::net
