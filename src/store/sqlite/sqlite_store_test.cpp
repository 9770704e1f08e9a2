#include "store/sqlite/sqlite_store.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <filesystem>
#include <string>
#include <variant>

#include "store/sqlite/migrations.h"
#include "store/sqlite/sqlite_db.h"
#include "store/store_conformance_test.h"

namespace quarry::store {
namespace {

using sqlite::Db;
using sqlite::OpenMode;
using testing::Await;
using testing::ConformanceOptions;
using testing::FailsWith;
using testing::IsOk;
using testing::kSecond;
using testing::kStoreWait;
using testing::kT0;
using testing::WriterBlocker;

// ---- A VFS that can fail fsync on demand ----
//
// Wraps the default VFS; every file it opens forwards to the real file, except
// that xSync fails while `fail_sync` is set. This is how a COMMIT failure (the
// disk refusing to make the batch durable) is produced for real.

std::atomic<bool> fail_sync{false};
constexpr char kFaultVfsName[] = "quarry-fault";

struct FaultFile {
  sqlite3_file base;
  sqlite3_file* real;  // points just past this struct, sized by the real VFS
};

sqlite3_file* Real(sqlite3_file* file) { return reinterpret_cast<FaultFile*>(file)->real; }

int FaultClose(sqlite3_file* f) { return Real(f)->pMethods->xClose(Real(f)); }
int FaultRead(sqlite3_file* f, void* buf, int n, sqlite3_int64 off) {
  return Real(f)->pMethods->xRead(Real(f), buf, n, off);
}
int FaultWrite(sqlite3_file* f, const void* buf, int n, sqlite3_int64 off) {
  return Real(f)->pMethods->xWrite(Real(f), buf, n, off);
}
int FaultTruncate(sqlite3_file* f, sqlite3_int64 size) {
  return Real(f)->pMethods->xTruncate(Real(f), size);
}
int FaultSync(sqlite3_file* f, int flags) {
  if (fail_sync.load()) return SQLITE_IOERR_FSYNC;
  return Real(f)->pMethods->xSync(Real(f), flags);
}
int FaultFileSize(sqlite3_file* f, sqlite3_int64* size) {
  return Real(f)->pMethods->xFileSize(Real(f), size);
}
int FaultLock(sqlite3_file* f, int lock) { return Real(f)->pMethods->xLock(Real(f), lock); }
int FaultUnlock(sqlite3_file* f, int lock) { return Real(f)->pMethods->xUnlock(Real(f), lock); }
int FaultCheckReservedLock(sqlite3_file* f, int* out) {
  return Real(f)->pMethods->xCheckReservedLock(Real(f), out);
}
int FaultFileControl(sqlite3_file* f, int op, void* arg) {
  return Real(f)->pMethods->xFileControl(Real(f), op, arg);
}
int FaultSectorSize(sqlite3_file* f) { return Real(f)->pMethods->xSectorSize(Real(f)); }
int FaultDeviceCharacteristics(sqlite3_file* f) {
  return Real(f)->pMethods->xDeviceCharacteristics(Real(f));
}
int FaultShmMap(sqlite3_file* f, int region, int size, int extend, void volatile** out) {
  return Real(f)->pMethods->xShmMap(Real(f), region, size, extend, out);
}
int FaultShmLock(sqlite3_file* f, int offset, int n, int flags) {
  return Real(f)->pMethods->xShmLock(Real(f), offset, n, flags);
}
void FaultShmBarrier(sqlite3_file* f) { Real(f)->pMethods->xShmBarrier(Real(f)); }
int FaultShmUnmap(sqlite3_file* f, int delete_flag) {
  return Real(f)->pMethods->xShmUnmap(Real(f), delete_flag);
}
int FaultFetch(sqlite3_file* f, sqlite3_int64 off, int n, void** out) {
  return Real(f)->pMethods->xFetch(Real(f), off, n, out);
}
int FaultUnfetch(sqlite3_file* f, sqlite3_int64 off, void* p) {
  return Real(f)->pMethods->xUnfetch(Real(f), off, p);
}

const sqlite3_io_methods kFaultIoMethods = {3,
                                            FaultClose,
                                            FaultRead,
                                            FaultWrite,
                                            FaultTruncate,
                                            FaultSync,
                                            FaultFileSize,
                                            FaultLock,
                                            FaultUnlock,
                                            FaultCheckReservedLock,
                                            FaultFileControl,
                                            FaultSectorSize,
                                            FaultDeviceCharacteristics,
                                            FaultShmMap,
                                            FaultShmLock,
                                            FaultShmBarrier,
                                            FaultShmUnmap,
                                            FaultFetch,
                                            FaultUnfetch};

sqlite3_vfs* real_vfs = nullptr;
sqlite3_vfs fault_vfs;

int FaultOpen(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* file, int flags, int* out_flags) {
  auto* fault = reinterpret_cast<FaultFile*>(file);
  fault->base.pMethods = nullptr;  // SQLite must not call xClose if the open fails
  fault->real = reinterpret_cast<sqlite3_file*>(fault + 1);
  int rc = real_vfs->xOpen(real_vfs, name, fault->real, flags, out_flags);
  if (rc != SQLITE_OK) return rc;
  if (fault->real->pMethods == nullptr || fault->real->pMethods->iVersion < 3) {
    if (fault->real->pMethods != nullptr) fault->real->pMethods->xClose(fault->real);
    return SQLITE_CANTOPEN;
  }
  fault->base.pMethods = &kFaultIoMethods;
  return SQLITE_OK;
}

void RegisterFaultVfs() {
  static const bool registered = [] {
    real_vfs = sqlite3_vfs_find(nullptr);
    fault_vfs = *real_vfs;  // every other method forwards unchanged
    fault_vfs.zName = kFaultVfsName;
    fault_vfs.szOsFile = static_cast<int>(sizeof(FaultFile)) + real_vfs->szOsFile;
    fault_vfs.xOpen = FaultOpen;
    fault_vfs.pNext = nullptr;
    return sqlite3_vfs_register(&fault_vfs, 0) == SQLITE_OK;
  }();
  ASSERT_TRUE(registered);
}

// ---- Test environment: a fresh temporary directory per test ----

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "quarry-store-XXXXXX").string();
    if (mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

class SqliteEnv final : public testing::StoreTestEnv {
 public:
  std::string db_path() const { return dir_.path() + "/quarry.db"; }

  SqliteOptions Options(const ConformanceOptions& options) const {
    SqliteOptions sqlite;
    sqlite.path = db_path();
    sqlite.write_queue_limit = options.write_queue_limit;
    sqlite.read_connections = 2;
    return sqlite;
  }

  Result<std::unique_ptr<Store>> Open(const ConformanceOptions& options) override {
    if (dir_.path().empty()) return Fail(ErrorCode::kIo, "no temporary directory");
    return OpenSqliteStore(Options(options));
  }

  Result<int64_t> CountLogLines(NodeId node, LogType type) override {
    return Count(type == LogType::kResult ? "SELECT count(*) FROM result_logs WHERE host_id = ?1"
                                          : "SELECT count(*) FROM status_logs WHERE host_id = ?1",
                 node);
  }

  Result<int64_t> CountOrphanAnswers(NodeId node) override {
    return Count("SELECT count(*) FROM orphan_results WHERE host_id = ?1", node);
  }

  // A separate read-only connection on the same file: what an operator's SQL
  // search would see.
  Result<std::unique_ptr<Db>> Raw() const { return Db::Open(db_path(), OpenMode::kReadOnly); }

 private:
  Result<int64_t> Count(const char* sql, int64_t id) {
    auto db = Raw();
    if (!db) return Fail(db.error());
    auto stmt = (*db)->Prepare(sql);
    if (!stmt) return Fail(stmt.error());
    stmt->BindInt(1, id);
    auto row = stmt->Step();
    if (!row) return Fail(row.error());
    return stmt->ColumnInt(0);
  }

  TempDir dir_;
};

std::unique_ptr<testing::StoreTestEnv> MakeSqliteEnv() { return std::make_unique<SqliteEnv>(); }

}  // namespace

namespace testing {
INSTANTIATE_TEST_SUITE_P(Sqlite, StoreConformanceTest,
                         ::testing::Values(StoreBackend{"sqlite", MakeSqliteEnv}),
                         StoreBackendName);
}  // namespace testing

namespace {

// ---- SQLite-specific behaviour ----

class SqliteStoreTest : public ::testing::Test {
 protected:
  using Run = ::quarry::store::Run;  // not ::testing::Test::Run()

  void SetUp() override { ASSERT_FALSE(env_.db_path().empty()); }
  void TearDown() override { fail_sync = false; }

  std::unique_ptr<Store> OpenStore(SqliteOptions options) {
    auto store = OpenSqliteStore(options);
    EXPECT_TRUE(IsOk(store));
    return store ? std::move(*store) : nullptr;
  }
  std::unique_ptr<Store> OpenStore() { return OpenStore(env_.Options({})); }

  static Result<Node> Enroll(Store& store, const std::string& identifier) {
    Enrollment e;
    e.identity.host_identifier = identifier;
    e.node_key_hash = "hash-" + identifier;
    e.at_us = kT0;
    return Await<Node>([&](Done<Node> done) { store.EnrollNode(e, std::move(done)); });
  }

  std::unique_ptr<Db> Raw() {
    auto db = env_.Raw();
    EXPECT_TRUE(IsOk(db));
    return db ? std::move(*db) : nullptr;
  }

  int64_t RawCount(const std::string& sql) {
    auto db = Raw();
    if (db == nullptr) return -1;
    auto n = db->QueryInt(sql);
    EXPECT_TRUE(IsOk(n)) << sql;
    return n ? *n : -1;
  }

  static int64_t SearchCount(Store& store, const std::string& sql) {
    auto table = store.Search(sql, search::QueryLimits{});
    EXPECT_TRUE(IsOk(table)) << sql;
    if (!table || table->rows.size() != 1 || table->rows[0].size() != 1) return -1;
    const auto* value = std::get_if<int64_t>(&table->rows[0][0]);
    return value != nullptr ? *value : -1;
  }

  SqliteEnv env_;
};

TEST_F(SqliteStoreTest, UsesWalJournal) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  auto db = Raw();
  ASSERT_NE(db, nullptr);
  auto mode = db->QueryText("PRAGMA journal_mode");
  ASSERT_TRUE(IsOk(mode));
  EXPECT_EQ(*mode, "wal");
}

TEST_F(SqliteStoreTest, MigrationsRunOnceAndReopenIsIdempotent) {
  const int latest = sqlite::Migrations().back().version;
  for (int i = 0; i < 3; ++i) {
    auto store = OpenStore();
    ASSERT_NE(store, nullptr);
    if (i == 0) {
      ASSERT_TRUE(IsOk(Enroll(*store, "kept")));
    }
    store->Close();
    EXPECT_EQ(RawCount("SELECT count(*) FROM schema_version"),
              static_cast<int64_t>(sqlite::Migrations().size()));
    EXPECT_EQ(RawCount("SELECT max(version) FROM schema_version"), latest);
    EXPECT_EQ(RawCount("SELECT count(*) FROM hosts"), 1);
  }
}

TEST_F(SqliteStoreTest, RefusesDatabaseFromNewerBinary) {
  {
    auto store = OpenStore();
    ASSERT_NE(store, nullptr);
  }
  {
    auto db = Db::Open(env_.db_path(), OpenMode::kReadWriteCreate);
    ASSERT_TRUE(IsOk(db));
    ASSERT_TRUE(IsOk((*db)->Exec(
        "INSERT INTO schema_version (version, name, applied_us) VALUES (9999, 'future', 0)")));
  }
  auto reopened = OpenSqliteStore(env_.Options({}));
  EXPECT_TRUE(FailsWith(reopened, ErrorCode::kConflict));
}

TEST_F(SqliteStoreTest, RejectsBadOptions) {
  SqliteOptions options = env_.Options({});
  options.path = "";
  EXPECT_TRUE(FailsWith(OpenSqliteStore(options), ErrorCode::kInvalidArgument));
  options = env_.Options({});
  options.write_queue_limit = 0;
  EXPECT_TRUE(FailsWith(OpenSqliteStore(options), ErrorCode::kInvalidArgument));
  options = env_.Options({});
  options.read_connections = 0;
  EXPECT_TRUE(FailsWith(OpenSqliteStore(options), ErrorCode::kInvalidArgument));
  options = env_.Options({});
  options.path = env_.db_path() + "/no/such/dir/x.db";
  EXPECT_TRUE(FailsWith(OpenSqliteStore(options), ErrorCode::kIo));
}

TEST_F(SqliteStoreTest, OneBadWriteInABatchFailsAlone) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  auto known = Enroll(*store, "known");
  ASSERT_TRUE(IsOk(known));

  WriterBlocker blocker(*store);
  ASSERT_TRUE(blocker.WaitHeld());
  const WriteQueueStats before = store->QueueStats();

  // good, bad (its run row is inserted before the unknown target fails it), good:
  // submitted from this thread while the writer is held, so they queue in order.
  auto submit_enroll = [&](const std::string& identifier) {
    auto promise = std::make_shared<std::promise<Result<Node>>>();
    Enrollment e;
    e.identity.host_identifier = identifier;
    e.node_key_hash = "h";
    store->EnrollNode(e, [promise](Result<Node> r) { promise->set_value(std::move(r)); });
    return promise->get_future();
  };
  auto good1 = submit_enroll("first");
  auto bad_promise = std::make_shared<std::promise<Result<Run>>>();
  auto bad = bad_promise->get_future();
  store->CreateRun(RunSpec{"SELECT 1", "bob", "{}", "", kT0, kT0 + kSecond, {known->id, 424242}},
                   [bad_promise](Result<Run> r) { bad_promise->set_value(std::move(r)); });
  auto good2 = submit_enroll("second");
  EXPECT_EQ(store->QueueStats().queued, 3u);
  blocker.Release();

  ASSERT_EQ(good1.wait_for(kStoreWait), std::future_status::ready);
  ASSERT_EQ(bad.wait_for(kStoreWait), std::future_status::ready);
  ASSERT_EQ(good2.wait_for(kStoreWait), std::future_status::ready);
  EXPECT_TRUE(IsOk(good1.get()));
  EXPECT_TRUE(FailsWith(bad.get(), ErrorCode::kNotFound));
  EXPECT_TRUE(IsOk(good2.get()));
  const WriteQueueStats after = store->QueueStats();
  EXPECT_EQ(after.transactions, before.transactions + 1) << "the three did not share a batch";
  EXPECT_EQ(after.committed, before.committed + 2);

  store->Close();
  EXPECT_EQ(RawCount("SELECT count(*) FROM runs"), 0) << "the failed write left its run row";
  EXPECT_EQ(RawCount("SELECT count(*) FROM run_hosts"), 0);
  EXPECT_EQ(RawCount("SELECT count(*) FROM hosts"), 3);
}

TEST_F(SqliteStoreTest, GroupCommitRespectsMaxBatchItems) {
  for (size_t max_batch : {size_t{1}, size_t{7}, size_t{64}}) {
    SqliteOptions options = env_.Options({});
    options.max_batch_items = max_batch;
    auto store = OpenStore(options);
    ASSERT_NE(store, nullptr);
    constexpr size_t kWrites = 50;
    std::vector<std::future<Result<void>>> dones;
    {
      WriterBlocker blocker(*store);
      ASSERT_TRUE(blocker.WaitHeld());
      for (size_t i = 0; i < kWrites; ++i) {
        auto promise = std::make_shared<std::promise<Result<void>>>();
        dones.push_back(promise->get_future());
        store->TouchNodes({}, [promise](Result<void> r) { promise->set_value(std::move(r)); });
      }
      const WriteQueueStats before = store->QueueStats();
      EXPECT_EQ(before.queued, kWrites);
      blocker.Release();
      for (auto& done : dones) {
        ASSERT_EQ(done.wait_for(kStoreWait), std::future_status::ready);
        EXPECT_TRUE(IsOk(done.get()));
      }
      const WriteQueueStats after = store->QueueStats();
      EXPECT_EQ(after.transactions - before.transactions, (kWrites + max_batch - 1) / max_batch)
          << "max_batch_items " << max_batch;
    }
    store->Close();
  }
}

TEST_F(SqliteStoreTest, FailedCommitFailsTheWholeBatchAndRecovers) {
  RegisterFaultVfs();
  SqliteOptions options = env_.Options({});
  options.vfs = kFaultVfsName;
  testing::RecordingObserver observer;  // outlives the store
  auto store = OpenStore(options);
  ASSERT_NE(store, nullptr);
  store->SetObserver(&observer);
  ASSERT_TRUE(IsOk(Enroll(*store, "before")));

  std::vector<std::future<Result<Node>>> dones;
  {
    WriterBlocker blocker(*store);
    ASSERT_TRUE(blocker.WaitHeld());
    for (int i = 0; i < 3; ++i) {
      auto promise = std::make_shared<std::promise<Result<Node>>>();
      dones.push_back(promise->get_future());
      Enrollment e;
      e.identity.host_identifier = "lost-" + std::to_string(i);
      e.node_key_hash = "h";
      store->EnrollNode(e, [promise](Result<Node> r) { promise->set_value(std::move(r)); });
    }
    observer.Clear();
    fail_sync = true;  // the held batch has already committed; the next one will not
    blocker.Release();
    for (auto& done : dones) {
      ASSERT_EQ(done.wait_for(kStoreWait), std::future_status::ready);
      EXPECT_TRUE(FailsWith(done.get(), ErrorCode::kIo));
    }
  }
  EXPECT_EQ(observer.Count(), 0u) << "observer told about writes that did not commit";
  fail_sync = false;

  auto after = Enroll(*store, "after");
  ASSERT_TRUE(IsOk(after)) << "the writer did not recover from a failed commit";
  auto nodes = store->ListNodes();
  ASSERT_TRUE(IsOk(nodes));
  ASSERT_EQ(nodes->size(), 2u);
  EXPECT_EQ((*nodes)[0].identity.host_identifier, "before");
  EXPECT_EQ((*nodes)[1].identity.host_identifier, "after");
  store->Close();
  store.reset();

  auto reopened = OpenStore();
  ASSERT_NE(reopened, nullptr);
  auto again = reopened->ListNodes();
  ASSERT_TRUE(IsOk(again));
  EXPECT_EQ(again->size(), 2u);
}

TEST_F(SqliteStoreTest, LogColumnsAreSearchable) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  auto node = Enroll(*store, "logger");
  ASSERT_TRUE(IsOk(node));
  LogBatch results{node->id, LogType::kResult, kT0 + 7, {}};
  results.lines.push_back(LogLine{R"({"name":"pack_users","action":"added"})", 1700000001,
                                  "pack_users", "added", 0, "", "logger"});
  results.lines.push_back(LogLine{R"({"name":"snap"})", 0, "snap", "snapshot", 0, "", "logger"});
  LogBatch status{node->id, LogType::kStatus, kT0 + 8, {}};
  status.lines.push_back(
      LogLine{R"({"s":2})", 1700000002, "config.cpp", "", 2, "bad config", "logger"});
  ASSERT_TRUE(IsOk(Await<void>([&](Done<void> d) { store->AppendLogs(results, std::move(d)); })));
  ASSERT_TRUE(IsOk(Await<void>([&](Done<void> d) { store->AppendLogs(status, std::move(d)); })));
  store->Close();

  auto db = Raw();
  ASSERT_NE(db, nullptr);
  auto row = db->Prepare(
      "SELECT host_id, received_us, unix_time, name, action, host_identifier, data "
      "FROM result_logs ORDER BY id");
  ASSERT_TRUE(IsOk(row));
  ASSERT_TRUE(*row->Step());
  EXPECT_EQ(row->ColumnInt(0), node->id);
  EXPECT_EQ(row->ColumnInt(1), kT0 + 7);
  EXPECT_EQ(row->ColumnInt(2), 1700000001);
  EXPECT_EQ(row->ColumnText(3), "pack_users");
  EXPECT_EQ(row->ColumnText(4), "added");
  EXPECT_EQ(row->ColumnText(5), "logger");
  EXPECT_EQ(row->ColumnText(6), R"({"name":"pack_users","action":"added"})");
  ASSERT_TRUE(*row->Step());
  EXPECT_TRUE(row->ColumnIsNull(2)) << "absent unixTime should be NULL";
  EXPECT_FALSE(*row->Step());

  auto srow = db->Prepare("SELECT unix_time, severity, filename, message, data FROM status_logs");
  ASSERT_TRUE(IsOk(srow));
  ASSERT_TRUE(*srow->Step());
  EXPECT_EQ(srow->ColumnInt(0), 1700000002);
  EXPECT_EQ(srow->ColumnInt(1), 2);
  EXPECT_EQ(srow->ColumnText(2), "config.cpp");
  EXPECT_EQ(srow->ColumnText(3), "bad config");
  EXPECT_EQ(srow->ColumnText(4), R"({"s":2})");
}

TEST_F(SqliteStoreTest, OrphansAndEnrollmentsAreRecordedWithReasons) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  auto a = Enroll(*store, "a");
  auto b = Enroll(*store, "b");
  ASSERT_TRUE(IsOk(a));
  ASSERT_TRUE(IsOk(b));
  ASSERT_TRUE(IsOk(Enroll(*store, "a")));  // re-enrollment
  auto run = Await<Run>([&](Done<Run> d) {
    store->CreateRun(RunSpec{"SELECT 1", "bob", "{}", "", kT0, kT0 + kSecond, {a->id}}, std::move(d));
  });
  ASSERT_TRUE(IsOk(run));
  QueryAnswer unknown{"abc", 0, 0, "", {}, {R"({"x":"1"})", R"({"x":"2"})"}};
  QueryAnswer untargeted{"run", run->id, 1, "nope", {}, {}};
  DistributedWrite write{b->id, kT0 + 3, {unknown, untargeted}};
  ASSERT_TRUE(IsOk(Await<void>([&](Done<void> d) { store->RecordAnswers(write, std::move(d)); })));
  store->Close();

  auto db = Raw();
  ASSERT_NE(db, nullptr);
  auto row = db->Prepare(
      "SELECT query_id, run_id IS NULL, reason, status, message, row_count, data, received_us "
      "FROM orphan_results ORDER BY id");
  ASSERT_TRUE(IsOk(row));
  ASSERT_TRUE(*row->Step());
  EXPECT_EQ(row->ColumnText(0), "abc");
  EXPECT_EQ(row->ColumnInt(1), 1);
  EXPECT_EQ(row->ColumnText(2), "unknown_run");
  EXPECT_EQ(row->ColumnInt(5), 2);
  EXPECT_EQ(row->ColumnText(6), R"([{"x":"1"},{"x":"2"}])");
  EXPECT_EQ(row->ColumnInt(7), kT0 + 3);
  ASSERT_TRUE(*row->Step());
  EXPECT_EQ(row->ColumnText(2), "not_targeted");
  EXPECT_EQ(row->ColumnInt(1), 0);
  EXPECT_EQ(row->ColumnInt(3), 1);
  EXPECT_EQ(row->ColumnText(4), "nope");
  EXPECT_EQ(row->ColumnText(6), "[]");
  EXPECT_FALSE(*row->Step());

  EXPECT_EQ(RawCount("SELECT count(*) FROM enrollments"), 3);
  EXPECT_EQ(RawCount("SELECT count(*) FROM enrollments WHERE re_enrollment = 1"), 1);
  EXPECT_EQ(RawCount("SELECT count(*) FROM hosts WHERE last_seen_us IS NULL"), 2);
}

TEST_F(SqliteStoreTest, UpgradesAVersionOneDatabaseKeepingItsData) {
  {
    auto db = Db::Open(env_.db_path(), OpenMode::kReadWriteCreate);
    ASSERT_TRUE(IsOk(db));
    ASSERT_TRUE(IsOk(
        (*db)->Exec("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
                    "applied_us INTEGER NOT NULL)")));
    ASSERT_TRUE(IsOk((*db)->Exec(sqlite::Migrations()[0].sql)));
    ASSERT_TRUE(IsOk((*db)->Exec(
        "INSERT INTO schema_version (version, name, applied_us) VALUES (1, 'initial schema', 0);"
        "INSERT INTO hosts (host_identifier, hostname, platform, platform_type, os_name, "
        "os_version, osquery_version, hardware_uuid, hardware_serial, host_details, "
        "node_key_hash, enroll_secret_name, secret_labels, first_enrolled_us, enrolled_us) "
        "VALUES ('old', 'old', '', '', '', '', '', '', '', '{}', 'hash-old', 'default', '[]', 1, "
        "1)")));
  }
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  auto nodes = store->ListNodes();
  ASSERT_TRUE(IsOk(nodes));
  ASSERT_EQ(nodes->size(), 1u);
  const NodeId old = (*nodes)[0].id;
  Label label;
  label.name = "after-upgrade";
  auto created =
      Await<Label>([&](Done<Label> d) { store->CreateLabel(label, {old}, std::move(d)); });
  ASSERT_TRUE(IsOk(created));
  auto members = store->ListLabelMemberships();
  ASSERT_TRUE(IsOk(members));
  ASSERT_EQ(members->size(), 1u);
  EXPECT_EQ((*members)[0].node, old);
  store->Close();
  EXPECT_EQ(RawCount("SELECT max(version) FROM schema_version"),
            sqlite::Migrations().back().version);
}

// The new tables' names and columns are what operators type into search.
TEST_F(SqliteStoreTest, NewTablesHaveTheirDocumentedColumns) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  for (const char* sql :
       {"SELECT id, name, description, kind, sql, refresh_seconds, created_us, updated_us "
        "FROM labels",
        "SELECT label_id, host_id, member, updated_us FROM label_members",
        "SELECT id, name, role, created_by, created_us, revoked FROM api_tokens",
        "SELECT id, at_us, actor, action, detail FROM audit"}) {
    auto table = store->Search(sql, search::QueryLimits{});
    EXPECT_TRUE(IsOk(table)) << sql;
  }
}

TEST_F(SqliteStoreTest, DynamicNonMembersAreRowsAndManualLeavesAreNot) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  auto a = Enroll(*store, "a");
  auto b = Enroll(*store, "b");
  ASSERT_TRUE(IsOk(a));
  ASSERT_TRUE(IsOk(b));
  Label dynamic;
  dynamic.name = "dyn";
  dynamic.kind = LabelKind::kDynamic;
  dynamic.sql = "SELECT 1;";
  auto d =
      Await<Label>([&](Done<Label> done) { store->CreateLabel(dynamic, {}, std::move(done)); });
  ASSERT_TRUE(IsOk(d));
  Label manual;
  manual.name = "manual";
  auto m = Await<Label>([&](Done<Label> done) {
    store->CreateLabel(manual, {a->id, b->id}, std::move(done));
  });
  ASSERT_TRUE(IsOk(m));
  ASSERT_TRUE(IsOk(Await<void>([&](Done<void> done) {
    store->RecordLabelResults({{d->id, a->id, true, kT0}, {d->id, b->id, false, kT0}},
                              std::move(done));
  })));
  ASSERT_TRUE(IsOk(Await<void>(
      [&](Done<void> done) { store->SetLabelMembers(m->id, {b->id}, std::move(done)); })));
  store->Close();
  EXPECT_EQ(RawCount("SELECT count(*) FROM label_members WHERE label_id = " +
                     std::to_string(d->id) + " AND member = 0"),
            1);
  EXPECT_EQ(
      RawCount("SELECT count(*) FROM label_members WHERE label_id = " + std::to_string(m->id)), 1);
}

TEST_F(SqliteStoreTest, SearchReadsTokenRecordsButNotTheirHashes) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  ApiToken token;
  token.name = "ci";
  token.token_hash = "hash-ci";
  token.role = TokenRole::kOperator;
  ASSERT_TRUE(
      IsOk(Await<ApiToken>([&](Done<ApiToken> d) { store->CreateToken(token, std::move(d)); })));
  auto listed = store->Search("SELECT name, role, revoked FROM api_tokens", search::QueryLimits{});
  ASSERT_TRUE(IsOk(listed));
  ASSERT_EQ(listed->rows.size(), 1u);
  EXPECT_EQ(std::get<std::string>(listed->rows[0][0]), "ci");
  EXPECT_EQ(std::get<std::string>(listed->rows[0][1]), "operator");
  EXPECT_EQ(SearchCount(*store, "SELECT count(*) FROM api_tokens"), 1);

  auto hash = store->Search("SELECT token_hash FROM api_tokens", search::QueryLimits{});
  EXPECT_TRUE(FailsWith(hash, ErrorCode::kPermissionDenied));
  if (!hash) {
    EXPECT_NE(hash.error().message.find("api_tokens.token_hash"), std::string::npos)
        << hash.error().message;
  }
}

TEST_F(SqliteStoreTest, SearchRefusesRawPagesWhereSqliteHasThem) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  auto db = Raw();
  ASSERT_NE(db, nullptr);
  if (!db->Prepare("SELECT data FROM sqlite_dbpage")) {
    GTEST_SKIP() << "this SQLite build has no sqlite_dbpage table";
  }
  EXPECT_TRUE(FailsWith(store->Search("SELECT hex(data) FROM sqlite_dbpage", search::QueryLimits{}),
                        ErrorCode::kPermissionDenied));
}

}  // namespace
}  // namespace quarry::store
