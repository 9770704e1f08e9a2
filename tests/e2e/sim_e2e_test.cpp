// End-to-end: a simulated fleet (SimFleet, in-process) against the real `quarry serve`
// binary on 127.0.0.1: enrollment, config, scheduled results and status logs, live
// queries answered by every host, failing queries, and re-enrollment after a revocation.
// Every wait polls observable state (the operator API) with a bound.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <functional>
#include <thread>

#include "e2e/operator_client.h"
#include "e2e/server_process.h"
#include "sim/sim_fleet.h"

namespace quarry::e2e {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

constexpr uint32_t kHosts = 20;

// Polls `predicate` every 100 ms until it holds or `timeout` passes.
bool PollUntil(const std::function<bool()>& predicate, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (predicate()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(100ms);
  }
}

int64_t AsInt(const json::value& v) {
  if (v.is_int64()) return v.as_int64();
  if (v.is_uint64()) return static_cast<int64_t>(v.as_uint64());
  if (v.is_double()) return static_cast<int64_t>(v.as_double());
  if (v.is_string()) return std::stoll(std::string(v.as_string()));
  return -1;
}

class SimE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = TempDirFor(::testing::UnitTest::GetInstance()->current_test_info()->name());
    // A differential and a snapshot query with short intervals, so results come quickly.
    server_ = std::make_unique<ServerProcess>(dir_, R"(
[agent]
logger_period = 1
distributed_interval = 1

[osquery.schedule.procs]
query = "SELECT pid, name FROM processes"
interval = 5

[osquery.schedule.os]
query = "SELECT name, version FROM os_version"
interval = 60
snapshot = true
)");
    auto started = server_->Start();
    ASSERT_TRUE(started) << started.error().message << "\n" << server_->output();
    op_ = std::make_unique<OperatorClient>(*server_);
  }
  void TearDown() override {
    if (fleet_) fleet_->Stop();
    if (server_) server_->Stop();
    std::filesystem::remove_all(dir_);
    std::filesystem::remove(dir_ + ".toml");
  }

  void StartFleet(sim::ConnectionMode mode) {
    sim::SimOptions o;
    o.server_host = "127.0.0.1";
    o.server_port = server_->agent_port();
    o.ca_file = server_->ca_file();
    o.enroll_secret = server_->enroll_secret();
    o.hosts = kHosts;
    o.seed = 42;
    o.platforms = "linux=60,darwin=25,windows=15";
    o.distributed_interval = 1s;
    o.logger_period = 1s;
    o.config_refresh = 60s;
    o.schedule_first_run_window = 2s;
    o.ramp_up = 500ms;
    o.threads = 2;
    o.connections = mode;
    auto fleet = sim::SimFleet::Create(o);
    ASSERT_TRUE(fleet) << fleet.error().message;
    fleet_ = std::move(*fleet);
    fleet_->Start();
  }

  json::object Hosts() {
    auto [status, body] = op_->Call("GET", "/api/v1/hosts?limit=1000");
    return status == 200 && body.is_object() ? body.as_object() : json::object();
  }

  int64_t SearchCount(const std::string& sql) {
    auto [status, body] =
        op_->Call("POST", "/api/v1/search", "{\"sql\":" + json::serialize(json::value(sql)) + "}");
    if (status != 200 || !body.is_object()) return -1;
    const json::array& rows = body.at("rows").as_array();
    if (rows.empty()) return -1;
    return AsInt(rows[0].as_array()[0]);
  }

  // Creates a run and waits (bounded) until `finished` of its targets answered or failed.
  json::object RunAndWait(const std::string& sql, const std::string& targets, int64_t finished) {
    int64_t id = op_->Run(sql, targets);
    EXPECT_GT(id, 0) << op_->last_body();
    json::object run;
    bool done = PollUntil(
        [&] {
          json::value v = op_->GetRun(id);
          if (!v.is_object()) return false;
          run = v.as_object();
          const json::object& p = run.at("progress").as_object();
          return AsInt(p.at("answered")) + AsInt(p.at("failed")) >= finished;
        },
        30s);
    EXPECT_TRUE(done) << sql << ": " << json::serialize(run);
    return run;
  }

  std::string dir_;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<OperatorClient> op_;
  std::unique_ptr<sim::SimFleet> fleet_;
};

TEST_F(SimE2E, FleetEnrollsLogsAnswersAndReenrollsAfterRevocation) {
  StartFleet(sim::ConnectionMode::kPerHost);

  // Every host enrolls and fetches its config.
  ASSERT_TRUE(PollUntil(
      [&] {
        json::object h = Hosts();
        if (!h.contains("total") || AsInt(h.at("total")) != kHosts) return false;
        for (const auto& host : h.at("hosts").as_array()) {
          if (AsInt(host.at("last_config_us")) <= 0) return false;
        }
        return true;
      },
      30s))
      << json::serialize(Hosts());

  // Scheduled results (event lines and snapshots) and status lines arrive.
  ASSERT_TRUE(PollUntil(
      [&] {
        return SearchCount("SELECT count(*) FROM result_logs") > 0 &&
               SearchCount("SELECT count(*) FROM status_logs") > 0;
      },
      30s))
      << op_->last_body();
  EXPECT_GT(SearchCount("SELECT count(*) FROM result_logs WHERE name = 'os'"), 0);

  // A live query: every host answers with its one os_version row.
  json::object run = RunAndWait("SELECT name, major FROM os_version", "{\"all\":true}", kHosts);
  const json::object& progress = run.at("progress").as_object();
  EXPECT_EQ(AsInt(progress.at("answered")), kHosts) << json::serialize(run);
  EXPECT_EQ(AsInt(progress.at("failed")), 0);
  EXPECT_EQ(AsInt(progress.at("rows")), kHosts);

  // A failing query fails everywhere with SQLite's message.
  run = RunAndWait("SELECT * FROM no_such_table", "{\"all\":true}", kHosts);
  EXPECT_EQ(AsInt(run.at("progress").at("failed")), kHosts) << json::serialize(run);
  for (const auto& host : run.at("hosts").as_array()) {
    EXPECT_EQ(host.at("state").as_string(), "failed");
    EXPECT_NE(std::string(host.at("message").as_string()).find("no such table"), std::string::npos)
        << json::serialize(host);
  }

  // Revoke one host: it gets node_invalid, enrolls again, and answers the next query.
  json::object hosts = Hosts();
  const json::object& victim = hosts.at("hosts").as_array()[0].as_object();
  const int64_t victim_id = AsInt(victim.at("id"));
  const std::string victim_identifier(victim.at("host_identifier").as_string());
  const int64_t enrollments_before = SearchCount("SELECT count(*) FROM enrollments");
  ASSERT_GE(enrollments_before, kHosts);
  auto [revoke_status, revoke_body] =
      op_->Call("POST", "/api/v1/hosts/" + std::to_string(victim_id) + "/revoke");
  ASSERT_EQ(revoke_status, 200) << op_->last_body();
  ASSERT_TRUE(PollUntil(
      [&] { return SearchCount("SELECT count(*) FROM enrollments") > enrollments_before; }, 30s));
  EXPECT_EQ(AsInt(Hosts().at("total")), kHosts);
  EXPECT_GE(fleet_->Stats().node_invalid, 1u);

  run = RunAndWait("SELECT name FROM os_version",
                   "{\"hosts\":[" + json::serialize(json::value(victim_identifier)) + "]}", 1);
  EXPECT_EQ(AsInt(run.at("progress").at("answered")), 1) << json::serialize(run);
  EXPECT_EQ(AsInt(run.at("progress").at("rows")), 1);

  sim::SimStats stats = fleet_->Stats();
  EXPECT_EQ(stats.enrolled, kHosts);
  EXPECT_GE(stats.enrollments, kHosts + 1);
  EXPECT_GT(stats.result_lines_sent, 0u);
  EXPECT_GT(stats.status_lines_sent, 0u);
  EXPECT_GE(stats.queries_answered, 2 * kHosts + 1);
}

TEST_F(SimE2E, PerRoleConnectionsWorkToo) {
  StartFleet(sim::ConnectionMode::kPerRole);
  ASSERT_TRUE(PollUntil(
      [&] {
        json::object h = Hosts();
        return h.contains("total") && AsInt(h.at("total")) == kHosts;
      },
      30s));
  json::object run = RunAndWait("SELECT name, major FROM os_version", "{\"all\":true}", kHosts);
  EXPECT_EQ(AsInt(run.at("progress").at("answered")), kHosts) << json::serialize(run);
  EXPECT_EQ(AsInt(run.at("progress").at("rows")), kHosts);
  ASSERT_TRUE(PollUntil([&] { return SearchCount("SELECT count(*) FROM status_logs") > 0; }, 30s));
}

}  // namespace
}  // namespace quarry::e2e
