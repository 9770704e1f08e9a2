// sim_host_db_bench: how fast a simulated host answers SQL, and what an engine costs.
//
// Prints µs per Execute for a few typical queries (averaged over a mixed fleet of hosts,
// so every call switches host), the cost of deriving a profile and an enroll body, and the
// memory held by one QueryEngine and by one HostProfile. Usage:
//   sim_host_db_bench [hosts=2000] [rounds=3]
#include <sqlite3.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <algorithm>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "sim/host_db.h"
#include "sim/host_profile.h"

namespace {

using quarry::sim::EnrollBody;
using quarry::sim::FleetSpec;
using quarry::sim::HostProfile;
using quarry::sim::MakeHostProfile;
using quarry::sim::QueryEngine;
using quarry::sim::SqlAnswer;
using Clock = std::chrono::steady_clock;

long RssKib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
  }
  return -1;
}

std::string CpuModel() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line)) {
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  }
  return "unknown";
}

size_t HeapBytes(const std::string& s) { return s.capacity() > 15 ? s.capacity() + 1 : 0; }

size_t ProfileHeapBytes(const HostProfile& p) {
  size_t n = 0;
  for (const std::string* s :
       {&p.host_identifier, &p.hostname, &p.computer_name, &p.local_hostname, &p.environment, &p.admin_user,
        &p.owner_full_name, &p.os_name, &p.os_version, &p.os_build, &p.os_platform, &p.os_platform_like,
        &p.os_codename, &p.arch, &p.kernel_version, &p.osquery_version, &p.instance_id, &p.cpu_type, &p.cpu_subtype,
        &p.cpu_brand, &p.cpu_microcode, &p.hardware_vendor, &p.hardware_model, &p.hardware_version,
        &p.hardware_serial, &p.board_vendor, &p.board_model, &p.board_version, &p.board_serial, &p.cloud,
        &p.firmware_vendor, &p.firmware_version, &p.firmware_date, &p.primary_interface, &p.ipv4, &p.ipv4_mask, &p.mac,
        &p.timezone}) {
    n += HeapBytes(*s);
  }
  return n;
}

}  // namespace

int main(int argc, char** argv) {
  const uint32_t hosts = argc > 1 ? static_cast<uint32_t>(std::atoi(argv[1])) : 2000;
  const int rounds = argc > 2 ? std::atoi(argv[2]) : 3;
  std::printf("machine: %s, %u hardware threads (shared), SQLite %s\n", CpuModel().c_str(),
              std::thread::hardware_concurrency(), sqlite3_libversion());

  FleetSpec fleet;
  fleet.seed = 2026;
  const int64_t now = fleet.start_unix + 3 * 3600;

  // Profiles.
  std::vector<HostProfile> profiles;
  profiles.reserve(hosts);
  auto t0 = Clock::now();
  for (uint32_t i = 0; i < hosts; ++i) profiles.push_back(MakeHostProfile(fleet, i));
  double profile_us = std::chrono::duration<double, std::micro>(Clock::now() - t0).count() / hosts;
  size_t heap = 0;
  for (const HostProfile& p : profiles) heap += ProfileHeapBytes(p);
  size_t enroll_bytes = 0;
  t0 = Clock::now();
  for (const HostProfile& p : profiles) enroll_bytes += EnrollBody(p, "secret").size();
  double enroll_us = std::chrono::duration<double, std::micro>(Clock::now() - t0).count() / hosts;
  std::printf("MakeHostProfile: %.2f us/host; HostProfile: %zu bytes inline + %.0f bytes heap (avg)\n", profile_us,
              sizeof(HostProfile), static_cast<double>(heap) / hosts);
  std::printf("EnrollBody: %.2f us/host, %.0f bytes (avg)\n", enroll_us, static_cast<double>(enroll_bytes) / hosts);

  // One engine: memory before and after it has served every platform.
  long rss_before = RssKib();
  sqlite3_int64 sqlite_before = sqlite3_memory_used();
  auto engine_or = QueryEngine::Create();
  if (!engine_or) {
    std::fprintf(stderr, "engine: %s\n", engine_or.error().message.c_str());
    return 1;
  }
  QueryEngine& engine = **engine_or;

  const char* kQueries[] = {
      "SELECT * FROM os_version",
      "SELECT name, major, minor FROM os_version",
      "SELECT * FROM system_info",
      "SELECT * FROM processes",
      "SELECT pid, name, path FROM processes WHERE on_disk = 0",
      "SELECT * FROM last WHERE username = 'root' AND time > (SELECT unix_time FROM time) - 3600",
      "SELECT p.name, l.port, l.address FROM listening_ports l JOIN processes p USING (pid)",
      "SELECT * FROM users",
      "SELECT * FROM deb_packages",
      "SELECT name, version FROM rpm_packages WHERE name LIKE 'openssl%'",
      "SELECT count(*) AS n, sum(resident_size) AS rss FROM processes",
  };
  for (const char* sql : kQueries) {
    for (const HostProfile& p : profiles) engine.Execute(p, sql, now);  // warm-up, fills caches
  }
  QueryEngine::MemoryStats mem = engine.Memory();
  long rss_after = RssKib();
  sqlite_before = sqlite3_memory_used() - sqlite_before;
  std::printf("engine memory: %zu connections, SQLite %zu KiB (sqlite3_memory_used delta %lld KiB), row buffers "
              "%zu KiB, %zu cached statements; process RSS delta %ld KiB\n",
              mem.connections, mem.sqlite_bytes / 1024, static_cast<long long>(sqlite_before / 1024),
              mem.row_buffer_bytes / 1024, mem.cached_statements, rss_after - rss_before);

  // The first engine also pays for touching shared code and heap arenas; the marginal cost
  // of more engines (one per thread) is what matters for the simulator.
  {
    constexpr int kExtra = 4;
    std::vector<std::unique_ptr<QueryEngine>> extra;
    long rss0 = RssKib();
    sqlite3_int64 sqlite0 = sqlite3_memory_used();
    for (int i = 0; i < kExtra; ++i) {
      extra.push_back(std::move(*QueryEngine::Create()));
      for (const char* sql : kQueries) {
        for (uint32_t h = 0; h < std::min<uint32_t>(hosts, 200); ++h) extra.back()->Execute(profiles[h], sql, now);
      }
    }
    std::printf("marginal memory per additional warmed-up engine: RSS %ld KiB, SQLite %lld KiB\n",
                (RssKib() - rss0) / kExtra, static_cast<long long>((sqlite3_memory_used() - sqlite0) / 1024 / kExtra));
  }

  std::printf("%-92s %10s %10s %10s\n", "query (over a mixed fleet; every call switches host)", "us/query", "rows",
              "bytes");
  for (const char* sql : kQueries) {
    size_t rows = 0;
    size_t bytes = 0;
    size_t failures = 0;
    auto start = Clock::now();
    for (int r = 0; r < rounds; ++r) {
      for (const HostProfile& p : profiles) {
        SqlAnswer a = engine.Execute(p, sql, now + r);
        rows += a.row_count;
        bytes += a.rows_json.size();
        failures += a.status != 0 ? 1 : 0;
      }
    }
    double calls = static_cast<double>(rounds) * hosts;
    double us = std::chrono::duration<double, std::micro>(Clock::now() - start).count() / calls;
    std::printf("%-92s %10.1f %10.1f %10.0f%s\n", sql, us, static_cast<double>(rows) / calls,
                static_cast<double>(bytes) / calls,
                failures > 0 ? (" (" + std::to_string(failures) + " status 1: no such table on some platforms)").c_str() : "");
  }
  return 0;
}
