// End-to-end: the real `quarry serve` binary over real TLS on 127.0.0.1,
// driven like osqueryd drives it.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <poll.h>
#include <unistd.h>

#include <filesystem>

#include "e2e/fake_osqueryd.h"
#include "e2e/operator_client.h"
#include "e2e/server_process.h"
#include "net/gzip.h"
#include "net/https_client.h"

namespace quarry::e2e {
namespace {
namespace json = boost::json;

// Counts rows of a SELECT in the server's SQLite file, read-only.
int64_t CountRows(const std::string& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    return -1;
  }
  sqlite3_busy_timeout(db, 5000);
  sqlite3_stmt* st = nullptr;
  int64_t n = -1;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK &&
      sqlite3_step(st) == SQLITE_ROW) {
    n = sqlite3_column_int64(st, 0);
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return n;
}

using Operator = OperatorClient;

class AgentE2E : public ::testing::Test {
 protected:
  void StartServer(const std::string& config = "") {
    dir_ = TempDirFor(::testing::UnitTest::GetInstance()->current_test_info()->name());
    server_ = std::make_unique<ServerProcess>(dir_, config);
    auto started = server_->Start();
    ASSERT_TRUE(started) << started.error().message;
  }
  void TearDown() override {
    if (server_) server_->Stop();
    std::filesystem::remove_all(dir_);
    std::filesystem::remove(dir_ + ".toml");
  }
  std::unique_ptr<FakeOsqueryd> Agent(const std::string& id, AgentPaths paths = {}) {
    return std::make_unique<FakeOsqueryd>(server_->agent_port(), server_->ca_file(), id,
                                          server_->enroll_secret(), paths);
  }

  std::string dir_;
  std::unique_ptr<ServerProcess> server_;
};

TEST_F(AgentE2E, FirstStartWritesEverythingAnAgentNeeds) {
  StartServer();
  for (const char* f : {"ca.pem", "ca.key", "server.pem", "server.key", "enroll_secret",
                        "operator_token", "osquery.flags", "quarry.db"}) {
    EXPECT_TRUE(std::filesystem::exists(dir_ + "/" + f)) << f;
  }
  for (const char* f : {"ca.key", "server.key", "enroll_secret", "operator_token"}) {
    struct stat st {};
    ASSERT_EQ(::stat((dir_ + "/" + f).c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u) << f;
  }
  std::string flags = ReadWholeFile(dir_ + "/osquery.flags");
  for (const char* flag :
       {"--tls_hostname=", "--tls_server_certs=", "--enroll_secret_path=", "--enroll_tls_endpoint=/api/v1/osquery/enroll",
        "--config_plugin=tls", "--config_tls_endpoint=/api/v1/osquery/config", "--logger_plugin=tls",
        "--logger_tls_endpoint=/api/v1/osquery/log", "--disable_distributed=false",
        "--distributed_plugin=tls", "--distributed_tls_read_endpoint=/api/v1/osquery/distributed/read",
        "--distributed_tls_write_endpoint=/api/v1/osquery/distributed/write", "--distributed_interval="}) {
    EXPECT_NE(flags.find(flag), std::string::npos) << flag;
  }
  // Restarting reuses what was generated.
  std::string ca = ReadWholeFile(dir_ + "/ca.pem");
  std::string secret = server_->enroll_secret();
  std::string token = server_->operator_token();
  server_->Stop();
  ASSERT_TRUE(server_->Start());
  EXPECT_EQ(ReadWholeFile(dir_ + "/ca.pem"), ca);
  EXPECT_EQ(server_->enroll_secret(), secret);
  EXPECT_EQ(server_->operator_token(), token);
}

TEST_F(AgentE2E, EnrollConfigLogsAndALiveQueryRoundTrip) {
  // With a 10 s interval the server sends `accelerate` with work (with the
  // default 1 s interval it must not: osqueryd would then poll more slowly).
  StartServer("[agent]\ndistributed_interval = 10\n");
  auto agent = Agent("host-a");
  AgentReply enrolled = agent->Enroll();
  ASSERT_TRUE(enrolled.transport_ok);
  ASSERT_EQ(agent->node_key().size(), 64u) << enrolled.raw;
  EXPECT_EQ(enrolled.body.count("error"), 0u);

  AgentReply config = agent->Config();
  EXPECT_EQ(config.status, 200);
  EXPECT_EQ(config.body.count("error"), 0u);
  EXPECT_EQ(config.body.count("node_invalid"), 0u);
  EXPECT_FALSE(config.body.empty()) << config.raw;

  AgentReply plain = agent->Log("status", {agent->StatusLine("osqueryd started")}, false);
  EXPECT_EQ(plain.status, 200) << plain.raw;
  EXPECT_EQ(plain.body.count("error"), 0u);
  AgentReply zipped = agent->Log(
      "result", {agent->ResultLine("uptime", "added", "{\"days\":\"1\",\"hours\":\"2\"}"),
                 agent->ResultLine("uptime", "removed", "{\"days\":\"0\",\"hours\":\"9\"}")},
      true);
  EXPECT_EQ(zipped.status, 200) << zipped.raw;
  EXPECT_EQ(CountRows(server_->db_path(), "SELECT count(*) FROM status_logs"), 1);
  EXPECT_EQ(CountRows(server_->db_path(), "SELECT count(*) FROM result_logs WHERE name='uptime'"), 2);

  // Nothing pending: an empty read.
  AgentReply empty = agent->Read();
  EXPECT_EQ(empty.status, 200);
  EXPECT_TRUE(empty.body.count("queries") == 0 || empty.body.at("queries").as_object().empty());

  Operator op(*server_);
  int64_t run = op.RunOnAll("SELECT name, version FROM os_version");
  ASSERT_GT(run, 0);
  AgentReply read = agent->Read();
  ASSERT_TRUE(read.body.count("queries")) << read.raw;
  auto& queries = read.body.at("queries").as_object();
  ASSERT_EQ(queries.size(), 1u);
  std::string id(queries.begin()->key());
  EXPECT_EQ(queries.begin()->value().as_string(), "SELECT name, version FROM os_version");
  ASSERT_TRUE(read.body.count("accelerate"));
  EXPECT_TRUE(read.body.at("accelerate").is_int64());
  // Handed out once.
  AgentReply again = agent->Read();
  EXPECT_TRUE(again.body.count("queries") == 0 || again.body.at("queries").as_object().empty());

  AgentReply written = agent->Write({{id, "[{\"name\":\"Debian GNU/Linux\",\"version\":\"12\"}]", 0, ""}});
  EXPECT_EQ(written.status, 200) << written.raw;
  EXPECT_EQ(written.body.count("error"), 0u);
  // A re-sent duplicate write is harmless.
  EXPECT_EQ(agent->Write({{id, "[{\"name\":\"Debian GNU/Linux\",\"version\":\"12\"}]", 0, ""}}).status, 200);

  auto [status, v] = op.Call("GET", "/api/v1/runs/" + std::to_string(run));
  ASSERT_EQ(status, 200);
  auto& o = v.as_object();
  EXPECT_EQ(o.at("status").as_string(), "finished");
  EXPECT_EQ(o.at("progress").at("answered").as_int64(), 1);
  EXPECT_EQ(o.at("progress").at("rows").as_int64(), 1);
  auto& host = o.at("hosts").as_array().at(0).as_object();
  EXPECT_GT(host.at("picked_up_us").as_int64(), 0);
  EXPECT_GE(host.at("finished_us").as_int64(), host.at("picked_up_us").as_int64());
  auto [rs, rows] = op.Call("GET", "/api/v1/runs/" + std::to_string(run) + "/results");
  ASSERT_EQ(rs, 200);
  ASSERT_EQ(rows.at("rows").as_array().size(), 1u);
  EXPECT_EQ(rows.at("rows").as_array()[0].at("row").at("version").as_string(), "12");
}

TEST_F(AgentE2E, FailedQueryIsRecordedWithItsMessage) {
  StartServer();
  auto agent = Agent("host-f");
  agent->Enroll();
  Operator op(*server_);
  int64_t run = op.RunOnAll("SELECT * FROM no_such_table");
  auto read = agent->Read();
  std::string id(read.body.at("queries").as_object().begin()->key());
  EXPECT_EQ(agent->Write({{id, "[]", 1, "no such table: no_such_table"}}).status, 200);
  auto [status, v] = op.Call("GET", "/api/v1/runs/" + std::to_string(run));
  ASSERT_EQ(status, 200);
  auto& host = v.at("hosts").as_array().at(0).as_object();
  EXPECT_EQ(host.at("state").as_string(), "failed");
  EXPECT_EQ(host.at("status").as_int64(), 1);
  EXPECT_EQ(host.at("message").as_string(), "no such table: no_such_table");
}

TEST_F(AgentE2E, WrongOrMissingSecretGetsNoNodeKey) {
  StartServer();
  for (std::string secret : {std::string("wrong"), std::string()}) {
    FakeOsqueryd bad(server_->agent_port(), server_->ca_file(), "intruder", secret);
    AgentReply r = bad.Enroll();
    ASSERT_TRUE(r.transport_ok);
    EXPECT_EQ(r.body.count("node_key"), 0u) << r.raw;
    EXPECT_TRUE(bad.node_key().empty());
  }
  EXPECT_EQ(CountRows(server_->db_path(), "SELECT count(*) FROM hosts"), 0);
}

TEST_F(AgentE2E, UnknownKeyGetsNodeInvalidAndTheAgentReEnrolls) {
  StartServer();
  auto agent = Agent("host-r");
  agent->Enroll();
  std::string first_key = agent->node_key();
  agent->set_node_key(std::string(64, 'a'));
  for (auto* call : {+[](FakeOsqueryd& a) { return a.Config(); },
                     +[](FakeOsqueryd& a) { return a.Read(); },
                     +[](FakeOsqueryd& a) { return a.Log("status", {a.StatusLine("x")}, false); },
                     +[](FakeOsqueryd& a) { return a.Write({}); }}) {
    AgentReply r = call(*agent);
    ASSERT_TRUE(r.body.count("node_invalid")) << r.raw;
    EXPECT_TRUE(r.body.at("node_invalid").as_bool());
  }
  AgentReply r = agent->WithReenroll([&] { return agent->Config(); });
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(agent->enrollments(), 2);
  EXPECT_NE(agent->node_key(), first_key);
  // One host, not two; its first key no longer works.
  EXPECT_EQ(CountRows(server_->db_path(), "SELECT count(*) FROM hosts"), 1);
  EXPECT_EQ(CountRows(server_->db_path(), "SELECT count(*) FROM enrollments"), 2);
  std::string second = agent->node_key();
  agent->set_node_key(first_key);
  EXPECT_TRUE(agent->Read().body.count("node_invalid"));
  agent->set_node_key(second);
  EXPECT_FALSE(agent->Read().body.count("node_invalid"));
}

TEST_F(AgentE2E, RevokedHostIsRefusedAtOnce) {
  StartServer();
  auto agent = Agent("host-x");
  agent->Enroll();
  Operator op(*server_);
  auto [s, hosts] = op.Call("GET", "/api/v1/hosts");
  ASSERT_EQ(s, 200);
  int64_t id = hosts.at("hosts").as_array().at(0).at("id").as_int64();
  EXPECT_EQ(op.Call("POST", "/api/v1/hosts/" + std::to_string(id) + "/revoke").first, 200);
  EXPECT_TRUE(agent->Read().body.count("node_invalid"));
}

TEST_F(AgentE2E, EveryPathSetServesTheSameEndpoints) {
  StartServer();
  AgentPaths short_set{"/api/osquery/enroll", "/api/osquery/config", "/api/osquery/log",
                       "/api/osquery/distributed/read", "/api/osquery/distributed/write"};
  AgentPaths splunk{"/services/osquery/enroll", "/services/osquery/config", "/services/osquery/logger",
                    "/services/osquery/distributed_read", "/services/osquery/distributed_write"};
  int n = 0;
  for (const auto& paths : {short_set, splunk}) {
    auto agent = Agent("host-p" + std::to_string(n++), paths);
    agent->Enroll();
    ASSERT_FALSE(agent->node_key().empty());
    EXPECT_EQ(agent->Config().status, 200);
    EXPECT_EQ(agent->Log("status", {agent->StatusLine("hi")}, true).status, 200);
    EXPECT_EQ(agent->Read().status, 200);
    EXPECT_EQ(agent->Write({{"q999999", "[]", 0, ""}}).status, 200);  // unknown id accepted
  }
}

TEST_F(AgentE2E, BadInputGetsAClearErrorAndTheServerStaysUp) {
  StartServer("[limits]\nenroll_body_bytes = 4096\nlog_body_bytes = 65536\ninflated_body_bytes = 131072\n");
  auto agent = Agent("host-b");
  agent->Enroll();
  auto& c = agent->client();
  net::HeaderList auth = {{"Authorization", "NodeKey " + agent->node_key()}};

  auto malformed = c.Post("/api/v1/osquery/log", "{\"log_type\":\"status\",\"data\":[", auth);
  ASSERT_TRUE(malformed);
  EXPECT_EQ(malformed->status, 400);
  EXPECT_NE(malformed->body.find("\"error\""), std::string::npos);

  auto shape = c.Post("/api/v1/osquery/log", "{\"log_type\":\"bogus\",\"data\":[]}", auth);
  ASSERT_TRUE(shape);
  EXPECT_EQ(shape->status, 400);
  EXPECT_NE(shape->body.find("log_type"), std::string::npos) << shape->body;

  auto wrong_rows = c.Post("/api/v1/osquery/distributed/write",
                           "{\"queries\":{\"q1\":\"not rows\"},\"statuses\":{\"q1\":0}}", auth);
  ASSERT_TRUE(wrong_rows);
  EXPECT_EQ(wrong_rows->status, 400);

  // Body limits: at the limit is parsed (and then judged), over it is 413.
  std::string at_limit(4096, ' ');
  at_limit.replace(0, 2, "{}");
  auto ok = c.Post("/api/v1/osquery/enroll", at_limit);
  ASSERT_TRUE(ok);
  EXPECT_NE(ok->status, 413);
  auto big = c.Post("/api/v1/osquery/enroll", std::string(4097, ' '));
  ASSERT_TRUE(big);
  EXPECT_EQ(big->status, 413);
  EXPECT_NE(big->body.find("\"error\""), std::string::npos);

  // A gzip bomb: small on the wire, over the inflated limit.
  std::string huge = "{\"log_type\":\"status\",\"data\":[" + std::string(200000, ' ') + "]}";
  auto bomb = c.Post("/api/v1/osquery/log", net::Gzip(huge, 9),
                     {{"Authorization", "NodeKey " + agent->node_key()}, {"Content-Encoding", "gzip"}});
  ASSERT_TRUE(bomb);
  EXPECT_EQ(bomb->status, 413);

  auto unknown = c.Post("/api/v1/osquery/nope", "{}");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404);
  EXPECT_NE(unknown->body.find("\"error\""), std::string::npos);

  // Still serving.
  EXPECT_EQ(agent->Config().status, 200);
}

TEST_F(AgentE2E, StalledClientIsDisconnectedWhileOthersAreServed) {
  StartServer("[limits]\nhandshake_timeout_ms = 300\nread_timeout_ms = 300\n");
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(server_->agent_port());
  ::inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  // Says nothing. Meanwhile another agent is served.
  auto agent = Agent("host-s");
  agent->Enroll();
  EXPECT_FALSE(agent->node_key().empty());
  // The stalled one is closed: read sees EOF well within 5 s.
  pollfd p{fd, POLLIN, 0};
  ASSERT_EQ(::poll(&p, 1, 5000), 1);
  char byte;
  EXPECT_LE(::read(fd, &byte, 1), 0);
  ::close(fd);
}

TEST_F(AgentE2E, AcknowledgedWritesSurviveKillDashNine) {
  StartServer();
  auto agent = Agent("host-d");
  agent->Enroll();
  Operator op(*server_);
  int64_t run = op.RunOnAll("SELECT * FROM processes");
  auto read = agent->Read();
  std::string id(read.body.at("queries").as_object().begin()->key());
  std::string rows = "[";
  for (int i = 0; i < 500; ++i) rows += std::string(i ? "," : "") + "{\"pid\":\"" + std::to_string(i) + "\",\"name\":\"p\"}";
  rows += "]";
  ASSERT_EQ(agent->Write({{id, rows, 0, ""}}).status, 200);
  std::vector<std::string> lines;
  for (int i = 0; i < 100; ++i) lines.push_back(agent->StatusLine("line " + std::to_string(i)));
  ASSERT_EQ(agent->Log("status", lines, true).status, 200);
  server_->Kill();  // right after the acknowledgements

  EXPECT_EQ(CountRows(server_->db_path(), "SELECT count(*) FROM results WHERE run_id=" + std::to_string(run)), 500);
  EXPECT_EQ(CountRows(server_->db_path(), "SELECT count(*) FROM status_logs"), 100);
  ASSERT_TRUE(server_->Start());
  Operator op2(*server_);
  auto [s, v] = op2.Call("GET", "/api/v1/runs/" + std::to_string(run));
  ASSERT_EQ(s, 200);
  EXPECT_EQ(v.at("progress").at("rows").as_int64(), 500);
  // The node key still works after the restart.
  FakeOsqueryd again(server_->agent_port(), server_->ca_file(), "host-d", server_->enroll_secret());
  again.set_node_key(agent->node_key());
  EXPECT_EQ(again.Config().status, 200);
}

TEST_F(AgentE2E, OperatorApiRequiresAToken) {
  StartServer();
  Operator op(*server_);
  EXPECT_EQ(op.Call("GET", "/api/v1/hosts", "", /*with_token=*/false).first, 401);
  EXPECT_EQ(op.Call("POST", "/api/v1/runs", "{\"sql\":\"select 1\",\"all\":true}", false).first, 401);
  EXPECT_EQ(op.Call("GET", "/api/v1/hosts").first, 200);
  EXPECT_EQ(op.Call("GET", "/healthz", "", false).first, 200);
}

}  // namespace
}  // namespace quarry::e2e
