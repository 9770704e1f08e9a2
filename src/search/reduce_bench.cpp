// reduce_bench: how long Reducer takes to load a live run's rows and to answer
// GROUP BY queries over them. Prints figures; asserts nothing.
//
//   reduce_bench [rows (3000000)] [rows_per_host (100)] [batch|single]
//
// The rows imitate `SELECT pid, name, path, uid, resident_size, state, cmdline
// FROM processes`: seven string values per row, about 170 bytes of JSON. In
// `batch` mode each host's rows arrive as one Add (the live-run shape); in
// `single` mode all rows go in one Add (the one-shot Reduce shape, which holds
// every input in memory first). Input generation is not timed.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "search/reduce.h"

namespace {

using quarry::search::QueryLimits;
using quarry::search::ReduceInput;
using quarry::search::Reducer;
using quarry::search::Table;

using Clock = std::chrono::steady_clock;

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

// The cores are shared with other work, so CPU time is printed beside wall time.
double CpuSeconds() { return static_cast<double>(std::clock()) / CLOCKS_PER_SEC; }

std::string CpuModel() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line)) {
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  }
  return "unknown";
}

class RowMaker {
 public:
  explicit RowMaker(uint64_t seed) : random_(seed) {
    for (int i = 0; i < 300; ++i) names_.push_back("proc" + std::to_string(i));
  }

  std::string Next() {
    // Skewed towards a few common processes, as on real hosts.
    const size_t n = std::min<size_t>(names_.size() - 1, static_cast<size_t>(skew_(random_)));
    const std::string& name = names_[n];
    std::string row = "{\"pid\":\"" + std::to_string(pid_(random_)) + "\",\"name\":\"" + name +
                      "\",\"path\":\"/usr/bin/" + name + "\",\"uid\":\"" +
                      std::to_string(uid_(random_) < 7 ? 0 : 1000 + uid_(random_)) +
                      "\",\"resident_size\":\"" + std::to_string(rss_(random_)) +
                      "\",\"state\":\"" + (pid_(random_) % 5 == 0 ? "R" : "S") +
                      "\",\"cmdline\":\"/usr/bin/" + name + " --worker\"}";
    return row;
  }

 private:
  std::mt19937_64 random_;
  std::vector<std::string> names_;
  std::geometric_distribution<int> skew_{0.05};
  std::uniform_int_distribution<int> pid_{1, 4'000'000};
  std::uniform_int_distribution<int> uid_{0, 9};
  std::uniform_int_distribution<int64_t> rss_{100'000, 900'000'000};
};

}  // namespace

int main(int argc, char** argv) {
  const size_t total_rows = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 3'000'000;
  const size_t per_host = argc > 2 ? std::max<size_t>(1, std::strtoull(argv[2], nullptr, 10)) : 100;
  const bool single = argc > 3 && std::string(argv[3]) == "single";
  const size_t hosts = (total_rows + per_host - 1) / per_host;

  std::printf("machine: %s, %u hardware threads (shared)\n", CpuModel().c_str(),
              std::thread::hardware_concurrency());
  std::printf("input: %zu rows, %zu hosts, %zu rows per host, %s\n", total_rows, hosts, per_host,
              single ? "one Add of all rows" : "one Add per host");

  RowMaker maker(42);
  Reducer reducer;
  Clock::duration load{};
  double load_cpu = 0;
  size_t json_bytes = 0;
  std::vector<ReduceInput> batch;
  size_t made = 0;
  for (size_t host = 1; host <= hosts && made < total_rows; ++host) {
    if (!single) batch.clear();
    const std::string host_name = "host-" + std::to_string(host);
    for (size_t i = 0; i < per_host && made < total_rows; ++i, ++made) {
      batch.push_back(ReduceInput{static_cast<int64_t>(host), host_name, maker.Next()});
      json_bytes += batch.back().row_json.size();
    }
    if (single) continue;
    const auto start = Clock::now();
    const double start_cpu = CpuSeconds();
    if (auto added = reducer.Add(batch); !added) {
      std::fprintf(stderr, "Add failed: %s\n", added.error().message.c_str());
      return 1;
    }
    load += Clock::now() - start;
    load_cpu += CpuSeconds() - start_cpu;
  }
  if (single) {
    const auto start = Clock::now();
    const double start_cpu = CpuSeconds();
    if (auto added = reducer.Add(batch); !added) {
      std::fprintf(stderr, "Add failed: %s\n", added.error().message.c_str());
      return 1;
    }
    load = Clock::now() - start;
    load_cpu = CpuSeconds() - start_cpu;
    batch = {};
  }
  std::printf("load: %zu rows (%.0f MB of JSON) in %.2f s wall, %.2f s CPU = %.0f rows/s\n",
              reducer.rows(), static_cast<double>(json_bytes) / 1e6, Seconds(load), load_cpu,
              static_cast<double>(reducer.rows()) / Seconds(load));

  const char* queries[] = {
      "SELECT name, count(*) AS n FROM results GROUP BY name ORDER BY n DESC LIMIT 10",
      ("SELECT name, count(*) AS n, count(DISTINCT host_id) AS hosts, sum(resident_size) AS rss "
       "FROM results GROUP BY name ORDER BY rss DESC LIMIT 10"),
      "SELECT uid = 0 AS root, state, count(*) FROM results GROUP BY root, state",
      "SELECT host, count(*) AS n FROM results GROUP BY host ORDER BY n DESC LIMIT 10",
      "SELECT count(*) FROM results WHERE resident_size > 800000000",
  };
  QueryLimits limits;
  limits.max_time = std::chrono::seconds(120);
  constexpr int kRuns = 3;
  for (const char* sql : queries) {
    std::vector<double> runs;
    std::vector<double> cpu;
    size_t rows = 0;
    for (int run = 0; run < kRuns; ++run) {
      const auto start = Clock::now();
      const double start_cpu = CpuSeconds();
      const quarry::Result<Table> table = reducer.Evaluate(sql, limits);
      runs.push_back(Seconds(Clock::now() - start));
      cpu.push_back(CpuSeconds() - start_cpu);
      if (!table) {
        std::fprintf(stderr, "query failed: %s\n", table.error().message.c_str());
        return 1;
      }
      rows = table->rows.size();
    }
    std::sort(runs.begin(), runs.end());
    std::sort(cpu.begin(), cpu.end());
    std::printf("query: wall best %.3f s, median %.3f s; CPU best %.3f s; %zu result rows: %s\n",
                runs.front(), runs[runs.size() / 2], cpu.front(), rows, sql);
  }

  // The time limit on a query that would run longer: it should stop close to it.
  limits.max_time = std::chrono::milliseconds(300);
  const auto start = Clock::now();
  const quarry::Result<Table> stopped = reducer.Evaluate(queries[1], limits);
  std::printf("time limit 300 ms on the second query: %s after %.3f s\n",
              stopped ? "finished" : stopped.error().message.c_str(),
              Seconds(Clock::now() - start));
  return 0;
}
