#include "sim/host_db.h"

#include <algorithm>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "sim/host_profile.h"
#include "sim/host_tables.h"

namespace quarry::sim {
namespace {

constexpr int64_t kStart = 1767225600;       // 2026-01-01T00:00:00Z, the fleet start
constexpr int64_t kNow = kStart + 5 * 3600;  // the time the tests query at

FleetSpec TestFleet() {
  FleetSpec fleet;
  fleet.seed = 11;
  fleet.start_unix = kStart;
  return fleet;
}

HostProfile FindHost(const std::function<bool(const HostProfile&)>& pred, const FleetSpec& fleet = TestFleet()) {
  for (uint32_t i = 0; i < 100000; ++i) {
    HostProfile p = MakeHostProfile(fleet, i);
    if (pred(p)) return p;
  }
  ADD_FAILURE() << "no such host";
  return MakeHostProfile(fleet, 0);
}

class HostDbTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto engine = QueryEngine::Create();
    ASSERT_TRUE(engine.has_value()) << engine.error().message;
    engine_ = std::move(*engine);
  }

  // Runs `sql` and parses the rows; fails the test on an error answer.
  boost::json::array Rows(const HostProfile& host, std::string_view sql, int64_t now = kNow) {
    SqlAnswer a = engine_->Execute(host, sql, now);
    EXPECT_EQ(a.status, 0) << sql << ": " << a.message;
    EXPECT_EQ(a.message, "");
    boost::system::error_code ec;
    boost::json::value v = boost::json::parse(a.rows_json, ec);
    EXPECT_FALSE(ec) << a.rows_json.substr(0, 200);
    if (ec || !v.is_array()) return {};
    EXPECT_EQ(v.as_array().size(), a.row_count);
    for (const auto& row : v.as_array()) {
      EXPECT_TRUE(row.is_object());
      if (!row.is_object()) continue;
      for (const auto& [k, value] : row.as_object()) EXPECT_TRUE(value.is_string()) << sql << " column " << k;
    }
    return v.as_array();
  }

  std::unique_ptr<QueryEngine> engine_;
};

std::vector<std::string> Keys(const boost::json::value& row) {
  std::vector<std::string> keys;
  for (const auto& kv : row.as_object()) keys.emplace_back(kv.key());
  return keys;
}

std::string Str(const boost::json::value& row, std::string_view key) {
  return std::string(row.at(key).as_string());
}

bool IsUbuntu2204(const HostProfile& p) { return p.os == OsRelease::kUbuntu2204; }

std::string SelectAll(std::string_view table) { return "SELECT * FROM " + std::string(table); }

// ---- schemas ----------------------------------------------------------------------------

using Names = std::vector<std::string>;

// osquery 5.x column names (specs/*.table), per platform, in declaration order.
std::map<std::string, Names> ExpectedColumns(PlatformFamily family) {
  bool linux = family == PlatformFamily::kLinux;
  bool darwin = family == PlatformFamily::kDarwin;
  bool windows = family == PlatformFamily::kWindows;
  auto plus = [](Names base, bool when, const Names& extra) {
    if (when) base.insert(base.end(), extra.begin(), extra.end());
    return base;
  };
  std::map<std::string, Names> m;
  m["os_version"] = plus(plus({"name", "version", "major", "minor", "patch", "build", "platform", "platform_like",
                               "codename", "arch"},
                              darwin, {"extra"}),
                         windows, {"install_date", "revision"});
  m["system_info"] = plus({"hostname", "uuid", "cpu_type", "cpu_subtype", "cpu_brand", "cpu_physical_cores",
                           "cpu_logical_cores", "cpu_sockets", "cpu_microcode", "physical_memory", "hardware_vendor",
                           "hardware_model", "hardware_version", "hardware_serial", "board_vendor", "board_model",
                           "board_version", "board_serial", "computer_name", "local_hostname"},
                          windows, {"emulated_cpu_type"});
  m["osquery_info"] = {"pid", "uuid", "instance_id", "version", "config_hash", "config_valid", "extensions",
                       "build_platform", "build_distro", "start_time", "watcher", "platform_mask"};
  m["platform_info"] = plus(plus({"vendor", "version", "date", "revision", "extra"}, !linux, {"firmware_type"}),
                            !windows, {"address", "size", "volume_size"});
  m["processes"] = plus(plus(plus({"pid", "name", "path", "cmdline", "state", "cwd", "root", "uid", "gid", "euid",
                                   "egid", "suid", "sgid", "on_disk", "wired_size", "resident_size", "total_size",
                                   "user_time", "system_time", "disk_bytes_read", "disk_bytes_written",
                                   "start_time", "parent", "pgroup", "threads", "nice"},
                                  windows,
                                  {"elevated_token", "secure_process", "protection_type", "virtual_process",
                                   "elapsed_time", "handle_count", "percent_processor_time"}),
                             darwin, {"upid", "uppid", "cpu_type", "cpu_subtype", "translated"}),
                        linux, {"cgroup_path"});
  m["users"] = plus(plus({"uid", "gid", "uid_signed", "gid_signed", "username", "description", "directory", "shell",
                          "uuid"},
                         windows, {"type"}),
                    darwin, {"is_hidden"});
  m["logged_in_users"] = plus({"type", "user", "tty", "host", "time", "pid"}, windows, {"sid", "registry_hive"});
  if (!windows) m["last"] = {"username", "tty", "pid", "type", "type_name", "time", "host"};
  m["time"] = plus({"weekday", "year", "month", "day", "hour", "minutes", "seconds", "timezone", "local_timezone",
                    "unix_time", "timestamp", "datetime", "iso_8601"},
                   windows, {"win_timestamp"});
  m["uptime"] = {"days", "hours", "minutes", "seconds", "total_seconds"};
  m["interface_addresses"] = plus({"interface", "address", "mask", "broadcast", "point_to_point", "type"}, windows,
                                  {"friendly_name"});
  m["listening_ports"] = plus({"pid", "port", "protocol", "family", "address", "fd", "socket", "path"}, linux,
                              {"net_namespace"});
  m["kernel_info"] = {"version", "arguments", "path", "device"};
  if (linux) {
    m["deb_packages"] = {"name", "version", "source", "size", "arch", "revision", "status", "maintainer", "section",
                         "priority", "admindir"};
    m["rpm_packages"] = {"name", "version", "release", "source", "size", "sha1", "arch", "epoch", "install_time",
                         "vendor", "package_group"};
  }
  if (windows) {
    m["programs"] = {"name", "version", "install_location", "install_source", "language", "publisher",
                     "uninstall_string", "install_date", "identifying_number"};
  }
  if (darwin) {
    m["apps"] = {"name", "path", "bundle_executable", "bundle_identifier", "bundle_name", "bundle_short_version",
                 "bundle_version", "bundle_package_type", "environment", "element", "compiler", "development_region",
                 "display_name", "info_string", "minimum_system_version", "category", "applescript_enabled",
                 "copyright", "last_opened_time"};
  }
  return m;
}

TEST_F(HostDbTest, EveryTableHasOsquerysColumnsOnEveryPlatform) {
  for (PlatformFamily family : {PlatformFamily::kLinux, PlatformFamily::kDarwin, PlatformFamily::kWindows}) {
    SCOPED_TRACE(PlatformFamilyName(family));
    HostProfile host = FindHost([&](const HostProfile& p) { return p.family == family; },
                                [] {
                                  FleetSpec f = TestFleet();
                                  f.mix = {1, 1, 1};
                                  return f;
                                }());
    std::map<std::string, Names> expected = ExpectedColumns(family);
    std::set<std::string> present;
    for (const TableDef& t : HostTables()) {
      if (!TableOnPlatform(t, family)) {
        SqlAnswer a = engine_->Execute(host, SelectAll(t.name), kNow);
        EXPECT_EQ(a.status, 1) << t.name;
        EXPECT_EQ(a.message, "no such table: " + std::string(t.name));
        continue;
      }
      present.insert(std::string(t.name));
      Names declared;
      for (size_t c : TableColumns(t, family)) declared.emplace_back(t.columns[c].name);
      EXPECT_EQ(declared, expected[std::string(t.name)]) << t.name;
      // And SQLite sees the same, with osquery's declared types.
      boost::json::array info = Rows(host, "PRAGMA table_info(" + std::string(t.name) + ")");
      Names via_sql;
      for (const auto& row : info) via_sql.push_back(Str(row, "name"));
      EXPECT_EQ(via_sql, declared) << t.name;
      // SELECT * keeps that order.
      SqlAnswer all = engine_->Execute(host, SelectAll(t.name), kNow);
      ASSERT_EQ(all.status, 0) << all.message;
      if (all.row_count > 0) {
        EXPECT_EQ(Keys(boost::json::parse(all.rows_json).as_array().at(0)), declared) << t.name;
      }
    }
    std::set<std::string> wanted;
    for (const auto& [name, cols] : expected) wanted.insert(name);
    EXPECT_EQ(present, wanted);
  }
}

// ---- the Splunk app's sample queries ----------------------------------------------------

TEST_F(HostDbTest, OsVersionSample) {
  HostProfile host = FindHost(IsUbuntu2204);
  boost::json::array rows = Rows(host, "SELECT name, major, minor FROM os_version");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(Keys(rows[0]), (Names{"name", "major", "minor"}));
  EXPECT_EQ(Str(rows[0], "name"), "Ubuntu");
  EXPECT_EQ(Str(rows[0], "major"), "22");
  EXPECT_EQ(Str(rows[0], "minor"), "4");
  SqlAnswer raw = engine_->Execute(host, "SELECT name, major, minor FROM os_version", kNow);
  EXPECT_EQ(raw.rows_json, R"([{"name":"Ubuntu","major":"22","minor":"4"}])");
}

TEST_F(HostDbTest, ProcessesWithoutBinaryAreRareButPresent) {
  FleetSpec fleet = TestFleet();
  int hosts_hit = 0;
  int rows_total = 0;
  constexpr int kHosts = 2000;
  for (uint32_t i = 0; i < kHosts; ++i) {
    HostProfile host = MakeHostProfile(fleet, i);
    boost::json::array rows = Rows(host, "SELECT pid, name, path FROM processes WHERE on_disk = 0");
    if (!rows.empty()) ++hosts_hit;
    rows_total += static_cast<int>(rows.size());
    for (const auto& row : rows) {
      EXPECT_EQ(Keys(row), (Names{"pid", "name", "path"}));
      EXPECT_FALSE(Str(row, "path").empty());
    }
    EXPECT_LE(rows.size(), 2u);
  }
  EXPECT_GT(hosts_hit, 0);
  EXPECT_LT(hosts_hit, kHosts / 10);
  EXPECT_GE(rows_total, hosts_hit);
}

TEST_F(HostDbTest, RootLoginsInTheLastHour) {
  FleetSpec fleet = TestFleet();
  int linux_hosts = 0;
  int with_root = 0;
  for (uint32_t i = 0; i < 2000; ++i) {
    HostProfile host = MakeHostProfile(fleet, i);
    if (host.family == PlatformFamily::kWindows) continue;
    if (host.family == PlatformFamily::kLinux) ++linux_hosts;
    boost::json::array rows =
        Rows(host, "SELECT * FROM last WHERE username = 'root' AND time > (SELECT unix_time FROM time) - 3600");
    boost::json::array same =
        Rows(host, "SELECT * FROM last WHERE username = 'root' AND time > strftime('%s','now') - 3600");
    EXPECT_EQ(boost::json::serialize(rows), boost::json::serialize(same));
    if (!rows.empty()) ++with_root;
    for (const auto& row : rows) {
      EXPECT_EQ(Keys(row), (Names{"username", "tty", "pid", "type", "type_name", "time", "host"}));
      EXPECT_EQ(Str(row, "type"), "7");
      int64_t t = std::stoll(Str(row, "time"));
      EXPECT_GT(t, kNow - 3600);
      EXPECT_LE(t, kNow);
    }
  }
  EXPECT_GT(with_root, 0);
  EXPECT_LT(with_root, linux_hosts / 2);
}

TEST_F(HostDbTest, LoginHistoryMovesWithTime) {
  HostProfile host = FindHost([](const HostProfile& p) { return p.root_logins_per_hour > 0.2; });
  std::set<std::string> seen;
  int hours_with_root = 0;
  for (int h = 0; h < 48; ++h) {
    boost::json::array rows = Rows(host, "SELECT time FROM last WHERE username = 'root' AND time > "
                                         "(SELECT unix_time FROM time) - 3600",
                                   kNow + h * 3600);
    if (!rows.empty()) ++hours_with_root;
    for (const auto& r : rows) seen.insert(Str(r, "time"));
  }
  EXPECT_GT(hours_with_root, 0);
  EXPECT_LT(hours_with_root, 48);
  EXPECT_GT(seen.size(), 2u);
}

// ---- errors like osqueryd's -------------------------------------------------------------

TEST_F(HostDbTest, UnknownTableAndSyntaxErrorsCarrySqlitesMessage) {
  HostProfile host = MakeHostProfile(TestFleet(), 0);
  SqlAnswer a = engine_->Execute(host, "SELECT * FROM nosuch", kNow);
  EXPECT_EQ(a.status, 1);
  EXPECT_EQ(a.message, "no such table: nosuch");
  EXPECT_EQ(a.rows_json, "[]");
  EXPECT_EQ(a.row_count, 0u);

  a = engine_->Execute(host, "selec * from processes", kNow);
  EXPECT_EQ(a.status, 1);
  EXPECT_EQ(a.message, "near \"selec\": syntax error");
  EXPECT_EQ(a.rows_json, "[]");

  a = engine_->Execute(host, "SELECT nosuchcol FROM processes", kNow);
  EXPECT_EQ(a.status, 1);
  EXPECT_EQ(a.message, "no such column: nosuchcol");

  // An error in a later statement fails the whole query, as in osqueryd.
  a = engine_->Execute(host, "SELECT 1; SELECT * FROM nosuch", kNow);
  EXPECT_EQ(a.status, 1);
  EXPECT_EQ(a.rows_json, "[]");
}

TEST_F(HostDbTest, StateChangingStatementsAreRefused) {
  HostProfile host = MakeHostProfile(TestFleet(), 0);
  for (const char* sql : {"CREATE TABLE t(x)", "CREATE TEMP TABLE t(x)", "ATTACH DATABASE ':memory:' AS other",
                          "PRAGMA writable_schema = 1", "BEGIN", "DROP TABLE processes",
                          "CREATE VIEW v AS SELECT 1"}) {
    SqlAnswer a = engine_->Execute(host, sql, kNow);
    EXPECT_EQ(a.status, 1) << sql;
    EXPECT_FALSE(a.message.empty()) << sql;
  }
  // Still healthy afterwards.
  EXPECT_EQ(Rows(host, "SELECT count(*) AS n FROM os_version").at(0).at("n").as_string(), "1");
}

// ---- value rendering --------------------------------------------------------------------

TEST_F(HostDbTest, ValuesRenderAsOsqueryStrings) {
  HostProfile host = MakeHostProfile(TestFleet(), 0);
  SqlAnswer a = engine_->Execute(
      host, "SELECT 1.0 AS one, 0.1 AS tenth, 2.0/3 AS third, 1e20 AS big, -7 AS neg, 9223372036854775807 AS max, "
            "NULL AS nul, 'x' AS text",
      kNow);
  ASSERT_EQ(a.status, 0) << a.message;
  EXPECT_EQ(a.rows_json,
            R"([{"one":"1.0","tenth":"0.1","third":"0.666666666666667","big":"1e+20.0","neg":"-7",)"
            R"("max":"9223372036854775807","nul":"","text":"x"}])");
  // Control characters and invalid UTF-8 still give valid JSON.
  a = engine_->Execute(host, "SELECT char(10) || '\"' || char(92) AS s, CAST(x'ff41' AS TEXT) AS bad, 'é' AS ok", kNow);
  ASSERT_EQ(a.status, 0) << a.message;
  EXPECT_EQ(a.rows_json, "[{\"s\":\"\\n\\\"\\\\\",\"bad\":\"\\ufffdA\",\"ok\":\"\xc3\xa9\"}]");
  boost::json::parse(a.rows_json);
}

TEST_F(HostDbTest, ColumnOrderAndDuplicateNamesFollowOsquery) {
  HostProfile host = FindHost(IsUbuntu2204);
  boost::json::array rows = Rows(host, "SELECT path, 1 AS one, pid, name FROM processes WHERE pid = 1");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(Keys(rows[0]), (Names{"path", "one", "pid", "name"}));
  EXPECT_EQ(Str(rows[0], "name"), "systemd");
  // osquery's row is a map: a repeated name is written twice with its last value.
  SqlAnswer a = engine_->Execute(host, "SELECT 1 AS a, 2 AS b, 3 AS a", kNow);
  EXPECT_EQ(a.rows_json, R"([{"a":"3","b":"2","a":"3"}])");
  a = engine_->Execute(host, "SELECT p.pid, l.pid FROM processes p JOIN listening_ports l USING (pid) LIMIT 1", kNow);
  ASSERT_EQ(a.status, 0);
  EXPECT_TRUE(a.rows_json.starts_with(R"([{"pid":")")) << a.rows_json;
}

TEST_F(HostDbTest, ComputedColumnsAreStrings) {
  HostProfile host = FindHost(IsUbuntu2204);
  boost::json::array all = Rows(host, "SELECT * FROM processes");
  boost::json::array agg = Rows(host, "SELECT count(*) AS n, sum(resident_size) AS rss, avg(threads) AS t, "
                                      "max(start_time) - min(start_time) AS span FROM processes");
  ASSERT_EQ(agg.size(), 1u);
  EXPECT_EQ(Str(agg[0], "n"), std::to_string(all.size()));
  EXPECT_NE(Str(agg[0], "t").find('.'), std::string::npos);  // a double
  EXPECT_GT(std::stoll(Str(agg[0], "rss")), 0);
}

// ---- tables behave like a real host -----------------------------------------------------

TEST_F(HostDbTest, JoinsAndAggregatesAcrossTheHostsTables) {
  HostProfile host = FindHost([](const HostProfile& p) { return p.family == PlatformFamily::kLinux; });
  boost::json::array ssh = Rows(host, "SELECT p.name, p.path, l.port, l.address FROM listening_ports l "
                                      "JOIN processes p USING (pid) WHERE l.port = 22");
  ASSERT_FALSE(ssh.empty());
  EXPECT_EQ(Str(ssh[0], "name"), "sshd");
  EXPECT_EQ(Str(ssh[0], "path"), "/usr/sbin/sshd");
  // Every listening pid is a process.
  boost::json::array orphans = Rows(host, "SELECT pid FROM listening_ports WHERE pid NOT IN (SELECT pid FROM processes)");
  EXPECT_TRUE(orphans.empty());
  // Users own processes.
  boost::json::array by_user = Rows(host, "SELECT u.username, count(p.pid) AS n FROM users u "
                                          "JOIN processes p ON p.uid = u.uid GROUP BY u.username ORDER BY n DESC");
  ASSERT_FALSE(by_user.empty());
  EXPECT_EQ(Str(by_user[0], "username"), "root");
  // osquery_info points at the osqueryd worker.
  boost::json::array self = Rows(host, "SELECT p.name, p.parent = i.watcher AS from_watcher FROM osquery_info i "
                                       "JOIN processes p ON p.pid = i.pid");
  ASSERT_EQ(self.size(), 1u);
  EXPECT_EQ(Str(self[0], "name"), "osqueryd");
  EXPECT_EQ(Str(self[0], "from_watcher"), "1");
  // Subqueries, CTEs and window functions are plain SQLite.
  boost::json::array ranked = Rows(host, "WITH r AS (SELECT name, resident_size, rank() OVER (ORDER BY resident_size "
                                         "DESC) AS k FROM processes) SELECT name FROM r WHERE k <= 3");
  EXPECT_GE(ranked.size(), 3u);
}

TEST_F(HostDbTest, TimeAndUptimeFollowNow) {
  HostProfile host = MakeHostProfile(TestFleet(), 3);
  boost::json::array t = Rows(host, "SELECT unix_time, strftime('%s','now') AS sqlite_now, datetime, year FROM time");
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(Str(t[0], "unix_time"), std::to_string(kNow));
  EXPECT_EQ(Str(t[0], "sqlite_now"), std::to_string(kNow));
  EXPECT_EQ(Str(t[0], "datetime"), "2026-01-01T05:00:00Z");
  EXPECT_EQ(Str(t[0], "year"), "2026");
  boost::json::array u = Rows(host, "SELECT total_seconds, days FROM uptime");
  EXPECT_EQ(Str(u[0], "total_seconds"), std::to_string(kNow - host.boot_time));
  boost::json::array later = Rows(host, "SELECT total_seconds FROM uptime", kNow + 600);
  EXPECT_EQ(Str(later[0], "total_seconds"), std::to_string(kNow + 600 - host.boot_time));
}

TEST_F(HostDbTest, ProcessCountsAndStabilityOverTime) {
  FleetSpec fleet = TestFleet();
  fleet.mix = {1, 1, 1};
  for (uint32_t i = 0; i < 400; ++i) {
    HostProfile host = MakeHostProfile(fleet, i);
    SqlAnswer a = engine_->Execute(host, "SELECT pid FROM processes", kNow);
    ASSERT_EQ(a.status, 0);
    EXPECT_GE(a.row_count, 30u) << host.hostname << " " << HostRoleName(host.role);
    EXPECT_LE(a.row_count, 120u) << host.hostname << " " << HostRoleName(host.role);
    SqlAnswer dup = engine_->Execute(host, "SELECT pid, count(*) AS n FROM processes GROUP BY pid HAVING n > 1", kNow);
    EXPECT_EQ(dup.rows_json, "[]") << host.hostname;
  }
  HostProfile host = FindHost(IsUbuntu2204);
  const char* kSql = "SELECT pid, name, start_time, user_time FROM processes WHERE name = 'sshd' AND parent = 1";
  boost::json::array a = Rows(host, kSql);
  boost::json::array b = Rows(host, kSql);
  boost::json::array c = Rows(host, kSql, kNow + 86400);
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(boost::json::serialize(a), boost::json::serialize(b));
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(Str(a[0], "pid"), Str(c[0], "pid"));                // the same daemon a day later,
  EXPECT_EQ(Str(a[0], "start_time"), Str(c[0], "start_time"));  // started at the same time,
  EXPECT_GT(std::stoll(Str(c[0], "user_time")), std::stoll(Str(a[0], "user_time")));  // more CPU
}

TEST_F(HostDbTest, PackagesMatchTheDistro) {
  HostProfile ubuntu = FindHost(IsUbuntu2204);
  boost::json::array deb = Rows(ubuntu, "SELECT name, version, arch FROM deb_packages");
  EXPECT_GE(deb.size(), 150u);
  boost::json::array openssl = Rows(ubuntu, "SELECT version FROM deb_packages WHERE name = 'openssl'");
  ASSERT_EQ(openssl.size(), 1u);
  EXPECT_TRUE(Str(openssl[0], "version").starts_with("3.0.2-0ubuntu1.")) << Str(openssl[0], "version");
  EXPECT_EQ(Rows(ubuntu, "SELECT * FROM rpm_packages").size(), 0u);

  HostProfile rhel = FindHost([](const HostProfile& p) { return p.os == OsRelease::kRhel9; });
  boost::json::array rpm = Rows(rhel, "SELECT name, version, release, epoch FROM rpm_packages");
  EXPECT_GE(rpm.size(), 100u);
  boost::json::array ssl = Rows(rhel, "SELECT version, epoch, vendor FROM rpm_packages WHERE name = 'openssl'");
  ASSERT_EQ(ssl.size(), 1u);
  EXPECT_EQ(Str(ssl[0], "version"), "3.0.7");
  EXPECT_EQ(Str(ssl[0], "epoch"), "1");
  EXPECT_EQ(Str(ssl[0], "vendor"), "Red Hat, Inc.");
  EXPECT_EQ(Rows(rhel, "SELECT * FROM deb_packages").size(), 0u);
  boost::json::array kernel = Rows(rhel, "SELECT k.version FROM kernel_info k");
  EXPECT_EQ(Str(kernel[0], "version"), rhel.kernel_version);

  HostProfile win = FindHost([](const HostProfile& p) { return p.family == PlatformFamily::kWindows; });
  EXPECT_GE(Rows(win, "SELECT * FROM programs").size(), 5u);
  HostProfile mac = FindHost([](const HostProfile& p) { return p.family == PlatformFamily::kDarwin; });
  boost::json::array apps = Rows(mac, "SELECT name, last_opened_time FROM apps WHERE name = 'Safari.app'");
  ASSERT_EQ(apps.size(), 1u);
  // A DOUBLE column: 15 significant digits, so 10 integer digits leave at most 5 decimals.
  std::string opened = Str(apps[0], "last_opened_time");
  ASSERT_NE(opened.find('.'), std::string::npos) << opened;
  EXPECT_LE(opened.size() - opened.find('.') - 1, 5u) << opened;
}

TEST_F(HostDbTest, EnrollDetailsAgreeWithTheTables) {
  HostProfile host = FindHost(IsUbuntu2204);
  boost::json::value body = boost::json::parse(EnrollBody(host, "x"));
  boost::json::array os = Rows(host, "SELECT * FROM os_version");
  for (const auto& [k, v] : os[0].as_object()) {
    EXPECT_EQ(body.at("host_details").at("os_version").at(k), v) << k;
  }
  boost::json::array info = Rows(host, "SELECT * FROM osquery_info");
  EXPECT_EQ(Str(info[0], "config_valid"), "1");  // loaded by the time queries run
  EXPECT_EQ(Str(info[0], "uuid"), host.host_identifier);
}

// ---- engine mechanics -------------------------------------------------------------------

TEST_F(HostDbTest, CachedStatementsAnswerForTheCurrentHost) {
  FleetSpec fleet = TestFleet();
  std::set<std::string> names;
  for (uint32_t i = 0; i < 50; ++i) {
    HostProfile host = MakeHostProfile(fleet, i);
    boost::json::array rows = Rows(host, "SELECT hostname FROM system_info");
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(Str(rows[0], "hostname"), host.hostname);
    names.insert(Str(rows[0], "hostname"));
  }
  EXPECT_EQ(names.size(), 50u);
  EXPECT_GE(engine_->Memory().cached_statements, 1u);
}

TEST_F(HostDbTest, MultipleStatementsAndEmptySql) {
  HostProfile host = MakeHostProfile(TestFleet(), 0);
  SqlAnswer a = engine_->Execute(host, "SELECT 1 AS x; SELECT 2 AS x;", kNow);
  EXPECT_EQ(a.status, 0);
  EXPECT_EQ(a.rows_json, R"([{"x":"1"},{"x":"2"}])");
  EXPECT_EQ(a.row_count, 2u);
  // Like osqueryd (a C string), nothing after a NUL byte is seen.
  a = engine_->Execute(host, std::string_view("SELECT 1 AS x\0; garbage", 24), kNow);
  EXPECT_EQ(a.status, 0) << a.message;
  EXPECT_EQ(a.rows_json, R"([{"x":"1"}])");
  for (const char* sql : {"", "   ", ";", "-- nothing\n"}) {
    a = engine_->Execute(host, sql, kNow);
    EXPECT_EQ(a.status, 0) << sql;
    EXPECT_EQ(a.rows_json, "[]");
  }
}

TEST(HostDbLimitsTest, TimeLimitInterruptsRunawayQueries) {
  QueryEngineOptions options;
  options.time_limit = std::chrono::milliseconds(50);
  auto engine = QueryEngine::Create(options);
  ASSERT_TRUE(engine.has_value());
  HostProfile host = MakeHostProfile(TestFleet(), 0);
  SqlAnswer a = (*engine)->Execute(
      host, "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c", kNow);
  EXPECT_EQ(a.status, 1);
  EXPECT_NE(a.message.find("interrupted"), std::string::npos) << a.message;
  EXPECT_EQ(a.rows_json, "[]");
  // The next query is unaffected.
  a = (*engine)->Execute(host, "SELECT 1 AS x", kNow);
  EXPECT_EQ(a.rows_json, R"([{"x":"1"}])");
}

TEST(HostDbLimitsTest, ResultSizeLimit) {
  QueryEngineOptions options;
  options.max_result_bytes = 2000;
  auto engine = QueryEngine::Create(options);
  ASSERT_TRUE(engine.has_value());
  HostProfile host = MakeHostProfile(TestFleet(), 0);
  SqlAnswer a = (*engine)->Execute(host, "SELECT * FROM processes", kNow);
  EXPECT_EQ(a.status, 1);
  EXPECT_EQ(a.rows_json, "[]");
  a = (*engine)->Execute(host, "SELECT name FROM os_version", kNow);
  EXPECT_EQ(a.status, 0);
}

TEST(HostDbLimitsTest, SqlLengthLimitAndBadOptions) {
  QueryEngineOptions options;
  options.max_sql_bytes = 100;
  auto engine = QueryEngine::Create(options);
  ASSERT_TRUE(engine.has_value());
  HostProfile host = MakeHostProfile(TestFleet(), 0);
  std::string sql = "SELECT 1 AS x" + std::string(99, ' ');
  SqlAnswer a = (*engine)->Execute(host, sql, kNow);
  EXPECT_EQ(a.status, 1);
  a = (*engine)->Execute(host, "SELECT 1 AS x", kNow);
  EXPECT_EQ(a.status, 0) << a.message;

  options.time_limit = std::chrono::milliseconds(0);
  EXPECT_FALSE(QueryEngine::Create(options).has_value());
}

TEST_F(HostDbTest, MemoryStatsCountOpenedConnections) {
  EXPECT_EQ(engine_->Memory().connections, 0u);
  engine_->Execute(FindHost([](const HostProfile& p) { return p.family == PlatformFamily::kLinux; }), "SELECT 1", kNow);
  QueryEngine::MemoryStats m = engine_->Memory();
  EXPECT_EQ(m.connections, 1u);
  EXPECT_GT(m.sqlite_bytes, 0u);
}

}  // namespace
}  // namespace quarry::sim
