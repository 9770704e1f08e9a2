#include "fleet/fleet.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <future>

#include "base/secret.h"
#include "store/sqlite/sqlite_store.h"

namespace quarry::fleet {
namespace {

using std::chrono::seconds;

// Calls `start(done)` and waits (bounded) for done's result.
template <class T, class F>
Result<T> Await(F&& start) {
  auto p = std::make_shared<std::promise<Result<T>>>();
  auto f = p->get_future();
  start([p](Result<T> r) { p->set_value(std::move(r)); });
  if (f.wait_for(seconds(10)) != std::future_status::ready)
    return Fail(ErrorCode::kDeadlineExceeded, "no completion within 10 s");
  return f.get();
}

proto::EnrollRequest Host(const std::string& id, const std::string& secret) {
  proto::EnrollRequest r;
  r.enroll_secret = secret;
  r.identity.host_identifier = id;
  r.identity.hostname = id;
  r.identity.platform = "ubuntu";
  r.identity.platform_type = "9";
  return r;
}

class FleetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    InitSecrets();
    dir_ = std::filesystem::temp_directory_path() /
           ("fleet_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    Open();
  }
  void TearDown() override {
    CloseAll();
    std::filesystem::remove_all(dir_);
  }
  void Open() {
    store::SqliteOptions o;
    o.path = (dir_ / "q.db").string();
    auto s = store::OpenSqliteStore(o);
    ASSERT_TRUE(s) << s.error().message;
    store_ = std::move(*s);
    FleetOptions fo;
    fo.enroll_secrets = {{"default", "s3cret", {"prod"}}, {"lab", "other", {}}};
    fo.enroll_failures_per_minute = 3;
    fo.hold_poll = std::chrono::milliseconds(hold_ms_);
    fo.config_assembler = [this](const std::string& platform, const std::string&) {
      ++assembled_;
      return "{\"platform\":\"" + platform + "\"}";
    };
    fleet_ = std::make_unique<Fleet>(*store_, clock_, fo);
    store_->SetObserver(fleet_.get());
    ASSERT_TRUE(fleet_->Start());
  }
  void CloseAll() {
    if (fleet_) fleet_->Stop();
    if (store_) store_->Close();
    fleet_.reset();
    store_.reset();
  }
  std::string Enroll(const std::string& id, const std::string& secret = "s3cret",
                     const std::string& addr = "10.0.0.1") {
    auto key = Await<std::string>(
        [&](auto done) { fleet_->Enroll(Host(id, secret), addr, std::move(done)); });
    return key ? *key : std::string();
  }
  DistributedWork Read(const NodeRef& node) {
    auto p = std::make_shared<std::promise<DistributedWork>>();
    auto f = p->get_future();
    fleet_->ReadDistributed(node, [p](DistributedWork w) { p->set_value(std::move(w)); });
    if (f.wait_for(seconds(20)) != std::future_status::ready) return {};
    return f.get();
  }
  // Waits until everything submitted to the store so far is committed.
  void Barrier() {
    fleet_->TEST_FlushPickups();
    auto r = Await<void>([&](auto done) { store_->TouchNodes({}, std::move(done)); });
    ASSERT_TRUE(r) << r.error().message;
  }

  std::filesystem::path dir_;
  ManualClock clock_{1'700'000'000'000'000};
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<Fleet> fleet_;
  int assembled_ = 0;
  int hold_ms_ = 0;
};

TEST_F(FleetTest, EnrollIssuesAKeyThatAuthenticates) {
  std::string key = Enroll("h1");
  ASSERT_EQ(key.size(), 64u);
  NodeRef node = fleet_->Authenticate(key, store::SeenVia::kConfig);
  ASSERT_NE(node, nullptr);
  EXPECT_EQ(node->host_identifier, "h1");
  EXPECT_EQ(node->labels, std::vector<std::string>{"prod"});
  EXPECT_EQ(node->last_config_us.load(), clock_.NowMicros());
  EXPECT_EQ(fleet_->Authenticate("not-a-key", store::SeenVia::kConfig), nullptr);
}

TEST_F(FleetTest, WrongSecretIsRefusedAndRateLimitedPerAddress) {
  for (int i = 0; i < 3; ++i) {
    auto r = Await<std::string>(
        [&](auto done) { fleet_->Enroll(Host("h", "wrong"), "10.9.9.9", std::move(done)); });
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::kUnauthenticated);
  }
  // Over the budget even the right secret waits; other addresses are unaffected.
  auto blocked = Await<std::string>(
      [&](auto done) { fleet_->Enroll(Host("h", "s3cret"), "10.9.9.9", std::move(done)); });
  ASSERT_FALSE(blocked);
  EXPECT_EQ(blocked.error().code, ErrorCode::kUnavailable);
  EXPECT_FALSE(Enroll("h", "s3cret", "10.1.1.1").empty());
  clock_.AdvanceSeconds(61);
  EXPECT_FALSE(Enroll("h", "s3cret", "10.9.9.9").empty());
}

TEST_F(FleetTest, EmptySecretIsRefused) {
  auto r = Await<std::string>(
      [&](auto done) { fleet_->Enroll(Host("h", ""), "10.0.0.2", std::move(done)); });
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kUnauthenticated);
}

TEST_F(FleetTest, ReEnrollKeepsTheHostAndRetiresTheOldKey) {
  std::string k1 = Enroll("h1");
  store::NodeId id = fleet_->Authenticate(k1, store::SeenVia::kLog)->id;
  std::string k2 = Enroll("h1", "other");
  EXPECT_NE(k1, k2);
  EXPECT_EQ(fleet_->Authenticate(k1, store::SeenVia::kLog), nullptr);
  ASSERT_NE(fleet_->Authenticate(k2, store::SeenVia::kLog), nullptr);
  EXPECT_EQ(fleet_->Authenticate(k2, store::SeenVia::kLog)->id, id);
  auto nodes = store_->ListNodes();
  ASSERT_TRUE(nodes);
  EXPECT_EQ(nodes->size(), 1u);
}

TEST_F(FleetTest, ConfigIsAssembledOncePerPlatform) {
  std::string a = Enroll("a"), b = Enroll("b");
  auto na = fleet_->Authenticate(a, store::SeenVia::kConfig);
  auto nb = fleet_->Authenticate(b, store::SeenVia::kConfig);
  EXPECT_EQ(fleet_->ConfigFor(*na), "{\"platform\":\"ubuntu\"}");
  EXPECT_EQ(fleet_->ConfigFor(*nb), "{\"platform\":\"ubuntu\"}");
  EXPECT_EQ(assembled_, 1);
}

TEST_F(FleetTest, RunGoesOutOnceAndAnswersAreStored) {
  std::string k1 = Enroll("h1"), k2 = Enroll("h2");
  auto n1 = fleet_->Authenticate(k1, store::SeenVia::kDistributed);
  auto n2 = fleet_->Authenticate(k2, store::SeenVia::kDistributed);
  RunRequest req;
  req.sql = "SELECT 1 AS one";
  req.selector.all = true;
  auto run = Await<store::Run>([&](auto done) { fleet_->CreateRun(req, std::move(done)); });
  ASSERT_TRUE(run) << run.error().message;

  DistributedWork w1 = Read(n1);
  ASSERT_EQ(w1.queries.size(), 1u);
  EXPECT_EQ(w1.queries[0].id, RunWireId(run->id));
  EXPECT_EQ(w1.queries[0].sql, "SELECT 1 AS one");
  EXPECT_GT(w1.accelerate_seconds, 0);
  EXPECT_TRUE(Read(n1).queries.empty());
  Barrier();
  auto hosts = store_->ListRunHosts(run->id);
  ASSERT_TRUE(hosts);
  ASSERT_EQ(hosts->size(), 2u);
  for (const auto& h : *hosts) {
    EXPECT_EQ(h.state, h.node == n1->id ? store::HostRunState::kPickedUp
                                        : store::HostRunState::kPending);
  }

  proto::DistributedWriteRequest write;
  store::QueryAnswer ok;
  ok.query_id = RunWireId(run->id);
  ok.rows_json = {"{\"one\":\"1\"}"};
  write.answers.push_back(ok);
  store::QueryAnswer unknown;
  unknown.query_id = "someone-elses-query";
  write.answers.push_back(unknown);
  auto written = Await<void>([&](auto done) { fleet_->WriteDistributed(*n1, write, std::move(done)); });
  ASSERT_TRUE(written) << written.error().message;

  ASSERT_EQ(Read(n2).queries.size(), 1u);
  proto::DistributedWriteRequest failed;
  store::QueryAnswer bad;
  bad.query_id = RunWireId(run->id);
  bad.status = 1;
  bad.message = "no such table: nope";
  failed.answers.push_back(bad);
  ASSERT_TRUE(Await<void>([&](auto done) { fleet_->WriteDistributed(*n2, failed, std::move(done)); }));

  auto rows = store_->ListResults(run->id, 0, 100);
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].row_json, "{\"one\":\"1\"}");
  auto after = store_->GetRun(run->id);
  ASSERT_TRUE(after && *after);
  EXPECT_EQ((*after)->status, store::RunStatus::kFinished);
  hosts = store_->ListRunHosts(run->id);
  for (const auto& h : *hosts) {
    if (h.node == n2->id) {
      EXPECT_EQ(h.state, store::HostRunState::kFailed);
      EXPECT_EQ(h.message, "no such table: nope");
    } else {
      EXPECT_EQ(h.state, store::HostRunState::kAnswered);
      EXPECT_EQ(h.rows, 1);
    }
  }
}

TEST_F(FleetTest, CreateRunRejectsBadInput) {
  Enroll("h1");
  RunRequest empty;
  empty.sql = "  ;";
  empty.selector.all = true;
  auto r = Await<store::Run>([&](auto done) { fleet_->CreateRun(empty, std::move(done)); });
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  RunRequest unknown;
  unknown.sql = "SELECT 1";
  unknown.selector.host_ids = {999};
  r = Await<store::Run>([&](auto done) { fleet_->CreateRun(unknown, std::move(done)); });
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("999"), std::string::npos);
}

TEST_F(FleetTest, UnansweredRunExpiresAtItsDeadline) {
  std::string k = Enroll("h1");
  RunRequest req;
  req.sql = "SELECT 1";
  req.selector.all = true;
  req.deadline_us = clock_.NowMicros() + 5'000'000;
  auto run = Await<store::Run>([&](auto done) { fleet_->CreateRun(req, std::move(done)); });
  ASSERT_TRUE(run);
  clock_.AdvanceSeconds(6);
  fleet_->TEST_MaintainNow();
  Barrier();
  auto after = store_->GetRun(run->id);
  ASSERT_TRUE(after && *after);
  EXPECT_EQ((*after)->status, store::RunStatus::kExpired);
  auto node = fleet_->Authenticate(k, store::SeenVia::kDistributed);
  EXPECT_TRUE(Read(node).queries.empty());
}

TEST_F(FleetTest, PendingWorkAndKeysSurviveARestart) {
  std::string k = Enroll("h1");
  RunRequest req;
  req.sql = "SELECT 2";
  req.selector.all = true;
  auto run = Await<store::Run>([&](auto done) { fleet_->CreateRun(req, std::move(done)); });
  ASSERT_TRUE(run);
  CloseAll();
  Open();
  auto node = fleet_->Authenticate(k, store::SeenVia::kDistributed);
  ASSERT_NE(node, nullptr);
  auto work = Read(node);
  ASSERT_EQ(work.queries.size(), 1u);
  EXPECT_EQ(work.queries[0].sql, "SELECT 2");
}

TEST_F(FleetTest, CancelledRunIsNotDelivered) {
  std::string k = Enroll("h1");
  RunRequest req;
  req.sql = "SELECT 3";
  req.selector.all = true;
  auto run = Await<store::Run>([&](auto done) { fleet_->CreateRun(req, std::move(done)); });
  ASSERT_TRUE(run);
  auto cancelled = Await<store::Run>([&](auto done) { fleet_->CancelRun(run->id, std::move(done)); });
  ASSERT_TRUE(cancelled);
  EXPECT_EQ(cancelled->status, store::RunStatus::kCancelled);
  auto node = fleet_->Authenticate(k, store::SeenVia::kDistributed);
  EXPECT_TRUE(Read(node).queries.empty());
}

TEST_F(FleetTest, DynamicLabelIsEvaluatedByHostsAndTargetable) {
  std::string k1 = Enroll("h1"), k2 = Enroll("h2");
  auto n1 = fleet_->Authenticate(k1, store::SeenVia::kDistributed);
  auto n2 = fleet_->Authenticate(k2, store::SeenVia::kDistributed);
  store::Label label;
  label.name = "has-nginx";
  label.kind = store::LabelKind::kDynamic;
  label.sql = "SELECT 1 FROM processes WHERE name = 'nginx'";
  label.refresh_seconds = 60;
  auto created = Await<store::Label>(
      [&](auto done) { store_->CreateLabel(label, {}, std::move(done)); });
  ASSERT_TRUE(created) << created.error().message;
  std::string wire = "l" + std::to_string(created->id);
  for (auto node : {n1, n2}) {
    auto work = Read(node);
    ASSERT_EQ(work.queries.size(), 1u);
    EXPECT_EQ(work.queries[0].id, wire);
    EXPECT_EQ(work.queries[0].sql, label.sql);
    EXPECT_TRUE(Read(node).queries.empty());  // not due again until the refresh
  }
  proto::DistributedWriteRequest yes;
  store::QueryAnswer a;
  a.query_id = wire;
  a.rows_json = {"{\"1\":\"1\"}"};
  yes.answers.push_back(a);
  ASSERT_TRUE(Await<void>([&](auto done) { fleet_->WriteDistributed(*n1, yes, std::move(done)); }));
  proto::DistributedWriteRequest no;
  a.rows_json.clear();
  no.answers.push_back(a);
  ASSERT_TRUE(Await<void>([&](auto done) { fleet_->WriteDistributed(*n2, no, std::move(done)); }));
  Barrier();
  auto targets = fleet_->Resolve({.labels = {"has-nginx"}});
  ASSERT_TRUE(targets) << targets.error().message;
  EXPECT_EQ(*targets, std::vector<store::NodeId>{n1->id});
  clock_.AdvanceSeconds(61);
  ASSERT_EQ(Read(n1).queries.size(), 1u);  // due again
}

TEST_F(FleetTest, HeldPollIsAnsweredWhenARunArrives) {
  CloseAll();
  hold_ms_ = 10'000;
  Open();
  std::string k = Enroll("h1");
  auto node = fleet_->Authenticate(k, store::SeenVia::kDistributed);
  auto p = std::make_shared<std::promise<DistributedWork>>();
  auto f = p->get_future();
  fleet_->ReadDistributed(node, [p](DistributedWork w) { p->set_value(std::move(w)); });
  EXPECT_EQ(f.wait_for(std::chrono::milliseconds(0)), std::future_status::timeout);  // held
  EXPECT_EQ(fleet_->held_polls(), 1u);
  RunRequest req;
  req.sql = "SELECT 42";
  req.selector.all = true;
  ASSERT_TRUE(Await<store::Run>([&](auto done) { fleet_->CreateRun(req, std::move(done)); }));
  ASSERT_EQ(f.wait_for(seconds(10)), std::future_status::ready);
  auto work = f.get();
  ASSERT_EQ(work.queries.size(), 1u);
  EXPECT_EQ(work.queries[0].sql, "SELECT 42");
}

TEST_F(FleetTest, RevokedHostIsRefusedAtOnce) {
  std::string k = Enroll("h1");
  store::NodeId id = fleet_->Authenticate(k, store::SeenVia::kLog)->id;
  auto revoked = Await<store::Node>([&](auto done) { fleet_->RevokeNode(id, std::move(done)); });
  ASSERT_TRUE(revoked);
  EXPECT_EQ(fleet_->Authenticate(k, store::SeenVia::kLog), nullptr);
}

TEST_F(FleetTest, LastSeenIsFlushedWithoutAWritePerPoll) {
  std::string k = Enroll("h1");
  clock_.AdvanceSeconds(30);
  auto node = fleet_->Authenticate(k, store::SeenVia::kDistributed);
  int64_t seen_at = clock_.NowMicros();
  auto before = store_->GetNode(node->id);
  ASSERT_TRUE(before && *before);
  EXPECT_LT((*before)->last_seen_us, seen_at);  // not written by the poll itself
  CloseAll();  // Stop() flushes
  Open();
  auto after = store_->GetNode(fleet_->Authenticate(k, store::SeenVia::kLog)->id);
  ASSERT_TRUE(after && *after);
  EXPECT_EQ((*after)->last_distributed_us, seen_at);
}

}  // namespace
}  // namespace quarry::fleet
