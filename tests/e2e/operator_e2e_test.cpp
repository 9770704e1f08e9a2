// End-to-end tests of the operator side: live queries over several
// osqueryd-like clients, targeting, lifecycle, event streams, reduce, search
// and authorisation, against the real binary over TLS.
#include <gtest/gtest.h>

#include <filesystem>
#include <future>
#include <thread>

#include "e2e/fake_osqueryd.h"
#include "e2e/operator_client.h"
#include "e2e/server_process.h"
#include "net/sse.h"

namespace quarry::e2e {
namespace {
namespace json = boost::json;

class OperatorE2E : public ::testing::Test {
 protected:
  void StartServer(const std::string& config = "") {
    dir_ = TempDirFor(std::string("op_") + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    server_ = std::make_unique<ServerProcess>(dir_, config);
    for (auto& [k, v] : env_) server_->SetEnv(k, v);
    auto started = server_->Start();
    ASSERT_TRUE(started) << started.error().message;
    op_ = std::make_unique<OperatorClient>(*server_);
  }
  void TearDown() override {
    if (server_) server_->Stop();
    std::filesystem::remove_all(dir_);
    std::filesystem::remove(dir_ + ".toml");
  }
  std::unique_ptr<FakeOsqueryd> Agent(const std::string& id, const std::string& platform = "debian",
                                      const std::string& type = "9") {
    auto a = std::make_unique<FakeOsqueryd>(server_->agent_port(), server_->ca_file(), id,
                                            server_->enroll_secret());
    a->set_platform(platform, type);
    a->Enroll();
    EXPECT_FALSE(a->node_key().empty());
    return a;
  }
  // The queries a host receives on its next read: id -> sql.
  static std::map<std::string, std::string> Queries(FakeOsqueryd& a) {
    std::map<std::string, std::string> out;
    AgentReply r = a.Read();
    if (auto it = r.body.find("queries"); it != r.body.end() && it->value().is_object())
      for (auto& kv : it->value().as_object()) out[std::string(kv.key())] = std::string(kv.value().as_string());
    return out;
  }
  // Answers every run query of one read with one row {"host": id}.
  static int AnswerAll(FakeOsqueryd& a, const std::string& value) {
    auto q = Queries(a);
    std::vector<FakeOsqueryd::Answer> answers;
    for (auto& [id, sql] : q) {
      if (id[0] == 'q') answers.push_back({id, "[{\"v\":\"" + value + "\"}]", 0, ""});
    }
    if (!answers.empty()) {
      EXPECT_EQ(a.Write(answers).status, 200);
    }
    return static_cast<int>(answers.size());
  }
  std::string State(int64_t run, int64_t host_id) {
    auto v = op_->GetRun(run);
    for (auto& h : v.at("hosts").as_array())
      if (h.at("host_id").as_int64() == host_id) return std::string(h.at("state").as_string());
    return "";
  }
  int64_t HostId(const std::string& identifier) {
    auto [s, v] = op_->Call("GET", "/api/v1/hosts");
    for (auto& h : v.at("hosts").as_array())
      if (h.at("host_identifier").as_string() == identifier) return h.at("id").as_int64();
    return 0;
  }
  // Reads the run's event stream until `end` (or the bounded idle timeout).
  std::vector<net::SseEvent> Events(int64_t run, const std::string& last_event_id = "",
                                    const std::string& query = "", size_t stop_after = 0) {
    std::vector<net::SseEvent> events;
    net::ClientOptions o;
    o.port = server_->admin_port();
    o.ca_file = server_->ca_file();
    net::HttpsClient c(o);
    net::HeaderList h = {{"Authorization", "Bearer " + server_->operator_token()}};
    if (!last_event_id.empty()) h.emplace_back("Last-Event-ID", last_event_id);
    net::SseParser parser;
    bool ended = false;
    auto status = c.Stream("GET", "/api/v1/runs/" + std::to_string(run) + "/events" + query, "", h,
                           [&](std::string_view chunk) {
                             parser.Feed(chunk, [&](const net::SseEvent& e) {
                               events.push_back(e);
                               if (e.event == "end") ended = true;
                             });
                             return !ended && (stop_after == 0 || events.size() < stop_after);
                           },
                           std::chrono::seconds(20));
    EXPECT_TRUE(status) << (status ? "" : status.error().message);
    return events;
  }

  std::string dir_;
  std::map<std::string, std::string> env_;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<OperatorClient> op_;
};

TEST_F(OperatorE2E, QueryAllHostsAndEveryOneAnswers) {
  StartServer();
  std::vector<std::unique_ptr<FakeOsqueryd>> agents;
  for (int i = 0; i < 5; ++i) agents.push_back(Agent("host-" + std::to_string(i)));
  int64_t run = op_->Run("SELECT 1 AS v");
  ASSERT_GT(run, 0) << op_->last_body();
  for (size_t i = 0; i < agents.size(); ++i) EXPECT_EQ(AnswerAll(*agents[i], std::to_string(i)), 1);
  auto v = op_->GetRun(run);
  EXPECT_EQ(v.at("status").as_string(), "finished");
  EXPECT_EQ(v.at("progress").at("answered").as_int64(), 5);
  EXPECT_EQ(v.at("progress").at("rows").as_int64(), 5);
  EXPECT_TRUE(v.at("progress").at("done").as_bool());
  auto [s, rows] = op_->Call("GET", "/api/v1/runs/" + std::to_string(run) + "/results");
  ASSERT_EQ(s, 200);
  std::set<std::string> hosts;
  for (auto& r : rows.at("rows").as_array()) hosts.insert(std::string(r.at("host").as_string()));
  EXPECT_EQ(hosts.size(), 5u);  // every row carries its host's name
}

TEST_F(OperatorE2E, TargetingByHostPlatformAndLabels) {
  StartServer();
  auto deb = Agent("deb-1", "debian", "9");
  auto ubu = Agent("ubu-1", "ubuntu", "9");
  auto mac = Agent("mac-1", "darwin", "21");
  auto win = Agent("win-1", "windows", "2");
  // Platform family.
  int64_t linux_run = op_->Run("SELECT 1", "{\"platforms\":[\"linux\"]}");
  ASSERT_GT(linux_run, 0) << op_->last_body();
  EXPECT_EQ(op_->GetRun(linux_run).at("progress").at("targeted").as_int64(), 2);
  EXPECT_EQ(Queries(*mac).size(), 0u);
  EXPECT_EQ(Queries(*deb).size(), 1u);
  // Named host by identifier, plus a platform: named hosts are always included.
  int64_t named = op_->Run("SELECT 2", "{\"hosts\":[\"win-1\"],\"platforms\":[\"darwin\"]}");
  ASSERT_GT(named, 0) << op_->last_body();
  EXPECT_EQ(op_->GetRun(named).at("progress").at("targeted").as_int64(), 2);
  // Manual label.
  auto [ls, label] = op_->Call("POST", "/api/v1/labels",
                               "{\"name\":\"web\",\"kind\":\"manual\",\"hosts\":[\"ubu-1\",\"mac-1\"]}");
  ASSERT_EQ(ls, 201) << op_->last_body();
  int64_t by_label = op_->Run("SELECT 3", "{\"labels\":[\"web\"],\"platforms\":[\"linux\"]}");
  ASSERT_GT(by_label, 0) << op_->last_body();
  auto v = op_->GetRun(by_label);
  ASSERT_EQ(v.at("hosts").as_array().size(), 1u);  // web AND linux
  EXPECT_EQ(v.at("hosts").as_array()[0].at("hostname").as_string(), "ubu-1.example.internal");
  // A selector that matches nothing, an unknown label: 400 naming it.
  EXPECT_EQ(op_->Run("SELECT 4", "{\"labels\":[\"nope\"]}"), 0);
  EXPECT_NE(op_->last_body().find("nope"), std::string::npos);
  auto [ts, t] = op_->Call("POST", "/api/v1/targets", "{\"targets\":{\"platforms\":[\"linux\",\"windows\"]}}");
  ASSERT_EQ(ts, 200);
  EXPECT_EQ(t.at("hosts").as_int64(), 3);
}

TEST_F(OperatorE2E, DynamicLabelIsEvaluatedThroughTheDistributedApi) {
  StartServer();
  auto a = Agent("dyn-a");
  auto b = Agent("dyn-b");
  auto [ls, label] = op_->Call("POST", "/api/v1/labels",
                               "{\"name\":\"nginx\",\"kind\":\"dynamic\",\"sql\":\"SELECT 1 FROM processes WHERE name='nginx'\",\"refresh_seconds\":60}");
  ASSERT_EQ(ls, 201) << op_->last_body();
  std::string wire = "l" + std::to_string(label.at("id").as_int64());
  auto qa = Queries(*a);
  ASSERT_TRUE(qa.count(wire));
  EXPECT_EQ(qa[wire], "SELECT 1 FROM processes WHERE name='nginx'");
  ASSERT_TRUE(Queries(*b).count(wire));
  EXPECT_EQ(a->Write({{wire, "[{\"1\":\"1\"}]", 0, ""}}).status, 200);
  EXPECT_EQ(b->Write({{wire, "[]", 0, ""}}).status, 200);
  // The writes were acknowledged after the memberships were committed.
  auto [gs, got] = op_->Call("GET", "/api/v1/labels/nginx");
  ASSERT_EQ(gs, 200);
  EXPECT_EQ(got.at("hosts").as_int64(), 1);
  int64_t run = op_->Run("SELECT 5", "{\"labels\":[\"nginx\"]}");
  ASSERT_GT(run, 0) << op_->last_body();
  auto v = op_->GetRun(run);
  ASSERT_EQ(v.at("hosts").as_array().size(), 1u);
  EXPECT_EQ(v.at("hosts").as_array()[0].at("host_id").as_int64(), HostId("dyn-a"));
}

TEST_F(OperatorE2E, OfflineHostAnswersLaterAndAnotherExpires) {
  StartServer();
  auto late = Agent("late");
  auto never = Agent("never");
  int64_t run = op_->Run("SELECT 6", "{\"all\":true}", ",\"timeout_seconds\":3");
  ASSERT_GT(run, 0);
  // `late` comes back (polls) before the deadline and answers.
  EXPECT_EQ(AnswerAll(*late, "x"), 1);
  EXPECT_EQ(State(run, HostId("late")), "answered");
  EXPECT_EQ(State(run, HostId("never")), "pending");
  // `never` does not: the stream ends once the deadline passes and it expired.
  auto events = Events(run);
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back().event, "end");
  EXPECT_EQ(State(run, HostId("never")), "expired");
  EXPECT_EQ(op_->GetRun(run).at("status").as_string(), "expired");
  // After the deadline the host is no longer sent the query.
  EXPECT_EQ(Queries(*never).count("q" + std::to_string(run)), 0u);
}

TEST_F(OperatorE2E, CancelStopsDelivery) {
  StartServer();
  auto a = Agent("c-1");
  int64_t run = op_->Run("SELECT 7");
  auto [s, v] = op_->Call("POST", "/api/v1/runs/" + std::to_string(run) + "/cancel");
  ASSERT_EQ(s, 200);
  EXPECT_EQ(v.at("status").as_string(), "cancelled");
  EXPECT_TRUE(Queries(*a).empty());
  EXPECT_EQ(State(run, HostId("c-1")), "cancelled");
  EXPECT_EQ(op_->Call("POST", "/api/v1/runs/" + std::to_string(run) + "/cancel").first, 409);
}

TEST_F(OperatorE2E, EventStreamDeliversInOrderAndResumes) {
  StartServer();
  std::vector<std::unique_ptr<FakeOsqueryd>> agents;
  for (int i = 0; i < 3; ++i) agents.push_back(Agent("s-" + std::to_string(i)));
  int64_t run = op_->Run("SELECT 8");
  EXPECT_EQ(AnswerAll(*agents[0], "a"), 1);
  // First connection: take the first batch of events, then drop it.
  auto first = Events(run, "", "", 2);
  std::string last_id;
  std::vector<std::string> seen;
  for (auto& e : first) {
    if (e.event == "rows") {
      last_id = e.id;
      json::value data = json::parse(e.data);
      for (auto& r : data.at("rows").as_array()) seen.emplace_back(r.at("row").at("v").as_string());
    }
  }
  ASSERT_FALSE(last_id.empty());
  EXPECT_EQ(seen, std::vector<std::string>{"a"});
  EXPECT_EQ(AnswerAll(*agents[1], "b"), 1);
  EXPECT_EQ(AnswerAll(*agents[2], "c"), 1);
  // Resume after the last id: only the newer rows, in order, then progress and end.
  auto rest = Events(run, last_id);
  std::vector<std::string> later;
  int64_t prev_seq = std::stoll(last_id);
  bool progress_done = false;
  for (auto& e : rest) {
    if (e.event == "rows") {
      EXPECT_GT(std::stoll(e.id), prev_seq);
      prev_seq = std::stoll(e.id);
      json::value data = json::parse(e.data);
      for (auto& r : data.at("rows").as_array()) later.emplace_back(r.at("row").at("v").as_string());
    }
    if (e.event == "progress") progress_done = json::parse(e.data).at("done").as_bool();
  }
  EXPECT_EQ(later, (std::vector<std::string>{"b", "c"}));
  EXPECT_TRUE(progress_done);
  ASSERT_FALSE(rest.empty());
  EXPECT_EQ(rest.back().event, "end");
}

TEST_F(OperatorE2E, ReduceAggregatesAcrossTheFleet) {
  StartServer();
  std::vector<std::pair<std::string, std::string>> distros = {
      {"Ubuntu", "22"}, {"Ubuntu", "22"}, {"Ubuntu", "20"}, {"Debian GNU/Linux", "12"}};
  std::vector<std::unique_ptr<FakeOsqueryd>> agents;
  for (size_t i = 0; i < distros.size(); ++i) agents.push_back(Agent("r-" + std::to_string(i)));
  std::string reduce =
      "SELECT name || ' ' || major AS distro, count(*) AS hosts FROM results GROUP BY distro ORDER BY hosts DESC, distro";
  int64_t run = op_->Run("SELECT name, major, minor FROM os_version", "{\"all\":true}",
                         ",\"reduce\":" + json::serialize(json::value(reduce)));
  ASSERT_GT(run, 0) << op_->last_body();
  for (size_t i = 0; i < agents.size(); ++i) {
    auto q = Queries(*agents[i]);
    ASSERT_EQ(q.size(), 1u);
    std::string row = "[{\"name\":\"" + distros[i].first + "\",\"major\":\"" + distros[i].second + "\",\"minor\":\"04\"}]";
    EXPECT_EQ(agents[i]->Write({{q.begin()->first, row, 0, ""}}).status, 200);
  }
  // Expected counts, computed from the input above.
  std::map<std::string, int64_t> expected;
  for (auto& [n, m] : distros) expected[n + " " + m]++;
  auto [s, t] = op_->Call("POST", "/api/v1/runs/" + std::to_string(run) + "/reduce", "{}");
  ASSERT_EQ(s, 200) << op_->last_body();
  std::map<std::string, int64_t> got;
  for (auto& r : t.at("rows").as_array()) got[std::string(r.at(0).as_string())] = r.at(1).as_int64();
  EXPECT_EQ(got, expected);
  // The stream carries the same reduced table.
  auto events = Events(run);
  std::map<std::string, int64_t> streamed;
  for (auto& e : events) {
    if (e.event != "reduce") continue;
    streamed.clear();
    json::value data = json::parse(e.data);
    for (auto& r : data.at("rows").as_array()) streamed[std::string(r.at(0).as_string())] = r.at(1).as_int64();
  }
  EXPECT_EQ(streamed, expected);
  // Reduce that tries to write is refused.
  auto [bs, bad] = op_->Call("POST", "/api/v1/runs/" + std::to_string(run) + "/reduce", "{\"sql\":\"DELETE FROM results\"}");
  EXPECT_EQ(bs, 400);
}

TEST_F(OperatorE2E, SearchReadsStoredDataAndRefusesWrites) {
  StartServer();
  auto a = Agent("search-1");
  EXPECT_EQ(a->Log("status", {a->StatusLine("hello from search-1", 2)}, false).status, 200);
  auto [s, t] = op_->Call("POST", "/api/v1/search",
                          "{\"sql\":\"SELECT h.hostname, l.message FROM status_logs l JOIN hosts h ON h.id = l.host_id WHERE l.severity = 2\"}");
  ASSERT_EQ(s, 200) << op_->last_body();
  ASSERT_EQ(t.at("rows").as_array().size(), 1u);
  EXPECT_EQ(t.at("rows").as_array()[0].at(1).as_string(), "hello from search-1");
  for (const char* bad : {"DELETE FROM hosts", "ATTACH DATABASE '/tmp/x' AS x", "PRAGMA journal_mode=DELETE",
                          "SELECT load_extension('x')", "SELECT token_hash FROM api_tokens"}) {
    auto [bs, body] = op_->Call("POST", "/api/v1/search", "{\"sql\":" + json::serialize(json::value(bad)) + "}");
    EXPECT_TRUE(bs == 400 || bs == 403) << bad << " -> " << bs;
    EXPECT_TRUE(body.is_object() && body.as_object().count("error")) << bad;
  }
  auto [cs, count] = op_->Call("POST", "/api/v1/search", "{\"sql\":\"SELECT count(*) FROM hosts\"}");
  EXPECT_EQ(count.at("rows").at(0).at(0).as_int64(), 1);
}

TEST_F(OperatorE2E, TokensAndRolesAreEnforced) {
  StartServer();
  auto a = Agent("auth-1");
  auto [vs, viewer] = op_->Call("POST", "/api/v1/tokens", "{\"name\":\"alice\",\"role\":\"viewer\"}");
  ASSERT_EQ(vs, 201) << op_->last_body();
  std::string viewer_token(viewer.at("token").as_string());
  OperatorClient as_viewer(*server_, viewer_token);
  OperatorClient anonymous(*server_, "not-a-token");

  struct Call { const char* method; const char* path; const char* body; };
  std::vector<Call> needs_operator = {{"POST", "/api/v1/runs", "{\"sql\":\"select 1\",\"targets\":{\"all\":true}}"},
                                      {"POST", "/api/v1/runs/1/cancel", ""},
                                      {"POST", "/api/v1/labels", "{\"name\":\"x\",\"hosts\":[1]}"},
                                      {"DELETE", "/api/v1/labels/x", ""},
                                      {"POST", "/api/v1/hosts/1/revoke", ""},
                                      {"POST", "/api/v1/tokens", "{\"name\":\"m\",\"role\":\"admin\"}"}};
  std::vector<Call> reads = {{"GET", "/api/v1/hosts", ""}, {"GET", "/api/v1/runs", ""},
                             {"GET", "/api/v1/labels", ""}, {"POST", "/api/v1/search", "{\"sql\":\"select 1\"}"},
                             {"GET", "/api/v1/audit", ""}, {"GET", "/api/v1/whoami", ""}};
  for (auto& c : needs_operator) {
    EXPECT_EQ(as_viewer.Call(c.method, c.path, c.body).first, 403) << c.method << " " << c.path;
    EXPECT_EQ(anonymous.Call(c.method, c.path, c.body).first, 401) << c.method << " " << c.path;
    EXPECT_EQ(op_->Call(c.method, c.path, c.body, /*with_token=*/false).first, 401) << c.path;
  }
  for (auto& c : reads) {
    EXPECT_EQ(as_viewer.Call(c.method, c.path, c.body).first, 200) << c.method << " " << c.path;
    EXPECT_EQ(anonymous.Call(c.method, c.path, c.body).first, 401) << c.method << " " << c.path;
  }
  // Revoked at once.
  int64_t id = viewer.at("id").as_int64();
  EXPECT_EQ(op_->Call("POST", "/api/v1/tokens/" + std::to_string(id) + "/revoke").first, 200);
  EXPECT_EQ(as_viewer.Call("GET", "/api/v1/hosts").first, 401);
  // The audit log recorded the token's creation and revocation.
  auto [as, audit] = op_->Call("GET", "/api/v1/audit");
  std::set<std::string> actions;
  for (auto& e : audit.at("events").as_array()) actions.insert(std::string(e.at("action").as_string()));
  EXPECT_TRUE(actions.count("token.create"));
  EXPECT_TRUE(actions.count("token.revoke"));
}

TEST_F(OperatorE2E, HeldPollDeliversANewQueryAtOnce) {
  env_["QUARRY_AGENT_HOLD_POLL_MS"] = "8000";
  StartServer();
  auto a = Agent("held-1");
  auto reading = std::async(std::launch::async, [&] { return Queries(*a); });
  // The read is being held: nothing answered it yet. Submit once the server
  // reports it holds one poll.
  bool held = false;
  for (int i = 0; i < 100 && !held; ++i) {
    auto [s, h] = op_->Call("GET", "/healthz", "", false);
    held = s == 200 && h.at("held_polls").as_int64() == 1;
    if (!held) std::this_thread::sleep_for(std::chrono::milliseconds(20));  // bounded: 2 s
  }
  ASSERT_TRUE(held);
  int64_t run = op_->Run("SELECT 9");
  ASSERT_GT(run, 0);
  ASSERT_EQ(reading.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  // The held read carries the new query: it was answered by the run's arrival
  // (a hold that ran out is answered empty).
  auto queries = reading.get();
  EXPECT_EQ(queries.count("q" + std::to_string(run)), 1u);
}

}  // namespace
}  // namespace quarry::e2e
