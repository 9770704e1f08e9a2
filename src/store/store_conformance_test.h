// The Store conformance suite: written once against store.h, run for every
// backend.
//
// A backend's test file provides a StoreTestEnv (one test's backing data, e.g.
// a temporary directory) and instantiates the suite:
//
//   INSTANTIATE_TEST_SUITE_P(Sqlite, StoreConformanceTest,
//                            ::testing::Values(StoreBackend{"sqlite", MakeSqliteEnv}),
//                            StoreBackendName);
//
// Include this header in exactly one test file per backend binary.
//
// What the suite relies on, all from store.h: a write's `done` runs on a store
// thread (so a test can hold that thread inside a `done` and make later writes
// queue up deterministically); a refused write's `done` runs at once on the
// caller's thread. Waits are bounded (kStoreWait); nothing sleeps.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <ostream>
#include <string>
#include <thread>
#include <utility>
#include <variant>
#include <vector>

#include "base/result.h"
#include "search/query_limits.h"
#include "search/table.h"
#include "store/model.h"
#include "store/store.h"

namespace quarry::store::testing {

// Upper bound on any wait for the store; reached only when a test fails.
inline constexpr std::chrono::seconds kStoreWait{30};

struct ConformanceOptions {
  size_t write_queue_limit = 4096;
};

// One test's backing data for one backend. Open may be called again after the
// previous store was closed and destroyed: it must see the same data (reopen).
class StoreTestEnv {
 public:
  virtual ~StoreTestEnv() = default;
  virtual Result<std::unique_ptr<Store>> Open(const ConformanceOptions& options) = 0;
  // Raw reads of what the Store interface has no read method for. Test hooks.
  virtual Result<int64_t> CountLogLines(NodeId node, LogType type) = 0;
  virtual Result<int64_t> CountOrphanAnswers(NodeId node) = 0;
};

struct StoreBackend {
  std::string name;
  std::function<std::unique_ptr<StoreTestEnv>()> make_env;
};

// gtest prints the parameter in failure messages: show the name, not bytes.
inline void PrintTo(const StoreBackend& backend, std::ostream* os) { *os << backend.name; }

inline std::string StoreBackendName(const ::testing::TestParamInfo<StoreBackend>& info) {
  return info.param.name;
}

template <class T>
::testing::AssertionResult IsOk(const Result<T>& result) {
  if (result) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << ErrorCodeName(result.error().code) << ": " << result.error().message;
}

template <class T>
::testing::AssertionResult FailsWith(const Result<T>& result, ErrorCode code) {
  if (result) return ::testing::AssertionFailure() << "succeeded; expected " << ErrorCodeName(code);
  if (result.error().code == code) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "failed with " << ErrorCodeName(result.error().code) << " (" << result.error().message
         << "); expected " << ErrorCodeName(code);
}

// Calls `submit` with a `done` and waits (bounded) for its result.
template <class T, class Submit>
Result<T> Await(Submit&& submit) {
  auto promise = std::make_shared<std::promise<Result<T>>>();
  auto future = promise->get_future();
  submit(Done<T>([promise](Result<T> result) { promise->set_value(std::move(result)); }));
  if (future.wait_for(kStoreWait) != std::future_status::ready) {
    return Fail(ErrorCode::kDeadlineExceeded, "the store did not call done in time");
  }
  return future.get();
}

// Records every notification as a line of text, plus the objects themselves.
class RecordingObserver final : public StoreObserver {
 public:
  void OnNodeChanged(const Node& node) override {
    std::lock_guard lock(mu_);
    lines_.push_back("node " + std::to_string(node.id) + " " + node.node_key_hash +
                     (node.revoked ? " revoked" : ""));
    nodes_.push_back(node);
  }
  void OnRunCreated(const Run& run, const std::vector<NodeId>& targets) override {
    std::lock_guard lock(mu_);
    std::string line = "created " + std::to_string(run.id) + " [";
    for (size_t i = 0; i < targets.size(); ++i) {
      line += (i > 0 ? "," : "") + std::to_string(targets[i]);
    }
    lines_.push_back(line + "]");
  }
  void OnRunHostChanged(const RunHost& host) override {
    std::lock_guard lock(mu_);
    lines_.push_back("host " + std::to_string(host.run) + " " + std::to_string(host.node) + " " +
                     HostRunStateName(host.state));
    hosts_.push_back(host);
  }
  void OnRunEnded(const Run& run) override {
    std::lock_guard lock(mu_);
    lines_.push_back("ended " + std::to_string(run.id) + " " + RunStatusName(run.status));
    ended_.push_back(run);
  }
  void OnLabelChanged(const Label& label, bool deleted) override {
    std::lock_guard lock(mu_);
    lines_.push_back("label " + std::to_string(label.id) + " " + label.name +
                     (deleted ? " deleted" : ""));
    labels_.push_back(label);
  }
  void OnLabelMembershipChanged(const LabelMembership& membership) override {
    std::lock_guard lock(mu_);
    lines_.push_back("member " + std::to_string(membership.label) + " " +
                     std::to_string(membership.node) + (membership.member ? " joined" : " left"));
    memberships_.push_back(membership);
  }

  std::vector<std::string> Lines() const {
    std::lock_guard lock(mu_);
    return lines_;
  }
  size_t Count() const {
    std::lock_guard lock(mu_);
    return lines_.size();
  }
  std::vector<Node> Nodes() const {
    std::lock_guard lock(mu_);
    return nodes_;
  }
  std::vector<RunHost> Hosts() const {
    std::lock_guard lock(mu_);
    return hosts_;
  }
  std::vector<Run> Ended() const {
    std::lock_guard lock(mu_);
    return ended_;
  }
  std::vector<Label> Labels() const {
    std::lock_guard lock(mu_);
    return labels_;
  }
  std::vector<LabelMembership> Memberships() const {
    std::lock_guard lock(mu_);
    return memberships_;
  }
  void Clear() {
    std::lock_guard lock(mu_);
    lines_.clear();
    nodes_.clear();
    hosts_.clear();
    ended_.clear();
    labels_.clear();
    memberships_.clear();
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::string> lines_;
  std::vector<Node> nodes_;
  std::vector<RunHost> hosts_;
  std::vector<Run> ended_;
  std::vector<Label> labels_;
  std::vector<LabelMembership> memberships_;
};

// Holds the store's writer inside a `done` callback until released, so that
// writes submitted meanwhile queue up (never longer than kStoreWait).
class WriterBlocker {
 public:
  explicit WriterBlocker(Store& store) : state_(std::make_shared<State>()) {
    state_->entered_future = state_->entered.get_future();
    state_->release_future = state_->release.get_future().share();
    store.TouchNodes({}, [state = state_](Result<void> result) {
      state->result_ok = result.has_value();
      state->entered.set_value();
      state->release_future.wait_for(kStoreWait);
    });
  }
  ~WriterBlocker() { Release(); }
  WriterBlocker(const WriterBlocker&) = delete;
  WriterBlocker& operator=(const WriterBlocker&) = delete;

  // True once the writer is held (its queue is then empty).
  bool WaitHeld() {
    return state_->entered_future.wait_for(kStoreWait) == std::future_status::ready &&
           state_->result_ok;
  }
  void Release() {
    if (!released_) state_->release.set_value();
    released_ = true;
  }

 private:
  struct State {
    std::promise<void> entered;
    std::future<void> entered_future;
    std::promise<void> release;
    std::shared_future<void> release_future;
    bool result_ok = false;  // written before `entered` is set, read after
  };
  std::shared_ptr<State> state_;
  bool released_ = false;
};

inline constexpr int64_t kT0 = 1'700'000'000'000'000;  // a fixed "now", microseconds
inline constexpr int64_t kSecond = 1'000'000;

class StoreConformanceTest : public ::testing::TestWithParam<StoreBackend> {
 protected:
  // ::testing::Test has a member function Run(); in tests `Run` means the record.
  using Run = ::quarry::store::Run;

  void SetUp() override {
    env_ = GetParam().make_env();
    ASSERT_TRUE(env_ != nullptr);
    Open(ConformanceOptions{});
  }

  void TearDown() override { CloseStore(); }

  void Open(const ConformanceOptions& options) {
    auto opened = env_->Open(options);
    ASSERT_TRUE(IsOk(opened));
    store_ = std::move(*opened);
    store_->SetObserver(&observer_);
  }

  void CloseStore() {
    if (store_ != nullptr) store_->Close();
    store_.reset();
  }

  void Reopen(const ConformanceOptions& options = {}) {
    CloseStore();
    observer_.Clear();
    Open(options);
  }

  Store& store() { return *store_; }

  static Enrollment MakeEnrollment(const std::string& identifier, const std::string& key_hash,
                                   int64_t at_us) {
    Enrollment e;
    e.identity.host_identifier = identifier;
    e.identity.hostname = identifier + ".example.org";
    e.identity.platform = "ubuntu";
    e.identity.platform_type = "9";
    e.identity.os_name = "Ubuntu";
    e.identity.os_version = "22.04";
    e.identity.osquery_version = "5.10.2";
    e.identity.hardware_uuid = "uuid-" + identifier;
    e.identity.hardware_serial = "serial-" + identifier;
    e.identity.host_details_json = R"({"system_info":{"hostname":")" + identifier + R"("}})";
    e.node_key_hash = key_hash;
    e.enroll_secret_name = "default";
    e.secret_labels = {"prod", "quote\"and\\back"};
    e.remote_address = "192.0.2.10";
    e.at_us = at_us;
    return e;
  }

  Result<Node> Enroll(const Enrollment& e) {
    return Await<Node>([&](Done<Node> done) { store().EnrollNode(e, std::move(done)); });
  }

  Result<Node> Enroll(const std::string& identifier, const std::string& key_hash,
                      int64_t at_us = kT0) {
    return Enroll(MakeEnrollment(identifier, key_hash, at_us));
  }

  // Enrolls `count` hosts named host-0, host-1 ... and returns their ids.
  std::vector<NodeId> EnrollHosts(int count) {
    std::vector<NodeId> ids;
    for (int i = 0; i < count; ++i) {
      auto node = Enroll("host-" + std::to_string(i), "hash-" + std::to_string(i));
      EXPECT_TRUE(IsOk(node));
      if (node) ids.push_back(node->id);
    }
    return ids;
  }

  Result<Run> CreateRun(std::vector<NodeId> targets, int64_t deadline_us = kT0 + 60 * kSecond,
                        int64_t created_us = kT0) {
    RunSpec spec;
    spec.sql = "SELECT * FROM osquery_info;";
    spec.submitted_by = "alice";
    spec.selector_json = R"({"all":true})";
    spec.created_us = created_us;
    spec.deadline_us = deadline_us;
    spec.targets = std::move(targets);
    return Await<Run>([&](Done<Run> done) { store().CreateRun(spec, std::move(done)); });
  }

  static QueryAnswer MakeAnswer(RunId run, int rows, int status = 0, std::string message = "") {
    QueryAnswer answer;
    answer.query_id = run == 0 ? "not-ours" : "run-" + std::to_string(run);
    answer.run = run;
    answer.status = status;
    answer.message = std::move(message);
    for (int i = 0; i < rows; ++i) {
      answer.rows_json.push_back(R"({"i":")" + std::to_string(i) + R"(","run":")" +
                                 std::to_string(run) + "\"}");
    }
    return answer;
  }

  Result<void> Answer(NodeId node, int64_t received_us, std::vector<QueryAnswer> answers) {
    DistributedWrite write;
    write.node = node;
    write.received_us = received_us;
    write.answers = std::move(answers);
    return Await<void>([&](Done<void> done) { store().RecordAnswers(write, std::move(done)); });
  }

  Result<void> PickUp(RunId run, NodeId node, int64_t at_us) {
    return Await<void>([&](Done<void> done) {
      store().RecordPickups({Pickup{run, node, at_us}}, std::move(done));
    });
  }

  Result<void> AppendLogs(NodeId node, LogType type, int lines, int64_t received_us = kT0) {
    LogBatch batch;
    batch.node = node;
    batch.type = type;
    batch.received_us = received_us;
    for (int i = 0; i < lines; ++i) {
      LogLine line;
      line.raw_json = R"({"name":"pack_q)" + std::to_string(i) + R"(","unixTime":1700000000})";
      line.unix_time = 1700000000;
      line.name = type == LogType::kResult ? "pack_q" + std::to_string(i) : "scheduler.cpp";
      line.action = type == LogType::kResult ? "added" : "";
      line.severity = type == LogType::kStatus ? 1 : 0;
      line.message = type == LogType::kStatus ? "message " + std::to_string(i) : "";
      line.host_identifier = "host";
      batch.lines.push_back(std::move(line));
    }
    return Await<void>([&](Done<void> done) { store().AppendLogs(batch, std::move(done)); });
  }

  // The host's entry in ListRunHosts, or a default RunHost with run = 0.
  RunHost HostOf(RunId run, NodeId node) {
    auto hosts = store().ListRunHosts(run);
    EXPECT_TRUE(IsOk(hosts));
    if (hosts) {
      for (const RunHost& host : *hosts) {
        if (host.node == node) return host;
      }
    }
    return RunHost{};
  }

  RunStatus StatusOf(RunId run) {
    auto found = store().GetRun(run);
    EXPECT_TRUE(IsOk(found));
    EXPECT_TRUE(found && found->has_value());
    return found && found->has_value() ? (*found)->status : RunStatus::kRunning;
  }

  std::vector<ResultRow> AllResults(RunId run) {
    auto rows = store().ListResults(run, 0, 1000000);
    EXPECT_TRUE(IsOk(rows));
    return rows ? *rows : std::vector<ResultRow>{};
  }

  // ---- Labels, tokens, audit ----

  static Label ManualLabel(const std::string& name, int64_t created_us = kT0) {
    Label label;
    label.name = name;
    label.description = "hosts named by hand: " + name;
    label.kind = LabelKind::kManual;
    label.created_us = created_us;
    return label;
  }

  static Label DynamicLabel(const std::string& name, int64_t created_us = kT0) {
    Label label;
    label.name = name;
    label.description = "hosts where the query has rows";
    label.kind = LabelKind::kDynamic;
    label.sql = "SELECT 1 FROM os_version WHERE platform = 'ubuntu';";
    label.refresh_seconds = 300;
    label.created_us = created_us;
    return label;
  }

  Result<Label> CreateLabel(const Label& label, std::vector<NodeId> members = {}) {
    return Await<Label>(
        [&](Done<Label> done) { store().CreateLabel(label, members, std::move(done)); });
  }

  Result<void> SetMembers(int64_t label, std::vector<NodeId> members) {
    return Await<void>(
        [&](Done<void> done) { store().SetLabelMembers(label, members, std::move(done)); });
  }

  Result<void> RecordLabelResults(std::vector<LabelMembership> results) {
    return Await<void>(
        [&](Done<void> done) { store().RecordLabelResults(results, std::move(done)); });
  }

  // Current members as "label node" pairs, in the order listed.
  std::vector<std::pair<int64_t, NodeId>> Members() {
    auto memberships = store().ListLabelMemberships();
    EXPECT_TRUE(IsOk(memberships));
    std::vector<std::pair<int64_t, NodeId>> out;
    if (memberships) {
      for (const LabelMembership& m : *memberships) {
        EXPECT_TRUE(m.member) << "ListLabelMemberships listed a non-member";
        out.emplace_back(m.label, m.node);
      }
    }
    return out;
  }

  static std::string MemberLine(int64_t label, NodeId node, bool joined) {
    return "member " + std::to_string(label) + " " + std::to_string(node) +
           (joined ? " joined" : " left");
  }

  Result<ApiToken> CreateToken(const std::string& name, const std::string& hash,
                               TokenRole role = TokenRole::kViewer, int64_t created_us = kT0) {
    ApiToken token;
    token.name = name;
    token.token_hash = hash;
    token.role = role;
    token.created_by = "admin";
    token.created_us = created_us;
    return Await<ApiToken>(
        [&](Done<ApiToken> done) { store().CreateToken(token, std::move(done)); });
  }

  Result<ApiToken> RevokeToken(int64_t token) {
    return Await<ApiToken>(
        [&](Done<ApiToken> done) { store().RevokeToken(token, std::move(done)); });
  }

  Result<void> Audit(int64_t at_us, const std::string& action, const std::string& detail_json) {
    AuditEvent event;
    event.at_us = at_us;
    event.actor = "alice";
    event.action = action;
    event.detail_json = detail_json;
    return Await<void>([&](Done<void> done) { store().AppendAudit(event, std::move(done)); });
  }

  // The single integer a one-cell search returns, or -1.
  int64_t SearchInt(const std::string& sql) {
    auto table = store().Search(sql, search::QueryLimits{});
    EXPECT_TRUE(IsOk(table)) << sql;
    if (!table || table->rows.size() != 1 || table->rows[0].size() != 1) return -1;
    const auto* value = std::get_if<int64_t>(&table->rows[0][0]);
    EXPECT_NE(value, nullptr) << sql;
    return value != nullptr ? *value : -1;
  }

  std::unique_ptr<StoreTestEnv> env_;
  RecordingObserver observer_;  // declared before store_: outlives it
  std::unique_ptr<Store> store_;
};

// ---- Enrollment ----

TEST_P(StoreConformanceTest, EnrollCreatesNodeWithEveryField) {
  Enrollment e = MakeEnrollment("alpha", "hash-a", kT0);
  auto node = Enroll(e);
  ASSERT_TRUE(IsOk(node));
  EXPECT_GT(node->id, 0);
  EXPECT_EQ(node->identity.host_identifier, "alpha");
  EXPECT_EQ(node->identity.hostname, "alpha.example.org");
  EXPECT_EQ(node->identity.platform, "ubuntu");
  EXPECT_EQ(node->identity.platform_type, "9");
  EXPECT_EQ(node->identity.os_name, "Ubuntu");
  EXPECT_EQ(node->identity.os_version, "22.04");
  EXPECT_EQ(node->identity.osquery_version, "5.10.2");
  EXPECT_EQ(node->identity.hardware_uuid, "uuid-alpha");
  EXPECT_EQ(node->identity.hardware_serial, "serial-alpha");
  EXPECT_EQ(node->identity.host_details_json, e.identity.host_details_json);
  EXPECT_EQ(node->node_key_hash, "hash-a");
  EXPECT_EQ(node->enroll_secret_name, "default");
  EXPECT_EQ(node->secret_labels, e.secret_labels);
  EXPECT_EQ(node->first_enrolled_us, kT0);
  EXPECT_EQ(node->enrolled_us, kT0);
  EXPECT_EQ(node->last_seen_us, 0);
  EXPECT_FALSE(node->revoked);

  auto read = store().GetNode(node->id);
  ASSERT_TRUE(IsOk(read));
  ASSERT_TRUE(read->has_value());
  EXPECT_EQ((*read)->identity.host_details_json, e.identity.host_details_json);
  EXPECT_EQ((*read)->secret_labels, e.secret_labels);
  EXPECT_EQ((*read)->node_key_hash, "hash-a");

  auto all = store().ListNodes();
  ASSERT_TRUE(IsOk(all));
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0].id, node->id);

  EXPECT_EQ(observer_.Lines(),
            std::vector<std::string>{"node " + std::to_string(node->id) + " hash-a"});
}

TEST_P(StoreConformanceTest, GetNodeOfUnknownIdIsEmpty) {
  auto read = store().GetNode(424242);
  ASSERT_TRUE(IsOk(read));
  EXPECT_FALSE(read->has_value());
}

TEST_P(StoreConformanceTest, ReEnrollKeepsIdAndReplacesKeyHash) {
  auto first = Enroll("alpha", "hash-1", kT0);
  ASSERT_TRUE(IsOk(first));
  auto other = Enroll("beta", "hash-b", kT0);
  ASSERT_TRUE(IsOk(other));
  EXPECT_NE(other->id, first->id);

  Enrollment again = MakeEnrollment("alpha", "hash-2", kT0 + 10 * kSecond);
  again.identity.hostname = "alpha-renamed";
  again.identity.osquery_version = "5.11.0";
  again.enroll_secret_name = "second";
  again.secret_labels = {"canary"};
  auto second = Enroll(again);
  ASSERT_TRUE(IsOk(second));
  EXPECT_EQ(second->id, first->id);
  EXPECT_EQ(second->node_key_hash, "hash-2");
  EXPECT_EQ(second->identity.hostname, "alpha-renamed");
  EXPECT_EQ(second->identity.osquery_version, "5.11.0");
  EXPECT_EQ(second->enroll_secret_name, "second");
  EXPECT_EQ(second->secret_labels, std::vector<std::string>{"canary"});
  EXPECT_EQ(second->first_enrolled_us, kT0);
  EXPECT_EQ(second->enrolled_us, kT0 + 10 * kSecond);

  auto all = store().ListNodes();
  ASSERT_TRUE(IsOk(all));
  EXPECT_EQ(all->size(), 2u);

  std::string id = std::to_string(first->id);
  EXPECT_EQ(observer_.Lines(),
            (std::vector<std::string>{"node " + id + " hash-1",
                                      "node " + std::to_string(other->id) + " hash-b",
                                      "node " + id + " hash-2"}));
}

TEST_P(StoreConformanceTest, RevokeClearsKeyAndReEnrollRestores) {
  auto node = Enroll("alpha", "hash-1");
  ASSERT_TRUE(IsOk(node));
  auto revoked = Await<Node>([&](Done<Node> d) { store().RevokeNode(node->id, std::move(d)); });
  ASSERT_TRUE(IsOk(revoked));
  EXPECT_TRUE(revoked->revoked);
  EXPECT_EQ(revoked->node_key_hash, "");
  EXPECT_EQ(revoked->id, node->id);

  auto read = store().GetNode(node->id);
  ASSERT_TRUE(IsOk(read));
  ASSERT_TRUE(read->has_value());
  EXPECT_TRUE((*read)->revoked);
  EXPECT_EQ((*read)->node_key_hash, "");

  auto back = Enroll("alpha", "hash-2", kT0 + kSecond);
  ASSERT_TRUE(IsOk(back));
  EXPECT_EQ(back->id, node->id);
  EXPECT_FALSE(back->revoked);
  EXPECT_EQ(back->node_key_hash, "hash-2");

  std::string id = std::to_string(node->id);
  EXPECT_EQ(observer_.Lines(),
            (std::vector<std::string>{"node " + id + " hash-1", "node " + id + "  revoked",
                                      "node " + id + " hash-2"}));
}

TEST_P(StoreConformanceTest, RevokeUnknownNodeIsNotFound) {
  auto revoked = Await<Node>([&](Done<Node> d) { store().RevokeNode(99999, std::move(d)); });
  EXPECT_TRUE(FailsWith(revoked, ErrorCode::kNotFound));
  EXPECT_EQ(observer_.Count(), 0u);
}

TEST_P(StoreConformanceTest, EnrollWithoutIdentifierOrKeyIsInvalid) {
  EXPECT_TRUE(FailsWith(Enroll("", "hash"), ErrorCode::kInvalidArgument));
  EXPECT_TRUE(FailsWith(Enroll("alpha", ""), ErrorCode::kInvalidArgument));
  auto all = store().ListNodes();
  ASSERT_TRUE(IsOk(all));
  EXPECT_TRUE(all->empty());
  EXPECT_EQ(observer_.Count(), 0u);
}

// ---- Logs and last-seen ----

TEST_P(StoreConformanceTest, AppendLogsStoresEveryLine) {
  auto ids = EnrollHosts(2);
  ASSERT_EQ(ids.size(), 2u);
  ASSERT_TRUE(IsOk(AppendLogs(ids[0], LogType::kResult, 3)));
  ASSERT_TRUE(IsOk(AppendLogs(ids[0], LogType::kResult, 4)));
  ASSERT_TRUE(IsOk(AppendLogs(ids[0], LogType::kStatus, 2)));
  ASSERT_TRUE(IsOk(AppendLogs(ids[1], LogType::kStatus, 5)));
  ASSERT_TRUE(IsOk(AppendLogs(ids[1], LogType::kStatus, 0)));

  auto count = [&](NodeId node, LogType type) {
    auto n = env_->CountLogLines(node, type);
    EXPECT_TRUE(IsOk(n));
    return n ? *n : -1;
  };
  EXPECT_EQ(count(ids[0], LogType::kResult), 7);
  EXPECT_EQ(count(ids[0], LogType::kStatus), 2);
  EXPECT_EQ(count(ids[1], LogType::kResult), 0);
  EXPECT_EQ(count(ids[1], LogType::kStatus), 5);
}

TEST_P(StoreConformanceTest, AppendLogsForUnknownNodeIsNotFound) {
  EXPECT_TRUE(FailsWith(AppendLogs(77777, LogType::kResult, 2), ErrorCode::kNotFound));
  auto n = env_->CountLogLines(77777, LogType::kResult);
  ASSERT_TRUE(IsOk(n));
  EXPECT_EQ(*n, 0);
}

TEST_P(StoreConformanceTest, TouchNodesRaisesButNeverLowers) {
  auto ids = EnrollHosts(2);
  ASSERT_EQ(ids.size(), 2u);
  auto touch = [&](std::vector<LastSeen> seen) {
    return Await<void>([&](Done<void> d) { store().TouchNodes(seen, std::move(d)); });
  };
  ASSERT_TRUE(IsOk(touch({LastSeen{ids[0], kT0 + 100, kT0 + 90, 0, kT0 + 80},
                          LastSeen{424242, kT0, kT0, kT0, kT0}})));  // unknown: skipped
  ASSERT_TRUE(IsOk(touch({LastSeen{ids[0], kT0 + 50, kT0 + 200, kT0 + 10, 0}})));

  auto node = store().GetNode(ids[0]);
  ASSERT_TRUE(IsOk(node));
  ASSERT_TRUE(node->has_value());
  EXPECT_EQ((*node)->last_seen_us, kT0 + 100);  // 50 is older: kept 100
  EXPECT_EQ((*node)->last_config_us, kT0 + 200);
  EXPECT_EQ((*node)->last_log_us, kT0 + 10);
  EXPECT_EQ((*node)->last_distributed_us, kT0 + 80);  // 0 means "no news"

  auto untouched = store().GetNode(ids[1]);
  ASSERT_TRUE(IsOk(untouched));
  ASSERT_TRUE(untouched->has_value());
  EXPECT_EQ((*untouched)->last_seen_us, 0);
  EXPECT_EQ(observer_.Count(), 2u);  // the two enrollments only
}

// ---- Runs ----

TEST_P(StoreConformanceTest, CreateRunMakesEveryTargetPending) {
  auto ids = EnrollHosts(2);
  ASSERT_EQ(ids.size(), 2u);
  observer_.Clear();
  auto run = CreateRun({ids[1], ids[0], ids[1]}, kT0 + 60 * kSecond);  // listed twice: once
  ASSERT_TRUE(IsOk(run));
  EXPECT_GT(run->id, 0);
  EXPECT_EQ(run->status, RunStatus::kRunning);
  EXPECT_EQ(run->sql, "SELECT * FROM osquery_info;");
  EXPECT_EQ(run->submitted_by, "alice");
  EXPECT_EQ(run->selector_json, R"({"all":true})");
  EXPECT_EQ(run->created_us, kT0);
  EXPECT_EQ(run->deadline_us, kT0 + 60 * kSecond);
  EXPECT_EQ(run->ended_us, 0);

  auto read = store().GetRun(run->id);
  ASSERT_TRUE(IsOk(read));
  ASSERT_TRUE(read->has_value());
  EXPECT_EQ((*read)->sql, run->sql);
  EXPECT_EQ((*read)->status, RunStatus::kRunning);

  auto hosts = store().ListRunHosts(run->id);
  ASSERT_TRUE(IsOk(hosts));
  ASSERT_EQ(hosts->size(), 2u);
  for (const RunHost& host : *hosts) {
    EXPECT_EQ(host.run, run->id);
    EXPECT_EQ(host.state, HostRunState::kPending);
    EXPECT_EQ(host.picked_up_us, 0);
    EXPECT_EQ(host.finished_us, 0);
  }
  EXPECT_EQ(observer_.Lines(),
            std::vector<std::string>{"created " + std::to_string(run->id) + " [" +
                                     std::to_string(ids[1]) + "," + std::to_string(ids[0]) + "]"});

  auto open = store().ListOpenRuns();
  ASSERT_TRUE(IsOk(open));
  ASSERT_EQ(open->size(), 1u);
  EXPECT_EQ((*open)[0].run.id, run->id);
  std::vector<NodeId> pending = (*open)[0].pending_nodes;
  std::sort(pending.begin(), pending.end());
  EXPECT_EQ(pending, ids);
}

TEST_P(StoreConformanceTest, CreateRunWithUnknownTargetCreatesNothing) {
  auto ids = EnrollHosts(1);
  ASSERT_EQ(ids.size(), 1u);
  observer_.Clear();
  EXPECT_TRUE(FailsWith(CreateRun({ids[0], 987654}), ErrorCode::kNotFound));
  auto open = store().ListOpenRuns();
  ASSERT_TRUE(IsOk(open));
  EXPECT_TRUE(open->empty());
  EXPECT_EQ(observer_.Count(), 0u);
}

TEST_P(StoreConformanceTest, RunWithoutTargetsFinishesAtOnce) {
  auto run = CreateRun({});
  ASSERT_TRUE(IsOk(run));
  EXPECT_EQ(run->status, RunStatus::kFinished);
  EXPECT_EQ(run->ended_us, kT0);
  EXPECT_EQ(StatusOf(run->id), RunStatus::kFinished);
  std::string id = std::to_string(run->id);
  EXPECT_EQ(observer_.Lines(),
            (std::vector<std::string>{"created " + id + " []", "ended " + id + " finished"}));
}

TEST_P(StoreConformanceTest, PickupsMoveOnlyPendingHosts) {
  auto ids = EnrollHosts(2);
  ASSERT_EQ(ids.size(), 2u);
  auto run = CreateRun(ids);
  ASSERT_TRUE(IsOk(run));
  observer_.Clear();

  ASSERT_TRUE(IsOk(PickUp(run->id, ids[0], kT0 + 5)));
  ASSERT_TRUE(IsOk(PickUp(run->id, ids[0], kT0 + 9)));         // not pending any more: ignored
  ASSERT_TRUE(IsOk(PickUp(run->id + 1000, ids[1], kT0 + 9)));  // unknown run: ignored

  RunHost picked = HostOf(run->id, ids[0]);
  EXPECT_EQ(picked.state, HostRunState::kPickedUp);
  EXPECT_EQ(picked.picked_up_us, kT0 + 5);
  EXPECT_EQ(HostOf(run->id, ids[1]).state, HostRunState::kPending);
  EXPECT_EQ(observer_.Lines(), std::vector<std::string>{"host " + std::to_string(run->id) + " " +
                                                        std::to_string(ids[0]) + " picked_up"});
  ASSERT_EQ(observer_.Hosts().size(), 1u);
  EXPECT_EQ(observer_.Hosts()[0].picked_up_us, kT0 + 5);

  auto open = store().ListOpenRuns();
  ASSERT_TRUE(IsOk(open));
  ASSERT_EQ(open->size(), 1u);
  EXPECT_EQ((*open)[0].pending_nodes, std::vector<NodeId>{ids[1]});

  // An answered host is not pending either: a late pickup leaves it answered.
  ASSERT_TRUE(IsOk(Answer(ids[0], kT0 + 20, {MakeAnswer(run->id, 1)})));
  ASSERT_TRUE(IsOk(PickUp(run->id, ids[0], kT0 + 30)));
  EXPECT_EQ(HostOf(run->id, ids[0]).state, HostRunState::kAnswered);
}

TEST_P(StoreConformanceTest, RunEndsWhenAllTargetsAnswerOrFail) {
  auto ids = EnrollHosts(2);
  ASSERT_EQ(ids.size(), 2u);
  auto run = CreateRun(ids);
  ASSERT_TRUE(IsOk(run));
  ASSERT_TRUE(IsOk(PickUp(run->id, ids[0], kT0 + 1)));
  observer_.Clear();

  QueryAnswer ok = MakeAnswer(run->id, 3);
  ok.stats = QueryStats{true, 12, 34, 56, 78};
  ASSERT_TRUE(IsOk(Answer(ids[0], kT0 + 10, {ok})));
  RunHost answered = HostOf(run->id, ids[0]);
  EXPECT_EQ(answered.state, HostRunState::kAnswered);
  EXPECT_EQ(answered.picked_up_us, kT0 + 1);
  EXPECT_EQ(answered.finished_us, kT0 + 10);
  EXPECT_EQ(answered.status, 0);
  EXPECT_EQ(answered.rows, 3);
  EXPECT_TRUE(answered.stats.present);
  EXPECT_EQ(answered.stats.wall_time_ms, 12);
  EXPECT_EQ(answered.stats.user_time, 34);
  EXPECT_EQ(answered.stats.system_time, 56);
  EXPECT_EQ(answered.stats.memory, 78);
  EXPECT_EQ(StatusOf(run->id), RunStatus::kRunning);

  ASSERT_TRUE(IsOk(Answer(ids[1], kT0 + 20, {MakeAnswer(run->id, 0, 1, "no such table: x")})));
  RunHost failed = HostOf(run->id, ids[1]);
  EXPECT_EQ(failed.state, HostRunState::kFailed);
  EXPECT_EQ(failed.status, 1);
  EXPECT_EQ(failed.message, "no such table: x");
  EXPECT_EQ(failed.rows, 0);
  EXPECT_FALSE(failed.stats.present);
  EXPECT_EQ(failed.finished_us, kT0 + 20);

  auto ended = store().GetRun(run->id);
  ASSERT_TRUE(IsOk(ended));
  ASSERT_TRUE(ended->has_value());
  EXPECT_EQ((*ended)->status, RunStatus::kFinished);
  EXPECT_EQ((*ended)->ended_us, kT0 + 20);

  std::string r = std::to_string(run->id);
  EXPECT_EQ(observer_.Lines(),
            (std::vector<std::string>{"host " + r + " " + std::to_string(ids[0]) + " answered",
                                      "host " + r + " " + std::to_string(ids[1]) + " failed",
                                      "ended " + r + " finished"}));
  ASSERT_EQ(observer_.Ended().size(), 1u);
  EXPECT_EQ(observer_.Ended()[0].ended_us, kT0 + 20);

  auto open = store().ListOpenRuns();
  ASSERT_TRUE(IsOk(open));
  EXPECT_TRUE(open->empty());
}

TEST_P(StoreConformanceTest, ResultsAreListedInSeqOrderWithCursor) {
  auto ids = EnrollHosts(2);
  ASSERT_EQ(ids.size(), 2u);
  auto run = CreateRun(ids);
  ASSERT_TRUE(IsOk(run));
  auto other = CreateRun(ids);
  ASSERT_TRUE(IsOk(other));
  ASSERT_TRUE(IsOk(Answer(ids[0], kT0 + 1, {MakeAnswer(run->id, 3), MakeAnswer(other->id, 2)})));
  ASSERT_TRUE(IsOk(Answer(ids[1], kT0 + 2, {MakeAnswer(run->id, 2)})));

  std::vector<ResultRow> rows = AllResults(run->id);
  ASSERT_EQ(rows.size(), 5u);
  for (size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(rows[i].run, run->id);
    if (i > 0) {
      EXPECT_GT(rows[i].seq, rows[i - 1].seq);
    }
  }
  EXPECT_EQ(rows[0].node, ids[0]);
  EXPECT_EQ(rows[0].row_json, MakeAnswer(run->id, 1).rows_json[0]);
  EXPECT_EQ(rows[4].node, ids[1]);
  EXPECT_EQ(AllResults(other->id).size(), 2u);

  // Pages of two, resumed from the last seq seen.
  auto page1 = store().ListResults(run->id, 0, 2);
  ASSERT_TRUE(IsOk(page1));
  ASSERT_EQ(page1->size(), 2u);
  auto page2 = store().ListResults(run->id, page1->back().seq, 2);
  ASSERT_TRUE(IsOk(page2));
  ASSERT_EQ(page2->size(), 2u);
  EXPECT_EQ((*page2)[0].seq, rows[2].seq);
  auto page3 = store().ListResults(run->id, page2->back().seq, 2);
  ASSERT_TRUE(IsOk(page3));
  ASSERT_EQ(page3->size(), 1u);
  auto page4 = store().ListResults(run->id, page3->back().seq, 2);
  ASSERT_TRUE(IsOk(page4));
  EXPECT_TRUE(page4->empty());
  auto none = store().ListResults(run->id, 0, 0);
  ASSERT_TRUE(IsOk(none));
  EXPECT_TRUE(none->empty());
}

TEST_P(StoreConformanceTest, ResentAnswerReplacesRows) {
  auto ids = EnrollHosts(2);
  ASSERT_EQ(ids.size(), 2u);
  auto run = CreateRun(ids);
  ASSERT_TRUE(IsOk(run));
  ASSERT_TRUE(IsOk(Answer(ids[0], kT0 + 1, {MakeAnswer(run->id, 3)})));
  std::vector<ResultRow> before = AllResults(run->id);
  ASSERT_EQ(before.size(), 3u);

  ASSERT_TRUE(IsOk(Answer(ids[0], kT0 + 2, {MakeAnswer(run->id, 2)})));
  std::vector<ResultRow> after = AllResults(run->id);
  ASSERT_EQ(after.size(), 2u);
  EXPECT_GT(after[0].seq, before.back().seq);  // cursors never see a seq twice
  RunHost host = HostOf(run->id, ids[0]);
  EXPECT_EQ(host.state, HostRunState::kAnswered);
  EXPECT_EQ(host.rows, 2);
  EXPECT_EQ(host.finished_us, kT0 + 2);

  // A re-sent answer after the run finished replaces again but ends nothing twice.
  ASSERT_TRUE(IsOk(Answer(ids[1], kT0 + 3, {MakeAnswer(run->id, 1)})));
  ASSERT_EQ(StatusOf(run->id), RunStatus::kFinished);
  ASSERT_TRUE(IsOk(Answer(ids[1], kT0 + 4, {MakeAnswer(run->id, 0, 2, "boom")})));
  EXPECT_EQ(HostOf(run->id, ids[1]).state, HostRunState::kFailed);
  EXPECT_EQ(AllResults(run->id).size(), 2u);
  EXPECT_EQ(observer_.Ended().size(), 1u);
}

TEST_P(StoreConformanceTest, AnswersForUnknownRunsAreOrphans) {
  auto ids = EnrollHosts(2);
  ASSERT_EQ(ids.size(), 2u);
  auto run = CreateRun({ids[0]});
  ASSERT_TRUE(IsOk(run));
  observer_.Clear();

  // run == 0, a run id that does not exist, and a run that did not target ids[1].
  ASSERT_TRUE(IsOk(Answer(
      ids[1], kT0 + 1, {MakeAnswer(0, 2), MakeAnswer(run->id + 100, 1), MakeAnswer(run->id, 4)})));
  auto orphans = env_->CountOrphanAnswers(ids[1]);
  ASSERT_TRUE(IsOk(orphans));
  EXPECT_EQ(*orphans, 3);
  EXPECT_TRUE(AllResults(run->id).empty());
  EXPECT_EQ(HostOf(run->id, ids[0]).state, HostRunState::kPending);
  EXPECT_EQ(StatusOf(run->id), RunStatus::kRunning);
  EXPECT_EQ(observer_.Count(), 0u);
}

TEST_P(StoreConformanceTest, AnswersFromUnknownNodeAreNotFound) {
  EXPECT_TRUE(FailsWith(Answer(55555, kT0, {MakeAnswer(0, 1)}), ErrorCode::kNotFound));
}

TEST_P(StoreConformanceTest, CancelEndsRunAndUnfinishedHosts) {
  auto ids = EnrollHosts(3);
  ASSERT_EQ(ids.size(), 3u);
  auto run = CreateRun(ids);
  ASSERT_TRUE(IsOk(run));
  ASSERT_TRUE(IsOk(Answer(ids[0], kT0 + 1, {MakeAnswer(run->id, 1)})));
  ASSERT_TRUE(IsOk(PickUp(run->id, ids[1], kT0 + 2)));
  observer_.Clear();

  auto cancelled =
      Await<Run>([&](Done<Run> d) { store().CancelRun(run->id, kT0 + 5, std::move(d)); });
  ASSERT_TRUE(IsOk(cancelled));
  EXPECT_EQ(cancelled->status, RunStatus::kCancelled);
  EXPECT_EQ(cancelled->ended_us, kT0 + 5);
  EXPECT_EQ(StatusOf(run->id), RunStatus::kCancelled);
  EXPECT_EQ(HostOf(run->id, ids[0]).state, HostRunState::kAnswered);
  RunHost picked = HostOf(run->id, ids[1]);
  EXPECT_EQ(picked.state, HostRunState::kCancelled);
  EXPECT_EQ(picked.finished_us, kT0 + 5);
  EXPECT_EQ(picked.picked_up_us, kT0 + 2);
  EXPECT_EQ(HostOf(run->id, ids[2]).state, HostRunState::kCancelled);

  std::vector<std::string> lines = observer_.Lines();
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines.back(), "ended " + std::to_string(run->id) + " cancelled");
  std::sort(lines.begin(), lines.end() - 1);
  std::string r = std::to_string(run->id);
  std::vector<std::string> expected_hosts = {
      "host " + r + " " + std::to_string(ids[1]) + " cancelled",
      "host " + r + " " + std::to_string(ids[2]) + " cancelled"};
  std::sort(expected_hosts.begin(), expected_hosts.end());
  EXPECT_EQ(std::vector<std::string>(lines.begin(), lines.end() - 1), expected_hosts);

  auto again = Await<Run>([&](Done<Run> d) { store().CancelRun(run->id, kT0 + 6, std::move(d)); });
  EXPECT_TRUE(FailsWith(again, ErrorCode::kConflict));
  auto unknown =
      Await<Run>([&](Done<Run> d) { store().CancelRun(run->id + 100, kT0, std::move(d)); });
  EXPECT_TRUE(FailsWith(unknown, ErrorCode::kNotFound));
  auto open = store().ListOpenRuns();
  ASSERT_TRUE(IsOk(open));
  EXPECT_TRUE(open->empty());
}

TEST_P(StoreConformanceTest, LateAnswerToCancelledHostKeepsRowsNotState) {
  auto ids = EnrollHosts(1);
  ASSERT_EQ(ids.size(), 1u);
  auto run = CreateRun(ids);
  ASSERT_TRUE(IsOk(run));
  ASSERT_TRUE(
      IsOk(Await<Run>([&](Done<Run> d) { store().CancelRun(run->id, kT0 + 5, std::move(d)); })));
  observer_.Clear();

  ASSERT_TRUE(IsOk(Answer(ids[0], kT0 + 9, {MakeAnswer(run->id, 2)})));
  RunHost host = HostOf(run->id, ids[0]);
  EXPECT_EQ(host.state, HostRunState::kCancelled);
  EXPECT_EQ(host.finished_us, kT0 + 5);
  EXPECT_EQ(AllResults(run->id).size(), 2u);
  ASSERT_TRUE(IsOk(Answer(ids[0], kT0 + 10, {MakeAnswer(run->id, 1)})));  // re-sent: replaces
  EXPECT_EQ(AllResults(run->id).size(), 1u);
  EXPECT_EQ(StatusOf(run->id), RunStatus::kCancelled);
  EXPECT_EQ(observer_.Count(), 0u);
}

TEST_P(StoreConformanceTest, ExpireEndsRunsAtOrPastDeadline) {
  auto ids = EnrollHosts(2);
  ASSERT_EQ(ids.size(), 2u);
  auto early = CreateRun(ids, kT0 + 100);
  auto exact = CreateRun(ids, kT0 + 200);
  auto later = CreateRun(ids, kT0 + 201);
  ASSERT_TRUE(IsOk(early));
  ASSERT_TRUE(IsOk(exact));
  ASSERT_TRUE(IsOk(later));
  ASSERT_TRUE(IsOk(Answer(ids[0], kT0 + 50, {MakeAnswer(early->id, 1)})));
  ASSERT_TRUE(IsOk(PickUp(exact->id, ids[1], kT0 + 60)));
  observer_.Clear();

  auto expire = [&](int64_t now) {
    return Await<std::vector<Run>>(
        [&](Done<std::vector<Run>> d) { store().ExpireRuns(now, std::move(d)); });
  };
  auto none = expire(kT0 + 99);  // deadline - 1: nothing yet
  ASSERT_TRUE(IsOk(none));
  EXPECT_TRUE(none->empty());

  auto expired = expire(kT0 + 200);
  ASSERT_TRUE(IsOk(expired));
  ASSERT_EQ(expired->size(), 2u);
  std::vector<RunId> expired_ids = {(*expired)[0].id, (*expired)[1].id};
  std::sort(expired_ids.begin(), expired_ids.end());
  EXPECT_EQ(expired_ids, (std::vector<RunId>{early->id, exact->id}));
  for (const Run& run : *expired) {
    EXPECT_EQ(run.status, RunStatus::kExpired);
    EXPECT_EQ(run.ended_us, kT0 + 200);
  }
  EXPECT_EQ(HostOf(early->id, ids[0]).state, HostRunState::kAnswered);
  RunHost late = HostOf(early->id, ids[1]);
  EXPECT_EQ(late.state, HostRunState::kExpired);
  EXPECT_EQ(late.finished_us, kT0 + 200);
  EXPECT_EQ(HostOf(exact->id, ids[1]).state, HostRunState::kExpired);
  EXPECT_EQ(StatusOf(later->id), RunStatus::kRunning);
  EXPECT_EQ(HostOf(later->id, ids[0]).state, HostRunState::kPending);
  // 3 hosts expired + 2 runs ended.
  EXPECT_EQ(observer_.Hosts().size(), 3u);
  EXPECT_EQ(observer_.Ended().size(), 2u);

  auto again = expire(kT0 + 200);
  ASSERT_TRUE(IsOk(again));
  EXPECT_TRUE(again->empty());

  // A late answer is kept but does not revive the expired host.
  ASSERT_TRUE(IsOk(Answer(ids[1], kT0 + 300, {MakeAnswer(early->id, 2)})));
  EXPECT_EQ(HostOf(early->id, ids[1]).state, HostRunState::kExpired);
  EXPECT_EQ(AllResults(early->id).size(), 3u);

  auto open = store().ListOpenRuns();
  ASSERT_TRUE(IsOk(open));
  ASSERT_EQ(open->size(), 1u);
  EXPECT_EQ((*open)[0].run.id, later->id);
}

// ---- Durability and restart ----

TEST_P(StoreConformanceTest, EverythingSurvivesCloseAndReopen) {
  auto ids = EnrollHosts(3);
  ASSERT_EQ(ids.size(), 3u);
  auto running = CreateRun(ids, kT0 + 1000);
  auto finished = CreateRun({ids[0]});
  ASSERT_TRUE(IsOk(running));
  ASSERT_TRUE(IsOk(finished));
  ASSERT_TRUE(IsOk(PickUp(running->id, ids[0], kT0 + 1)));
  ASSERT_TRUE(IsOk(Answer(ids[1], kT0 + 2, {MakeAnswer(running->id, 2)})));
  ASSERT_TRUE(IsOk(Answer(ids[0], kT0 + 3, {MakeAnswer(finished->id, 4)})));
  ASSERT_TRUE(IsOk(AppendLogs(ids[2], LogType::kResult, 6)));

  Reopen();

  auto nodes = store().ListNodes();
  ASSERT_TRUE(IsOk(nodes));
  ASSERT_EQ(nodes->size(), 3u);
  EXPECT_EQ((*nodes)[0].node_key_hash, "hash-0");

  auto open = store().ListOpenRuns();
  ASSERT_TRUE(IsOk(open));
  ASSERT_EQ(open->size(), 1u);
  EXPECT_EQ((*open)[0].run.id, running->id);
  EXPECT_EQ((*open)[0].run.sql, "SELECT * FROM osquery_info;");
  EXPECT_EQ((*open)[0].run.deadline_us, kT0 + 1000);
  EXPECT_EQ((*open)[0].pending_nodes, std::vector<NodeId>{ids[2]});  // [0] picked up, [1] answered

  EXPECT_EQ(StatusOf(finished->id), RunStatus::kFinished);
  EXPECT_EQ(AllResults(running->id).size(), 2u);
  EXPECT_EQ(AllResults(finished->id).size(), 4u);
  EXPECT_EQ(HostOf(running->id, ids[0]).state, HostRunState::kPickedUp);
  auto logs = env_->CountLogLines(ids[2], LogType::kResult);
  ASSERT_TRUE(IsOk(logs));
  EXPECT_EQ(*logs, 6);

  // Ids keep growing after a restart: a new host and run do not reuse old ids.
  auto fresh = Enroll("fresh", "hash-f");
  ASSERT_TRUE(IsOk(fresh));
  EXPECT_GT(fresh->id, ids[2]);
  auto next = CreateRun({fresh->id});
  ASSERT_TRUE(IsOk(next));
  EXPECT_GT(next->id, finished->id);
}

// ---- The write queue ----

TEST_P(StoreConformanceTest, FullQueueRefusesAtOnceAndKeepsEveryAcceptedWrite) {
  constexpr size_t kLimit = 4;
  Reopen(ConformanceOptions{kLimit});
  WriterBlocker blocker(store());
  ASSERT_TRUE(blocker.WaitHeld());
  WriteQueueStats before = store().QueueStats();

  // limit - 1, limit: accepted; limit + 1, limit + 2: refused on this thread.
  std::atomic<int> refused_now{0};
  std::vector<std::future<Result<Node>>> accepted;
  for (size_t i = 0; i < kLimit + 2; ++i) {
    auto promise = std::make_shared<std::promise<Result<Node>>>();
    auto future = promise->get_future();
    const std::thread::id caller = std::this_thread::get_id();
    store().EnrollNode(MakeEnrollment("flood-" + std::to_string(i), "h", kT0),
                       [promise, caller, &refused_now](Result<Node> result) {
                         if (!result && result.error().code == ErrorCode::kUnavailable &&
                             std::this_thread::get_id() == caller) {
                           ++refused_now;
                         }
                         promise->set_value(std::move(result));
                       });
    if (i < kLimit) {
      EXPECT_EQ(refused_now.load(), 0) << "write " << i << " refused below the limit";
      accepted.push_back(std::move(future));
    } else {
      EXPECT_EQ(refused_now.load(), static_cast<int>(i - kLimit + 1)) << "write " << i;
      ASSERT_EQ(future.wait_for(std::chrono::seconds(0)), std::future_status::ready);
      EXPECT_TRUE(FailsWith(future.get(), ErrorCode::kUnavailable));
    }
  }
  WriteQueueStats full = store().QueueStats();
  EXPECT_EQ(full.queued, kLimit);
  EXPECT_EQ(full.rejected, before.rejected + 2);

  blocker.Release();
  for (auto& future : accepted) {
    ASSERT_EQ(future.wait_for(kStoreWait), std::future_status::ready);
    EXPECT_TRUE(IsOk(future.get()));
  }
  auto nodes = store().ListNodes();
  ASSERT_TRUE(IsOk(nodes));
  EXPECT_EQ(nodes->size(), kLimit);
  WriteQueueStats after = store().QueueStats();
  EXPECT_EQ(after.queued, 0u);
  EXPECT_GE(after.committed, before.committed + kLimit);
}

TEST_P(StoreConformanceTest, ConcurrentFloodAcceptsExactlyTheLimit) {
  constexpr size_t kLimit = 8;
  constexpr int kThreads = 4;
  constexpr int kPerThread = 25;
  Reopen(ConformanceOptions{kLimit});
  WriterBlocker blocker(store());
  ASSERT_TRUE(blocker.WaitHeld());

  std::mutex mu;
  std::vector<std::future<Result<Node>>> futures;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        auto promise = std::make_shared<std::promise<Result<Node>>>();
        {
          std::lock_guard lock(mu);
          futures.push_back(promise->get_future());
        }
        store().EnrollNode(
            MakeEnrollment("t" + std::to_string(t) + "-" + std::to_string(i), "h", kT0),
            [promise](Result<Node> result) { promise->set_value(std::move(result)); });
      }
    });
  }
  for (auto& thread : threads) thread.join();
  blocker.Release();

  size_t ok = 0, refused = 0;
  std::vector<std::string> accepted_names;
  for (auto& future : futures) {
    ASSERT_EQ(future.wait_for(kStoreWait), std::future_status::ready);
    Result<Node> result = future.get();
    if (result) {
      ++ok;
      accepted_names.push_back(result->identity.host_identifier);
    } else {
      EXPECT_EQ(result.error().code, ErrorCode::kUnavailable);
      ++refused;
    }
  }
  EXPECT_EQ(ok, kLimit);
  EXPECT_EQ(refused, kThreads * kPerThread - kLimit);
  auto nodes = store().ListNodes();
  ASSERT_TRUE(IsOk(nodes));
  std::vector<std::string> stored;
  for (const Node& node : *nodes) stored.push_back(node.identity.host_identifier);
  std::sort(stored.begin(), stored.end());
  std::sort(accepted_names.begin(), accepted_names.end());
  EXPECT_EQ(stored, accepted_names);
}

TEST_P(StoreConformanceTest, ReadsDoNotWaitForTheWriter) {
  auto ids = EnrollHosts(1);
  ASSERT_EQ(ids.size(), 1u);
  WriterBlocker blocker(store());
  ASSERT_TRUE(blocker.WaitHeld());
  auto pending = std::async(std::launch::async, [&] { return Enroll("queued", "h"); });
  // The writer is held, yet reads answer (and do not see the queued write).
  auto node = store().GetNode(ids[0]);
  ASSERT_TRUE(IsOk(node));
  EXPECT_TRUE(node->has_value());
  auto nodes = store().ListNodes();
  ASSERT_TRUE(IsOk(nodes));
  EXPECT_EQ(nodes->size(), 1u);
  blocker.Release();
  ASSERT_EQ(pending.wait_for(kStoreWait), std::future_status::ready);
  EXPECT_TRUE(IsOk(pending.get()));
}

TEST_P(StoreConformanceTest, CloseCommitsQueuedWritesAndRefusesNewOnes) {
  std::vector<std::future<Result<Node>>> queued;
  {
    WriterBlocker blocker(store());
    ASSERT_TRUE(blocker.WaitHeld());
    for (int i = 0; i < 3; ++i) {
      auto promise = std::make_shared<std::promise<Result<Node>>>();
      queued.push_back(promise->get_future());
      store().EnrollNode(MakeEnrollment("q" + std::to_string(i), "h", kT0),
                         [promise](Result<Node> r) { promise->set_value(std::move(r)); });
    }
    auto closing = std::async(std::launch::async, [this] { store().Close(); });
    blocker.Release();
    ASSERT_EQ(closing.wait_for(kStoreWait), std::future_status::ready);
  }
  for (auto& future : queued) {
    ASSERT_EQ(future.wait_for(std::chrono::seconds(0)), std::future_status::ready)
        << "Close returned before a queued write was answered";
    EXPECT_TRUE(IsOk(future.get()));
  }

  bool called_at_once = false;
  store().EnrollNode(MakeEnrollment("late", "h", kT0), [&](Result<Node> result) {
    called_at_once = true;
    EXPECT_TRUE(FailsWith(result, ErrorCode::kUnavailable));
  });
  EXPECT_TRUE(called_at_once);
  store().Close();  // idempotent

  Reopen();
  auto nodes = store().ListNodes();
  ASSERT_TRUE(IsOk(nodes));
  EXPECT_EQ(nodes->size(), 3u);
}

// ---- Observer ordering ----

TEST_P(StoreConformanceTest, ObserverSeesCommitOrderBeforeEachDone) {
  // All submitted from this thread without waiting, so they queue in this order
  // and may share transactions. Each done records how many notifications had
  // arrived by then.
  std::vector<size_t> seen_at_done(7, 0);
  std::vector<std::thread::id> done_threads(7);
  std::vector<std::future<void>> dones;
  auto track = [&](int index) {
    auto promise = std::make_shared<std::promise<void>>();
    dones.push_back(promise->get_future());
    return [this, index, promise, &seen_at_done, &done_threads](auto result) {
      EXPECT_TRUE(IsOk(result)) << "write " << index;
      seen_at_done[index] = observer_.Count();
      done_threads[index] = std::this_thread::get_id();
      promise->set_value();
    };
  };
  // Node ids and the run id are not known before the writes run, so the
  // submissions refer to them through the results of earlier writes: they are
  // chained by waiting only where an id is needed.
  auto a = Enroll("a", "ha");
  auto b = Enroll("b", "hb");
  ASSERT_TRUE(IsOk(a));
  ASSERT_TRUE(IsOk(b));
  observer_.Clear();
  auto run = CreateRun({a->id, b->id});
  ASSERT_TRUE(IsOk(run));
  observer_.Clear();

  const RunId r = run->id;
  store().RecordPickups({Pickup{r, a->id, kT0 + 1}}, Done<void>(track(0)));
  store().RecordPickups({Pickup{r, b->id, kT0 + 2}}, Done<void>(track(1)));
  DistributedWrite wa{a->id, kT0 + 3, {MakeAnswer(r, 1)}};
  store().RecordAnswers(wa, Done<void>(track(2)));
  store().TouchNodes({LastSeen{a->id, kT0 + 3, 0, 0, kT0 + 3}}, Done<void>(track(3)));
  store().RevokeNode(b->id, Done<Node>(track(4)));
  DistributedWrite wb{b->id, kT0 + 4, {MakeAnswer(r, 0, 1, "denied")}};
  store().RecordAnswers(wb, Done<void>(track(5)));
  auto c = MakeEnrollment("c", "hc", kT0 + 5);
  store().EnrollNode(c, Done<Node>(track(6)));
  for (auto& done : dones) ASSERT_EQ(done.wait_for(kStoreWait), std::future_status::ready);

  std::string rs = std::to_string(r), as = std::to_string(a->id), bs = std::to_string(b->id);
  std::vector<std::string> lines = observer_.Lines();
  ASSERT_EQ(lines.size(), 7u);
  std::vector<std::string> expected_prefix = {
      "host " + rs + " " + as + " picked_up", "host " + rs + " " + bs + " picked_up",
      "host " + rs + " " + as + " answered",  "node " + bs + "  revoked",
      "host " + rs + " " + bs + " failed",    "ended " + rs + " finished"};
  EXPECT_EQ(std::vector<std::string>(lines.begin(), lines.begin() + 6), expected_prefix);
  EXPECT_EQ(lines[6].rfind("node ", 0), 0u);
  EXPECT_NE(lines[6].find(" hc"), std::string::npos);

  // Notifications for write i (cumulative count) arrived before done i.
  const std::vector<size_t> needed = {1, 2, 3, 3, 4, 6, 7};
  for (size_t i = 0; i < needed.size(); ++i) {
    EXPECT_GE(seen_at_done[i], needed[i]) << "done " << i << " ran before its notifications";
    EXPECT_NE(done_threads[i], std::this_thread::get_id()) << "done " << i << " on caller";
  }
}

TEST_P(StoreConformanceTest, ConcurrentWritersAndReadersAllSucceed) {
  auto ids = EnrollHosts(4);
  ASSERT_EQ(ids.size(), 4u);
  std::vector<RunId> runs;
  for (int i = 0; i < 4; ++i) {
    auto run = CreateRun(ids);
    ASSERT_TRUE(IsOk(run));
    runs.push_back(run->id);
  }
  constexpr int kRounds = 10;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (size_t n = 0; n < ids.size(); ++n) {
    threads.emplace_back([&, n] {
      for (int round = 0; round < kRounds; ++round) {
        // Re-sent answers (same rows each round) and logs, interleaved.
        if (!Answer(ids[n], kT0 + round, {MakeAnswer(runs[round % runs.size()], 5)})) ++failures;
        if (!AppendLogs(ids[n], LogType::kResult, 3)) ++failures;
      }
    });
  }
  threads.emplace_back([&] {
    for (int round = 0; round < kRounds * 4; ++round) {
      if (!store().ListResults(runs[round % runs.size()], 0, 100)) ++failures;
      if (!store().ListOpenRuns()) ++failures;
    }
  });
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  for (RunId run : runs) {
    EXPECT_EQ(AllResults(run).size(), ids.size() * 5) << "run " << run;
    EXPECT_EQ(StatusOf(run), RunStatus::kFinished);
  }
  for (NodeId node : ids) {
    auto logs = env_->CountLogLines(node, LogType::kResult);
    ASSERT_TRUE(IsOk(logs));
    EXPECT_EQ(*logs, kRounds * 3);
  }
  WriteQueueStats stats = store().QueueStats();
  EXPECT_LE(stats.transactions, stats.committed);
  EXPECT_EQ(stats.rejected, 0u);
}

// ---- Labels ----

TEST_P(StoreConformanceTest, CreateManualLabelNotifiesLabelThenMembersBeforeDone) {
  auto ids = EnrollHosts(2);
  ASSERT_EQ(ids.size(), 2u);
  observer_.Clear();

  std::vector<std::string> seen_at_done;
  auto created = Await<Label>([&](Done<Label> done) {
    store().CreateLabel(ManualLabel("canary"), {ids[1], ids[0], ids[1]},  // listed twice: once
                        [&, done = std::move(done)](Result<Label> result) {
                          seen_at_done = observer_.Lines();
                          done(std::move(result));
                        });
  });
  ASSERT_TRUE(IsOk(created));
  EXPECT_GT(created->id, 0);
  EXPECT_EQ(created->name, "canary");
  EXPECT_EQ(created->description, "hosts named by hand: canary");
  EXPECT_EQ(created->kind, LabelKind::kManual);
  EXPECT_EQ(created->sql, "");
  EXPECT_EQ(created->refresh_seconds, 0);
  EXPECT_EQ(created->created_us, kT0);
  EXPECT_EQ(created->updated_us, kT0);

  const std::vector<std::string> expected = {"label " + std::to_string(created->id) + " canary",
                                             MemberLine(created->id, ids[1], true),
                                             MemberLine(created->id, ids[0], true)};
  EXPECT_EQ(observer_.Lines(), expected);
  EXPECT_EQ(seen_at_done, expected) << "done ran before the label's notifications";
  ASSERT_EQ(observer_.Labels().size(), 1u);
  EXPECT_EQ(observer_.Labels()[0].description, created->description);
  for (const LabelMembership& m : observer_.Memberships()) {
    EXPECT_EQ(m.label, created->id);
    EXPECT_TRUE(m.member);
    EXPECT_EQ(m.updated_us, kT0);
  }

  auto labels = store().ListLabels();
  ASSERT_TRUE(IsOk(labels));
  ASSERT_EQ(labels->size(), 1u);
  EXPECT_EQ((*labels)[0].id, created->id);
  EXPECT_EQ((*labels)[0].kind, LabelKind::kManual);
  EXPECT_EQ((*labels)[0].description, created->description);
  EXPECT_EQ((*labels)[0].created_us, kT0);
  auto memberships = store().ListLabelMemberships();
  ASSERT_TRUE(IsOk(memberships));
  ASSERT_EQ(memberships->size(), 2u);
  for (const LabelMembership& m : *memberships) EXPECT_EQ(m.updated_us, kT0);
  std::vector<std::pair<int64_t, NodeId>> members = Members();
  std::sort(members.begin(), members.end());
  EXPECT_EQ(members, (std::vector<std::pair<int64_t, NodeId>>{{created->id, ids[0]},
                                                              {created->id, ids[1]}}));
}

TEST_P(StoreConformanceTest, CreateDynamicLabelStartsEmpty) {
  auto created = CreateLabel(DynamicLabel("ubuntu"));
  ASSERT_TRUE(IsOk(created));
  EXPECT_EQ(created->kind, LabelKind::kDynamic);
  EXPECT_EQ(created->sql, DynamicLabel("ubuntu").sql);
  EXPECT_EQ(created->refresh_seconds, 300);
  EXPECT_TRUE(Members().empty());
  EXPECT_EQ(observer_.Lines(),
            std::vector<std::string>{"label " + std::to_string(created->id) + " ubuntu"});
  auto labels = store().ListLabels();
  ASSERT_TRUE(IsOk(labels));
  ASSERT_EQ(labels->size(), 1u);
  EXPECT_EQ((*labels)[0].sql, created->sql);
  EXPECT_EQ((*labels)[0].refresh_seconds, 300);
}

TEST_P(StoreConformanceTest, LabelNamesAreUniqueAndListedInOrder) {
  ASSERT_TRUE(IsOk(CreateLabel(ManualLabel("zeta"))));
  ASSERT_TRUE(IsOk(CreateLabel(DynamicLabel("alpha"))));
  ASSERT_TRUE(IsOk(CreateLabel(ManualLabel("mid"))));
  observer_.Clear();
  EXPECT_TRUE(FailsWith(CreateLabel(ManualLabel("mid")), ErrorCode::kConflict));
  EXPECT_TRUE(FailsWith(CreateLabel(DynamicLabel("zeta")), ErrorCode::kConflict));
  EXPECT_EQ(observer_.Count(), 0u);

  auto labels = store().ListLabels();
  ASSERT_TRUE(IsOk(labels));
  std::vector<std::string> names;
  for (const Label& label : *labels) names.push_back(label.name);
  EXPECT_EQ(names, (std::vector<std::string>{"alpha", "mid", "zeta"}));
}

TEST_P(StoreConformanceTest, CreateLabelWithUnknownMemberCreatesNothing) {
  auto ids = EnrollHosts(1);
  ASSERT_EQ(ids.size(), 1u);
  observer_.Clear();
  EXPECT_TRUE(
      FailsWith(CreateLabel(ManualLabel("ghosts"), {ids[0], 989898}), ErrorCode::kNotFound));
  auto labels = store().ListLabels();
  ASSERT_TRUE(IsOk(labels));
  EXPECT_TRUE(labels->empty());
  EXPECT_TRUE(Members().empty());
  EXPECT_EQ(observer_.Count(), 0u);
  // The name was not taken by the failed attempt.
  EXPECT_TRUE(IsOk(CreateLabel(ManualLabel("ghosts"), {ids[0]})));
}

TEST_P(StoreConformanceTest, CreateLabelRefusesInvalidDefinitions) {
  auto ids = EnrollHosts(1);
  ASSERT_EQ(ids.size(), 1u);
  observer_.Clear();
  EXPECT_TRUE(FailsWith(CreateLabel(ManualLabel("")), ErrorCode::kInvalidArgument));
  Label no_sql = DynamicLabel("no-sql");
  no_sql.sql = "";
  EXPECT_TRUE(FailsWith(CreateLabel(no_sql), ErrorCode::kInvalidArgument));
  EXPECT_TRUE(
      FailsWith(CreateLabel(DynamicLabel("listed"), {ids[0]}), ErrorCode::kInvalidArgument));
  Label manual_sql = ManualLabel("manual-sql");
  manual_sql.sql = "SELECT 1;";
  EXPECT_TRUE(FailsWith(CreateLabel(manual_sql), ErrorCode::kInvalidArgument));
  Label negative = DynamicLabel("negative");
  negative.refresh_seconds = -1;
  EXPECT_TRUE(FailsWith(CreateLabel(negative), ErrorCode::kInvalidArgument));
  auto labels = store().ListLabels();
  ASSERT_TRUE(IsOk(labels));
  EXPECT_TRUE(labels->empty());
  EXPECT_EQ(observer_.Count(), 0u);
}

TEST_P(StoreConformanceTest, UpdateLabelChangesOnlyItsDefinition) {
  auto ids = EnrollHosts(1);
  ASSERT_EQ(ids.size(), 1u);
  auto created = CreateLabel(DynamicLabel("ubuntu"));
  ASSERT_TRUE(IsOk(created));
  ASSERT_TRUE(IsOk(RecordLabelResults({LabelMembership{created->id, ids[0], true, kT0 + 1}})));
  observer_.Clear();

  Label change = *created;
  change.name = "renamed";           // ignored
  change.kind = LabelKind::kManual;  // ignored
  change.created_us = kT0 + 99;      // ignored
  change.description = "new words";
  change.sql = "SELECT 2;";
  change.refresh_seconds = 60;
  change.updated_us = kT0 + 5;
  auto updated = Await<Label>([&](Done<Label> d) { store().UpdateLabel(change, std::move(d)); });
  ASSERT_TRUE(IsOk(updated));
  EXPECT_EQ(updated->id, created->id);
  EXPECT_EQ(updated->name, "ubuntu");
  EXPECT_EQ(updated->kind, LabelKind::kDynamic);
  EXPECT_EQ(updated->description, "new words");
  EXPECT_EQ(updated->sql, "SELECT 2;");
  EXPECT_EQ(updated->refresh_seconds, 60);
  EXPECT_EQ(updated->created_us, kT0);
  EXPECT_EQ(updated->updated_us, kT0 + 5);
  EXPECT_EQ(observer_.Lines(),
            std::vector<std::string>{"label " + std::to_string(created->id) + " ubuntu"});

  auto labels = store().ListLabels();
  ASSERT_TRUE(IsOk(labels));
  ASSERT_EQ(labels->size(), 1u);
  EXPECT_EQ((*labels)[0].name, "ubuntu");
  EXPECT_EQ((*labels)[0].sql, "SELECT 2;");
  EXPECT_EQ((*labels)[0].updated_us, kT0 + 5);
  // Its members stay until hosts report on the new SQL.
  EXPECT_EQ(Members(), (std::vector<std::pair<int64_t, NodeId>>{{created->id, ids[0]}}));

  observer_.Clear();
  Label unknown = change;
  unknown.id = created->id + 1000;
  EXPECT_TRUE(
      FailsWith(Await<Label>([&](Done<Label> d) { store().UpdateLabel(unknown, std::move(d)); }),
                ErrorCode::kNotFound));
  Label emptied = change;
  emptied.sql = "";
  EXPECT_TRUE(
      FailsWith(Await<Label>([&](Done<Label> d) { store().UpdateLabel(emptied, std::move(d)); }),
                ErrorCode::kInvalidArgument));
  EXPECT_EQ(observer_.Count(), 0u);
}

TEST_P(StoreConformanceTest, DeleteLabelRemovesItAndItsMembers) {
  auto ids = EnrollHosts(2);
  ASSERT_EQ(ids.size(), 2u);
  auto doomed = CreateLabel(ManualLabel("doomed"), ids);
  auto kept = CreateLabel(ManualLabel("kept"), {ids[0]});
  ASSERT_TRUE(IsOk(doomed));
  ASSERT_TRUE(IsOk(kept));
  observer_.Clear();

  auto remove = [&](int64_t label) {
    return Await<void>([&](Done<void> d) { store().DeleteLabel(label, std::move(d)); });
  };
  ASSERT_TRUE(IsOk(remove(doomed->id)));
  EXPECT_EQ(observer_.Lines(),
            std::vector<std::string>{"label " + std::to_string(doomed->id) + " doomed deleted"});
  ASSERT_EQ(observer_.Labels().size(), 1u);
  EXPECT_EQ(observer_.Labels()[0].description, doomed->description);
  auto labels = store().ListLabels();
  ASSERT_TRUE(IsOk(labels));
  ASSERT_EQ(labels->size(), 1u);
  EXPECT_EQ((*labels)[0].id, kept->id);
  EXPECT_EQ(Members(), (std::vector<std::pair<int64_t, NodeId>>{{kept->id, ids[0]}}));

  observer_.Clear();
  EXPECT_TRUE(FailsWith(remove(doomed->id), ErrorCode::kNotFound));
  EXPECT_EQ(observer_.Count(), 0u);
  // The name is free again, and the new label starts with only its own members.
  auto again = CreateLabel(ManualLabel("doomed"), {ids[1]});
  ASSERT_TRUE(IsOk(again));
  EXPECT_NE(again->id, doomed->id);
  std::vector<std::pair<int64_t, NodeId>> members = Members();
  std::sort(members.begin(), members.end());
  EXPECT_EQ(members,
            (std::vector<std::pair<int64_t, NodeId>>{{kept->id, ids[0]}, {again->id, ids[1]}}));
}

TEST_P(StoreConformanceTest, SetLabelMembersReplacesAndNotifiesJoinsAndLeaves) {
  auto ids = EnrollHosts(3);
  ASSERT_EQ(ids.size(), 3u);
  auto label = CreateLabel(ManualLabel("set"), {ids[0], ids[1]});
  ASSERT_TRUE(IsOk(label));
  const int64_t l = label->id;
  observer_.Clear();

  ASSERT_TRUE(IsOk(SetMembers(l, {ids[1], ids[2], ids[2]})));
  // Only a membership change: no OnLabelChanged.
  std::vector<std::string> lines = observer_.Lines();
  std::sort(lines.begin(), lines.end());
  std::vector<std::string> expected = {MemberLine(l, ids[2], true), MemberLine(l, ids[0], false)};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(lines, expected);
  for (const LabelMembership& m : observer_.Memberships()) {
    EXPECT_EQ(m.label, l);
    EXPECT_GT(m.updated_us, 0);
  }
  std::vector<std::pair<int64_t, NodeId>> members = Members();
  std::sort(members.begin(), members.end());
  EXPECT_EQ(members, (std::vector<std::pair<int64_t, NodeId>>{{l, ids[1]}, {l, ids[2]}}));

  observer_.Clear();
  ASSERT_TRUE(IsOk(SetMembers(l, {ids[2], ids[1]})));  // the same set: nothing to say
  EXPECT_EQ(observer_.Count(), 0u);

  ASSERT_TRUE(IsOk(SetMembers(l, {})));
  lines = observer_.Lines();
  std::sort(lines.begin(), lines.end());
  expected = {MemberLine(l, ids[1], false), MemberLine(l, ids[2], false)};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(lines, expected);
  EXPECT_TRUE(Members().empty());
}

TEST_P(StoreConformanceTest, SetLabelMembersRefusesDynamicUnknownLabelAndUnknownHost) {
  auto ids = EnrollHosts(2);
  ASSERT_EQ(ids.size(), 2u);
  auto manual = CreateLabel(ManualLabel("manual"), {ids[0]});
  auto dynamic = CreateLabel(DynamicLabel("dynamic"));
  ASSERT_TRUE(IsOk(manual));
  ASSERT_TRUE(IsOk(dynamic));
  observer_.Clear();

  EXPECT_TRUE(FailsWith(SetMembers(dynamic->id, {ids[0]}), ErrorCode::kConflict));
  EXPECT_TRUE(FailsWith(SetMembers(dynamic->id + 1000, {ids[0]}), ErrorCode::kNotFound));
  // One unknown host fails the whole replacement: ids[0] stays, ids[1] does not join.
  EXPECT_TRUE(FailsWith(SetMembers(manual->id, {ids[1], 979797}), ErrorCode::kNotFound));
  EXPECT_EQ(observer_.Count(), 0u);
  EXPECT_EQ(Members(), (std::vector<std::pair<int64_t, NodeId>>{{manual->id, ids[0]}}));
}

TEST_P(StoreConformanceTest, RecordLabelResultsNotifiesOnlyChangedMemberships) {
  auto ids = EnrollHosts(2);
  ASSERT_EQ(ids.size(), 2u);
  auto label = CreateLabel(DynamicLabel("dyn"));
  auto manual = CreateLabel(ManualLabel("manual"), {ids[0]});
  ASSERT_TRUE(IsOk(label));
  ASSERT_TRUE(IsOk(manual));
  const int64_t l = label->id;
  const NodeId a = ids[0], b = ids[1];
  observer_.Clear();

  // a joins; b reports "not a member", which it was not before either.
  ASSERT_TRUE(IsOk(RecordLabelResults({{l, a, true, kT0 + 1}, {l, b, false, kT0 + 1}})));
  EXPECT_EQ(observer_.Lines(), std::vector<std::string>{MemberLine(l, a, true)});
  ASSERT_EQ(observer_.Memberships().size(), 1u);
  EXPECT_EQ(observer_.Memberships()[0].updated_us, kT0 + 1);

  // a unchanged; b joins.
  observer_.Clear();
  ASSERT_TRUE(IsOk(RecordLabelResults({{l, a, true, kT0 + 2}, {l, b, true, kT0 + 2}})));
  EXPECT_EQ(observer_.Lines(), std::vector<std::string>{MemberLine(l, b, true)});

  // a leaves.
  observer_.Clear();
  ASSERT_TRUE(IsOk(RecordLabelResults({{l, a, false, kT0 + 3}})));
  EXPECT_EQ(observer_.Lines(), std::vector<std::string>{MemberLine(l, a, false)});
  std::vector<std::pair<int64_t, NodeId>> members = Members();
  std::sort(members.begin(), members.end());
  std::vector<std::pair<int64_t, NodeId>> expected = {{l, b}, {manual->id, a}};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(members, expected);

  // Skipped silently: unknown label, unknown host, a manual label, and a result
  // older than the one stored for (l, b).
  observer_.Clear();
  ASSERT_TRUE(IsOk(RecordLabelResults({{l + 1000, a, true, kT0 + 4},
                                       {l, 969696, true, kT0 + 4},
                                       {manual->id, a, false, kT0 + 4},
                                       {manual->id, b, true, kT0 + 4},
                                       {l, b, false, kT0 + 1}})));
  EXPECT_EQ(observer_.Count(), 0u);
  members = Members();
  std::sort(members.begin(), members.end());
  EXPECT_EQ(members, expected);

  // Within one batch, later results see earlier ones.
  ASSERT_TRUE(IsOk(RecordLabelResults({{l, a, true, kT0 + 5}, {l, a, false, kT0 + 6}})));
  EXPECT_EQ(observer_.Lines(),
            (std::vector<std::string>{MemberLine(l, a, true), MemberLine(l, a, false)}));
}

TEST_P(StoreConformanceTest, LabelWritesNotifyInCommitOrderBeforeEachDone) {
  auto ids = EnrollHosts(2);
  ASSERT_EQ(ids.size(), 2u);
  auto dynamic = CreateLabel(DynamicLabel("dyn"));
  ASSERT_TRUE(IsOk(dynamic));
  observer_.Clear();

  // Queued while the writer is held, so they commit together, in this order.
  std::vector<size_t> seen_at_done(3, 0);
  std::vector<std::future<void>> dones;
  auto track = [&](size_t index) {
    auto promise = std::make_shared<std::promise<void>>();
    dones.push_back(promise->get_future());
    return [this, index, promise, &seen_at_done](auto result) {
      EXPECT_TRUE(IsOk(result)) << "write " << index;
      seen_at_done[index] = observer_.Count();
      promise->set_value();
    };
  };
  auto created = std::make_shared<std::promise<Label>>();
  auto created_label = created->get_future();
  {
    WriterBlocker blocker(store());
    ASSERT_TRUE(blocker.WaitHeld());
    store().RecordLabelResults({{dynamic->id, ids[1], true, kT0 + 1}}, Done<void>(track(0)));
    auto on_created = track(1);
    store().CreateLabel(ManualLabel("both"), {ids[0], ids[1]},
                        [on_created, created](Result<Label> result) {
                          if (result) created->set_value(*result);
                          on_created(std::move(result));
                        });
    store().DeleteLabel(dynamic->id, Done<void>(track(2)));
    blocker.Release();
    for (auto& done : dones) ASSERT_EQ(done.wait_for(kStoreWait), std::future_status::ready);
  }
  ASSERT_EQ(created_label.wait_for(std::chrono::seconds(0)), std::future_status::ready);
  const Label both = created_label.get();
  const std::string d = std::to_string(dynamic->id);
  EXPECT_EQ(observer_.Lines(),
            (std::vector<std::string>{
                MemberLine(dynamic->id, ids[1], true), "label " + std::to_string(both.id) + " both",
                MemberLine(both.id, ids[0], true), MemberLine(both.id, ids[1], true),
                "label " + d + " dyn deleted"}));
  EXPECT_GE(seen_at_done[0], 1u);
  EXPECT_GE(seen_at_done[1], 4u);
  EXPECT_GE(seen_at_done[2], 5u);
}

// ---- API tokens ----

TEST_P(StoreConformanceTest, CreateTokenAndFindItByHash) {
  auto created = CreateToken("ci", "hash-ci", TokenRole::kOperator, kT0 + 7);
  ASSERT_TRUE(IsOk(created));
  EXPECT_GT(created->id, 0);
  EXPECT_EQ(created->name, "ci");
  EXPECT_EQ(created->token_hash, "hash-ci");
  EXPECT_EQ(created->role, TokenRole::kOperator);
  EXPECT_EQ(created->created_by, "admin");
  EXPECT_EQ(created->created_us, kT0 + 7);
  EXPECT_FALSE(created->revoked);

  auto found = store().FindToken("hash-ci");
  ASSERT_TRUE(IsOk(found));
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->id, created->id);
  EXPECT_EQ((*found)->name, "ci");
  EXPECT_EQ((*found)->role, TokenRole::kOperator);
  EXPECT_EQ((*found)->created_by, "admin");
  EXPECT_EQ((*found)->created_us, kT0 + 7);

  auto missing = store().FindToken("hash-other");
  ASSERT_TRUE(IsOk(missing));
  EXPECT_FALSE(missing->has_value());
  auto empty = store().FindToken("");
  ASSERT_TRUE(IsOk(empty));
  EXPECT_FALSE(empty->has_value());
  EXPECT_EQ(observer_.Count(), 0u);
}

TEST_P(StoreConformanceTest, TokenNamesAreUniqueAmongLiveTokens) {
  auto first = CreateToken("deploy", "hash-1", TokenRole::kAdmin);
  ASSERT_TRUE(IsOk(first));
  EXPECT_TRUE(FailsWith(CreateToken("deploy", "hash-2"), ErrorCode::kConflict));
  EXPECT_TRUE(FailsWith(CreateToken("other", "hash-1"), ErrorCode::kConflict));  // same hash
  EXPECT_TRUE(FailsWith(CreateToken("", "hash-3"), ErrorCode::kInvalidArgument));
  EXPECT_TRUE(FailsWith(CreateToken("nohash", ""), ErrorCode::kInvalidArgument));

  ASSERT_TRUE(IsOk(RevokeToken(first->id)));
  auto second = CreateToken("deploy", "hash-2", TokenRole::kViewer);
  ASSERT_TRUE(IsOk(second)) << "a revoked token's name is free again";
  EXPECT_NE(second->id, first->id);
  auto found = store().FindToken("hash-2");
  ASSERT_TRUE(IsOk(found));
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->role, TokenRole::kViewer);
}

TEST_P(StoreConformanceTest, RevokedTokensAreNotFoundButListed) {
  auto viewer = CreateToken("viewer", "hash-v", TokenRole::kViewer, kT0 + 1);
  auto op = CreateToken("operator", "hash-o", TokenRole::kOperator, kT0 + 2);
  auto admin = CreateToken("admin", "hash-a", TokenRole::kAdmin, kT0 + 3);
  ASSERT_TRUE(IsOk(viewer));
  ASSERT_TRUE(IsOk(op));
  ASSERT_TRUE(IsOk(admin));

  auto revoked = RevokeToken(op->id);
  ASSERT_TRUE(IsOk(revoked));
  EXPECT_TRUE(revoked->revoked);
  EXPECT_EQ(revoked->id, op->id);
  EXPECT_EQ(revoked->name, "operator");
  auto found = store().FindToken("hash-o");
  ASSERT_TRUE(IsOk(found));
  EXPECT_FALSE(found->has_value()) << "a revoked token still authenticates";
  auto still = store().FindToken("hash-a");
  ASSERT_TRUE(IsOk(still));
  EXPECT_TRUE(still->has_value());

  EXPECT_TRUE(FailsWith(RevokeToken(op->id), ErrorCode::kConflict));
  EXPECT_TRUE(FailsWith(RevokeToken(admin->id + 1000), ErrorCode::kNotFound));

  auto tokens = store().ListTokens();
  ASSERT_TRUE(IsOk(tokens));
  ASSERT_EQ(tokens->size(), 3u);
  EXPECT_EQ((*tokens)[0].id, admin->id);  // newest first
  EXPECT_EQ((*tokens)[1].id, op->id);
  EXPECT_EQ((*tokens)[2].id, viewer->id);
  EXPECT_FALSE((*tokens)[0].revoked);
  EXPECT_TRUE((*tokens)[1].revoked);
  EXPECT_EQ((*tokens)[0].role, TokenRole::kAdmin);
  EXPECT_EQ((*tokens)[2].role, TokenRole::kViewer);
  EXPECT_EQ((*tokens)[2].created_us, kT0 + 1);
}

// ---- Audit ----

TEST_P(StoreConformanceTest, AuditIsListedNewestFirstWithCursor) {
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(IsOk(Audit(kT0 + i, "run.create", R"({"i":)" + std::to_string(i) + "}")));
  }
  auto all = store().ListAudit(0, 100);
  ASSERT_TRUE(IsOk(all));
  ASSERT_EQ(all->size(), 5u);
  for (size_t i = 0; i < all->size(); ++i) {
    const AuditEvent& event = (*all)[i];
    const int n = 4 - static_cast<int>(i);
    EXPECT_EQ(event.at_us, kT0 + n);
    EXPECT_EQ(event.actor, "alice");
    EXPECT_EQ(event.action, "run.create");
    EXPECT_EQ(event.detail_json, R"({"i":)" + std::to_string(n) + "}");
    if (i > 0) {
      EXPECT_LT(event.id, (*all)[i - 1].id);
    }
  }

  // Pages of two, each starting below the last id seen.
  auto page1 = store().ListAudit(0, 2);
  ASSERT_TRUE(IsOk(page1));
  ASSERT_EQ(page1->size(), 2u);
  EXPECT_EQ((*page1)[0].id, (*all)[0].id);
  auto page2 = store().ListAudit(page1->back().id, 2);
  ASSERT_TRUE(IsOk(page2));
  ASSERT_EQ(page2->size(), 2u);
  EXPECT_EQ((*page2)[0].id, (*all)[2].id);
  auto page3 = store().ListAudit(page2->back().id, 2);
  ASSERT_TRUE(IsOk(page3));
  ASSERT_EQ(page3->size(), 1u);
  EXPECT_EQ((*page3)[0].id, (*all)[4].id);
  auto page4 = store().ListAudit(page3->back().id, 2);
  ASSERT_TRUE(IsOk(page4));
  EXPECT_TRUE(page4->empty());
  auto none = store().ListAudit(0, 0);
  ASSERT_TRUE(IsOk(none));
  EXPECT_TRUE(none->empty());
}

TEST_P(StoreConformanceTest, AuditNeedsAnActionAndDefaultsItsDetail) {
  EXPECT_TRUE(FailsWith(Audit(kT0, "", "{}"), ErrorCode::kInvalidArgument));
  ASSERT_TRUE(IsOk(Audit(kT0, "host.revoke", "")));
  auto events = store().ListAudit(0, 10);
  ASSERT_TRUE(IsOk(events));
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ((*events)[0].action, "host.revoke");
  EXPECT_EQ((*events)[0].detail_json, "{}");
}

// ---- Listing runs ----

TEST_P(StoreConformanceTest, ListRunsIsNewestFirstWithCursorAndStatus) {
  auto ids = EnrollHosts(1);
  ASSERT_EQ(ids.size(), 1u);
  // Statuses, oldest first: running, finished, cancelled, running, finished.
  std::vector<RunId> runs;
  for (int i = 0; i < 5; ++i) {
    auto run = CreateRun(i % 3 == 1 ? std::vector<NodeId>{} : ids);
    ASSERT_TRUE(IsOk(run));
    runs.push_back(run->id);
  }
  ASSERT_TRUE(
      IsOk(Await<Run>([&](Done<Run> d) { store().CancelRun(runs[2], kT0 + 1, std::move(d)); })));
  ASSERT_TRUE(IsOk(Answer(ids[0], kT0 + 2, {MakeAnswer(runs[4], 1)})));  // finishes runs[4]

  auto list_ids = [&](RunFilter filter) {
    auto listed = store().ListRuns(filter);
    EXPECT_TRUE(IsOk(listed));
    std::vector<RunId> out;
    if (listed) {
      for (const Run& run : *listed) out.push_back(run.id);
    }
    return out;
  };
  EXPECT_EQ(list_ids(RunFilter{}),
            (std::vector<RunId>{runs[4], runs[3], runs[2], runs[1], runs[0]}));
  EXPECT_EQ(list_ids(RunFilter{0, 2, std::nullopt}), (std::vector<RunId>{runs[4], runs[3]}));
  EXPECT_EQ(list_ids(RunFilter{runs[3], 2, std::nullopt}), (std::vector<RunId>{runs[2], runs[1]}));
  EXPECT_EQ(list_ids(RunFilter{runs[1], 2, std::nullopt}), (std::vector<RunId>{runs[0]}));
  EXPECT_TRUE(list_ids(RunFilter{runs[0], 2, std::nullopt}).empty());
  EXPECT_TRUE(list_ids(RunFilter{0, 0, std::nullopt}).empty());

  EXPECT_EQ(list_ids(RunFilter{0, 50, RunStatus::kRunning}),
            (std::vector<RunId>{runs[3], runs[0]}));
  EXPECT_EQ(list_ids(RunFilter{0, 50, RunStatus::kFinished}),
            (std::vector<RunId>{runs[4], runs[1]}));
  EXPECT_EQ(list_ids(RunFilter{0, 1, RunStatus::kFinished}), (std::vector<RunId>{runs[4]}));
  EXPECT_EQ(list_ids(RunFilter{runs[4], 1, RunStatus::kFinished}), (std::vector<RunId>{runs[1]}));
  EXPECT_EQ(list_ids(RunFilter{0, 50, RunStatus::kCancelled}), (std::vector<RunId>{runs[2]}));
  EXPECT_TRUE(list_ids(RunFilter{0, 50, RunStatus::kExpired}).empty());

  auto listed = store().ListRuns(RunFilter{0, 1, RunStatus::kCancelled});
  ASSERT_TRUE(IsOk(listed));
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].status, RunStatus::kCancelled);
  EXPECT_EQ((*listed)[0].ended_us, kT0 + 1);
  EXPECT_EQ((*listed)[0].sql, "SELECT * FROM osquery_info;");
}

// ---- Search ----

TEST_P(StoreConformanceTest, SearchReadsStoredTables) {
  auto ids = EnrollHosts(3);
  ASSERT_EQ(ids.size(), 3u);
  auto label = CreateLabel(ManualLabel("two"), {ids[0], ids[2]});
  ASSERT_TRUE(IsOk(label));
  ASSERT_TRUE(IsOk(Audit(kT0, "label.create", R"({"name":"two"})")));

  auto count = store().Search("SELECT count(*) FROM hosts", search::QueryLimits{});
  ASSERT_TRUE(IsOk(count));
  ASSERT_EQ(count->columns.size(), 1u);
  ASSERT_EQ(count->rows.size(), 1u);
  ASSERT_EQ(count->rows[0].size(), 1u);
  ASSERT_TRUE(std::holds_alternative<int64_t>(count->rows[0][0]));
  EXPECT_EQ(std::get<int64_t>(count->rows[0][0]), 3);
  EXPECT_FALSE(count->truncated);

  EXPECT_EQ(SearchInt("SELECT count(*) FROM label_members m JOIN labels l ON l.id = m.label_id "
                      "WHERE l.name = 'two' AND m.member = 1"),
            2);
  EXPECT_EQ(SearchInt("SELECT count(*) FROM audit WHERE action = 'label.create'"), 1);

  auto names = store().Search("SELECT hostname FROM hosts ORDER BY id", search::QueryLimits{});
  ASSERT_TRUE(IsOk(names));
  EXPECT_EQ(names->columns, std::vector<std::string>{"hostname"});
  ASSERT_EQ(names->rows.size(), 3u);
  ASSERT_TRUE(std::holds_alternative<std::string>(names->rows[0][0]));
  EXPECT_EQ(std::get<std::string>(names->rows[0][0]), "host-0.example.org");

  // A committed write is visible to the next search.
  ASSERT_TRUE(IsOk(Enroll("host-3", "hash-3")));
  EXPECT_EQ(SearchInt("SELECT count(*) FROM hosts"), 4);
}

TEST_P(StoreConformanceTest, SearchRefusesWritesAndChangesNothing) {
  auto ids = EnrollHosts(2);
  ASSERT_EQ(ids.size(), 2u);
  auto refused = [](const Result<search::Table>& result) {
    return !result && (result.error().code == ErrorCode::kInvalidArgument ||
                       result.error().code == ErrorCode::kPermissionDenied);
  };
  const search::QueryLimits limits;
  for (const char* sql :
       {"DELETE FROM hosts", "UPDATE hosts SET hostname = 'x'", "DROP TABLE hosts",
        "INSERT INTO audit (at_us, actor, action, detail) VALUES (1, 'a', 'b', '{}')",
        "SELECT 1; DELETE FROM hosts", "ATTACH DATABASE ':memory:' AS other"}) {
    auto result = store().Search(sql, limits);
    EXPECT_TRUE(refused(result)) << sql << ": "
                                 << (result ? "succeeded" : ErrorCodeName(result.error().code));
  }
  auto nodes = store().ListNodes();
  ASSERT_TRUE(IsOk(nodes));
  EXPECT_EQ(nodes->size(), 2u);
  EXPECT_EQ(nodes->at(0).identity.hostname, "host-0.example.org");
  auto audit = store().ListAudit(0, 10);
  ASSERT_TRUE(IsOk(audit));
  EXPECT_TRUE(audit->empty());
  // The connection the refusals ran on still serves reads and searches.
  EXPECT_EQ(SearchInt("SELECT count(*) FROM hosts"), 2);
  EXPECT_TRUE(IsOk(store().GetNode(ids[0])));
}

TEST_P(StoreConformanceTest, SearchHonoursItsLimits) {
  auto ids = EnrollHosts(3);
  ASSERT_EQ(ids.size(), 3u);
  search::QueryLimits limits;
  limits.max_rows = 2;
  auto truncated = store().Search("SELECT id FROM hosts ORDER BY id", limits);
  ASSERT_TRUE(IsOk(truncated));
  EXPECT_EQ(truncated->rows.size(), 2u);
  EXPECT_TRUE(truncated->truncated);
  limits.max_rows = 3;
  auto exact = store().Search("SELECT id FROM hosts ORDER BY id", limits);
  ASSERT_TRUE(IsOk(exact));
  EXPECT_EQ(exact->rows.size(), 3u);
  EXPECT_FALSE(exact->truncated);

  limits = search::QueryLimits{};
  limits.max_sql_bytes = 10;
  EXPECT_TRUE(
      FailsWith(store().Search("SELECT count(*) FROM hosts", limits), ErrorCode::kTooLarge));

  // Seconds of work without a deadline; the budget stops it at 20 ms.
  limits = search::QueryLimits{};
  limits.max_time = std::chrono::milliseconds(20);
  EXPECT_TRUE(FailsWith(store().Search("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 "
                                       "FROM c WHERE x < 200000000) SELECT count(*) FROM c",
                                       limits),
                        ErrorCode::kDeadlineExceeded));
  EXPECT_EQ(SearchInt("SELECT count(*) FROM hosts"), 3);
}

TEST_P(StoreConformanceTest, SearchNeverRevealsTokenHashes) {
  ASSERT_TRUE(IsOk(CreateToken("ci", "secret-token-hash", TokenRole::kAdmin)));
  const search::QueryLimits limits;
  auto reveals = [](const Result<search::Table>& result) {
    if (!result) return false;
    if (!result->rows.empty() && result->columns.size() == 1 && result->columns[0] == "probe") {
      return true;  // an existence probe on the hash answered
    }
    for (const auto& row : result->rows) {
      for (const search::Cell& cell : row) {
        const auto* text = std::get_if<std::string>(&cell);
        if (text != nullptr && text->find("secret-token-hash") != std::string::npos) return true;
      }
    }
    return false;
  };
  for (const char* sql :
       {"SELECT token_hash FROM api_tokens", "SELECT * FROM api_tokens",
        "SELECT upper(token_hash) AS h FROM api_tokens",
        "SELECT 1 AS probe FROM api_tokens WHERE token_hash = 'secret-token-hash'",
        "SELECT 1 AS probe FROM api_tokens WHERE substr(token_hash, 1, 6) = 'secret'",
        "WITH t AS (SELECT * FROM main.api_tokens) SELECT * FROM t"}) {
    auto result = store().Search(sql, limits);
    EXPECT_FALSE(reveals(result)) << sql;
    EXPECT_FALSE(result.has_value()) << sql << ": should be refused";
  }
}

// ---- Durability of the newer records ----

TEST_P(StoreConformanceTest, LabelsTokensAndAuditSurviveCloseAndReopen) {
  auto ids = EnrollHosts(2);
  ASSERT_EQ(ids.size(), 2u);
  auto manual = CreateLabel(ManualLabel("manual"), {ids[1]});
  auto dynamic = CreateLabel(DynamicLabel("dynamic"));
  ASSERT_TRUE(IsOk(manual));
  ASSERT_TRUE(IsOk(dynamic));
  ASSERT_TRUE(IsOk(RecordLabelResults(
      {{dynamic->id, ids[0], true, kT0 + 1}, {dynamic->id, ids[1], false, kT0 + 1}})));
  auto token = CreateToken("ci", "hash-ci", TokenRole::kOperator);
  ASSERT_TRUE(IsOk(token));
  ASSERT_TRUE(IsOk(Audit(kT0 + 2, "token.create", R"({"name":"ci"})")));

  Reopen();

  auto labels = store().ListLabels();
  ASSERT_TRUE(IsOk(labels));
  ASSERT_EQ(labels->size(), 2u);
  EXPECT_EQ((*labels)[0].name, "dynamic");
  EXPECT_EQ((*labels)[0].sql, dynamic->sql);
  EXPECT_EQ((*labels)[1].name, "manual");
  std::vector<std::pair<int64_t, NodeId>> members = Members();
  std::sort(members.begin(), members.end());
  std::vector<std::pair<int64_t, NodeId>> expected = {{manual->id, ids[1]}, {dynamic->id, ids[0]}};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(members, expected);
  auto found = store().FindToken("hash-ci");
  ASSERT_TRUE(IsOk(found));
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->id, token->id);
  auto audit = store().ListAudit(0, 10);
  ASSERT_TRUE(IsOk(audit));
  ASSERT_EQ(audit->size(), 1u);
  EXPECT_EQ((*audit)[0].detail_json, R"({"name":"ci"})");

  // Ids keep growing: a new label does not reuse the id of a deleted one.
  ASSERT_TRUE(
      IsOk(Await<void>([&](Done<void> d) { store().DeleteLabel(dynamic->id, std::move(d)); })));
  auto next = CreateLabel(ManualLabel("next"));
  ASSERT_TRUE(IsOk(next));
  EXPECT_GT(next->id, dynamic->id);
}

}  // namespace quarry::store::testing
