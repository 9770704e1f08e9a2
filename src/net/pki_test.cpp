#include "net/pki.h"

#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

namespace quarry::net {
namespace {

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

mode_t Mode(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 0777;
}

using X509Ptr = std::unique_ptr<X509, decltype(&X509_free)>;

// All certificates in a PEM file, in order.
std::vector<X509Ptr> LoadCerts(const std::string& path) {
  std::vector<X509Ptr> certs;
  FILE* f = std::fopen(path.c_str(), "r");
  if (f == nullptr) return certs;
  while (X509* cert = PEM_read_X509(f, nullptr, nullptr, nullptr)) {
    certs.emplace_back(cert, X509_free);
  }
  std::fclose(f);
  return certs;
}

// Verifies `leaf` against the single trusted `ca` for `purpose`.
bool Verifies(X509* leaf, X509* ca, int purpose) {
  X509_STORE* store = X509_STORE_new();
  X509_STORE_add_cert(store, ca);
  X509_STORE_CTX* ctx = X509_STORE_CTX_new();
  X509_STORE_CTX_init(ctx, store, leaf, nullptr);
  X509_STORE_CTX_set_purpose(ctx, purpose);
  bool ok = X509_verify_cert(ctx) == 1;
  X509_STORE_CTX_free(ctx);
  X509_STORE_free(store);
  return ok;
}

class PkiTest : public testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = testing::TempDir() + "/quarry_pki_XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    root_ = tmpl;
    dir_ = root_ + "/data/pki";  // does not exist yet: EnsureServerPki creates it
  }
  void TearDown() override { std::filesystem::remove_all(root_); }

  std::string root_;
  std::string dir_;
};

TEST_F(PkiTest, GeneratesThenReusesSameFiles) {
  auto first = EnsureServerPki(dir_, {});
  ASSERT_TRUE(first.has_value()) << first.error().message;
  EXPECT_TRUE(first->generated);
  EXPECT_EQ(first->ca_cert, dir_ + "/ca.pem");
  EXPECT_EQ(first->ca_key, dir_ + "/ca.key");
  EXPECT_EQ(first->server_cert, dir_ + "/server.pem");
  EXPECT_EQ(first->server_key, dir_ + "/server.key");
  EXPECT_EQ(Mode(dir_), 0700u);
  EXPECT_EQ(Mode(first->ca_key), 0600u);
  EXPECT_EQ(Mode(first->server_key), 0600u);
  EXPECT_FALSE(std::filesystem::exists(first->server_key + ".tmp"));

  std::vector<std::string> before;
  for (const auto* p : {&first->ca_cert, &first->ca_key, &first->server_cert, &first->server_key}) {
    before.push_back(ReadAll(*p));
    EXPECT_FALSE(before.back().empty()) << *p;
  }

  auto second = EnsureServerPki(dir_, {"ignored.example"});
  ASSERT_TRUE(second.has_value()) << second.error().message;
  EXPECT_FALSE(second->generated);
  int i = 0;
  for (const auto* p :
       {&second->ca_cert, &second->ca_key, &second->server_cert, &second->server_key}) {
    EXPECT_EQ(ReadAll(*p), before[i++]) << *p;
  }
}

TEST_F(PkiTest, MixedStateIsRefusedAndNamesTheMissingFiles) {
  auto first = EnsureServerPki(dir_, {});
  ASSERT_TRUE(first.has_value()) << first.error().message;
  std::string ca_before = ReadAll(first->ca_cert);
  ASSERT_EQ(::unlink(first->server_key.c_str()), 0);
  ASSERT_EQ(::unlink(first->ca_key.c_str()), 0);

  auto again = EnsureServerPki(dir_, {});
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(again.error().message.find("server.key"), std::string::npos) << again.error().message;
  EXPECT_NE(again.error().message.find("ca.key"), std::string::npos) << again.error().message;
  EXPECT_EQ(again.error().message.find("ca.pem"), std::string::npos) << again.error().message;
  EXPECT_EQ(ReadAll(first->ca_cert), ca_before);
  EXPECT_FALSE(std::filesystem::exists(first->server_key));
}

TEST_F(PkiTest, CertificatesHaveTheRightShape) {
  char host[HOST_NAME_MAX + 1] = {};
  ASSERT_EQ(::gethostname(host, sizeof(host) - 1), 0);
  auto files = EnsureServerPki(dir_, {"quarry.example.org", "10.1.2.3", "fd00::7"});
  ASSERT_TRUE(files.has_value()) << files.error().message;

  auto ca_certs = LoadCerts(files->ca_cert);
  ASSERT_EQ(ca_certs.size(), 1u);
  X509* ca = ca_certs[0].get();
  EXPECT_EQ(X509_check_ca(ca), 1);
  EXPECT_TRUE(X509_get_extension_flags(ca) & EXFLAG_CA);
  EXPECT_TRUE(X509_get_key_usage(ca) & KU_KEY_CERT_SIGN);
  EXPECT_NE(X509_get0_subject_key_id(ca), nullptr);
  int crit = -1;
  auto* bc = static_cast<BASIC_CONSTRAINTS*>(
      X509_get_ext_d2i(ca, NID_basic_constraints, &crit, nullptr));
  ASSERT_NE(bc, nullptr);
  EXPECT_EQ(crit, 1);
  BASIC_CONSTRAINTS_free(bc);
  EXPECT_EQ(EVP_PKEY_get_base_id(X509_get0_pubkey(ca)), EVP_PKEY_EC);

  // server.pem: the leaf first, then the CA.
  auto chain = LoadCerts(files->server_cert);
  ASSERT_EQ(chain.size(), 2u);
  X509* leaf = chain[0].get();
  EXPECT_EQ(X509_cmp(chain[1].get(), ca), 0);
  EXPECT_TRUE(Verifies(leaf, ca, X509_PURPOSE_SSL_SERVER));
  EXPECT_EQ(X509_check_ca(leaf), 0);
  EXPECT_EQ(X509_get_signature_nid(leaf), NID_ecdsa_with_SHA256);
  EXPECT_TRUE(X509_get_extended_key_usage(leaf) & XKU_SSL_SERVER);
  // 128 random bits: at least 15 significant bytes with overwhelming likelihood.
  EXPECT_GE(ASN1_STRING_length(X509_get0_serialNumber(leaf)), 15);

  EXPECT_EQ(X509_check_host(leaf, "localhost", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_host(leaf, host, 0, 0, nullptr), 1) << host;
  EXPECT_EQ(X509_check_host(leaf, "quarry.example.org", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_ip_asc(leaf, "127.0.0.1", 0), 1);
  EXPECT_EQ(X509_check_ip_asc(leaf, "::1", 0), 1);
  EXPECT_EQ(X509_check_ip_asc(leaf, "10.1.2.3", 0), 1);
  EXPECT_EQ(X509_check_ip_asc(leaf, "fd00::7", 0), 1);
  EXPECT_NE(X509_check_host(leaf, "other.example.org", 0, 0, nullptr), 1);
  // An IP literal must be an iPAddress SAN, never a dNSName.
  EXPECT_NE(X509_check_host(leaf, "10.1.2.3", 0, 0, nullptr), 1);

  // The server key matches the leaf.
  FILE* f = std::fopen(files->server_key.c_str(), "r");
  ASSERT_NE(f, nullptr);
  EVP_PKEY* key = PEM_read_PrivateKey(f, nullptr, nullptr, nullptr);
  std::fclose(f);
  ASSERT_NE(key, nullptr);
  EXPECT_EQ(X509_check_private_key(leaf, key), 1);
  EVP_PKEY_free(key);
}

TEST_F(PkiTest, BadExtraNameFailsAndLeavesNothing) {
  auto files = EnsureServerPki(dir_, {"not a name"});
  ASSERT_FALSE(files.has_value());
  EXPECT_EQ(files.error().code, ErrorCode::kInvalidArgument);
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/ca.pem"));
  // Nothing half-written: the next attempt starts from scratch.
  auto retry = EnsureServerPki(dir_, {});
  ASSERT_TRUE(retry.has_value()) << retry.error().message;
  EXPECT_TRUE(retry->generated);
}

TEST_F(PkiTest, IssuesClientCertificates) {
  auto files = EnsureServerPki(dir_, {});
  ASSERT_TRUE(files.has_value()) << files.error().message;
  std::string cert = root_ + "/client.pem";
  std::string key = root_ + "/client.key";
  auto issued = IssueClientCertificate(files->ca_cert, files->ca_key, "agent-1", cert, key);
  ASSERT_TRUE(issued.has_value()) << issued.error().message;
  EXPECT_EQ(Mode(key), 0600u);

  auto ca = LoadCerts(files->ca_cert);
  auto leaf = LoadCerts(cert);
  ASSERT_EQ(ca.size(), 1u);
  ASSERT_EQ(leaf.size(), 1u);
  EXPECT_TRUE(Verifies(leaf[0].get(), ca[0].get(), X509_PURPOSE_SSL_CLIENT));
  EXPECT_FALSE(X509_get_extended_key_usage(leaf[0].get()) & XKU_SSL_SERVER);
  char cn[64] = {};
  X509_NAME_get_text_by_NID(X509_get_subject_name(leaf[0].get()), NID_commonName, cn, sizeof(cn));
  EXPECT_STREQ(cn, "agent-1");

  // A key that does not belong to the CA is refused.
  auto wrong = IssueClientCertificate(files->ca_cert, files->server_key, "x", cert, key);
  EXPECT_FALSE(wrong.has_value());
}

}  // namespace
}  // namespace quarry::net
