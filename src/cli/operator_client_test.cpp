#include "cli/operator_client.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <map>

namespace quarry::cli {
namespace {
namespace json = boost::json;

TEST(ParseServerUrlTest, Forms) {
  auto u = ParseServerUrl("https://127.0.0.1:8444");
  ASSERT_TRUE(u);
  EXPECT_TRUE(u->tls);
  EXPECT_EQ(u->host, "127.0.0.1");
  EXPECT_EQ(u->port, 8444);
  EXPECT_EQ(u->base_path, "");

  u = ParseServerUrl("http://quarry.example/");
  ASSERT_TRUE(u);
  EXPECT_FALSE(u->tls);
  EXPECT_EQ(u->port, 80);

  u = ParseServerUrl("https://[::1]:9000/quarry/");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->host, "::1");
  EXPECT_EQ(u->port, 9000);
  EXPECT_EQ(u->base_path, "/quarry");

  u = ParseServerUrl("localhost:8444");  // no scheme: https
  ASSERT_TRUE(u);
  EXPECT_TRUE(u->tls);
  EXPECT_EQ(u->host, "localhost");

  EXPECT_EQ(ParseServerUrl("https://h")->port, 443);
  for (const char* bad :
       {"", "ftp://h", "https://", "https://h:0", "https://h:65536", "https://h:x", "https://::1",
        "https://[::1", "https://u@h", "https://h/?q=1"}) {
    EXPECT_FALSE(ParseServerUrl(bad)) << bad;
  }
  EXPECT_TRUE(ParseServerUrl("https://h:65535"));
}

// A data directory as `quarry serve` leaves it.
class ResolveConnectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/quarry_cli_test_XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    cwd_ = std::filesystem::current_path();
  }
  void TearDown() override {
    std::filesystem::current_path(cwd_);
    std::filesystem::remove_all(dir_);
  }

  std::string WriteDataDir(const std::string& name = "data",
                           const std::string& admin_url = "https://127.0.0.1:8444") {
    std::string data = dir_ + "/" + name;
    std::filesystem::create_directories(data);
    std::ofstream(data + "/operator_token") << "dirtoken\n";
    json::object info{{"admin_url", admin_url},
                      {"ca_file", data + "/ca.pem"},
                      {"operator_token_file", data + "/operator_token"}};
    std::ofstream(data + "/server.json") << json::serialize(info) << "\n";
    return data;
  }

  EnvLookup Env() {
    return [this](const char* name) -> std::optional<std::string> {
      auto it = env_.find(name);
      if (it == env_.end()) return std::nullopt;
      return it->second;
    };
  }

  std::string dir_;
  std::string cwd_;
  std::map<std::string, std::string> env_;
};

TEST_F(ResolveConnectionTest, FlagsWinOverEnvironment) {
  env_ = {
      {"QUARRY_SERVER", "https://env:1"}, {"QUARRY_TOKEN", "envtoken"}, {"QUARRY_CA", "/env.pem"}};
  ConnectionFlags flags{"https://flag:2", "flagtoken", "/flag.pem", ""};
  auto c = ResolveConnection(flags, Env());
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->url, "https://flag:2");
  EXPECT_EQ(c->host, "flag");
  EXPECT_EQ(c->port, 2);
  EXPECT_EQ(c->token, "flagtoken");
  EXPECT_EQ(c->ca_file, "/flag.pem");
  EXPECT_EQ(c->server_from, "--server");
  EXPECT_EQ(c->token_from, "--token");
}

TEST_F(ResolveConnectionTest, EnvironmentWinsOverTheDataDirectory) {
  std::string data = WriteDataDir();
  env_ = {
      {"QUARRY_SERVER", "https://env:1/"}, {"QUARRY_TOKEN", "envtoken"}, {"QUARRY_CA", "/env.pem"}};
  ConnectionFlags flags;
  flags.data_dir = data;
  auto c = ResolveConnection(flags, Env());
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->url, "https://env:1");
  EXPECT_EQ(c->token, "envtoken");
  EXPECT_EQ(c->ca_file, "/env.pem");
  EXPECT_EQ(c->server_from, "QUARRY_SERVER");
}

TEST_F(ResolveConnectionTest, DataDirectoryFillsTheRest) {
  std::string data = WriteDataDir();
  ConnectionFlags flags;
  flags.data_dir = data;
  auto c = ResolveConnection(flags, Env());
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->url, "https://127.0.0.1:8444");
  EXPECT_EQ(c->token, "dirtoken");  // trimmed
  EXPECT_EQ(c->ca_file, data + "/ca.pem");
  EXPECT_EQ(c->server_from, data + "/server.json");
  EXPECT_EQ(c->token_from, data + "/operator_token");

  // Per field: a token flag with the directory's server.
  flags.token = "mine";
  c = ResolveConnection(flags, Env());
  ASSERT_TRUE(c);
  EXPECT_EQ(c->token, "mine");
  EXPECT_EQ(c->url, "https://127.0.0.1:8444");
}

TEST_F(ResolveConnectionTest, DefaultDirectoryLendsItsTokenOnlyToItsOwnServer) {
  WriteDataDir("quarry-data");
  std::filesystem::current_path(dir_);
  // Another server: the local admin token must not be sent there.
  ConnectionFlags other{"https://elsewhere:8444", "", "", ""};
  auto c = ResolveConnection(other, Env());
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("no token"), std::string::npos) << c.error().message;
  // The same server given by URL: the directory fills token and CA.
  ConnectionFlags same{"https://127.0.0.1:8444/", "", "", ""};
  c = ResolveConnection(same, Env());
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->token, "dirtoken");
  // Nothing given at all: the default directory.
  c = ResolveConnection(ConnectionFlags{}, Env());
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->url, "https://127.0.0.1:8444");
}

TEST_F(ResolveConnectionTest, ClearErrors) {
  std::filesystem::current_path(dir_);  // no ./quarry-data here
  auto c = ResolveConnection(ConnectionFlags{}, Env());
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(c.error().message.find("no server: start `quarry serve` or give --server/--token"),
            std::string::npos);

  ConnectionFlags missing_dir;
  missing_dir.data_dir = dir_ + "/nope";
  c = ResolveConnection(missing_dir, Env());
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("nope/server.json"), std::string::npos) << c.error().message;

  c = ResolveConnection(ConnectionFlags{"https://h:1", "", "/ca.pem", ""}, Env());
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("QUARRY_TOKEN"), std::string::npos);

  c = ResolveConnection(ConnectionFlags{"https://h:1", "t", "", ""}, Env());
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("--ca"), std::string::npos);

  // Plain http needs no CA.
  c = ResolveConnection(ConnectionFlags{"http://h:1", "t", "", ""}, Env());
  ASSERT_TRUE(c);
  EXPECT_FALSE(c->tls);

  c = ResolveConnection(ConnectionFlags{"gopher://h", "t", "/ca", ""}, Env());
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("https or http"), std::string::npos);
}

TEST_F(ResolveConnectionTest, WildcardListenAddressMeansThisMachine) {
  ConnectionFlags flags;
  flags.data_dir = WriteDataDir("data", "https://0.0.0.0:8444");
  auto c = ResolveConnection(flags, Env());
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->host, "127.0.0.1");
  EXPECT_EQ(c->url, "https://0.0.0.0:8444");
  c = ResolveConnection(ConnectionFlags{"https://[::]:1", "t", "/ca", ""}, Env());
  ASSERT_TRUE(c);
  EXPECT_EQ(c->host, "::1");
}

TEST(TargetsJsonTest, DigitsAreIdsAndNamesAreStrings) {
  Targets t;
  t.hosts = {"12", "web-1", "0", "12a"};
  t.labels = {"prod"};
  EXPECT_EQ(json::serialize(TargetsJson(t)),
            R"({"all":false,"hosts":[12,"web-1","0","12a"],"platforms":[],"labels":["prod"]})");
}

TEST(PercentEncodeTest, KeepsUnreserved) {
  EXPECT_EQ(PercentEncode("a-b_c.d~9"), "a-b_c.d~9");
  EXPECT_EQ(PercentEncode("a b/c?&=%"), "a%20b%2Fc%3F%26%3D%25");
  EXPECT_EQ(PercentEncode("é"), "%C3%A9");
}

TEST(HttpErrorTest, MapsStatusAndKeepsTheServersMessage) {
  Error e = HttpError(404, R"({"error":"no run 7"})");
  EXPECT_EQ(e.code, ErrorCode::kNotFound);
  EXPECT_EQ(e.message, "no run 7 (HTTP 404)");
  EXPECT_EQ(HttpError(400, "{}").code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(HttpError(401, "").code, ErrorCode::kUnauthenticated);
  EXPECT_EQ(HttpError(403, "").code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(HttpError(409, "").code, ErrorCode::kConflict);
  EXPECT_EQ(HttpError(503, "").code, ErrorCode::kUnavailable);
  EXPECT_EQ(HttpError(500, "").code, ErrorCode::kInternal);
  EXPECT_EQ(HttpError(502, "Bad Gateway").message, "Bad Gateway (HTTP 502)");
  EXPECT_EQ(HttpError(500, "").message, "no message (HTTP 500)");
}

TEST(ShapesTest, LenientAccess) {
  auto o = json::parse(R"({"i":5,"d":2.9,"s":"x","b":true,"n":null,"o":{"a":1}})").as_object();
  EXPECT_EQ(GetInt(o, "i"), 5);
  EXPECT_EQ(GetInt(o, "d"), 2);
  EXPECT_EQ(GetInt(o, "s", -1), -1);
  EXPECT_EQ(GetInt(o, "missing", 7), 7);
  EXPECT_EQ(GetString(o, "s"), "x");
  EXPECT_EQ(GetString(o, "n"), "");
  EXPECT_EQ(GetString(o, "i"), "5");
  EXPECT_EQ(GetString(o, "o"), R"({"a":1})");
  EXPECT_TRUE(GetBool(o, "b"));
  EXPECT_TRUE(GetBool(o, "s", true));
}

}  // namespace
}  // namespace quarry::cli
