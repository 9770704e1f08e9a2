#include "store/sqlite/sqlite_store.h"

#include <fmt/format.h>
#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "base/clock.h"
#include "base/log.h"
#include "store/sqlite/migrations.h"
#include "store/sqlite/queries.h"
#include "store/sqlite/sqlite_db.h"
#include "store/sqlite/stored_search.h"

namespace quarry::store {
namespace {

using sqlite::Db;
using sqlite::Event;
using sqlite::Events;
using sqlite::OpenMode;
using sqlite::Savepoint;
using sqlite::Tx;

// How long a connection waits for a lock held by another connection (only
// checkpoints and other processes contend: there is one writer).
constexpr int kBusyTimeoutMs = 5000;
// Page cache of the write connection, in KiB (negative = KiB for SQLite).
constexpr int kWriterCacheKiB = 32 * 1024;
// The WAL file is truncated back to this size after checkpoints.
constexpr int64_t kJournalSizeLimitBytes = 64 * 1024 * 1024;

// ---- The write queue ----

class WriteOp {
 public:
  virtual ~WriteOp() = default;
  // Runs on the writer thread inside the op's savepoint; records observer events.
  virtual Result<void> Apply(Db& db) = 0;
  // After COMMIT: reports the applied result to the caller.
  virtual void Succeed() = 0;
  // Reports `error` to the caller (refused, failed, or its commit failed).
  virtual void Reject(Error error) = 0;

  Events events;
};

template <class T>
class TypedOp final : public WriteOp {
 public:
  using Fn = std::function<Result<T>(Db&, Events&)>;
  TypedOp(Fn fn, Done<T> done) : fn_(std::move(fn)), done_(std::move(done)) {}

  Result<void> Apply(Db& db) override {
    result_ = fn_(db, events);
    if (!result_) return Fail(result_.error());
    return Ok();
  }
  void Succeed() override {
    if (done_) done_(std::move(result_));
  }
  void Reject(Error error) override {
    if (done_) done_(Fail(std::move(error)));
  }

 private:
  Fn fn_;
  Done<T> done_;
  Result<T> result_ = Fail(ErrorCode::kInternal, "write was not applied");
};

class SqliteStore final : public Store {
 public:
  SqliteStore(const SqliteOptions& options, std::unique_ptr<Db> writer_db,
              std::vector<std::unique_ptr<Db>> readers)
      : options_(options), writer_db_(std::move(writer_db)), idle_readers_(std::move(readers)) {
    writer_ = std::thread([this] { WriterLoop(); });
  }

  ~SqliteStore() override { Close(); }

  void SetObserver(StoreObserver* observer) override { observer_.store(observer); }

  void EnrollNode(Enrollment enrollment, Done<Node> done) override {
    Submit<Node>(std::move(done), [e = std::move(enrollment)](Db& db, Events& events) {
      return sqlite::ApplyEnrollNode(db, e, events);
    });
  }

  void RevokeNode(NodeId node, Done<Node> done) override {
    Submit<Node>(std::move(done), [node](Db& db, Events& events) {
      return sqlite::ApplyRevokeNode(db, node, events);
    });
  }

  void AppendLogs(LogBatch batch, Done<void> done) override {
    Submit<void>(std::move(done), [b = std::move(batch)](Db& db, Events&) {
      return sqlite::ApplyAppendLogs(db, b);
    });
  }

  void RecordAnswers(DistributedWrite write, Done<void> done) override {
    Submit<void>(std::move(done), [w = std::move(write)](Db& db, Events& events) {
      return sqlite::ApplyRecordAnswers(db, w, events);
    });
  }

  void RecordPickups(std::vector<Pickup> pickups, Done<void> done) override {
    Submit<void>(std::move(done), [p = std::move(pickups)](Db& db, Events& events) {
      return sqlite::ApplyRecordPickups(db, p, events);
    });
  }

  void TouchNodes(std::vector<LastSeen> seen, Done<void> done) override {
    Submit<void>(std::move(done),
                 [s = std::move(seen)](Db& db, Events&) { return sqlite::ApplyTouchNodes(db, s); });
  }

  void CreateRun(RunSpec spec, Done<Run> done) override {
    Submit<Run>(std::move(done), [s = std::move(spec)](Db& db, Events& events) {
      return sqlite::ApplyCreateRun(db, s, events);
    });
  }

  void CancelRun(RunId run, int64_t at_us, Done<Run> done) override {
    Submit<Run>(std::move(done), [run, at_us](Db& db, Events& events) {
      return sqlite::ApplyCancelRun(db, run, at_us, events);
    });
  }

  void ExpireRuns(int64_t now_us, Done<std::vector<Run>> done) override {
    Submit<std::vector<Run>>(std::move(done), [now_us](Db& db, Events& events) {
      return sqlite::ApplyExpireRuns(db, now_us, events);
    });
  }

  void CreateLabel(Label label, std::vector<NodeId> members, Done<Label> done) override {
    Submit<Label>(std::move(done),
                  [l = std::move(label), m = std::move(members)](Db& db, Events& events) {
                    return sqlite::ApplyCreateLabel(db, l, m, events);
                  });
  }

  void UpdateLabel(Label label, Done<Label> done) override {
    Submit<Label>(std::move(done), [l = std::move(label)](Db& db, Events& events) {
      return sqlite::ApplyUpdateLabel(db, l, events);
    });
  }

  void DeleteLabel(int64_t label, Done<void> done) override {
    Submit<void>(std::move(done), [label](Db& db, Events& events) {
      return sqlite::ApplyDeleteLabel(db, label, events);
    });
  }

  void SetLabelMembers(int64_t label, std::vector<NodeId> members, Done<void> done) override {
    // The call carries no time: memberships are stamped with the time of the call.
    const int64_t now_us = SystemClock::Instance().NowMicros();
    Submit<void>(std::move(done), [label, m = std::move(members), now_us](Db& db, Events& events) {
      return sqlite::ApplySetLabelMembers(db, label, m, now_us, events);
    });
  }

  void RecordLabelResults(std::vector<LabelMembership> results, Done<void> done) override {
    Submit<void>(std::move(done), [r = std::move(results)](Db& db, Events& events) {
      return sqlite::ApplyRecordLabelResults(db, r, events);
    });
  }

  void CreateToken(ApiToken token, Done<ApiToken> done) override {
    Submit<ApiToken>(std::move(done), [t = std::move(token)](Db& db, Events&) {
      return sqlite::ApplyCreateToken(db, t);
    });
  }

  void RevokeToken(int64_t token, Done<ApiToken> done) override {
    Submit<ApiToken>(std::move(done),
                     [token](Db& db, Events&) { return sqlite::ApplyRevokeToken(db, token); });
  }

  void AppendAudit(AuditEvent event, Done<void> done) override {
    Submit<void>(std::move(done), [e = std::move(event)](Db& db, Events&) {
      return sqlite::ApplyAppendAudit(db, e);
    });
  }

  Result<std::vector<Label>> ListLabels() override {
    Reader reader(*this);
    return sqlite::SelectLabels(reader.db());
  }

  Result<std::vector<LabelMembership>> ListLabelMemberships() override {
    Reader reader(*this);
    return sqlite::SelectLabelMemberships(reader.db());
  }

  Result<std::optional<ApiToken>> FindToken(const std::string& token_hash) override {
    Reader reader(*this);
    return sqlite::SelectLiveToken(reader.db(), token_hash);
  }

  Result<std::vector<ApiToken>> ListTokens() override {
    Reader reader(*this);
    return sqlite::SelectTokens(reader.db());
  }

  Result<std::vector<AuditEvent>> ListAudit(int64_t before_id, size_t limit) override {
    Reader reader(*this);
    return sqlite::SelectAudit(reader.db(), before_id, limit);
  }

  Result<std::vector<Run>> ListRuns(const RunFilter& filter) override {
    Reader reader(*this);
    return sqlite::SelectRuns(reader.db(), filter);
  }

  // Runs on a pooled read connection, which is opened read-only: even a hole in
  // the guard could not write the file. The query holds that connection for up
  // to limits.max_time.
  Result<search::Table> Search(std::string_view sql, const search::QueryLimits& limits) override {
    Reader reader(*this);
    return sqlite::RunStoredSearch(reader.db(), sql, limits);
  }

  Result<std::vector<Node>> ListNodes() override {
    Reader reader(*this);
    return sqlite::SelectNodes(reader.db());
  }

  Result<std::optional<Node>> GetNode(NodeId node) override {
    Reader reader(*this);
    return sqlite::SelectNode(reader.db(), node);
  }

  Result<std::vector<OpenRun>> ListOpenRuns() override {
    Reader reader(*this);
    return sqlite::SelectOpenRuns(reader.db());
  }

  Result<std::optional<Run>> GetRun(RunId run) override {
    Reader reader(*this);
    return sqlite::SelectRun(reader.db(), run);
  }

  Result<std::vector<RunHost>> ListRunHosts(RunId run) override {
    Reader reader(*this);
    return sqlite::SelectRunHosts(reader.db(), run);
  }

  Result<std::vector<ResultRow>> ListResults(RunId run, int64_t after_seq, size_t limit) override {
    Reader reader(*this);
    return sqlite::SelectResults(reader.db(), run, after_seq, limit);
  }

  WriteQueueStats QueueStats() const override {
    std::lock_guard lock(mu_);
    WriteQueueStats stats = stats_;
    stats.queued = queue_.size();
    return stats;
  }

  void Close() override {
    {
      std::lock_guard lock(mu_);
      accepting_ = false;
    }
    work_cv_.notify_all();
    // A done callback or observer that closes the store runs on the writer
    // thread, which cannot join itself; the writer stops once drained anyway.
    if (std::this_thread::get_id() == writer_id_) return;
    std::lock_guard close_lock(close_mu_);
    if (writer_.joinable()) writer_.join();
  }

 private:
  // A read connection borrowed from the pool for the lifetime of the object.
  class Reader {
   public:
    explicit Reader(SqliteStore& store) : store_(store) {
      std::unique_lock lock(store_.read_mu_);
      store_.read_cv_.wait(lock, [this] { return !store_.idle_readers_.empty(); });
      db_ = std::move(store_.idle_readers_.back());
      store_.idle_readers_.pop_back();
    }
    ~Reader() {
      {
        std::lock_guard lock(store_.read_mu_);
        store_.idle_readers_.push_back(std::move(db_));
      }
      store_.read_cv_.notify_one();
    }
    Reader(const Reader&) = delete;
    Reader& operator=(const Reader&) = delete;

    Db& db() { return *db_; }

   private:
    SqliteStore& store_;
    std::unique_ptr<Db> db_;
  };

  template <class T>
  void Submit(Done<T> done, typename TypedOp<T>::Fn fn) {
    auto op = std::make_unique<TypedOp<T>>(std::move(fn), std::move(done));
    const char* refusal = nullptr;
    {
      std::lock_guard lock(mu_);
      if (!accepting_) {
        refusal = "store is closed";
      } else if (queue_.size() >= options_.write_queue_limit) {
        refusal = "write queue is full, try again later";
        ++stats_.rejected;
      } else {
        queue_.push_back(std::move(op));
      }
    }
    if (refusal == nullptr) {
      work_cv_.notify_one();
      return;
    }
    op->Reject(Error{ErrorCode::kUnavailable, refusal});
  }

  void WriterLoop() {
    writer_id_ = std::this_thread::get_id();
    pthread_setname_np(pthread_self(), "quarry-sqlite-w");
    std::vector<std::unique_ptr<WriteOp>> batch;
    for (;;) {
      {
        std::unique_lock lock(mu_);
        work_cv_.wait(lock, [this] { return !queue_.empty() || !accepting_; });
        if (queue_.empty()) return;  // closed and drained
        const size_t n = std::min(queue_.size(), options_.max_batch_items);
        for (size_t i = 0; i < n; ++i) {
          batch.push_back(std::move(queue_.front()));
          queue_.pop_front();
        }
      }
      RunBatch(batch);
      batch.clear();
    }
  }

  Result<void> ApplyInSavepoint(WriteOp& op) {
    auto savepoint = Savepoint::Begin(*writer_db_);
    if (!savepoint) return Fail(savepoint.error());
    auto applied = op.Apply(*writer_db_);
    if (!applied) return applied;  // the savepoint rolls back
    return savepoint->Release();
  }

  // Applies every op of the batch in one transaction, commits, then reports.
  void RunBatch(std::vector<std::unique_ptr<WriteOp>>& batch) {
    Db& db = *writer_db_;
    std::vector<std::optional<Error>> errors(batch.size());
    auto fail_applied = [&](size_t end, const Error& error) {
      for (size_t j = 0; j < end; ++j) {
        if (!errors[j]) errors[j] = error;
      }
    };

    uint64_t commits = 0;
    std::optional<Tx> tx;
    for (size_t i = 0; i < batch.size(); ++i) {
      if (!tx) {
        auto begun = Tx::Begin(db, Tx::Kind::kImmediate);
        if (!begun) {
          for (size_t j = i; j < batch.size(); ++j) errors[j] = begun.error();
          break;
        }
        tx.emplace(std::move(*begun));
      }
      auto applied = ApplyInSavepoint(*batch[i]);
      if (applied) continue;
      errors[i] = applied.error();
      if (!db.InTransaction()) {
        // SQLite rolled the whole transaction back by itself (I/O error, disk
        // full): the ops applied before this one are lost with it. The rest of
        // the batch gets a fresh transaction.
        fail_applied(i,
                     Error{applied.error().code, "batch rolled back: " + applied.error().message});
        tx.reset();
      }
    }
    if (tx) {
      if (auto committed = tx->Commit(); !committed) {
        log::Error("sqlite store: commit of {} writes failed: {}", batch.size(),
                   committed.error().message);
        fail_applied(batch.size(), committed.error());
      } else {
        ++commits;
      }
      tx.reset();
    }

    uint64_t succeeded = 0;
    for (const auto& error : errors) succeeded += error ? 0 : 1;
    {
      std::lock_guard lock(mu_);
      stats_.committed += succeeded;
      stats_.transactions += commits;
    }

    // Commit order: each op's notifications, then its answer, op after op.
    StoreObserver* observer = observer_.load();
    for (size_t i = 0; i < batch.size(); ++i) {
      WriteOp& op = *batch[i];
      if (errors[i]) {
        op.Reject(std::move(*errors[i]));
        continue;
      }
      if (observer != nullptr) {
        for (const Event& event : op.events) event(*observer);
      }
      op.Succeed();
    }
  }

  const SqliteOptions options_;
  std::unique_ptr<Db> writer_db_;  // used by the writer thread only
  std::atomic<StoreObserver*> observer_{nullptr};

  mutable std::mutex mu_;
  std::condition_variable work_cv_;
  std::deque<std::unique_ptr<WriteOp>> queue_;  // GUARDED_BY(mu_)
  bool accepting_ = true;                       // GUARDED_BY(mu_)
  WriteQueueStats stats_;                       // GUARDED_BY(mu_); `queued` unused

  std::mutex close_mu_;  // serialises joins of writer_
  std::thread writer_;
  std::atomic<std::thread::id> writer_id_{};

  std::mutex read_mu_;
  std::condition_variable read_cv_;
  std::vector<std::unique_ptr<Db>> idle_readers_;  // GUARDED_BY(read_mu_)
};

Result<void> Configure(Db& db, const std::vector<std::string>& pragmas) {
  for (const std::string& pragma : pragmas) {
    if (auto done = db.Exec(pragma); !done) return done;
  }
  return Ok();
}

}  // namespace

Result<std::unique_ptr<Store>> OpenSqliteStore(const SqliteOptions& options) {
  if (options.path.empty()) return Fail(ErrorCode::kInvalidArgument, "sqlite: empty path");
  if (options.write_queue_limit == 0 || options.max_batch_items == 0 ||
      options.read_connections < 1) {
    return Fail(ErrorCode::kInvalidArgument,
                "sqlite: write_queue_limit, max_batch_items and read_connections must be >= 1");
  }

  auto writer = Db::Open(options.path, OpenMode::kReadWriteCreate, options.vfs);
  if (!writer) return Fail(writer.error());
  Db& db = **writer;
  auto configured = Configure(
      db, {fmt::format("PRAGMA busy_timeout = {}", kBusyTimeoutMs),
           fmt::format("PRAGMA synchronous = {}", options.synchronous_full ? "FULL" : "NORMAL"),
           "PRAGMA foreign_keys = ON", fmt::format("PRAGMA cache_size = -{}", kWriterCacheKiB),
           fmt::format("PRAGMA journal_size_limit = {}", kJournalSizeLimitBytes),
           "PRAGMA temp_store = MEMORY"});
  if (!configured) return Fail(configured.error());
  auto mode = db.QueryText("PRAGMA journal_mode = WAL");
  if (!mode) return Fail(mode.error());
  if (*mode != "wal") {
    return Fail(ErrorCode::kIo,
                fmt::format("sqlite: {} cannot use WAL mode (got '{}')", options.path, *mode));
  }
  auto version = sqlite::ApplyMigrations(db, SystemClock::Instance().NowMicros());
  if (!version) return Fail(version.error());

  // Readers open after the writer so that the WAL and shared-memory files exist,
  // which read-only connections need.
  std::vector<std::unique_ptr<Db>> readers;
  for (int i = 0; i < options.read_connections; ++i) {
    auto reader = Db::Open(options.path, OpenMode::kReadOnly, options.vfs);
    if (!reader) return Fail(reader.error());
    if (auto ok = (*reader)->Exec(fmt::format("PRAGMA busy_timeout = {}", kBusyTimeoutMs)); !ok) {
      return Fail(ok.error());
    }
    readers.push_back(std::move(*reader));
  }
  return std::unique_ptr<Store>(new SqliteStore(options, std::move(*writer), std::move(readers)));
}

}  // namespace quarry::store
