// Durable ingest rate of the SQLite store: many callers submitting at once, the
// way agents' distributed writes and log posts arrive. Each submitter waits for
// its `done` (i.e. for the commit, synchronous=FULL) before sending the next
// write, so the figure is acknowledged, durable rows per second.
//
// The database goes in $QUARRY_BENCH_DIR (default: the current directory), so
// run it on the disk you care about; a tmpfs makes fsync free and the figure
// meaningless. Example:
//   QUARRY_BENCH_DIR=/var/tmp ./store_sqlite_bench --benchmark_counters_tabular=true
#include <benchmark/benchmark.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "store/sqlite/sqlite_store.h"

namespace quarry::store {
namespace {

constexpr int kRoundsPerSubmitter = 20;
constexpr int kRowBytes = 200;  // as in the stack notes' measurements

std::string BenchDir() {
  const char* dir = std::getenv("QUARRY_BENCH_DIR");
  std::string pattern =
      (std::filesystem::path(dir != nullptr ? dir : ".") / "quarry-bench-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) return "";
  return pattern;
}

std::string Row(int i) {
  std::string row = R"({"pid":")" + std::to_string(i) + R"(","name":")";
  row.append(kRowBytes - row.size() - 2, 'x');
  row += "\"}";
  return row;
}

struct Fixture {
  std::string dir;
  std::unique_ptr<Store> store;
  std::vector<NodeId> nodes;
};

template <class T, class Submit>
Result<T> Await(Submit&& submit) {
  std::promise<Result<T>> promise;
  auto future = promise.get_future();
  submit(Done<T>([&promise](Result<T> result) { promise.set_value(std::move(result)); }));
  return future.get();
}

bool Setup(Fixture& f, int submitters, benchmark::State& state) {
  f.dir = BenchDir();
  if (f.dir.empty()) {
    state.SkipWithError("cannot create a directory in $QUARRY_BENCH_DIR");
    return false;
  }
  SqliteOptions options;
  options.path = f.dir + "/bench.db";
  auto store = OpenSqliteStore(options);
  if (!store) {
    state.SkipWithError(store.error().message.c_str());
    return false;
  }
  f.store = std::move(*store);
  for (int i = 0; i < submitters; ++i) {
    Enrollment e;
    e.identity.host_identifier = "bench-host-" + std::to_string(i);
    e.node_key_hash = "hash-" + std::to_string(i);
    auto node = Await<Node>([&](Done<Node> d) { f.store->EnrollNode(e, std::move(d)); });
    if (!node) {
      state.SkipWithError(node.error().message.c_str());
      return false;
    }
    f.nodes.push_back(node->id);
  }
  return true;
}

void Teardown(Fixture& f) {
  if (f.store != nullptr) f.store->Close();
  f.store.reset();
  std::error_code ignored;
  if (!f.dir.empty()) std::filesystem::remove_all(f.dir, ignored);
}

void Report(benchmark::State& state, Store& store, int64_t rows) {
  WriteQueueStats stats = store.QueueStats();
  state.counters["rows_per_s"] =
      benchmark::Counter(static_cast<double>(rows), benchmark::Counter::kIsRate);
  state.counters["writes_per_txn"] =
      stats.transactions == 0 ? 0.0 : static_cast<double>(stats.committed) / stats.transactions;
  state.counters["rejected"] = static_cast<double>(stats.rejected);
}

// Args: submitters, rows per write. Every write answers a fresh run, as hosts do.
void BM_RecordAnswers(benchmark::State& state) {
  const int submitters = static_cast<int>(state.range(0));
  const int rows_per_write = static_cast<int>(state.range(1));
  Fixture f;
  if (!Setup(f, submitters, state)) return Teardown(f);
  std::vector<std::string> rows;
  for (int i = 0; i < rows_per_write; ++i) rows.push_back(Row(i));

  int64_t total_rows = 0;
  std::atomic<int> failures{0};
  for (auto _ : state) {
    state.PauseTiming();
    std::vector<RunId> runs;
    for (int round = 0; round < kRoundsPerSubmitter; ++round) {
      RunSpec spec{"SELECT * FROM processes", "bench", "{}", "", 1, 1LL << 60, f.nodes};
      auto run = Await<Run>([&](Done<Run> d) { f.store->CreateRun(spec, std::move(d)); });
      if (!run) {
        state.SkipWithError(run.error().message.c_str());
        return Teardown(f);
      }
      runs.push_back(run->id);
    }
    state.ResumeTiming();

    std::vector<std::thread> threads;
    for (int s = 0; s < submitters; ++s) {
      threads.emplace_back([&, s] {
        for (RunId run : runs) {
          DistributedWrite write{f.nodes[s], 1, {}};
          QueryAnswer answer;
          answer.query_id = std::to_string(run);
          answer.run = run;
          answer.rows_json = rows;
          write.answers.push_back(std::move(answer));
          auto done =
              Await<void>([&](Done<void> d) { f.store->RecordAnswers(write, std::move(d)); });
          if (!done) ++failures;
        }
      });
    }
    for (auto& thread : threads) thread.join();
    total_rows += int64_t{submitters} * kRoundsPerSubmitter * rows_per_write;
  }
  if (failures > 0) state.SkipWithError("some writes failed");
  Report(state, *f.store, total_rows);
  Teardown(f);
}

// Args: submitters, lines per batch.
void BM_AppendLogs(benchmark::State& state) {
  const int submitters = static_cast<int>(state.range(0));
  const int lines_per_batch = static_cast<int>(state.range(1));
  Fixture f;
  if (!Setup(f, submitters, state)) return Teardown(f);
  std::vector<LogLine> lines;
  for (int i = 0; i < lines_per_batch; ++i) {
    lines.push_back(LogLine{Row(i), 1700000000, "pack_processes", "added", 0, "", "bench"});
  }

  int64_t total_rows = 0;
  std::atomic<int> failures{0};
  for (auto _ : state) {
    std::vector<std::thread> threads;
    for (int s = 0; s < submitters; ++s) {
      threads.emplace_back([&, s] {
        for (int round = 0; round < kRoundsPerSubmitter; ++round) {
          LogBatch batch{f.nodes[s], LogType::kResult, 1, lines};
          auto done = Await<void>([&](Done<void> d) { f.store->AppendLogs(batch, std::move(d)); });
          if (!done) ++failures;
        }
      });
    }
    for (auto& thread : threads) thread.join();
    total_rows += int64_t{submitters} * kRoundsPerSubmitter * lines_per_batch;
  }
  if (failures > 0) state.SkipWithError("some writes failed");
  Report(state, *f.store, total_rows);
  Teardown(f);
}

BENCHMARK(BM_RecordAnswers)
    ->ArgNames({"submitters", "rows"})
    ->Args({1, 100})
    ->Args({64, 100})
    ->Args({64, 1})
    ->Iterations(3)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_AppendLogs)
    ->ArgNames({"submitters", "lines"})
    ->Args({1, 100})
    ->Args({64, 100})
    ->Iterations(3)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace quarry::store

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  benchmark::AddCustomContext("sqlite", sqlite3_libversion());
  benchmark::AddCustomContext("synchronous", "FULL");
  const char* dir = std::getenv("QUARRY_BENCH_DIR");
  benchmark::AddCustomContext("bench_dir", dir != nullptr ? dir : ".");
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
