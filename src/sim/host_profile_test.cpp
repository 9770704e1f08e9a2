#include "sim/host_profile.h"

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "sim/host_tables.h"

namespace quarry::sim {
namespace {

FleetSpec TestFleet(uint64_t seed = 7) {
  FleetSpec fleet;
  fleet.seed = seed;
  return fleet;
}

TEST(HostProfileTest, SameInputsGiveTheSameHost) {
  FleetSpec fleet = TestFleet();
  for (uint32_t index : {0u, 1u, 42u, 99999u}) {
    HostProfile a = MakeHostProfile(fleet, index);
    HostProfile b = MakeHostProfile(fleet, index);
    EXPECT_EQ(a.seed, b.seed);
    EXPECT_EQ(a.host_identifier, b.host_identifier);
    EXPECT_EQ(a.hostname, b.hostname);
    EXPECT_EQ(a.os, b.os);
    EXPECT_EQ(a.kernel_version, b.kernel_version);
    EXPECT_EQ(a.boot_time, b.boot_time);
    EXPECT_EQ(a.hardware_serial, b.hardware_serial);
    EXPECT_EQ(EnrollBody(a, "s"), EnrollBody(b, "s"));
    // Tables too: same host, same time, same rows.
    for (const TableDef& t : HostTables()) {
      RowBuffer ra, rb;
      GenerateTable(t, a, fleet.start_unix + 100, ra);
      GenerateTable(t, b, fleet.start_unix + 100, rb);
      ASSERT_EQ(ra.rows(), rb.rows()) << t.name;
      for (size_t r = 0; r < ra.rows(); ++r) {
        for (size_t c = 0; c < ra.width(); ++c) ASSERT_EQ(ra.Get(r, c), rb.Get(r, c)) << t.name;
      }
    }
  }
}

TEST(HostProfileTest, DifferentIndexOrSeedGivesADifferentHost) {
  FleetSpec fleet = TestFleet();
  HostProfile a = MakeHostProfile(fleet, 1);
  HostProfile b = MakeHostProfile(fleet, 2);
  EXPECT_NE(a.seed, b.seed);
  EXPECT_NE(a.host_identifier, b.host_identifier);
  EXPECT_NE(a.hostname, b.hostname);
  HostProfile c = MakeHostProfile(TestFleet(8), 1);
  EXPECT_NE(a.host_identifier, c.host_identifier);

  std::set<std::string> ids;
  std::set<std::string> instance_ids;
  for (uint32_t i = 0; i < 10000; ++i) {
    HostProfile p = MakeHostProfile(fleet, i);
    ids.insert(p.host_identifier);
    instance_ids.insert(p.instance_id);
  }
  EXPECT_EQ(ids.size(), 10000u);
  EXPECT_EQ(instance_ids.size(), 10000u);
}

bool IsUuidShaped(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash != (s[i] == '-')) return false;
    if (!dash && !std::isxdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  return true;
}

TEST(HostProfileTest, IdentityLooksReal) {
  FleetSpec fleet = TestFleet();
  for (uint32_t i = 0; i < 2000; ++i) {
    HostProfile p = MakeHostProfile(fleet, i);
    SCOPED_TRACE(p.hostname);
    EXPECT_TRUE(IsUuidShaped(p.host_identifier)) << p.host_identifier;
    EXPECT_TRUE(IsUuidShaped(p.instance_id));
    EXPECT_FALSE(p.hostname.empty());
    EXPECT_FALSE(p.os_name.empty());
    EXPECT_FALSE(p.kernel_version.empty());
    EXPECT_GT(p.cpu_logical_cores, 0);
    EXPECT_GE(p.cpu_logical_cores, p.cpu_physical_cores);
    EXPECT_GT(p.physical_memory, int64_t{1} << 30);
    EXPECT_LT(p.boot_time, fleet.start_unix);
    EXPECT_GE(p.osquery_start_time, p.boot_time);
    EXPECT_LE(p.osquery_start_time, fleet.start_unix);
    EXPECT_NE(p.osquery_pid, p.watcher_pid);
    switch (p.family) {
      case PlatformFamily::kLinux:
        EXPECT_TRUE(p.hostname.ends_with(".example.internal") || p.hostname.ends_with(".ec2.internal"));
        EXPECT_NE(p.package_format, PackageFormat::kNone);
        break;
      case PlatformFamily::kDarwin:
        EXPECT_TRUE(p.hostname.ends_with(".local"));
        EXPECT_EQ(p.role, HostRole::kWorkstation);
        EXPECT_FALSE(p.owner_full_name.empty());
        break;
      case PlatformFamily::kWindows:
        EXPECT_EQ(p.hostname, p.computer_name);
        break;
    }
  }
}

// Shares of each value of `key` over `n` hosts.
template <class F>
std::map<std::string, double> Shares(const FleetSpec& fleet, uint32_t n, F key) {
  std::map<std::string, double> counts;
  double total = 0;
  for (uint32_t i = 0; i < n; ++i) {
    HostProfile p = MakeHostProfile(fleet, i);
    std::string k = key(p);
    if (k.empty()) continue;
    counts[k] += 1;
    total += 1;
  }
  for (auto& [k, v] : counts) v /= total;
  return counts;
}

TEST(HostProfileTest, PlatformMixIsFollowed) {
  FleetSpec fleet = TestFleet();
  auto family = [](const HostProfile& p) { return std::string(PlatformFamilyName(p.family)); };
  auto shares = Shares(fleet, 10000, family);
  EXPECT_NEAR(shares["linux"], 0.80, 0.02);
  EXPECT_NEAR(shares["darwin"], 0.12, 0.02);
  EXPECT_NEAR(shares["windows"], 0.08, 0.02);

  auto mix = ParsePlatformMix("linux=50, darwin=30,windows=20");
  ASSERT_TRUE(mix.has_value());
  fleet.mix = *mix;
  shares = Shares(fleet, 10000, family);
  EXPECT_NEAR(shares["linux"], 0.50, 0.02);
  EXPECT_NEAR(shares["darwin"], 0.30, 0.02);
  EXPECT_NEAR(shares["windows"], 0.20, 0.02);

  fleet.mix = *ParsePlatformMix("windows");
  for (uint32_t i = 0; i < 200; ++i) EXPECT_EQ(MakeHostProfile(fleet, i).family, PlatformFamily::kWindows);
}

TEST(HostProfileTest, LinuxDistrosFollowARealFleet) {
  FleetSpec fleet = TestFleet();
  fleet.mix = *ParsePlatformMix("linux");
  auto shares = Shares(fleet, 10000, [](const HostProfile& p) {
    std::string name = p.os_platform + " " + std::to_string(p.os_major);
    return name;
  });
  EXPECT_NEAR(shares["ubuntu 22"], 0.35, 0.025);
  EXPECT_NEAR(shares["ubuntu 20"], 0.15, 0.02);
  EXPECT_NEAR(shares["ubuntu 24"], 0.10, 0.02);
  EXPECT_NEAR(shares["debian 12"], 0.12, 0.02);
  EXPECT_NEAR(shares["debian 11"], 0.05, 0.015);
  EXPECT_NEAR(shares["rhel 8"] + shares["rhel 9"], 0.08, 0.02);
  EXPECT_NEAR(shares["rocky 9"], 0.05, 0.015);
  EXPECT_NEAR(shares["amzn 2"] + shares["amzn 2023"], 0.07, 0.02);
  EXPECT_NEAR(shares["centos 7"], 0.03, 0.01);
  double total = 0;
  for (auto& [k, v] : shares) total += v;
  EXPECT_NEAR(total, 1.0, 1e-9);
}

TEST(HostProfileTest, DarwinAndWindowsReleases) {
  FleetSpec fleet = TestFleet();
  fleet.mix = *ParsePlatformMix("darwin=1,windows=1");
  auto shares = Shares(fleet, 10000, [](const HostProfile& p) {
    if (p.family == PlatformFamily::kDarwin) return "macOS " + std::to_string(p.os_major);
    return p.os_name.find("Server 2019") != std::string::npos   ? std::string("Server 2019")
           : p.os_name.find("Server 2022") != std::string::npos ? std::string("Server 2022")
           : p.os_name.find("Windows 11") != std::string::npos  ? std::string("Windows 11")
                                                                 : std::string("Windows 10");
  });
  EXPECT_NEAR(shares["macOS 13"], 0.10, 0.02);
  EXPECT_NEAR(shares["macOS 14"], 0.175, 0.02);
  EXPECT_NEAR(shares["macOS 15"], 0.225, 0.02);
  EXPECT_NEAR(shares["Windows 10"], 0.15, 0.02);
  EXPECT_NEAR(shares["Windows 11"], 0.225, 0.02);
  EXPECT_NEAR(shares["Server 2019"], 0.05, 0.015);
  EXPECT_NEAR(shares["Server 2022"], 0.075, 0.015);
}

TEST(HostProfileTest, OsqueryVersionsSpanTheSupportedRange) {
  auto shares = Shares(TestFleet(), 10000, [](const HostProfile& p) { return p.osquery_version; });
  EXPECT_GE(shares.size(), 14u);
  EXPECT_GT(shares["5.10.2"], 0.0);
  EXPECT_GT(shares["5.23.1"], shares["5.10.2"]);
  for (const auto& [version, share] : shares) {
    EXPECT_TRUE(version.starts_with("5.1") || version.starts_with("5.2")) << version;
  }
}

TEST(HostProfileTest, ParsePlatformMixRejectsBadInput) {
  EXPECT_FALSE(ParsePlatformMix("").has_value());
  EXPECT_FALSE(ParsePlatformMix("solaris=1").has_value());
  EXPECT_FALSE(ParsePlatformMix("linux=-1").has_value());
  EXPECT_FALSE(ParsePlatformMix("linux=abc").has_value());
  EXPECT_FALSE(ParsePlatformMix("linux=0,darwin=0").has_value());
  auto mix = ParsePlatformMix("macos=2,linux=0.5");
  ASSERT_TRUE(mix.has_value());
  EXPECT_DOUBLE_EQ(mix->darwin_weight, 2);
  EXPECT_DOUBLE_EQ(mix->linux_weight, 0.5);
  EXPECT_DOUBLE_EQ(mix->windows_weight, 0);
}

std::vector<std::string> Keys(const boost::json::object& o) {
  std::vector<std::string> keys;
  for (const auto& kv : o) keys.emplace_back(kv.key());
  return keys;
}

TEST(EnrollBodyTest, HasOsquerysExactShape) {
  FleetSpec fleet = TestFleet();
  bool saw_missing_platform_info = false;
  bool saw_platform_info = false;
  std::set<std::string> platform_types;
  for (uint32_t i = 0; i < 300; ++i) {
    HostProfile p = MakeHostProfile(fleet, i);
    std::string body = EnrollBody(p, "sekret");
    boost::system::error_code ec;
    boost::json::value v = boost::json::parse(body, ec);
    ASSERT_FALSE(ec) << body;
    ASSERT_TRUE(v.is_object());
    const auto& top = v.as_object();
    EXPECT_EQ(Keys(top), (std::vector<std::string>{"enroll_secret", "host_identifier", "platform_type", "host_details"}));
    EXPECT_EQ(top.at("enroll_secret").as_string(), "sekret");
    EXPECT_EQ(top.at("host_identifier").as_string(), p.host_identifier);
    std::string platform_type(top.at("platform_type").as_string());
    platform_types.insert(platform_type);
    EXPECT_EQ(platform_type, p.family == PlatformFamily::kLinux    ? "9"
                             : p.family == PlatformFamily::kDarwin ? "21"
                                                                   : "2");
    const auto& details = top.at("host_details").as_object();
    std::vector<std::string> tables = Keys(details);
    EXPECT_TRUE(std::is_sorted(tables.begin(), tables.end()));
    EXPECT_TRUE(details.contains("os_version"));
    EXPECT_TRUE(details.contains("osquery_info"));
    EXPECT_TRUE(details.contains("system_info"));
    (details.contains("platform_info") ? saw_platform_info : saw_missing_platform_info) = true;
    for (const auto& [table, row] : details) {
      ASSERT_TRUE(row.is_object()) << table;
      std::vector<std::string> cols = Keys(row.as_object());
      EXPECT_TRUE(std::is_sorted(cols.begin(), cols.end())) << table;
      for (const auto& [col, value] : row.as_object()) {
        EXPECT_TRUE(value.is_string()) << table << "." << col;
      }
      // Exactly the table's columns on this platform.
      const TableDef* def = FindHostTable(table);
      ASSERT_NE(def, nullptr);
      std::vector<std::string> expected;
      for (size_t c : TableColumns(*def, p.family)) expected.emplace_back(def->columns[c].name);
      std::sort(expected.begin(), expected.end());
      EXPECT_EQ(cols, expected) << table;
    }
    const auto& info = details.at("osquery_info").as_object();
    EXPECT_EQ(info.at("config_valid").as_string(), "0");  // read before the config loads
    EXPECT_EQ(info.at("config_hash").as_string(), "");
    EXPECT_EQ(info.at("version").as_string(), p.osquery_version);
    EXPECT_EQ(details.at("system_info").as_object().at("hostname").as_string(), p.hostname);
    EXPECT_EQ(details.at("os_version").as_object().at("major").as_string(), std::to_string(p.os_major));
  }
  EXPECT_TRUE(saw_platform_info);
  EXPECT_TRUE(saw_missing_platform_info);
  EXPECT_EQ(platform_types.size(), 3u);
}

TEST(EnrollBodyTest, EscapesTheSecretAndNonAsciiNames) {
  FleetSpec fleet = TestFleet();
  fleet.mix = *ParsePlatformMix("darwin");
  // Find a laptop named after its owner: "Jane’s MacBook Pro" (U+2019).
  for (uint32_t i = 0; i < 100; ++i) {
    HostProfile p = MakeHostProfile(fleet, i);
    if (p.computer_name.find("\u2019") == std::string::npos) continue;
    std::string secret = "a\"b\\c\nd\x01";
    std::string body = EnrollBody(p, secret);
    boost::json::value v = boost::json::parse(body);
    EXPECT_EQ(v.at("enroll_secret").as_string(), secret);
    EXPECT_EQ(v.at("host_details").at("system_info").at("computer_name").as_string(), p.computer_name);
    return;
  }
  FAIL() << "no laptop with a possessive name in 100 hosts";
}

}  // namespace
}  // namespace quarry::sim
