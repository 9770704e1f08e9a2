// Tests of the simulated fleet: the pure parts (log lines, diffs, config parsing, reply
// rules, durations, histograms), then the host state machine against a scripted agent
// server running in-process (net::HttpServer over TLS on 127.0.0.1).
#include "sim/sim_fleet.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <thread>

#include "net/http_server.h"
#include "net/pki.h"
#include "sim/host_db.h"
#include "sim/sim_agent_config.h"
#include "sim/sim_command.h"
#include "sim/sim_host.h"
#include "sim/sim_log_lines.h"
#include "sim/sim_stats.h"

namespace quarry::sim {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

// ---------------------------------------------------------------------------
// Pure parts

TEST(SimLogLines, JsonStringsEscapeLikeRapidJson) {
  std::string out;
  AppendJsonString(out, "a\"b\\c\n\x01/é");
  EXPECT_EQ(out, "\"a\\\"b\\\\c\\n\\u0001/é\"");
}

TEST(SimLogLines, CalendarTimeIsAsctimeUtc) {
  EXPECT_EQ(CalendarTime(1767607200), "Mon Jan  5 10:00:00 2026 UTC");
  EXPECT_EQ(CalendarTime(1768471200), "Thu Jan 15 10:00:00 2026 UTC");
}

TEST(SimLogLines, StatusLineKeysInOsquerysOrder) {
  std::string line = StatusLine("uuid-1", 1767607200, Severity::kError, "scheduler.cpp", 115,
                                "Error executing scheduled query x: no such table: t", "5.23.1");
  EXPECT_EQ(line,
            "{\"hostIdentifier\":\"uuid-1\",\"calendarTime\":\"Mon Jan  5 10:00:00 2026 UTC\","
            "\"unixTime\":1767607200,\"severity\":2,\"filename\":\"scheduler.cpp\",\"line\":115,"
            "\"message\":\"Error executing scheduled query x: no such table: t\","
            "\"version\":\"5.23.1\"}");
}

TEST(SimLogLines, CanonicalRowsSortColumnsAndCollapseRepeats) {
  auto rows = CanonicalRows(R"([{"name":"sshd","pid":"1","name":"sshd"},{"b":"2","a":"1"}])");
  ASSERT_TRUE(rows) << rows.error().message;
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0], R"({"name":"sshd","pid":"1"})");
  EXPECT_EQ((*rows)[1], R"({"a":"1","b":"2"})");
  EXPECT_FALSE(CanonicalRows("{}"));
  EXPECT_FALSE(CanonicalRows("[1]"));
  auto empty = CanonicalRows("[]");
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());
}

TEST(SimLogLines, DiffIsAMultisetDifference) {
  std::vector<CanonicalRow> first = {"{\"a\":\"1\"}", "{\"a\":\"2\"}", "{\"a\":\"2\"}"};
  RowDiff d1 = DiffRows({}, first);
  EXPECT_EQ(d1.added, (std::vector<size_t>{0, 1, 2}));
  EXPECT_TRUE(d1.removed.empty());

  std::vector<CanonicalRow> second = {"{\"a\":\"2\"}", "{\"a\":\"3\"}"};
  RowDiff d2 = DiffRows(d1.hashes, second);
  EXPECT_EQ(d2.added, (std::vector<size_t>{1}));  // a=3
  std::vector<uint64_t> removed = {RowHash("{\"a\":\"1\"}"), RowHash("{\"a\":\"2\"}")};
  std::sort(removed.begin(), removed.end());
  EXPECT_EQ(d2.removed, removed);  // a=1 and one of the two a=2

  RowDiff same = DiffRows(d2.hashes, second);
  EXPECT_TRUE(same.added.empty());
  EXPECT_TRUE(same.removed.empty());
}

TEST(SimLogLines, EventAndSnapshotLines) {
  ResultLineHeader h{"pack_p_q", "uuid-1", 1767607200, 3};
  EXPECT_EQ(EventLine(h, R"({"a":"1"})", "removed"),
            "{\"name\":\"pack_p_q\",\"hostIdentifier\":\"uuid-1\",\"calendarTime\":\"Mon Jan  5 "
            "10:00:00 2026 UTC\",\"unixTime\":1767607200,\"epoch\":0,\"counter\":3,"
            "\"numerics\":false,\"columns\":{\"a\":\"1\"},\"action\":\"removed\"}");
  std::vector<CanonicalRow> rows = {R"({"a":"1"})", R"({"a":"2"})"};
  EXPECT_EQ(SnapshotLine(h, rows),
            "{\"snapshot\":[{\"a\":\"1\"},{\"a\":\"2\"}],\"action\":\"snapshot\",\"name\":"
            "\"pack_p_q\",\"hostIdentifier\":\"uuid-1\",\"calendarTime\":\"Mon Jan  5 10:00:00 "
            "2026 UTC\",\"unixTime\":1767607200,\"epoch\":0,\"counter\":0,\"numerics\":false}");
}

TEST(SimAgentConfig, ScheduleThenPacksWithOsquerysRules) {
  auto doc = json::parse(R"({
    "options": {"distributed_interval": "7", "logger_tls_period": 3, "pack_delimiter": "/"},
    "schedule": {
      "procs": {"query": "SELECT pid FROM processes", "interval": 60},
      "snap": {"query": "SELECT 1", "interval": "30", "snapshot": "true", "platform": "darwin"},
      "login_counter": {"query": "SELECT 1", "interval": 10},
      "query.bad": {"query": "SELECT 1"},
      "zero": {"query": "SELECT 1", "interval": 0},
      "huge": {"query": "SELECT 1", "interval": 604801},
      "nosql": {"interval": 5},
      "default_interval": {"query": "SELECT 2"}
    },
    "packs": {
      "hw": {"platform": "windows,linux", "queries": {"usb": {"query": "SELECT 3", "interval": 5, "removed": false}}},
      "named": "resource-name-does-not-work"
    }
  })");
  auto parsed = ParseAgentConfig(doc);
  ASSERT_TRUE(parsed);
  ASSERT_EQ(parsed->queries.size(), 4u);
  EXPECT_EQ(parsed->queries[0].name, "procs");
  EXPECT_EQ(parsed->queries[0].interval, 60u);
  EXPECT_FALSE(parsed->queries[0].snapshot);
  EXPECT_EQ(parsed->queries[1].name, "snap");
  EXPECT_EQ(parsed->queries[1].interval, 30u);
  EXPECT_TRUE(parsed->queries[1].snapshot);
  EXPECT_TRUE(PlatformMatches(parsed->queries[1].platforms, PlatformFamily::kDarwin));
  EXPECT_FALSE(PlatformMatches(parsed->queries[1].platforms, PlatformFamily::kLinux));
  EXPECT_EQ(parsed->queries[2].name, "default_interval");
  EXPECT_EQ(parsed->queries[2].interval, 3600u);
  EXPECT_EQ(parsed->queries[3].name, "pack/hw/usb");
  EXPECT_FALSE(parsed->queries[3].removed);
  EXPECT_TRUE(PlatformMatches(parsed->queries[3].platforms, PlatformFamily::kLinux));
  EXPECT_FALSE(PlatformMatches(parsed->queries[3].platforms, PlatformFamily::kDarwin));
  EXPECT_EQ(parsed->dropped_queries, 5u);
  EXPECT_EQ(parsed->options.distributed_interval, 7);
  EXPECT_EQ(parsed->options.logger_tls_period, 3);
  EXPECT_FALSE(parsed->options.logger_tls_max_lines.has_value());
  EXPECT_FALSE(ParseAgentConfig(json::parse("[]")));
}

TEST(SimAgentConfig, RepliesAreJudgedLikeOsquerydsRequestHelper) {
  EXPECT_TRUE(ReadAgentReply("", false).ok);
  EXPECT_TRUE(ReadAgentReply("{}", false).ok);
  AgentReply invalid = ReadAgentReply(R"({"node_invalid":true})", false);
  EXPECT_FALSE(invalid.ok);
  EXPECT_TRUE(invalid.node_invalid);
  EXPECT_TRUE(ReadAgentReply(R"({"node_invalid":"true"})", false).ok);
  EXPECT_TRUE(ReadAgentReply(R"({"node_invalid":false,"schedule":{}})", false).ok);
  EXPECT_FALSE(ReadAgentReply(R"({"error":null})", false).ok);
  EXPECT_FALSE(ReadAgentReply(R"({"error":""})", false).ok);
  EXPECT_FALSE(ReadAgentReply("<html>", false).ok);
  EXPECT_FALSE(ReadAgentReply("[]", false).ok);
  EXPECT_FALSE(ReadAgentReply("{} x", false).ok);
  // Enroll reads neither node_invalid nor error: only the key decides.
  AgentReply enroll = ReadAgentReply(R"({"node_key":"k","node_invalid":true})", true);
  EXPECT_TRUE(enroll.ok);
  EXPECT_EQ(EnrolledNodeKey(enroll.body), "k");
  EXPECT_EQ(EnrolledNodeKey(json::parse(R"({"id":"k2"})")), "k2");
  EXPECT_EQ(EnrolledNodeKey(json::parse(R"({"node_invalid":true})")), "");
  EXPECT_EQ(EnrolledNodeKey(json::parse(R"({"node_key":5})")), "");
  EXPECT_EQ(EnrolledNodeKey(json::parse(R"({"node_key":""})")), "");
}

TEST(SimCommand, Durations) {
  EXPECT_EQ(ParseSimDuration("90").value(), 90'000ms);
  EXPECT_EQ(ParseSimDuration("90s").value(), 90'000ms);
  EXPECT_EQ(ParseSimDuration("500ms").value(), 500ms);
  EXPECT_EQ(ParseSimDuration("1h30m").value(), 5'400'000ms);
  EXPECT_EQ(ParseSimDuration("0").value(), 0ms);
  EXPECT_EQ(ParseSimDuration("2d").value(), 172'800'000ms);
  EXPECT_FALSE(ParseSimDuration(""));
  EXPECT_FALSE(ParseSimDuration("5x"));
  EXPECT_FALSE(ParseSimDuration("-5"));
  EXPECT_FALSE(ParseSimDuration("s"));
}

TEST(SimCommand, FlagsResolveFromServerJson) {
  const std::string dir =
      std::filesystem::temp_directory_path() / ("quarry_sim_flags_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/secret") << "  s3cret\n";
  std::ofstream(dir + "/ca.pem") << "x";
  std::ofstream(dir + "/server.json")
      << R"({"agent_url":"https://127.0.0.1:9443","ca_file":")" << dir
      << R"(/ca.pem","enroll_secret_file":")" << dir << R"(/secret"})";
  SimFlags flags;
  flags.data_dir = dir;
  flags.hosts = 20;
  flags.distributed_interval = "1s";
  flags.connections = "per-role";
  flags.ramp_up = "2s";
  auto o = SimOptionsFromFlags(flags);
  ASSERT_TRUE(o) << o.error().message;
  EXPECT_EQ(o->server_host, "127.0.0.1");
  EXPECT_EQ(o->server_port, 9443);
  EXPECT_EQ(o->ca_file, dir + "/ca.pem");
  EXPECT_EQ(o->enroll_secret, "s3cret");
  EXPECT_EQ(o->hosts, 20u);
  EXPECT_EQ(o->distributed_interval, 1s);
  EXPECT_EQ(o->connections, ConnectionMode::kPerRole);
  EXPECT_EQ(o->ramp_up, 2000ms);

  flags.server = "https://[::1]:7000";
  o = SimOptionsFromFlags(flags);
  ASSERT_TRUE(o);
  EXPECT_EQ(o->server_host, "::1");
  EXPECT_EQ(o->server_port, 7000);

  flags.connections = "per-thread";
  EXPECT_FALSE(SimOptionsFromFlags(flags));
  flags.connections = "per-host";
  flags.distributed_interval = "1500ms";
  EXPECT_FALSE(SimOptionsFromFlags(flags));
  flags.distributed_interval = "0";
  flags.platforms = "beos";
  EXPECT_FALSE(SimOptionsFromFlags(flags));
  SimFlags missing;
  missing.data_dir = dir + "/nope";
  auto err = SimOptionsFromFlags(missing);
  ASSERT_FALSE(err);
  EXPECT_NE(err.error().message.find("server.json"), std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST(SimStatsTest, HistogramQuantilesWithinABucket) {
  LatencyHistogram h;
  EXPECT_EQ(h.QuantileMs(0.5), 0);
  for (int i = 1; i <= 1000; ++i) h.Record(std::chrono::microseconds(i * 1000));
  EXPECT_EQ(h.Count(), 1000u);
  EXPECT_NEAR(h.QuantileMs(0.5), 500, 500 / 16.0 + 1);
  EXPECT_NEAR(h.QuantileMs(0.99), 990, 990 / 16.0 + 1);
  EXPECT_DOUBLE_EQ(h.MaxMs(), 1000);
  h.Record(std::chrono::hours(1));  // beyond the last bucket: clamped, max kept
  EXPECT_DOUBLE_EQ(h.MaxMs(), 3600'000);
}

TEST(SimHostParts, LineBufferKeepsLinesUntilDropped) {
  LineBuffer b;
  EXPECT_TRUE(b.Add("{\"a\":1}", 3, 100));
  EXPECT_TRUE(b.Add("{\"b\":2}", 3, 100));
  EXPECT_TRUE(b.Add("{\"c\":3}", 3, 100));
  EXPECT_FALSE(b.Add("{\"d\":4}", 3, 100));  // line limit
  std::string out;
  size_t bytes = b.AppendJoined(2, out);
  EXPECT_EQ(out, "{\"a\":1},{\"b\":2}");
  EXPECT_FALSE(b.Add(std::string(80, 'y'), 10, 100));  // byte limit: 24 + 81 > 100
  EXPECT_TRUE(b.Add("x", 10, 100));                    // arrives while the batch is in flight
  b.Drop(2, bytes);
  EXPECT_EQ(b.count(), 2u);
  out.clear();
  b.AppendJoined(5, out);
  EXPECT_EQ(out, "{\"c\":3},x");
}

// The differential regenerates "removed" rows by running the query at the previous run's
// time; that needs the tables to be a pure function of (profile, time).
TEST(SimHostParts, TablesAreAFunctionOfTime) {
  auto engine = QueryEngine::Create();
  ASSERT_TRUE(engine);
  HostProfile p = MakeHostProfile(FleetSpec{}, 3);
  const int64_t t = 1767607200;
  SqlAnswer a = (*engine)->Execute(p, "SELECT pid, name, cmdline FROM processes", t);
  (*engine)->Execute(p, "SELECT * FROM processes", t + 9999);
  (*engine)->Execute(MakeHostProfile(FleetSpec{}, 4), "SELECT * FROM processes", t);
  SqlAnswer b = (*engine)->Execute(p, "SELECT pid, name, cmdline FROM processes", t);
  ASSERT_EQ(a.status, 0) << a.message;
  EXPECT_EQ(a.rows_json, b.rows_json);
  EXPECT_GT(a.row_count, 10u);
}

// ---------------------------------------------------------------------------
// The state machine against a scripted server.

class Router : public net::Router {
 public:
  void Add(std::string path, net::Endpoint e) { routes_[std::move(path)] = std::move(e); }
  const net::Endpoint* Find(std::string_view method, std::string_view path) const override {
    auto it = routes_.find(std::string(path));
    return method == "POST" && it != routes_.end() ? &it->second : nullptr;
  }

 private:
  std::map<std::string, net::Endpoint> routes_;
};

struct Seen {
  std::string path;
  net::HeaderList headers;
  std::string body;  // inflated
  std::chrono::steady_clock::time_point at;
  std::string Header(std::string_view name) const {
    for (const auto& [k, v] : headers) {
      if (k.size() == name.size() &&
          std::equal(k.begin(), k.end(), name.begin(), [](char a, char b) {
            return std::tolower(static_cast<unsigned char>(a)) ==
                   std::tolower(static_cast<unsigned char>(b));
          })) {
        return v;
      }
    }
    return "";
  }
};

// A scripted agent server. Every knob is read under mu.
class FakeAgentServer {
 public:
  FakeAgentServer() {
    dir_ = std::filesystem::temp_directory_path() /
           ("quarry_sim_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter_++));
    std::filesystem::remove_all(dir_);
    auto pki = net::EnsureServerPki(dir_ + "/pki", {});
    if (!pki) throw std::runtime_error(pki.error().message);
    pki_ = *pki;
    auto endpoint = [this](auto fn) {
      net::Endpoint e;
      e.handler = [this, fn](net::HttpRequest&& r, net::Reply reply) {
        std::string answer;
        {
          std::lock_guard lock(mu);
          seen.push_back(Seen{r.path, r.headers, r.body, std::chrono::steady_clock::now()});
          answer = (this->*fn)(seen.back());
        }
        cv.notify_all();
        net::HttpResponse response;
        response.body = std::move(answer);
        reply(std::move(response));
      };
      e.body_limit = 8 << 20;
      e.inflated_limit = 64 << 20;
      e.accept_gzip = true;
      return e;
    };
    router_.Add("/e", endpoint(&FakeAgentServer::OnEnroll));
    router_.Add("/c", endpoint(&FakeAgentServer::OnConfig));
    router_.Add("/l", endpoint(&FakeAgentServer::OnLog));
    router_.Add("/r", endpoint(&FakeAgentServer::OnRead));
    router_.Add("/w", endpoint(&FakeAgentServer::OnWrite));
    net::ListenerOptions listener;
    listener.tls.cert_file = pki_.server_cert;
    listener.tls.key_file = pki_.server_key;
    auto port = server_.AddListener(listener, router_);
    if (!port) throw std::runtime_error(port.error().message);
    port_ = *port;
    server_.Start();
  }
  ~FakeAgentServer() {
    server_.Stop();
    std::filesystem::remove_all(dir_);
  }

  SimOptions Options(uint32_t hosts) const {
    SimOptions o;
    o.server_port = port_;
    o.ca_file = pki_.ca_cert;
    o.enroll_secret = "secret";
    o.paths = AgentPaths{"/e", "/c", "/l", "/r", "/w"};
    o.hosts = hosts;
    o.threads = 2;
    o.backoff_unit = 20ms;
    o.config_refresh = 0s;
    o.schedule_first_run_window = 1s;
    return o;
  }

  // Waits (bounded) until `pred` holds over the recorded requests.
  bool WaitFor(const std::function<bool()>& pred, std::chrono::milliseconds timeout = 15s) {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, timeout, pred);
  }
  std::vector<Seen> Requests(const std::string& path) {
    std::lock_guard lock(mu);
    std::vector<Seen> out;
    for (const auto& s : seen) {
      if (s.path == path) out.push_back(s);
    }
    return out;
  }
  size_t CountLocked(const std::string& path) const {
    size_t n = 0;
    for (const auto& s : seen) n += s.path == path ? 1 : 0;
    return n;
  }
  net::ServerStats Stats() const { return server_.Stats(); }

  std::mutex mu;
  std::condition_variable cv;
  std::vector<Seen> seen;
  // Script (under mu).
  int refuse_enrolls = 0;
  int fail_writes = 0;
  int node_invalid_reads = 0;  // answer this many reads (after the first) with node_invalid
  std::string config = R"({"options":{"distributed_interval":1,"logger_tls_period":1}})";
  std::vector<std::string> read_queue;  // answers for successive reads; then {}
  int enrolled = 0;

 private:
  std::string OnEnroll(const Seen&) {
    if (refuse_enrolls > 0) {
      --refuse_enrolls;
      return R"({"node_invalid":true})";
    }
    return R"({"node_key":"key-)" + std::to_string(++enrolled) + R"(","node_invalid":false})";
  }
  std::string OnConfig(const Seen&) { return config; }
  std::string OnLog(const Seen&) { return "{}"; }
  std::string OnRead(const Seen&) {
    if (CountLocked("/r") > 1 && node_invalid_reads > 0) {
      --node_invalid_reads;
      return R"({"node_invalid":true})";
    }
    if (read_queue.empty()) return "{}";
    std::string answer = read_queue.front();
    read_queue.erase(read_queue.begin());
    return answer;
  }
  std::string OnWrite(const Seen&) {
    if (fail_writes > 0) {
      --fail_writes;
      return R"({"error":"try later"})";
    }
    return "{}";
  }

  static inline int counter_ = 0;
  std::string dir_;
  net::PkiFiles pki_;
  Router router_;
  net::HttpServer server_{2};
  uint16_t port_ = 0;
};

std::unique_ptr<SimFleet> StartFleet(const SimOptions& o) {
  auto fleet = SimFleet::Create(o);
  if (!fleet) {
    ADD_FAILURE() << fleet.error().message;
    return nullptr;
  }
  (*fleet)->Start();
  return std::move(*fleet);
}

// The fleet's counters move when a host has processed a response, a little after the
// server saw the request: poll them (bounded).
bool WaitForStats(const SimFleet& fleet, const std::function<bool(const SimStats&)>& pred) {
  const auto deadline = std::chrono::steady_clock::now() + 15s;
  while (!pred(fleet.Stats())) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

json::object Parse(const std::string& body) { return json::parse(body).as_object(); }

std::vector<std::string> Keys(const json::object& o) {
  std::vector<std::string> keys;
  for (const auto& m : o) keys.emplace_back(m.key());
  return keys;
}

TEST(SimFleetTest, EnrollsFetchesConfigAnswersQueriesAsOsquerydDoes) {
  FakeAgentServer server;
  {
    std::lock_guard lock(server.mu);
    server.read_queue = {
        R"({"queries":{"q2":"SELECT name FROM os_version","q10":"SELECT * FROM no_such_table"}})"};
  }
  auto fleet = StartFleet(server.Options(1));
  ASSERT_TRUE(fleet);
  ASSERT_TRUE(server.WaitFor(
      [&] { return server.CountLocked("/w") >= 1 && server.CountLocked("/l") >= 1; }));
  ASSERT_TRUE(WaitForStats(*fleet, [](const SimStats& s) { return s.queries_answered >= 2; }));
  fleet->Stop();

  const HostProfile p = MakeHostProfile(FleetSpec{}, 0);
  auto enrolls = server.Requests("/e");
  ASSERT_EQ(enrolls.size(), 1u);
  EXPECT_EQ(enrolls[0].body, EnrollBody(p, "secret"));
  EXPECT_EQ(enrolls[0].Header("Authorization"), "");  // never on enroll
  EXPECT_EQ(enrolls[0].Header("User-Agent"), "osquery/" + p.osquery_version);
  EXPECT_EQ(enrolls[0].Header("Content-Type"), "application/json");
  EXPECT_EQ(enrolls[0].Header("Accept"), "application/json");

  auto configs = server.Requests("/c");
  ASSERT_GE(configs.size(), 1u);
  EXPECT_EQ(configs[0].body, R"({"node_key":"key-1"})");
  const bool auth = p.osquery_version >= "5.23";
  EXPECT_EQ(configs[0].Header("Authorization"), auth ? "NodeKey key-1" : "");

  auto writes = server.Requests("/w");
  json::object w = Parse(writes[0].body);
  EXPECT_EQ(Keys(w),
            (std::vector<std::string>{"queries", "statuses", "messages", "stats", "node_key"}));
  // Lexicographic id order: q10 before q2.
  EXPECT_EQ(Keys(w.at("queries").as_object()), (std::vector<std::string>{"q10", "q2"}));
  EXPECT_EQ(w.at("statuses").at("q10").as_int64(), 1);
  EXPECT_EQ(w.at("statuses").at("q2").as_int64(), 0);
  EXPECT_NE(std::string(w.at("messages").at("q10").as_string()).find("no such table"),
            std::string::npos);
  EXPECT_EQ(w.at("messages").at("q2").as_string(), "");
  EXPECT_EQ(w.at("queries").at("q10").as_array().size(), 0u);
  ASSERT_EQ(w.at("queries").at("q2").as_array().size(), 1u);
  EXPECT_EQ(w.at("queries").at("q2").as_array()[0].at("name").as_string(), p.os_name);
  EXPECT_EQ(Keys(w.at("stats").at("q2").as_object()),
            (std::vector<std::string>{"wall_time_ms", "user_time", "system_time", "memory"}));

  auto logs = server.Requests("/l");
  EXPECT_EQ(logs[0].Header("Content-Encoding"), "gzip");
  json::object l = Parse(logs[0].body);
  EXPECT_EQ(Keys(l), (std::vector<std::string>{"node_key", "log_type", "data"}));
  EXPECT_EQ(l.at("log_type").as_string(), "status");
  const json::object& line = l.at("data").as_array()[0].as_object();
  EXPECT_EQ(Keys(line),
            (std::vector<std::string>{"hostIdentifier", "calendarTime", "unixTime", "severity",
                                      "filename", "line", "message", "version"}));
  EXPECT_EQ(line.at("hostIdentifier").as_string(), p.host_identifier);

  SimStats stats = fleet->Stats();
  EXPECT_EQ(stats.enrollments, 1u);
  EXPECT_EQ(stats.queries_answered, 2u);
  EXPECT_EQ(stats.queries_failed, 1u);
}

TEST(SimFleetTest, RefusedEnrollmentBacksOffQuadratically) {
  FakeAgentServer server;
  {
    std::lock_guard lock(server.mu);
    server.refuse_enrolls = 3;
  }
  SimOptions o = server.Options(1);
  o.backoff_unit = 50ms;
  auto fleet = StartFleet(o);
  ASSERT_TRUE(fleet);
  ASSERT_TRUE(server.WaitFor([&] { return server.CountLocked("/c") >= 1; }));
  fleet->Stop();
  auto enrolls = server.Requests("/e");
  ASSERT_EQ(enrolls.size(), 4u);
  // Waits of 1, 4 and 9 units.
  for (int k = 1; k <= 3; ++k) {
    auto gap = enrolls[k].at - enrolls[k - 1].at;
    EXPECT_GE(gap, o.backoff_unit * (k * k) - 5ms) << k;
    EXPECT_LT(gap, o.backoff_unit * (k * k) + 400ms) << k;
  }
  EXPECT_EQ(fleet->Stats().enroll_refusals, 3u);
  EXPECT_EQ(fleet->Stats().enrollments, 1u);
}

TEST(SimFleetTest, GivesUpAfterMaxAttemptsThenRestarts) {
  FakeAgentServer server;
  {
    std::lock_guard lock(server.mu);
    server.refuse_enrolls = 3;
  }
  SimOptions o = server.Options(1);
  o.enroll_max_attempts = 2;
  o.enroll_restart_delay = 0s;
  auto fleet = StartFleet(o);
  ASSERT_TRUE(fleet);
  ASSERT_TRUE(server.WaitFor([&] { return server.CountLocked("/c") >= 1; }));
  fleet->Stop();
  EXPECT_EQ(server.Requests("/e").size(), 4u);
  EXPECT_EQ(fleet->Stats().enroll_give_ups, 1u);
}

TEST(SimFleetTest, NodeInvalidDropsTheKeyAndReenrolls) {
  FakeAgentServer server;
  {
    std::lock_guard lock(server.mu);
    server.node_invalid_reads = 1;
  }
  auto fleet = StartFleet(server.Options(1));
  ASSERT_TRUE(fleet);
  // The read after node_invalid (1 unit later) enrolls first and carries the new key.
  ASSERT_TRUE(server.WaitFor([&] {
    for (const auto& s : server.seen) {
      if (s.path == "/r" && s.body == R"({"node_key":"key-2"})") return true;
    }
    return false;
  }));
  fleet->Stop();
  EXPECT_EQ(server.Requests("/e").size(), 2u);
  EXPECT_EQ(fleet->Stats().node_invalid, 1u);
  EXPECT_EQ(fleet->Stats().enrolled, 1u);
}

TEST(SimFleetTest, FailedWriteIsRetriedThenResentWithTheNextCycle) {
  FakeAgentServer server;
  {
    std::lock_guard lock(server.mu);
    server.fail_writes = 3;  // every attempt of the first cycle
    server.read_queue = {R"({"queries":{"a":"SELECT 1 AS x"}})",
                         R"({"queries":{"b":"SELECT 2 AS x"}})"};
  }
  auto fleet = StartFleet(server.Options(1));
  ASSERT_TRUE(fleet);
  ASSERT_TRUE(server.WaitFor([&] { return server.CountLocked("/w") >= 4; }));
  ASSERT_TRUE(WaitForStats(*fleet, [](const SimStats& s) { return s.queries_answered >= 2; }));
  fleet->Stop();
  auto writes = server.Requests("/w");
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(Keys(Parse(writes[i].body).at("queries").as_object()), std::vector<std::string>{"a"});
  }
  EXPECT_EQ(Keys(Parse(writes[3].body).at("queries").as_object()),
            (std::vector<std::string>{"a", "b"}));
  EXPECT_GE(writes[1].at - writes[0].at, 20ms - 5ms);
  EXPECT_GE(writes[2].at - writes[1].at, 80ms - 5ms);
  EXPECT_EQ(fleet->Stats().queries_answered, 2u);
}

TEST(SimFleetTest, ScheduledQueriesLogEventLinesSnapshotsAndErrors) {
  FakeAgentServer server;
  {
    std::lock_guard lock(server.mu);
    server.config = R"({"options":{"distributed_interval":60,"logger_tls_period":1},
      "schedule":{"clock":{"query":"SELECT strftime('%s','now') AS t","interval":1},
                  "os":{"query":"SELECT name, major FROM os_version","interval":1,"snapshot":true},
                  "broken":{"query":"SELECT * FROM no_such_table","interval":1}},
      "packs":{"p":{"queries":{"users":{"query":"SELECT uid FROM users","interval":1}}}}})";
  }
  SimOptions o = server.Options(1);
  auto fleet = StartFleet(o);
  ASSERT_TRUE(fleet);
  std::vector<json::object> results, statuses;
  auto collect = [&] {
    results.clear();
    statuses.clear();
    for (const auto& s : server.seen) {
      if (s.path != "/l") continue;
      json::object body = Parse(s.body);
      for (const auto& line : body.at("data").as_array()) {
        (body.at("log_type").as_string() == "result" ? results : statuses)
            .push_back(line.as_object());
      }
    }
  };
  auto has_removed_clock = [&] {
    collect();
    for (const auto& r : results) {
      if (r.at("name").as_string() == "clock" && r.contains("action") &&
          r.at("action").as_string() == "removed") {
        return true;
      }
    }
    return false;
  };
  ASSERT_TRUE(server.WaitFor(has_removed_clock, 20s));
  fleet->Stop();

  // clock: first run "added" with counter 0; a later run removes the old row (regenerated
  // by running the query at the earlier time) and adds the new one, counter 1 and up.
  std::vector<const json::object*> clock;
  for (const auto& r : results) {
    if (r.at("name").as_string() == "clock") clock.push_back(&r);
  }
  ASSERT_GE(clock.size(), 3u);
  EXPECT_EQ(clock[0]->at("action").as_string(), "added");
  EXPECT_EQ(clock[0]->at("counter").as_int64(), 0);
  EXPECT_EQ(Keys(*clock[0]),
            (std::vector<std::string>{"name", "hostIdentifier", "calendarTime", "unixTime", "epoch",
                                      "counter", "numerics", "columns", "action"}));
  const json::object* removed = nullptr;
  for (auto* r : clock) {
    if (r->at("action").as_string() == "removed") {
      removed = r;
      break;
    }
  }
  ASSERT_NE(removed, nullptr);
  EXPECT_GE(removed->at("counter").as_int64(), 1);
  EXPECT_EQ(removed->at("columns").at("t").as_string(),
            clock[0]->at("columns").at("t").as_string());

  bool snapshot = false, pack = false;
  for (const auto& r : results) {
    if (r.at("name").as_string() == "os") {
      snapshot = true;
      EXPECT_EQ(r.at("action").as_string(), "snapshot");
      EXPECT_EQ(r.at("snapshot").as_array().size(), 1u);
      EXPECT_EQ(Keys(r.at("snapshot").as_array()[0].as_object()),
                (std::vector<std::string>{"major", "name"}));  // alphabetical
    }
    if (r.at("name").as_string() == "pack_p_users") pack = true;
    EXPECT_NE(r.at("name").as_string(), "broken");
  }
  EXPECT_TRUE(snapshot);
  EXPECT_TRUE(pack);
  bool info = false, error = false;
  for (const auto& s : statuses) {
    if (s.at("severity").as_int64() == 0) info = true;
    if (s.at("severity").as_int64() == 2 &&
        std::string(s.at("message").as_string()).find("no such table") != std::string::npos) {
      error = true;
    }
  }
  EXPECT_TRUE(info);
  EXPECT_TRUE(error);
  EXPECT_GE(fleet->Stats().scheduled_errors, 1u);
  EXPECT_EQ(fleet->Stats().removed_rows_lost, 0u);
}

TEST(SimFleetTest, PerRoleConnectionsOpenThreePerHost) {
  for (ConnectionMode mode : {ConnectionMode::kPerHost, ConnectionMode::kPerRole}) {
    FakeAgentServer server;
    SimOptions o = server.Options(2);
    o.connections = mode;
    auto fleet = StartFleet(o);
    ASSERT_TRUE(fleet);
    // Each host: config, then a log flush and distributed reads.
    ASSERT_TRUE(server.WaitFor(
        [&] { return server.CountLocked("/l") >= 2 && server.CountLocked("/r") >= 4; }));
    EXPECT_EQ(server.Stats().connections_total, mode == ConnectionMode::kPerRole ? 6u : 2u);
    fleet->Stop();
  }
}

TEST(SimFleetTest, StopWithRequestsInFlightIsClean) {
  FakeAgentServer server;
  auto fleet = StartFleet(server.Options(50));
  ASSERT_TRUE(fleet);
  std::this_thread::sleep_for(30ms);  // mid-enrollment for some hosts
  fleet->Stop();
  fleet->Stop();
  SimStats stats = fleet->Stats();
  EXPECT_EQ(stats.hosts, 50u);
}

}  // namespace
}  // namespace quarry::sim
