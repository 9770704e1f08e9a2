#include "config/server_config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "config/config_keys.h"

namespace quarry::config {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

namespace fs = std::filesystem;

// A scratch directory per test, removed afterwards.
class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           ("quarry_config_test_" + std::to_string(::getpid()) + "_" + info->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& text) {
    const fs::path path = dir_ / name;
    std::ofstream(path, std::ios::binary) << text;
    return path.string();
  }

  // CheckConfigFile with the file name stripped, so expectations read "3:1: ...".
  std::vector<std::string> Check(const std::string& toml) {
    const std::string path = Write("quarry.toml", toml);
    std::vector<std::string> errors = CheckConfigFile(path);
    for (std::string& e : errors) {
      if (e.rfind(path + ":", 0) == 0) e = e.substr(path.size() + 1);
    }
    return errors;
  }

  fs::path dir_;
};

// NAME=VALUE strings as a null-terminated char* array, like environ.
class Env {
 public:
  Env(std::initializer_list<std::string> entries) : storage_(entries) {
    for (std::string& s : storage_) pointers_.push_back(s.data());
    pointers_.push_back(nullptr);
  }
  char** get() { return pointers_.data(); }

 private:
  std::vector<std::string> storage_;
  std::vector<char*> pointers_;
};

boost::json::value Json(const std::string& text) { return boost::json::parse(text); }

// ---- defaults ----

TEST_F(ConfigTest, DefaultsWithoutFileOrEnvironment) {
  Result<ServerConfig> r = LoadConfig("", nullptr);
  ASSERT_TRUE(r) << r.error().message;
  const ServerConfig& c = *r;
  EXPECT_EQ(c.data_dir, "./quarry-data");
  EXPECT_EQ(c.log_level, "info");
  EXPECT_EQ(c.threads, 0u);
  EXPECT_EQ(c.agent.listen, "0.0.0.0:8443");
  EXPECT_EQ(c.agent.paths.prefix, "/api/v1/osquery");
  EXPECT_EQ(c.agent.paths.distributed_write, "/distributed/write");
  EXPECT_EQ(c.admin.listen, "127.0.0.1:8444");
  EXPECT_TRUE(c.admin.tls);
  EXPECT_EQ(c.tls.client_cert_mode, "off");
  EXPECT_TRUE(c.enroll_secrets.empty());
  EXPECT_EQ(c.limits.log_body_bytes, 64u * 1024 * 1024);
  EXPECT_EQ(c.limits.idle_timeout, std::chrono::milliseconds(120'000));
  EXPECT_EQ(c.store.driver, "sqlite");
  EXPECT_TRUE(c.osquery_platform_json.empty());
  // The default document: a small schedule plus the agent's polling periods.
  boost::json::value doc = Json(c.osquery_config_json);
  EXPECT_EQ(doc.at("options").at("distributed_interval").as_int64(), 1);
  EXPECT_EQ(doc.at("options").at("logger_tls_period").as_int64(), 10);
  EXPECT_TRUE(doc.at("schedule").as_object().contains("osquery_info"));
  EXPECT_EQ(doc.at("schedule").at("uptime").at("interval").as_int64(), 3600);
}

TEST_F(ConfigTest, EmptyFileGivesDefaults) {
  EXPECT_THAT(Check(""), IsEmpty());
  EXPECT_THAT(Check("# only a comment\n"), IsEmpty());
}

// ---- a full file ----

constexpr char kFullFile[] = R"(data_dir = "/var/lib/quarry"
log_level = "debug"
threads = 4

[agent]
listen = "[::]:9443"
public_hostname = "fleet.example.internal:9443"
distributed_interval = 15
config_refresh = 120
logger_period = 5
accelerate_seconds = 0

[agent.paths]
prefix = ""
enroll = "/e"
config = "/c"
log = "/l"
distributed_read = "/dr"
distributed_write = "/dw"
carve_begin = "/cb"
carve_block = "/ck"

[admin]
listen = "127.0.0.1:0"
tls = false

[tls]
cert_file = "/etc/quarry/server.pem"
key_file = "/etc/quarry/server.key"
client_ca_file = "/etc/quarry/clients.pem"
client_cert_mode = "required"
extra_names = ["fleet", "10.0.0.5"]

[[enroll_secrets]]
name = "prod"
secret = "s3cret-prod"
labels = ["prod", "linux"]

[[enroll_secrets]]
name = "lab"
secret_file = "SECRET_FILE"

[limits]
header_bytes = 8192
enroll_body_bytes = 32768
small_body_bytes = 4096
log_body_bytes = 1_048_576
write_body_bytes = 2097152
inflated_body_bytes = 8388608
admin_body_bytes = 65536
handshake_timeout_ms = 5000
read_timeout_ms = 6000
idle_timeout_ms = 7000
write_timeout_ms = 8000
max_connections = 1000
write_queue = 64
enroll_failures_per_minute = 0

[store]
driver = "postgres"
sqlite_path = "/unused.db"
postgres_url = "postgresql://quarry@db/quarry"

[osquery.options]
host_identifier = "uuid"
logger_tls_compress = true

[osquery.schedule.procs]
query = "SELECT pid, name FROM processes;"
interval = 300
)";

TEST_F(ConfigTest, FullFile) {
  const std::string secret_file = Write("lab.secret", "  lab-secret\n");
  std::string text = kFullFile;
  text.replace(text.find("SECRET_FILE"), 11, secret_file);
  const std::string path = Write("quarry.toml", text);
  EXPECT_THAT(CheckConfigFile(path), IsEmpty());
  Result<ServerConfig> r = LoadConfig(path, nullptr);
  ASSERT_TRUE(r) << r.error().message;
  const ServerConfig& c = *r;
  EXPECT_EQ(c.data_dir, "/var/lib/quarry");
  EXPECT_EQ(c.log_level, "debug");
  EXPECT_EQ(c.threads, 4u);
  EXPECT_EQ(c.agent.listen, "[::]:9443");
  EXPECT_EQ(c.agent.public_hostname, "fleet.example.internal:9443");
  EXPECT_EQ(c.agent.distributed_interval, 15);
  EXPECT_EQ(c.agent.config_refresh, 120);
  EXPECT_EQ(c.agent.logger_period, 5);
  EXPECT_EQ(c.agent.accelerate_seconds, 0);
  EXPECT_EQ(c.agent.paths.prefix, "");
  EXPECT_EQ(c.agent.paths.enroll, "/e");
  EXPECT_EQ(c.agent.paths.config, "/c");
  EXPECT_EQ(c.agent.paths.log, "/l");
  EXPECT_EQ(c.agent.paths.distributed_read, "/dr");
  EXPECT_EQ(c.agent.paths.distributed_write, "/dw");
  EXPECT_EQ(c.agent.paths.carve_begin, "/cb");
  EXPECT_EQ(c.agent.paths.carve_block, "/ck");
  EXPECT_EQ(c.admin.listen, "127.0.0.1:0");
  EXPECT_FALSE(c.admin.tls);
  EXPECT_EQ(c.tls.cert_file, "/etc/quarry/server.pem");
  EXPECT_EQ(c.tls.key_file, "/etc/quarry/server.key");
  EXPECT_EQ(c.tls.client_ca_file, "/etc/quarry/clients.pem");
  EXPECT_EQ(c.tls.client_cert_mode, "required");
  EXPECT_THAT(c.tls.extra_names, ElementsAre("fleet", "10.0.0.5"));
  ASSERT_EQ(c.enroll_secrets.size(), 2u);
  EXPECT_EQ(c.enroll_secrets[0].name, "prod");
  EXPECT_EQ(c.enroll_secrets[0].secret, "s3cret-prod");
  EXPECT_THAT(c.enroll_secrets[0].labels, ElementsAre("prod", "linux"));
  EXPECT_EQ(c.enroll_secrets[1].name, "lab");
  EXPECT_EQ(c.enroll_secrets[1].secret, "lab-secret");  // trimmed, like osqueryd does
  EXPECT_THAT(c.enroll_secrets[1].labels, IsEmpty());
  EXPECT_EQ(c.limits.header_bytes, 8192u);
  EXPECT_EQ(c.limits.enroll_body_bytes, 32768u);
  EXPECT_EQ(c.limits.small_body_bytes, 4096u);
  EXPECT_EQ(c.limits.log_body_bytes, 1048576u);
  EXPECT_EQ(c.limits.write_body_bytes, 2097152u);
  EXPECT_EQ(c.limits.inflated_body_bytes, 8388608u);
  EXPECT_EQ(c.limits.admin_body_bytes, 65536u);
  EXPECT_EQ(c.limits.handshake_timeout, std::chrono::milliseconds(5000));
  EXPECT_EQ(c.limits.read_timeout, std::chrono::milliseconds(6000));
  EXPECT_EQ(c.limits.idle_timeout, std::chrono::milliseconds(7000));
  EXPECT_EQ(c.limits.write_timeout, std::chrono::milliseconds(8000));
  EXPECT_EQ(c.limits.max_connections, 1000u);
  EXPECT_EQ(c.limits.write_queue, 64u);
  EXPECT_EQ(c.limits.enroll_failures_per_minute, 0);
  EXPECT_EQ(c.store.driver, "postgres");
  EXPECT_EQ(c.store.sqlite_path, "/unused.db");
  EXPECT_EQ(c.store.postgres_url, "postgresql://quarry@db/quarry");
  // Inline tables pass through verbatim (types kept); no default schedule is
  // added, but the agent's periods are.
  EXPECT_EQ(Json(c.osquery_config_json),
            Json(R"({"options":{"host_identifier":"uuid","logger_tls_compress":true,)"
                 R"("distributed_interval":15,"logger_tls_period":5},)"
                 R"("schedule":{"procs":{"query":"SELECT pid, name FROM processes;",)"
                 R"("interval":300}}})"));
}

// ---- errors, each with its place ----

TEST_F(ConfigTest, UnknownKeys) {
  EXPECT_THAT(Check("[agent]\nlisen = \"0.0.0.0:1\"\n"),
              ElementsAre("2:1: unknown key 'agent.lisen'"));
  EXPECT_THAT(Check("datadir = \"x\"\n"), ElementsAre("1:1: unknown key 'datadir'"));
  EXPECT_THAT(Check("[agnet]\nlisten = \"x\"\n"), ElementsAre("1:2: unknown key 'agnet'"));
  EXPECT_THAT(Check("[agent.paths]\nenrol = \"/e\"\n"),
              ElementsAre("2:1: unknown key 'agent.paths.enrol'"));
  EXPECT_THAT(Check("[[enroll_secrets]]\nname = \"a\"\nsecret = \"b\"\nlabel = []\n"),
              ElementsAre("4:1: unknown key 'enroll_secrets.label'"));
  EXPECT_THAT(Check("agent.paths.prefix.x = 1\n"),
              ElementsAre("1:13: agent.paths.prefix: expected a string, got a table"));
}

TEST_F(ConfigTest, WrongTypes) {
  EXPECT_THAT(Check("threads = \"4\"\n"),
              ElementsAre("1:11: threads: expected an integer, got a string"));
  EXPECT_THAT(Check("[agent]\nlisten = 8443\n"),
              ElementsAre("2:10: agent.listen: expected a string, got an integer"));
  EXPECT_THAT(Check("[admin]\ntls = \"yes\"\n"),
              ElementsAre("2:7: admin.tls: expected a boolean, got a string"));
  EXPECT_THAT(Check("[tls]\nextra_names = \"a\"\n"),
              ElementsAre("2:15: tls.extra_names: expected an array of strings, got a string"));
  EXPECT_THAT(Check("[tls]\nextra_names = [\"a\", 2]\n"),
              ElementsAre("2:21: tls.extra_names[1]: expected a string, got an integer"));
  EXPECT_THAT(Check("[limits]\nlog_body_bytes = 1.5\n"),
              ElementsAre("2:18: limits.log_body_bytes: expected an integer, got a float"));
  EXPECT_THAT(Check("agent = 1\n"), ElementsAre("1:9: agent: expected a table, got an integer"));
  EXPECT_THAT(
      Check("enroll_secrets = 1\n"),
      ElementsAre("1:18: enroll_secrets: expected an array of tables ([[enroll_secrets]])"));
  EXPECT_THAT(Check("osquery = []\n"),
              ElementsAre("1:11: osquery: expected a table, got an array"));
}

TEST_F(ConfigTest, RangesAndValues) {
  EXPECT_THAT(Check("[agent]\ndistributed_interval = 0\n"),
              ElementsAre("2:24: agent.distributed_interval: must be between 1 and 604800, got 0"));
  EXPECT_THAT(Check("[agent]\nlogger_period = -5\n"),
              ElementsAre("2:17: agent.logger_period: must be between 1 and 604800, got -5"));
  EXPECT_THAT(Check("[limits]\nwrite_queue = 0\n"),
              ElementsAre("2:15: limits.write_queue: must be between 1 and 10000000, got 0"));
  EXPECT_THAT(Check("threads = -1\n"),
              ElementsAre("1:11: threads: must be between 0 and 1024, got -1"));
  EXPECT_THAT(Check("log_level = \"verbose\"\n"),
              ElementsAre("1:13: log_level: 'verbose' is not one of: debug, info, warn, error"));
  EXPECT_THAT(
      Check("[tls]\nclient_cert_mode = \"maybe\"\n"),
      ElementsAre("2:20: tls.client_cert_mode: 'maybe' is not one of: off, optional, required"));
  EXPECT_THAT(Check("[store]\ndriver = \"mysql\"\n"),
              ElementsAre("2:10: store.driver: 'mysql' is not one of: sqlite, postgres"));
  EXPECT_THAT(Check("[agent.paths]\nlog = \"log\"\n"),
              ElementsAre("2:7: agent.paths.log: 'log' must start with '/' and hold no spaces, "
                          "'?' or '#'"));
  EXPECT_THAT(Check("[agent.paths]\nprefix = \"/api/\"\n"),
              ElementsAre(HasSubstr("2:10: agent.paths.prefix:")));
  EXPECT_THAT(Check("[agent]\npublic_hostname = \"https://x\"\n"),
              ElementsAre(HasSubstr("2:19: agent.public_hostname:")));
  EXPECT_THAT(Check("data_dir = \"\"\n"), ElementsAre("1:12: data_dir: must not be empty"));
}

TEST_F(ConfigTest, ListenAddresses) {
  EXPECT_THAT(Check("[agent]\nlisten = \"8443\"\n"),
              ElementsAre("2:10: agent.listen: invalid listen address '8443': expected host:port"));
  EXPECT_THAT(Check("[admin]\nlisten = \"::1:8444\"\n"),
              ElementsAre("2:10: admin.listen: invalid listen address '::1:8444': write IPv6 "
                          "addresses as [v6]:port"));
  EXPECT_THAT(Check("[admin]\nlisten = \"localhost:70000\"\n"),
              ElementsAre(HasSubstr("port must be a number from 0 to 65535")));
  EXPECT_THAT(Check("[agent]\nlisten = \"127.0.0.1:8443\"\n[admin]\nlisten = \"127.0.0.1:8443\"\n"),
              ElementsAre("4:10: admin.listen is the same address as agent.listen"));
}

TEST(ParseListenAddressTest, Table) {
  using Pair = std::pair<std::string, uint16_t>;
  EXPECT_EQ(ParseListenAddress("0.0.0.0:8443").value(), Pair("0.0.0.0", 8443));
  EXPECT_EQ(ParseListenAddress("localhost:1").value(), Pair("localhost", 1));
  EXPECT_EQ(ParseListenAddress("127.0.0.1:0").value(), Pair("127.0.0.1", 0));  // ephemeral
  EXPECT_EQ(ParseListenAddress("[::1]:65535").value(), Pair("::1", 65535));
  EXPECT_EQ(ParseListenAddress("[::]:8443").value(), Pair("::", 8443));
  EXPECT_EQ(ParseListenAddress("[fe80::1%eth0]:8443").value(), Pair("fe80::1%eth0", 8443));
  for (const char* bad : {"", ":8443", "host", "host:", "host:65536", "host:-1", "host:+1",
                          "host:12345678", "host:80x", "::1:80", "[::1]", "[::1]8443", "[::1:80",
                          "[]:80", "[host]:80", "a b:80", "host:80 "}) {
    Result<std::pair<std::string, uint16_t>> r = ParseListenAddress(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    EXPECT_THAT(r.error().message, HasSubstr("invalid listen address"));
  }
}

TEST_F(ConfigTest, CrossKeyChecks) {
  EXPECT_THAT(Check("[tls]\nclient_cert_mode = \"optional\"\n"),
              ElementsAre("2:20: tls.client_cert_mode = 'optional' needs tls.client_ca_file"));
  EXPECT_THAT(Check("[tls]\ncert_file = \"/a.pem\"\n"),
              ElementsAre(HasSubstr("2:13: tls.cert_file and tls.key_file go together")));
  EXPECT_THAT(Check("[store]\ndriver = \"postgres\"\n"),
              ElementsAre("2:10: store.driver = 'postgres' needs store.postgres_url"));
}

TEST_F(ConfigTest, EnrollSecretErrors) {
  EXPECT_THAT(Check("[[enroll_secrets]]\nname = \"a\"\nsecret = \"x\"\n"
                    "[[enroll_secrets]]\nname = \"a\"\nsecret = \"y\"\n"),
              ElementsAre(HasSubstr("5:8: enroll_secrets[1].name: 'a' is already used by "
                                    "enroll_secrets[0]")));
  EXPECT_THAT(Check("[[enroll_secrets]]\nname = \"a\"\nsecret = \"x\"\n"
                    "[[enroll_secrets]]\nname = \"b\"\nsecret = \"x\"\n"),
              ElementsAre("6:10: enroll_secrets[1]: same secret as enroll_secrets[0] 'a'"));
  EXPECT_THAT(Check("[[enroll_secrets]]\nname = \"a\"\nsecret = \"\"\n"),
              ElementsAre("3:10: enroll_secrets[0]: the secret is empty"));
  EXPECT_THAT(
      Check("[[enroll_secrets]]\nname = \"a\"\nsecret = \" x\"\n"),
      ElementsAre(HasSubstr("3:10: enroll_secrets[0]: the secret has leading or trailing")));
  EXPECT_THAT(Check("[[enroll_secrets]]\nname = \"a\"\n"),
              ElementsAre("1:1: enroll_secrets[0]: missing secret (or secret_file)"));
  EXPECT_THAT(Check("[[enroll_secrets]]\nsecret = \"x\"\n"),
              ElementsAre("1:1: enroll_secrets[0]: missing name"));
  EXPECT_THAT(Check("[[enroll_secrets]]\nname = \"a\"\nsecret = \"x\"\nsecret_file = \"/f\"\n"),
              ElementsAre("4:15: enroll_secrets[0]: give secret or secret_file, not both"));
  EXPECT_THAT(Check("[[enroll_secrets]]\nname = \"a\"\nsecret_file = \"/nonexistent/s\"\n"),
              ElementsAre("3:15: enroll_secrets[0].secret_file: cannot read '/nonexistent/s': "
                          "No such file or directory"));
  EXPECT_THAT(Check("[[enroll_secrets]]\nname = \"a\"\nsecret = \"x\"\nlabels = [\"\"]\n"),
              ElementsAre("4:11: enroll_secrets[0].labels[0]: expected a non-empty string"));
  const std::string blank = Write("blank", " \n\t\n");
  EXPECT_THAT(Check("[[enroll_secrets]]\nname = \"a\"\nsecret_file = \"" + blank + "\"\n"),
              ElementsAre("3:15: enroll_secrets[0]: the secret is empty"));
}

TEST_F(ConfigTest, OsqueryConfigFileErrors) {
  EXPECT_THAT(Check("[osquery]\nconfig_file = \"/nonexistent.conf\"\n"),
              ElementsAre("2:15: osquery.config_file: cannot read '/nonexistent.conf': "
                          "No such file or directory"));
  const std::string not_json = Write("bad.conf", "{\"schedule\": {");
  EXPECT_THAT(
      Check("[osquery]\nconfig_file = \"" + not_json + "\"\n"),
      ElementsAre(HasSubstr("2:15: osquery.config_file: '" + not_json + "' is not valid JSON")));
  const std::string array = Write("array.conf", "[1, 2]");
  EXPECT_THAT(Check("[osquery]\nconfig_file = \"" + array + "\"\n"),
              ElementsAre("2:15: osquery.config_file: '" + array + "' is not a JSON object"));
  EXPECT_THAT(Check("[osquery]\nconfig_file = 3\n"),
              ElementsAre("2:15: osquery.config_file: expected a string, got an integer"));
}

TEST_F(ConfigTest, OsqueryTableErrors) {
  EXPECT_THAT(Check("[osquery.options]\nwhen = 1979-05-27\n"),
              ElementsAre("2:8: osquery.options.when: a date has no JSON form; quote it as a "
                          "string"));
  EXPECT_THAT(Check("[osquery.options]\nx = nan\n"),
              ElementsAre("2:5: osquery.options.x: inf and nan have no JSON form"));
  EXPECT_THAT(Check("[osquery]\nplatform = 1\n"),
              ElementsAre("2:12: osquery.platform: expected a table, got an integer"));
  EXPECT_THAT(Check("[osquery.platform]\nlinux = \"x\"\n"),
              ElementsAre("2:9: osquery.platform.linux: expected a table, got a string"));
  EXPECT_THAT(Check("[osquery]\noptions = 5\n"),
              ElementsAre(HasSubstr("osquery.options: expected a table")));
  std::string deep = "[osquery]\nx = ";
  for (int i = 0; i < 40; ++i) deep += "[";
  for (int i = 0; i < 40; ++i) deep += "]";
  EXPECT_THAT(Check(deep + "\n"), ElementsAre(HasSubstr("nests deeper than 32 levels")));
  std::string big = "[osquery.options]\nbig = \"" + std::string(1100 * 1024, 'x') + "\"\n";
  EXPECT_THAT(Check(big), ElementsAre(HasSubstr("refuses configs over 1 MiB")));
}

TEST_F(ConfigTest, TomlSyntaxErrorHasPosition) {
  std::vector<std::string> errors = Check("data_dir = \"x\"\n[agent\nlisten = 1\n");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_THAT(errors[0], ::testing::StartsWith("2:"));
  errors = Check("threads = 1\nthreads = 2\n");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_THAT(errors[0], ::testing::StartsWith("2:"));
}

TEST_F(ConfigTest, UnreadableFile) {
  EXPECT_THAT(CheckConfigFile("/nonexistent/quarry.toml"),
              ElementsAre("/nonexistent/quarry.toml: cannot read: No such file or directory"));
  Result<ServerConfig> r = LoadConfig("/nonexistent/quarry.toml", nullptr);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
}

TEST_F(ConfigTest, AllErrorsInFileOrder) {
  std::vector<std::string> errors = Check(
      "threads = \"x\"\n"                  // 1
      "[agent]\n"                          // 2
      "listen = \"nope\"\n"                // 3
      "lisen = 1\n"                        // 4
      "distributed_interval = 0\n"         // 5
      "[tls]\n"                            // 6
      "client_cert_mode = \"required\"\n"  // 7
      "[store]\n"                          // 8
      "driver = \"postgres\"\n");          // 9
  ASSERT_EQ(errors.size(), 6u) << ::testing::PrintToString(errors);
  EXPECT_THAT(errors[0], ::testing::StartsWith("1:11: threads"));
  EXPECT_THAT(errors[1], ::testing::StartsWith("3:10: agent.listen"));
  EXPECT_THAT(errors[2], ::testing::StartsWith("4:1: unknown key 'agent.lisen'"));
  EXPECT_THAT(errors[3], ::testing::StartsWith("5:24: agent.distributed_interval"));
  EXPECT_THAT(errors[4], ::testing::StartsWith("7:20: tls.client_cert_mode"));
  EXPECT_THAT(errors[5], ::testing::StartsWith("9:10: store.driver"));
  // LoadConfig reports the same, one per line.
  Result<ServerConfig> r = LoadConfig((dir_ / "quarry.toml").string(), nullptr);
  ASSERT_FALSE(r);
  EXPECT_EQ(std::count(r.error().message.begin(), r.error().message.end(), '\n'), 5);
}

// ---- environment ----

TEST_F(ConfigTest, EnvironmentOverridesFile) {
  const std::string path = Write("quarry.toml",
                                 "data_dir = \"/from/file\"\n[agent]\nlisten = \"0.0.0.0:1\"\n"
                                 "distributed_interval = 30\n[limits]\nlog_body_bytes = 2048\n");
  Env env{"QUARRY_AGENT_LISTEN=127.0.0.1:9999",
          "QUARRY_LIMITS_LOG_BODY_BYTES=4096",
          "QUARRY_DATA_DIR=/from/env",
          "QUARRY_ADMIN_LISTEN=[::1]:1",
          "QUARRY_ADMIN_TLS=false",
          "QUARRY_TLS_EXTRA_NAMES= a.example , b.example,",
          "QUARRY_TLS_CLIENT_CERT_MODE=optional",
          "QUARRY_TLS_CLIENT_CA_FILE=/ca.pem",
          "QUARRY_STORE_DRIVER=postgres",
          "QUARRY_STORE_POSTGRES_URL=postgresql:///q",
          "QUARRY_LIMITS_IDLE_TIMEOUT_MS=500",
          "QUARRY_AGENT_PATHS_PREFIX=/osq",
          "QUARRY_CONFIG=/some/file.toml",  // not a setting: another tool's variable
          "PATH=/usr/bin",
          "QUARRY_NOEQUALS"};
  Result<ServerConfig> r = LoadConfig(path, env.get());
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->agent.listen, "127.0.0.1:9999");
  EXPECT_EQ(r->agent.distributed_interval, 30);  // file value kept
  EXPECT_EQ(r->limits.log_body_bytes, 4096u);
  EXPECT_EQ(r->data_dir, "/from/env");
  EXPECT_EQ(r->admin.listen, "[::1]:1");
  EXPECT_FALSE(r->admin.tls);
  EXPECT_THAT(r->tls.extra_names, ElementsAre("a.example", "b.example"));
  EXPECT_EQ(r->tls.client_cert_mode, "optional");
  EXPECT_EQ(r->store.driver, "postgres");
  EXPECT_EQ(r->limits.idle_timeout, std::chrono::milliseconds(500));
  EXPECT_EQ(r->agent.paths.prefix, "/osq");
  EXPECT_EQ(Json(r->osquery_config_json).at("options").at("distributed_interval").as_int64(), 30);
}

TEST_F(ConfigTest, EnvironmentErrors) {
  Env env{"QUARRY_LIMITS_LOG_BODY_BYTES=lots",
          "QUARRY_THREADS=",
          "QUARRY_ADMIN_TLS=yes",
          "QUARRY_AGENT_LISEN=0.0.0.0:1",
          "QUARRY_AGENT_LOGGER_PERIOD=0",
          "QUARRY_AGENT_LISTEN=nowhere",
          "QUARRY_LIMITS_WRITE_QUEUE=99999999999999999999"};
  Result<ServerConfig> r = LoadConfig("", env.get());
  ASSERT_FALSE(r);
  EXPECT_EQ(
      r.error().message,
      "env QUARRY_LIMITS_LOG_BODY_BYTES: limits.log_body_bytes: expected an integer, got 'lots'\n"
      "env QUARRY_THREADS: threads: expected an integer, got ''\n"
      "env QUARRY_ADMIN_TLS: admin.tls: expected true, false, 1 or 0, got 'yes'\n"
      "env QUARRY_AGENT_LISEN: unknown setting (see docs/configuration.md for the names)\n"
      "env QUARRY_AGENT_LOGGER_PERIOD: agent.logger_period: must be between 1 and 604800, "
      "got 0\n"
      "env QUARRY_AGENT_LISTEN: agent.listen: invalid listen address 'nowhere': expected "
      "host:port\n"
      "env QUARRY_LIMITS_WRITE_QUEUE: limits.write_queue: expected an integer, got "
      "'99999999999999999999'");
}

TEST_F(ConfigTest, EnvironmentCrossCheckNamesTheVariable) {
  Env env{"QUARRY_TLS_CLIENT_CERT_MODE=required"};
  Result<ServerConfig> r = LoadConfig("", env.get());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message,
            "env QUARRY_TLS_CLIENT_CERT_MODE: tls.client_cert_mode = 'required' needs "
            "tls.client_ca_file");
}

// ---- the osquery document ----

TEST_F(ConfigTest, ConfigFileIsTheBaseAndTablesMergeOverIt) {
  const std::string conf = Write("osquery.conf", R"(// osquery tolerates comment lines
{
  # and these
  "options": {"host_identifier": "hostname", "distributed_interval": 99},
  "schedule": {"a": {"query": "SELECT 1;", "interval": 60}},
  "packs": {"p": {"queries": {"q": {"query": "SELECT 2;"}}}}
})");
  const std::string path =
      Write("quarry.toml",
            "[osquery]\nconfig_file = \"" + conf +
                "\"\n"
                "[osquery.options]\nhost_identifier = \"uuid\"\n"
                "[osquery.schedule.b]\nquery = \"SELECT 3;\"\ninterval = 10\nsnapshot = true\n");
  Result<ServerConfig> r = LoadConfig(path, nullptr);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(Json(r->osquery_config_json),
            Json(R"({"options":{"host_identifier":"uuid","distributed_interval":99,)"
                 R"("logger_tls_period":10},)"
                 R"("schedule":{"a":{"query":"SELECT 1;","interval":60},)"
                 R"("b":{"query":"SELECT 3;","interval":10,"snapshot":true}},)"
                 R"("packs":{"p":{"queries":{"q":{"query":"SELECT 2;"}}}}})"));
}

TEST_F(ConfigTest, ConfigFileFromEnvironment) {
  const std::string conf = Write("env.conf", R"({"schedule":{"x":{"query":"SELECT 1;"}}})");
  Env env{"QUARRY_OSQUERY_CONFIG_FILE=" + conf};
  Result<ServerConfig> r = LoadConfig("", env.get());
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(Json(r->osquery_config_json).at("schedule").as_object().contains("x"));
}

TEST_F(ConfigTest, PlatformOverridesMerge) {
  const std::string path = Write("quarry.toml", R"(
[osquery.options]
logger_tls_compress = false
[osquery.schedule.uptime]
query = "SELECT total_seconds FROM uptime;"
interval = 3600
[osquery.platform.linux.schedule.procs]
query = "SELECT pid FROM processes;"
interval = 60
[osquery.platform.linux.options]
logger_tls_compress = true
[osquery.platform.ubuntu.schedule.debs]
query = "SELECT name FROM deb_packages;"
interval = 86400
[osquery.platform.ubuntu.schedule.procs]
interval = 30
[osquery.platform.darwin]
schedule = {}
file_paths = { homes = ["/Users/%/Downloads/%%"] }
[osquery.platform.windows.schedule.uptime]
interval = 60
)");
  Result<ServerConfig> r = LoadConfig(path, nullptr);
  ASSERT_TRUE(r) << r.error().message;
  const ServerConfig& c = *r;
  EXPECT_EQ(c.osquery_platform_json.size(), 4u);
  // Ubuntu: base ← linux family ← ubuntu, objects merged key by key.
  EXPECT_EQ(Json(OsqueryConfigFor(c, "ubuntu", "9")),
            Json(R"({"options":{"logger_tls_compress":true,"distributed_interval":1,)"
                 R"("logger_tls_period":10},"schedule":{)"
                 R"("uptime":{"query":"SELECT total_seconds FROM uptime;","interval":3600},)"
                 R"("procs":{"query":"SELECT pid FROM processes;","interval":30},)"
                 R"("debs":{"query":"SELECT name FROM deb_packages;","interval":86400}}})"));
  // Another Linux: the family only.
  boost::json::value rhel = Json(OsqueryConfigFor(c, "rhel", "9"));
  EXPECT_EQ(rhel.at("schedule").at("procs").at("interval").as_int64(), 60);
  EXPECT_FALSE(rhel.at("schedule").as_object().contains("debs"));
  // macOS (21 = POSIX|BSD|OSX): {} merges into nothing; arrays come through.
  boost::json::value mac = Json(OsqueryConfigFor(c, "darwin", "21"));
  EXPECT_TRUE(mac.at("schedule").as_object().contains("uptime"));
  EXPECT_EQ(mac.at("file_paths").at("homes").at(0).as_string(), "/Users/%/Downloads/%%");
  EXPECT_FALSE(mac.at("options").at("logger_tls_compress").as_bool());
  // Windows (2): a nested key replaced, the rest kept.
  boost::json::value win = Json(OsqueryConfigFor(c, "windows", "2"));
  EXPECT_EQ(win.at("schedule").at("uptime").at("interval").as_int64(), 60);
  EXPECT_EQ(win.at("schedule").at("uptime").at("query").as_string(),
            "SELECT total_seconds FROM uptime;");
  // Unknown platform, unparsable bitmask: the base document.
  EXPECT_EQ(OsqueryConfigFor(c, "freebsd", "37"), c.osquery_config_json);
  EXPECT_EQ(OsqueryConfigFor(c, "", "junk"), c.osquery_config_json);
  // Exact platform without a family (platform_type missing).
  EXPECT_TRUE(Json(OsqueryConfigFor(c, "ubuntu", "")).at("schedule").as_object().contains("debs"));
}

TEST_F(ConfigTest, NonObjectReplaces) {
  const std::string path = Write("quarry.toml",
                                 "[osquery.options]\nx = [1, 2]\n"
                                 "[osquery.platform.linux.options]\nx = \"now a string\"\n");
  Result<ServerConfig> r = LoadConfig(path, nullptr);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(Json(OsqueryConfigFor(*r, "debian", "9")).at("options").at("x").as_string(),
            "now a string");
}

TEST(OsqueryConfigForTest, ConfigBuiltInCodeGetsTheDefaultDocument) {
  ServerConfig config;
  config.agent.distributed_interval = 42;
  boost::json::value doc = boost::json::parse(OsqueryConfigFor(config, "ubuntu", "9"));
  EXPECT_EQ(doc.at("options").at("distributed_interval").as_int64(), 42);
  EXPECT_TRUE(doc.at("schedule").is_object());
}

// ---- docs ----

std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

TEST(DocsTest, ExampleFilePassesTheCheck) {
  const std::string example = std::string(QUARRY_SOURCE_DIR) + "/docs/quarry.example.toml";
  ASSERT_TRUE(fs::exists(example));
  EXPECT_THAT(CheckConfigFile(example), IsEmpty());
  EXPECT_TRUE(LoadConfig(example, nullptr));
}

TEST(DocsTest, ReferenceListsEveryKeyAndVariable) {
  const std::string doc = ReadText(std::string(QUARRY_SOURCE_DIR) + "/docs/configuration.md");
  ASSERT_FALSE(doc.empty());
  for (const internal::KeyDescriptor& key : internal::Keys()) {
    const std::string leaf(key.path.substr(key.path.rfind('.') + 1));
    EXPECT_THAT(doc, HasSubstr("`" + internal::EnvName(key.path) + "`")) << key.path;
    EXPECT_THAT(doc, HasSubstr("`" + leaf + "`")) << key.path;
  }
}

TEST(KeysTest, EnvNames) {
  EXPECT_EQ(internal::EnvName("agent.listen"), "QUARRY_AGENT_LISTEN");
  EXPECT_EQ(internal::EnvName("limits.log_body_bytes"), "QUARRY_LIMITS_LOG_BODY_BYTES");
  EXPECT_EQ(internal::EnvName("data_dir"), "QUARRY_DATA_DIR");
  EXPECT_EQ(internal::EnvName("agent.paths.prefix"), "QUARRY_AGENT_PATHS_PREFIX");
  // No two settings share a variable name.
  std::set<std::string> names;
  for (const internal::KeyDescriptor& key : internal::Keys()) {
    EXPECT_TRUE(names.insert(internal::EnvName(key.path)).second) << key.path;
  }
}

}  // namespace
}  // namespace quarry::config
