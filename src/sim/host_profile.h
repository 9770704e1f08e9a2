// HostProfile: what one simulated osqueryd host IS.
//
// A profile is derived deterministically from (fleet seed, host index, platform mix, fleet
// start time): the same inputs give the same profile on every run, a different index gives a
// different host. It holds only the identity and the few knobs that the on-demand tables
// (host_tables.h) expand into rows; row data is never stored. A profile is about 1.7 KB
// (1.4 KB inline, ~0.3 KB of strings), so a 100,000-host fleet may keep all of them in memory
// (~170 MB), or rebuild any one when needed (~5 µs).
//
// EnrollBody renders the exact body osqueryd POSTs to the enroll endpoint (reference
// osquery-remote-api.md §2.2): keys enroll_secret, host_identifier, platform_type,
// host_details in that order; host_details holds the first row of os_version, osquery_info,
// platform_info and system_info (tables and columns alphabetical, all values strings; a table
// with no rows, such as platform_info on many VMs, is left out).
//
// Thread-safety: everything here is a pure function of its arguments; a HostProfile is a
// plain value.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"

namespace quarry::sim {

enum class PlatformFamily : uint8_t { kLinux = 0, kDarwin = 1, kWindows = 2 };
inline constexpr int kPlatformFamilyCount = 3;

// "linux", "darwin", "windows".
std::string_view PlatformFamilyName(PlatformFamily family);

// osquery's platform bitmask as sent in the enroll body: "9" linux, "21" darwin, "2" windows.
std::string_view PlatformTypeString(PlatformFamily family);

// Operating system releases the simulator knows. Linux shares follow a typical server
// fleet (Ubuntu 22.04 ~35%, 20.04 ~15%, 24.04 ~10%, Debian 12 ~12%, Debian 11 ~5%,
// RHEL 8/9 ~8%, Rocky 9 ~5%, Amazon Linux 2/2023 ~7%, CentOS 7 ~3%).
enum class OsRelease : uint8_t {
  kUbuntu2004,
  kUbuntu2204,
  kUbuntu2404,
  kDebian11,
  kDebian12,
  kRhel8,
  kRhel9,
  kRocky9,
  kAmazonLinux2,
  kAmazonLinux2023,
  kCentos7,
  kMacos13,
  kMacos14,
  kMacos15,
  kWindows10,
  kWindows11,
  kWindowsServer2019,
  kWindowsServer2022,
};
inline constexpr int kOsReleaseCount = 18;

enum class PackageFormat : uint8_t { kNone, kDeb, kRpm };

// What the machine is for; decides its processes, ports and packages.
enum class HostRole : uint8_t {
  kWeb,          // nginx + an application server
  kApp,          // JVM or Python service
  kDatabase,     // PostgreSQL or MySQL
  kCache,        // Redis
  kKubeNode,     // kubelet + containerd + pods
  kBuild,        // CI runner with Docker
  kKafka,        // Kafka broker (JVM)
  kBastion,      // SSH jump host: many interactive logins
  kWorkstation,  // a person's laptop or desktop (darwin, windows clients)
  kWinServer,    // Windows Server (IIS, SQL Server or file/AD services)
};

std::string_view HostRoleName(HostRole role);

// Share of each platform family in the fleet. Weights need not sum to 1.
struct PlatformMix {
  double linux_weight = 0.80;
  double darwin_weight = 0.12;
  double windows_weight = 0.08;
};

// Parses a --platforms value: comma-separated name=weight pairs, e.g.
// "linux=80,darwin=15,windows=5", or a single name ("linux") for a one-platform fleet.
// Names: linux, darwin (or macos), windows. Omitted names get weight 0. Errors: unknown
// name, malformed or negative weight, all weights zero (kInvalidArgument).
Result<PlatformMix> ParsePlatformMix(std::string_view spec);

// The fleet-wide inputs of profile derivation.
struct FleetSpec {
  uint64_t seed = 1;
  PlatformMix mix;
  // Wall-clock time (Unix seconds) the fleet is considered started: boot and osquery start
  // times are drawn before it. Keep it fixed to get the same profiles across runs.
  int64_t start_unix = 1767225600;  // 2026-01-01T00:00:00Z
};

struct HostProfile {
  // Derivation inputs and the per-host seed every on-demand table draws from.
  uint64_t fleet_seed = 0;
  uint32_t index = 0;
  uint64_t seed = 0;

  PlatformFamily family = PlatformFamily::kLinux;
  OsRelease os = OsRelease::kUbuntu2204;
  HostRole role = HostRole::kWeb;
  PackageFormat package_format = PackageFormat::kNone;

  // Identity. host_identifier is the hardware UUID (what --host_identifier=uuid sends).
  std::string host_identifier;
  std::string hostname;        // system_info.hostname (FQDN on servers)
  std::string computer_name;   // system_info.computer_name
  std::string local_hostname;  // system_info.local_hostname
  std::string environment;     // prod, staging, dev, corp
  std::string admin_user;      // default cloud account (ubuntu, ec2-user, …) or the laptop owner
  std::string owner_full_name; // the laptop owner's display name; empty on servers

  // os_version.
  std::string os_name;
  std::string os_version;
  int os_major = 0;
  int os_minor = 0;
  int os_patch = 0;
  std::string os_build;
  std::string os_platform;
  std::string os_platform_like;
  std::string os_codename;
  std::string arch;  // os_version.arch: x86_64, aarch64, arm64, 64-bit
  std::string kernel_version;
  int64_t os_install_date = 0;  // Windows only
  int os_revision = 0;          // Windows only (UBR)

  // osquery_info.
  std::string osquery_version;
  std::string instance_id;
  int64_t osquery_pid = 0;
  int64_t watcher_pid = 0;

  // system_info.
  std::string cpu_type;
  std::string cpu_subtype;
  std::string cpu_brand;
  std::string cpu_microcode;
  int cpu_physical_cores = 0;
  int cpu_logical_cores = 0;
  int cpu_sockets = 1;
  int64_t physical_memory = 0;
  std::string hardware_vendor;
  std::string hardware_model;
  std::string hardware_version;
  std::string hardware_serial;
  std::string board_vendor;
  std::string board_model;
  std::string board_version;
  std::string board_serial;
  bool is_virtual = false;
  std::string cloud;  // aws, gcp, azure, vmware, or empty for physical machines

  // platform_info; has_platform_info false means the table returns no rows.
  bool has_platform_info = true;
  std::string firmware_vendor;
  std::string firmware_version;
  std::string firmware_date;

  // Network.
  std::string primary_interface;  // eth0, ens5, en0, Ethernet
  std::string ipv4;
  std::string ipv4_mask;
  std::string mac;
  std::string timezone;  // time.local_timezone abbreviation

  // Time. Uptime at `now` is now - boot_time.
  int64_t boot_time = 0;
  int64_t osquery_start_time = 0;

  // Behaviour knobs read by the tables.
  int deleted_binaries = 0;      // processes whose binary is gone (on_disk = 0): 0, 1 or 2
  double root_logins_per_hour = 0;  // rate of direct root logins (last, logged_in_users)
  double user_logins_per_hour = 0;  // rate of other interactive logins
  int patch_lag = 0;             // how far behind on security updates (0 = current)
  int extra_users = 0;           // local human accounts besides the admin user
  uint8_t flavor = 0;            // role variant: web (nginx+node / +gunicorn), database
                                 // (postgres / mysql), Windows server (IIS / SQL / file / DC)
};

// Derives host `index` of the fleet. Deterministic; ~5 µs.
HostProfile MakeHostProfile(const FleetSpec& fleet, uint32_t index);

// The enroll request body, byte for byte as osqueryd builds it (see the file comment).
std::string EnrollBody(const HostProfile& host, std::string_view enroll_secret);

}  // namespace quarry::sim
