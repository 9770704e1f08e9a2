#include "sim/host_tables.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <ctime>

#include <fmt/format.h>

#include "sim/host_tables_internal.h"
#include "sim/sim_random.h"

namespace quarry::sim {

// -----------------------------------------------------------------------------------------
// RowBuffer

void RowBuffer::Reset(size_t width) {
  width_ = width;
  text_.clear();
  cells_.clear();
}

void RowBuffer::AddRow() { cells_.resize(cells_.size() + width_, Cell{0, 0}); }

void RowBuffer::Set(size_t column, std::string_view value) {
  Cell& c = cells_[cells_.size() - width_ + column];
  c.offset = static_cast<uint32_t>(text_.size());
  c.size = static_cast<uint32_t>(value.size());
  text_.append(value);
}

void RowBuffer::SetInt(size_t column, int64_t value) {
  char buf[24];
  auto res = std::to_chars(buf, buf + sizeof(buf), value);
  Set(column, std::string_view(buf, static_cast<size_t>(res.ptr - buf)));
}

std::string_view ColumnTypeName(ColumnType type) {
  switch (type) {
    case ColumnType::kText: return "TEXT";
    case ColumnType::kInteger: return "INTEGER";
    case ColumnType::kBigInt: return "BIGINT";
    case ColumnType::kDouble: return "DOUBLE";
  }
  return "TEXT";
}

namespace {

using internal::HumanUser;
using internal::LoginSession;

constexpr ColumnType T = ColumnType::kText;
constexpr ColumnType I = ColumnType::kInteger;
constexpr ColumnType B = ColumnType::kBigInt;

bool IsWindows(const HostProfile& h) { return h.family == PlatformFamily::kWindows; }
bool IsDarwin(const HostProfile& h) { return h.family == PlatformFamily::kDarwin; }
bool IsLinux(const HostProfile& h) { return h.family == PlatformFamily::kLinux; }
bool IsRpmFamily(const HostProfile& h) { return h.package_format == PackageFormat::kRpm; }

// ---- os_version -------------------------------------------------------------------------
enum { kOvName, kOvVersion, kOvMajor, kOvMinor, kOvPatch, kOvBuild, kOvPlatform, kOvPlatformLike,
       kOvCodename, kOvArch, kOvExtra, kOvInstallDate, kOvRevision };
constexpr ColumnDef kOsVersionColumns[] = {
    {"name", T},           {"version", T},  {"major", I},    {"minor", I},
    {"patch", I},          {"build", T},    {"platform", T}, {"platform_like", T},
    {"codename", T},       {"arch", T},     {"extra", T, kOnDarwin},
    {"install_date", B, kOnWindows},        {"revision", I, kOnWindows},
};

void GenOsVersion(const HostProfile& h, int64_t, RowBuffer& out) {
  out.AddRow();
  out.Set(kOvName, h.os_name);
  out.Set(kOvVersion, h.os_version);
  out.SetInt(kOvMajor, h.os_major);
  out.SetInt(kOvMinor, h.os_minor);
  out.SetInt(kOvPatch, h.os_patch);
  out.Set(kOvBuild, h.os_build);
  out.Set(kOvPlatform, h.os_platform);
  out.Set(kOvPlatformLike, h.os_platform_like);
  out.Set(kOvCodename, h.os_codename);
  out.Set(kOvArch, h.arch);
  if (IsWindows(h)) {
    out.SetInt(kOvInstallDate, h.os_install_date);
    out.SetInt(kOvRevision, h.os_revision);
  }
}

// ---- system_info ------------------------------------------------------------------------
enum { kSiHostname, kSiUuid, kSiCpuType, kSiCpuSubtype, kSiCpuBrand, kSiCpuPhysical, kSiCpuLogical,
       kSiCpuSockets, kSiCpuMicrocode, kSiPhysicalMemory, kSiHwVendor, kSiHwModel, kSiHwVersion,
       kSiHwSerial, kSiBoardVendor, kSiBoardModel, kSiBoardVersion, kSiBoardSerial,
       kSiComputerName, kSiLocalHostname, kSiEmulatedCpuType };
constexpr ColumnDef kSystemInfoColumns[] = {
    {"hostname", T},           {"uuid", T},
    {"cpu_type", T},           {"cpu_subtype", T},
    {"cpu_brand", T},          {"cpu_physical_cores", I},
    {"cpu_logical_cores", I},  {"cpu_sockets", I},
    {"cpu_microcode", T},      {"physical_memory", B},
    {"hardware_vendor", T},    {"hardware_model", T},
    {"hardware_version", T},   {"hardware_serial", T},
    {"board_vendor", T},       {"board_model", T},
    {"board_version", T},      {"board_serial", T},
    {"computer_name", T},      {"local_hostname", T},
    {"emulated_cpu_type", T, kOnWindows},
};

void GenSystemInfo(const HostProfile& h, int64_t, RowBuffer& out) {
  out.AddRow();
  out.Set(kSiHostname, h.hostname);
  out.Set(kSiUuid, h.host_identifier);
  out.Set(kSiCpuType, h.cpu_type);
  out.Set(kSiCpuSubtype, h.cpu_subtype);
  out.Set(kSiCpuBrand, h.cpu_brand);
  out.SetInt(kSiCpuPhysical, h.cpu_physical_cores);
  out.SetInt(kSiCpuLogical, h.cpu_logical_cores);
  out.SetInt(kSiCpuSockets, h.cpu_sockets);
  out.Set(kSiCpuMicrocode, h.cpu_microcode);
  out.SetInt(kSiPhysicalMemory, h.physical_memory);
  out.Set(kSiHwVendor, h.hardware_vendor);
  out.Set(kSiHwModel, h.hardware_model);
  out.Set(kSiHwVersion, h.hardware_version);
  out.Set(kSiHwSerial, h.hardware_serial);
  out.Set(kSiBoardVendor, h.board_vendor);
  out.Set(kSiBoardModel, h.board_model);
  out.Set(kSiBoardVersion, h.board_version);
  out.Set(kSiBoardSerial, h.board_serial);
  out.Set(kSiComputerName, h.computer_name);
  out.Set(kSiLocalHostname, h.local_hostname);
}

// ---- osquery_info -----------------------------------------------------------------------
enum { kOiPid, kOiUuid, kOiInstanceId, kOiVersion, kOiConfigHash, kOiConfigValid, kOiExtensions,
       kOiBuildPlatform, kOiBuildDistro, kOiStartTime, kOiWatcher, kOiPlatformMask };
constexpr ColumnDef kOsqueryInfoColumns[] = {
    {"pid", I},           {"uuid", T},           {"instance_id", T},    {"version", T},
    {"config_hash", T},   {"config_valid", I},   {"extensions", T},     {"build_platform", T},
    {"build_distro", T},  {"start_time", I},     {"watcher", I},        {"platform_mask", I},
};

void GenOsqueryInfoLoaded(const HostProfile& h, int64_t now, RowBuffer& out) {
  internal::GenerateOsqueryInfo(h, now, true, out);
}

// ---- platform_info ----------------------------------------------------------------------
enum { kPiVendor, kPiVersion, kPiDate, kPiRevision, kPiExtra, kPiFirmwareType, kPiAddress, kPiSize,
       kPiVolumeSize };
constexpr ColumnDef kPlatformInfoColumns[] = {
    {"vendor", T},   {"version", T}, {"date", T},
    {"revision", T}, {"extra", T},   {"firmware_type", T, kOnDarwin | kOnWindows},
    {"address", T, kOnPosix},        {"size", T, kOnPosix},
    {"volume_size", I, kOnPosix},
};

void GenPlatformInfo(const HostProfile& h, int64_t, RowBuffer& out) {
  if (!h.has_platform_info) return;
  out.AddRow();
  out.Set(kPiVendor, h.firmware_vendor);
  out.Set(kPiVersion, h.firmware_version);
  out.Set(kPiDate, h.firmware_date);
  if (IsLinux(h)) {
    out.Set(kPiRevision, h.is_virtual ? "0.0" : "1.12");
    out.Set(kPiAddress, "0xf0000");
    out.Set(kPiSize, h.is_virtual ? "64 KiB" : "16384 KiB");
    out.SetInt(kPiVolumeSize, 0);
  } else if (IsWindows(h)) {
    out.Set(kPiFirmwareType, "uefi");
  } else {
    out.Set(kPiFirmwareType, "uefi");
  }
}

// ---- users ------------------------------------------------------------------------------
enum { kUsUid, kUsGid, kUsUidSigned, kUsGidSigned, kUsUsername, kUsDescription, kUsDirectory,
       kUsShell, kUsUuid, kUsType, kUsIsHidden };
constexpr ColumnDef kUsersColumns[] = {
    {"uid", B},       {"gid", B},         {"uid_signed", B}, {"gid_signed", B},
    {"username", T},  {"description", T}, {"directory", T},  {"shell", T},
    {"uuid", T},      {"type", T, kOnWindows},               {"is_hidden", I, kOnDarwin},
};

struct SystemAccount {
  const char* name;
  int64_t uid;
  int64_t gid;
  const char* description;
  const char* home;
  const char* shell;
};

constexpr SystemAccount kDebianAccounts[] = {
    {"root", 0, 0, "root", "/root", "/bin/bash"},
    {"daemon", 1, 1, "daemon", "/usr/sbin", "/usr/sbin/nologin"},
    {"bin", 2, 2, "bin", "/bin", "/usr/sbin/nologin"},
    {"sys", 3, 3, "sys", "/dev", "/usr/sbin/nologin"},
    {"sync", 4, 65534, "sync", "/bin", "/bin/sync"},
    {"games", 5, 60, "games", "/usr/games", "/usr/sbin/nologin"},
    {"man", 6, 12, "man", "/var/cache/man", "/usr/sbin/nologin"},
    {"lp", 7, 7, "lp", "/var/spool/lpd", "/usr/sbin/nologin"},
    {"mail", 8, 8, "mail", "/var/mail", "/usr/sbin/nologin"},
    {"news", 9, 9, "news", "/var/spool/news", "/usr/sbin/nologin"},
    {"uucp", 10, 10, "uucp", "/var/spool/uucp", "/usr/sbin/nologin"},
    {"proxy", 13, 13, "proxy", "/bin", "/usr/sbin/nologin"},
    {"www-data", 33, 33, "www-data", "/var/www", "/usr/sbin/nologin"},
    {"backup", 34, 34, "backup", "/var/backups", "/usr/sbin/nologin"},
    {"list", 38, 38, "Mailing List Manager", "/var/list", "/usr/sbin/nologin"},
    {"irc", 39, 39, "ircd", "/run/ircd", "/usr/sbin/nologin"},
    {"nobody", 65534, 65534, "nobody", "/nonexistent", "/usr/sbin/nologin"},
    {"systemd-network", 100, 102, "systemd Network Management,,,", "/run/systemd", "/usr/sbin/nologin"},
    {"systemd-resolve", 101, 103, "systemd Resolver,,,", "/run/systemd", "/usr/sbin/nologin"},
    {"messagebus", 102, 105, "", "/nonexistent", "/usr/sbin/nologin"},
    {"systemd-timesync", 103, 106, "systemd Time Synchronization,,,", "/run/systemd", "/usr/sbin/nologin"},
    {"syslog", 104, 111, "", "/home/syslog", "/usr/sbin/nologin"},
    {"_apt", 105, 65534, "", "/nonexistent", "/usr/sbin/nologin"},
    {"tss", 106, 112, "TPM software stack,,,", "/var/lib/tpm", "/bin/false"},
    {"uuidd", 107, 113, "", "/run/uuidd", "/usr/sbin/nologin"},
    {"tcpdump", 108, 114, "", "/nonexistent", "/usr/sbin/nologin"},
    {"sshd", 109, 65534, "", "/run/sshd", "/usr/sbin/nologin"},
    {"pollinate", 110, 1, "", "/var/cache/pollinate", "/bin/false"},
    {"landscape", 111, 116, "", "/var/lib/landscape", "/usr/sbin/nologin"},
    {"fwupd-refresh", 112, 118, "fwupd-refresh user,,,", "/run/systemd", "/usr/sbin/nologin"},
};

constexpr SystemAccount kRedHatAccounts[] = {
    {"root", 0, 0, "root", "/root", "/bin/bash"},
    {"bin", 1, 1, "bin", "/bin", "/sbin/nologin"},
    {"daemon", 2, 2, "daemon", "/sbin", "/sbin/nologin"},
    {"adm", 3, 4, "adm", "/var/adm", "/sbin/nologin"},
    {"lp", 4, 7, "lp", "/var/spool/lpd", "/sbin/nologin"},
    {"sync", 5, 0, "sync", "/sbin", "/bin/sync"},
    {"shutdown", 6, 0, "shutdown", "/sbin", "/sbin/shutdown"},
    {"halt", 7, 0, "halt", "/sbin", "/sbin/halt"},
    {"mail", 8, 12, "mail", "/var/spool/mail", "/sbin/nologin"},
    {"operator", 11, 0, "operator", "/root", "/sbin/nologin"},
    {"games", 12, 100, "games", "/usr/games", "/sbin/nologin"},
    {"ftp", 14, 50, "FTP User", "/var/ftp", "/sbin/nologin"},
    {"nobody", 65534, 65534, "Kernel Overflow User", "/", "/sbin/nologin"},
    {"rpcuser", 29, 29, "RPC Service User", "/var/lib/nfs", "/sbin/nologin"},
    {"rpc", 32, 32, "Rpcbind Daemon", "/var/lib/rpcbind", "/sbin/nologin"},
    {"tss", 59, 59, "Account used for TPM access", "/dev/null", "/sbin/nologin"},
    {"sshd", 74, 74, "Privilege-separated SSH", "/usr/share/empty.sshd", "/sbin/nologin"},
    {"dbus", 81, 81, "System message bus", "/", "/sbin/nologin"},
    {"systemd-resolve", 193, 193, "systemd Resolver", "/", "/sbin/nologin"},
    {"systemd-coredump", 999, 997, "systemd Core Dumper", "/", "/sbin/nologin"},
    {"polkitd", 998, 996, "User for polkitd", "/", "/sbin/nologin"},
    {"sssd", 997, 995, "User for sssd", "/", "/sbin/nologin"},
    {"chrony", 996, 994, "chrony system user", "/var/lib/chrony", "/sbin/nologin"},
};

// Service accounts a role adds (uid chosen per distro family).
void AddRoleAccounts(const HostProfile& h, RowBuffer& out) {
  bool rpm = IsRpmFamily(h);
  auto add = [&](std::string_view name, int64_t uid, int64_t gid, std::string_view desc,
                 std::string_view home, std::string_view shell) {
    out.AddRow();
    out.SetInt(kUsUid, uid);
    out.SetInt(kUsGid, gid);
    out.SetInt(kUsUidSigned, uid);
    out.SetInt(kUsGidSigned, gid);
    out.Set(kUsUsername, name);
    out.Set(kUsDescription, desc);
    out.Set(kUsDirectory, home);
    out.Set(kUsShell, shell);
  };
  switch (h.role) {
    case HostRole::kWeb:
      if (rpm) add("nginx", 994, 992, "Nginx web server", "/var/lib/nginx", "/sbin/nologin");
      break;
    case HostRole::kDatabase:
      if (h.flavor == 0) {
        rpm ? add("postgres", 26, 26, "PostgreSQL Server", "/var/lib/pgsql", "/bin/bash")
            : add("postgres", 113, 120, "PostgreSQL administrator,,,", "/var/lib/postgresql", "/bin/bash");
      } else {
        rpm ? add("mysql", 27, 27, "MySQL Server", "/var/lib/mysql", "/sbin/nologin")
            : add("mysql", 113, 120, "MySQL Server,,,", "/nonexistent", "/bin/false");
      }
      break;
    case HostRole::kCache:
      rpm ? add("redis", 993, 991, "Redis Database Server", "/var/lib/redis", "/sbin/nologin")
          : add("redis", 113, 120, "", "/var/lib/redis", "/usr/sbin/nologin");
      break;
    case HostRole::kBuild:
      add("gitlab-runner", 997, 997, "GitLab Runner", "/home/gitlab-runner", "/bin/bash");
      break;
    case HostRole::kKafka:
      add("kafka", 998, 998, "Apache Kafka", "/opt/kafka", "/sbin/nologin");
      break;
    default:
      break;
  }
}

void SetHuman(RowBuffer& out, const HumanUser& u, std::string_view description) {
  out.AddRow();
  out.SetInt(kUsUid, u.uid);
  out.SetInt(kUsGid, u.gid);
  out.SetInt(kUsUidSigned, u.uid);
  out.SetInt(kUsGidSigned, u.gid);
  out.Set(kUsUsername, u.name);
  out.Set(kUsDescription, description);
  out.Set(kUsDirectory, u.home);
  out.Set(kUsShell, u.shell);
}

struct DarwinAccount {
  const char* name;
  int64_t uid;
  const char* description;
};
constexpr DarwinAccount kDarwinAccounts[] = {
    {"root", 0, "System Administrator"},       {"daemon", 1, "System Services"},
    {"_uucp", 4, "Unix to Unix Copy Protocol"}, {"_taskgated", 13, "Task Gate Daemon"},
    {"_networkd", 24, "Network Services"},     {"_installassistant", 25, "Install Assistant"},
    {"_lp", 26, "Printing Services"},          {"_postfix", 27, "Postfix Mail Server"},
    {"_scsd", 31, "Service Configuration Service"}, {"_ces", 32, "Certificate Enrollment Service"},
    {"_appstore", 33, "Mac App Store Service"}, {"_mcxalr", 54, "MCX AppLaunch"},
    {"_appleevents", 55, "AppleEvents Daemon"}, {"_geod", 56, "Geo Services Daemon"},
    {"_devdocs", 59, "Developer Documentation"}, {"_sandbox", 60, "Seatbelt"},
    {"_mdnsresponder", 65, "mDNSResponder"},  {"_ard", 67, "Apple Remote Desktop"},
    {"_www", 70, "World Wide Web Server"},     {"_eppc", 71, "Apple Events User"},
    {"_cvs", 72, "CVS Server"},                {"_svn", 73, "SVN Server"},
    {"_mysql", 74, "MySQL Server"},            {"_sshd", 75, "sshd Privilege separation"},
    {"_qtss", 76, "QuickTime Streaming Server"}, {"_cyrus", 77, "Cyrus Administrator"},
    {"_mailman", 78, "Mailman List Server"},   {"_appserver", 79, "Application Server"},
    {"_clamav", 82, "ClamAV Daemon"},          {"_amavisd", 83, "AMaViS Daemon"},
    {"_jabber", 84, "Jabber XMPP Server"},     {"_appowner", 87, "Application Owner"},
    {"_windowserver", 88, "WindowServer"},     {"_spotlight", 89, "Spotlight"},
    {"_tokend", 91, "Token Daemon"},           {"_securityagent", 92, "SecurityAgent"},
    {"_calendar", 93, "Calendar"},             {"_teamsserver", 94, "TeamsServer"},
    {"_update_sharing", 95, "Update Sharing"}, {"_installer", 96, "Installer"},
    {"_atsserver", 97, "ATS Server"},          {"_ftp", 98, "FTP Daemon"},
    {"_unknown", 99, "Unknown User"},          {"_softwareupdate", 200, "Software Update Service"},
    {"_coreaudiod", 202, "Core Audio Daemon"}, {"_screensaver", 203, "Screensaver"},
    {"_locationd", 205, "Location Daemon"},    {"_trustevaluationagent", 208, "Trust Evaluation Agent"},
    {"_timezone", 210, "AutoTimeZoneDaemon"},  {"_lda", 211, "Local Delivery Agent"},
    {"_cvmsroot", 212, "CVMS Root"},           {"_usbmuxd", 213, "iPhone OS Device Helper"},
    {"_dovecot", 214, "Dovecot Administrator"}, {"_dpaudio", 215, "DP Audio"},
    {"_postgres", 216, "PostgreSQL Server"},   {"_krbtgt", 217, "Kerberos Ticket Granting Ticket"},
    {"_mbsetupuser", 248, "Setup User"},       {"_analyticsd", 263, "Analytics Daemon"},
    {"_fpsd", 265, "FPS Daemon"},              {"_timed", 266, "Time Sync Daemon"},
    {"_nearbyd", 268, "Proximity and Ranging Daemon"}, {"_reportmemoryexception", 269, "ReportMemoryException"},
    {"_driverkit", 270, "DriverKit"},          {"_diskimagesiod", 271, "DiskImages IO Daemon"},
    {"_logd", 272, "Log Daemon"},              {"_appinstalld", 273, "App Install Daemon"},
    {"_installcoordinationd", 274, "Install Coordination Daemon"}, {"_demod", 275, "Demo Daemon"},
    {"_rmd", 277, "Remote Management Daemon"}, {"_accessoryupdater", 278, "Accessory Update Daemon"},
    {"_knowledgegraphd", 279, "Knowledge Graph Daemon"}, {"_coreml", 280, "CoreML Services"},
    {"_sntpd", 281, "SNTP Server Daemon"},     {"_trustd", 282, "trustd"},
    {"_oahd", 441, "OAH Daemon"},
};

std::string WindowsMachineSid(const HostProfile& h) {
  uint64_t x = Hash64(h.seed, 0x534944ull);
  return fmt::format("S-1-5-21-{}-{}-{}", 1000000000 + x % 3000000000ull,
                     1000000000 + (x >> 20) % 3000000000ull, 1000000000 + (x >> 40) % 3000000000ull);
}

std::string WindowsDomainSid(const HostProfile& h) {
  uint64_t x = Hash64(h.fleet_seed, 0x444f4dull);
  return fmt::format("S-1-5-21-{}-{}-{}", 1000000000 + x % 3000000000ull,
                     1000000000 + (x >> 20) % 3000000000ull, 1000000000 + (x >> 40) % 3000000000ull);
}

void GenUsers(const HostProfile& h, int64_t, RowBuffer& out) {
  std::vector<HumanUser> humans = internal::HumanUsers(h);
  if (IsLinux(h)) {
    std::span<const SystemAccount> accounts =
        IsRpmFamily(h) ? std::span<const SystemAccount>(kRedHatAccounts)
                       : std::span<const SystemAccount>(kDebianAccounts);
    bool ubuntu = h.os_platform == "ubuntu";
    for (const SystemAccount& a : accounts) {
      std::string_view name = a.name;
      if (!ubuntu && (name == "pollinate" || name == "landscape" || name == "syslog")) continue;
      out.AddRow();
      out.SetInt(kUsUid, a.uid);
      out.SetInt(kUsGid, a.gid);
      out.SetInt(kUsUidSigned, a.uid);
      out.SetInt(kUsGidSigned, a.gid);
      out.Set(kUsUsername, a.name);
      out.Set(kUsDescription, a.description);
      out.Set(kUsDirectory, a.home);
      out.Set(kUsShell, a.shell);
    }
    AddRoleAccounts(h, out);
    for (size_t i = 0; i < humans.size(); ++i) {
      SetHuman(out, humans[i], i == 0 && h.admin_user == "ubuntu" ? "Ubuntu" : humans[i].full_name);
    }
  } else if (IsDarwin(h)) {
    for (const DarwinAccount& a : kDarwinAccounts) {
      out.AddRow();
      out.SetInt(kUsUid, a.uid);
      out.SetInt(kUsGid, a.uid);
      out.SetInt(kUsUidSigned, a.uid);
      out.SetInt(kUsGidSigned, a.uid);
      out.Set(kUsUsername, a.name);
      out.Set(kUsDescription, a.description);
      out.Set(kUsDirectory, a.uid == 0 || a.uid == 1 ? "/var/root" : "/var/empty");
      out.Set(kUsShell, a.uid == 0 ? "/bin/sh" : "/usr/bin/false");
      out.Set(kUsUuid, fmt::format("FFFFEEEE-DDDD-CCCC-BBBB-AAAA{:08X}", a.uid));
      out.SetInt(kUsIsHidden, 0);
    }
    // nobody is uid -2 stored unsigned.
    out.AddRow();
    out.SetInt(kUsUid, 4294967294);
    out.SetInt(kUsGid, 4294967294);
    out.SetInt(kUsUidSigned, -2);
    out.SetInt(kUsGidSigned, -2);
    out.Set(kUsUsername, "nobody");
    out.Set(kUsDescription, "Unprivileged User");
    out.Set(kUsDirectory, "/var/empty");
    out.Set(kUsShell, "/usr/bin/false");
    out.Set(kUsUuid, "FFFFEEEE-DDDD-CCCC-BBBB-AAAAFFFFFFFE");
    out.SetInt(kUsIsHidden, 0);
    for (const HumanUser& u : humans) {
      SetHuman(out, u, u.full_name);
      out.Set(kUsUuid, internal::FormatUuid(Hash64(h.seed, u.uid), Hash64(h.seed, u.uid, 1), true));
      out.SetInt(kUsIsHidden, 0);
    }
  } else {
    std::string machine = WindowsMachineSid(h);
    struct Local {
      const char* name;
      int64_t rid;
      const char* desc;
    };
    static constexpr Local kLocals[] = {
        {"Administrator", 500, "Built-in account for administering the computer/domain"},
        {"DefaultAccount", 503, "A user account managed by the system."},
        {"Guest", 501, "Built-in account for guest access to the computer/domain"},
        {"WDAGUtilityAccount", 504,
         "A user account managed and used by the system for Windows Defender Application Guard scenarios."},
    };
    for (const Local& l : kLocals) {
      if (l.rid == 504 && h.role == HostRole::kWinServer) continue;
      out.AddRow();
      out.SetInt(kUsUid, l.rid);
      out.SetInt(kUsGid, 513);
      out.SetInt(kUsUidSigned, l.rid);
      out.SetInt(kUsGidSigned, 513);
      out.Set(kUsUsername, l.name);
      out.Set(kUsDescription, l.desc);
      out.Set(kUsDirectory, l.rid == 500 && h.role == HostRole::kWinServer ? "C:\\Users\\Administrator" : "");
      out.Set(kUsShell, "C:\\Windows\\system32\\cmd.exe");
      out.Set(kUsUuid, fmt::format("{}-{}", machine, l.rid));
      out.Set(kUsType, "local");
    }
    struct Special {
      const char* name;
      int64_t rid;
      const char* home;
    };
    static constexpr Special kSpecials[] = {
        {"SYSTEM", 18, "%systemroot%\\system32\\config\\systemprofile"},
        {"LOCAL SERVICE", 19, "%systemroot%\\ServiceProfiles\\LocalService"},
        {"NETWORK SERVICE", 20, "%systemroot%\\ServiceProfiles\\NetworkService"},
    };
    for (const Special& s : kSpecials) {
      out.AddRow();
      out.SetInt(kUsUid, s.rid);
      out.SetInt(kUsGid, s.rid);
      out.SetInt(kUsUidSigned, s.rid);
      out.SetInt(kUsGidSigned, s.rid);
      out.Set(kUsUsername, s.name);
      out.Set(kUsDirectory, s.home);
      out.Set(kUsShell, "C:\\Windows\\system32\\cmd.exe");
      out.Set(kUsUuid, fmt::format("S-1-5-{}", s.rid));
      out.Set(kUsType, "special");
    }
    for (const HumanUser& u : humans) {
      if (u.uid == 500) continue;  // listed above
      SetHuman(out, u, "");
      out.Set(kUsUuid, u.sid);
      out.Set(kUsType, "roaming");
    }
  }
}

// ---- logged_in_users --------------------------------------------------------------------
enum { kLiType, kLiUser, kLiTty, kLiHost, kLiTime, kLiPid, kLiSid, kLiRegistryHive };
constexpr ColumnDef kLoggedInUsersColumns[] = {
    {"type", T}, {"user", T}, {"tty", T}, {"host", T}, {"time", I}, {"pid", I},
    {"sid", T, kOnWindows},   {"registry_hive", T, kOnWindows},
};

void GenLoggedInUsers(const HostProfile& h, int64_t now, RowBuffer& out) {
  std::vector<HumanUser> humans = internal::HumanUsers(h);
  if (h.role == HostRole::kWorkstation && now >= h.boot_time) {
    // The owner's console session since shortly after boot.
    const HumanUser& owner = humans.front();
    out.AddRow();
    out.Set(kLiType, IsWindows(h) ? "active" : "user");
    out.Set(kLiUser, owner.name);
    out.Set(kLiTty, "console");
    out.SetInt(kLiTime, h.boot_time + 45 + static_cast<int64_t>(h.seed % 120));
    if (IsWindows(h)) {
      out.SetInt(kLiPid, -1);
      out.Set(kLiSid, owner.sid);
      out.Set(kLiRegistryHive, "HKEY_USERS\\" + owner.sid);
    } else {
      out.SetInt(kLiPid, internal::DarwinLoginwindowPid(h));
    }
  }
  for (const LoginSession& s : internal::RecentSessions(h, now)) {
    if (s.logout_time <= now) continue;
    out.AddRow();
    out.Set(kLiType, IsWindows(h) ? (((s.login_time >> 3) & 3) == 0 ? "disconnected" : "active") : "user");
    out.Set(kLiUser, s.user);
    out.Set(kLiTty, s.tty);
    out.Set(kLiHost, s.remote_host);
    out.SetInt(kLiTime, s.login_time);
    out.SetInt(kLiPid, IsWindows(h) ? -1 : s.pid);
    if (IsWindows(h)) {
      for (const HumanUser& u : humans) {
        if (u.name == s.user) {
          out.Set(kLiSid, u.sid);
          out.Set(kLiRegistryHive, "HKEY_USERS\\" + u.sid);
        }
      }
    }
  }
}

// ---- last -------------------------------------------------------------------------------
enum { kLaUsername, kLaTty, kLaPid, kLaType, kLaTypeName, kLaTime, kLaHost };
constexpr ColumnDef kLastColumns[] = {
    {"username", T}, {"tty", T}, {"pid", I}, {"type", I}, {"type_name", T}, {"time", I}, {"host", T},
};

void GenLast(const HostProfile& h, int64_t now, RowBuffer& out) {
  struct Entry {
    int64_t time;
    int type;
    const LoginSession* session;
  };
  std::vector<LoginSession> sessions = internal::RecentSessions(h, now);
  std::vector<Entry> entries;
  entries.reserve(2 * sessions.size() + 1);
  if (h.boot_time > now - internal::kLoginHistorySeconds && h.boot_time <= now) {
    entries.push_back({h.boot_time, 2, nullptr});
  }
  for (const LoginSession& s : sessions) {
    entries.push_back({s.login_time, 7, &s});
    if (s.logout_time <= now) entries.push_back({s.logout_time, 8, &s});
  }
  std::stable_sort(entries.begin(), entries.end(),
                   [](const Entry& a, const Entry& b) { return a.time < b.time; });
  for (const Entry& e : entries) {
    out.AddRow();
    out.SetInt(kLaType, e.type);
    out.SetInt(kLaTime, e.time);
    if (e.type == 2) {
      out.Set(kLaUsername, "reboot");
      out.Set(kLaTty, "~");
      out.SetInt(kLaPid, 0);
      out.Set(kLaTypeName, "boot-time");
      out.Set(kLaHost, h.kernel_version);
    } else {
      out.Set(kLaTty, e.session->tty);
      out.SetInt(kLaPid, e.session->pid);
      if (e.type == 7) {
        out.Set(kLaUsername, e.session->user);
        out.Set(kLaTypeName, "user-process");
        out.Set(kLaHost, e.session->remote_host);
      } else {
        out.Set(kLaTypeName, "dead-process");
      }
    }
  }
}

// ---- time -------------------------------------------------------------------------------
enum { kTiWeekday, kTiYear, kTiMonth, kTiDay, kTiHour, kTiMinutes, kTiSeconds, kTiTimezone,
       kTiLocalTimezone, kTiUnixTime, kTiTimestamp, kTiDatetime, kTiIso8601, kTiWinTimestamp };
constexpr ColumnDef kTimeColumns[] = {
    {"weekday", T},  {"year", I},           {"month", I},     {"day", I},
    {"hour", I},     {"minutes", I},        {"seconds", I},   {"timezone", T},
    {"local_timezone", T},                  {"unix_time", I}, {"timestamp", T},
    {"datetime", T}, {"iso_8601", T},       {"win_timestamp", B, kOnWindows},
};

void GenTime(const HostProfile& h, int64_t now, RowBuffer& out) {
  static constexpr const char* kWeekdays[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                              "Thursday", "Friday", "Saturday"};
  static constexpr const char* kWd[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMon[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::time_t t = static_cast<std::time_t>(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  out.AddRow();
  out.Set(kTiWeekday, kWeekdays[tm.tm_wday]);
  out.SetInt(kTiYear, tm.tm_year + 1900);
  out.SetInt(kTiMonth, tm.tm_mon + 1);
  out.SetInt(kTiDay, tm.tm_mday);
  out.SetInt(kTiHour, tm.tm_hour);
  out.SetInt(kTiMinutes, tm.tm_min);
  out.SetInt(kTiSeconds, tm.tm_sec);
  out.Set(kTiTimezone, "UTC");
  out.Set(kTiLocalTimezone, h.timezone);
  out.SetInt(kTiUnixTime, now);
  out.Set(kTiTimestamp, fmt::format("{} {} {:>2} {:02}:{:02}:{:02} {} UTC", kWd[tm.tm_wday],
                                    kMon[tm.tm_mon], tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                                    tm.tm_year + 1900));
  std::string iso = fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", tm.tm_year + 1900,
                                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  out.Set(kTiDatetime, iso);
  out.Set(kTiIso8601, iso);
  if (IsWindows(h)) out.SetInt(kTiWinTimestamp, (now + 11644473600) * 10000000);
}

// ---- uptime -----------------------------------------------------------------------------
constexpr ColumnDef kUptimeColumns[] = {
    {"days", I}, {"hours", I}, {"minutes", I}, {"seconds", I}, {"total_seconds", B},
};

void GenUptime(const HostProfile& h, int64_t now, RowBuffer& out) {
  int64_t total = std::max<int64_t>(0, now - h.boot_time);
  out.AddRow();
  out.SetInt(0, total / 86400);
  out.SetInt(1, (total / 3600) % 24);
  out.SetInt(2, (total / 60) % 60);
  out.SetInt(3, total % 60);
  out.SetInt(4, total);
}

// ---- interface_addresses ----------------------------------------------------------------
enum { kIaInterface, kIaAddress, kIaMask, kIaBroadcast, kIaPointToPoint, kIaType, kIaFriendlyName };
constexpr ColumnDef kInterfaceAddressesColumns[] = {
    {"interface", T}, {"address", T}, {"mask", T}, {"broadcast", T}, {"point_to_point", T},
    {"type", T},      {"friendly_name", T, kOnWindows},
};

std::string Broadcast(std::string_view ip, std::string_view mask) {
  uint32_t a = 0;
  uint32_t m = 0;
  auto parse = [](std::string_view s) {
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      size_t dot = s.find('.');
      uint32_t octet = 0;
      std::from_chars(s.data(), s.data() + (dot == std::string_view::npos ? s.size() : dot), octet);
      v = (v << 8) | (octet & 0xff);
      s = dot == std::string_view::npos ? std::string_view() : s.substr(dot + 1);
    }
    return v;
  };
  a = parse(ip);
  m = parse(mask);
  uint32_t b = a | ~m;
  return fmt::format("{}.{}.{}.{}", b >> 24, (b >> 16) & 0xff, (b >> 8) & 0xff, b & 0xff);
}

std::string LinkLocal(const HostProfile& h, std::string_view iface, uint64_t salt) {
  uint64_t x = Hash64(h.seed, internal::kStreamNetwork, salt);
  return fmt::format("fe80::{:x}:{:x}:{:x}:{:x}%{}", (x >> 48) & 0xffff, (x >> 32) & 0xffff,
                     (x >> 16) & 0xffff, x & 0xffff, iface);
}

void AddAddress(RowBuffer& out, std::string_view iface, std::string_view addr, std::string_view mask,
                std::string_view broadcast, std::string_view p2p, std::string_view type) {
  out.AddRow();
  out.Set(kIaInterface, iface);
  out.Set(kIaAddress, addr);
  out.Set(kIaMask, mask);
  out.Set(kIaBroadcast, broadcast);
  out.Set(kIaPointToPoint, p2p);
  out.Set(kIaType, type);
}

bool RunsDocker(const HostProfile& h) {
  return h.role == HostRole::kBuild || h.role == HostRole::kKubeNode ||
         (h.role == HostRole::kApp && h.flavor == 1);
}

void GenInterfaceAddresses(const HostProfile& h, int64_t, RowBuffer& out) {
  constexpr std::string_view kV6Mask128 = "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff";
  constexpr std::string_view kV6Mask64 = "ffff:ffff:ffff:ffff::";
  if (IsLinux(h)) {
    AddAddress(out, "lo", "127.0.0.1", "255.0.0.0", "", "", "unknown");
    AddAddress(out, h.primary_interface, h.ipv4, h.ipv4_mask, Broadcast(h.ipv4, h.ipv4_mask), "",
               "unknown");
    AddAddress(out, "lo", "::1", kV6Mask128, "", "", "unknown");
    AddAddress(out, h.primary_interface, LinkLocal(h, h.primary_interface, 1), kV6Mask64, "", "",
               "unknown");
    if (RunsDocker(h)) {
      if (h.role == HostRole::kKubeNode) {
        std::string cni = fmt::format("10.244.{}.1", h.seed % 250);
        AddAddress(out, "cni0", cni, "255.255.255.0", Broadcast(cni, "255.255.255.0"), "", "unknown");
      } else {
        AddAddress(out, "docker0", "172.17.0.1", "255.255.0.0", "172.17.255.255", "", "unknown");
      }
    }
  } else if (IsDarwin(h)) {
    AddAddress(out, "lo0", "127.0.0.1", "255.0.0.0", "", "127.0.0.1", "unknown");
    AddAddress(out, "lo0", "::1", kV6Mask128, "", "", "unknown");
    AddAddress(out, "lo0", "fe80::1%lo0", kV6Mask64, "", "", "unknown");
    AddAddress(out, "en0", LinkLocal(h, "en0", 1), kV6Mask64, "", "", "unknown");
    AddAddress(out, "en0", h.ipv4, h.ipv4_mask, Broadcast(h.ipv4, h.ipv4_mask), "", "unknown");
    AddAddress(out, "awdl0", LinkLocal(h, "awdl0", 2), kV6Mask64, "", "", "unknown");
    AddAddress(out, "llw0", LinkLocal(h, "llw0", 3), kV6Mask64, "", "", "unknown");
    for (int i = 0; i < 4; ++i) {
      std::string utun = fmt::format("utun{}", i);
      AddAddress(out, utun, LinkLocal(h, utun, 10 + static_cast<uint64_t>(i)), kV6Mask64, "", "",
                 "unknown");
    }
  } else {
    AddAddress(out, "1", "127.0.0.1", "255.0.0.0", "", "", "manual");
    out.Set(kIaFriendlyName, "Loopback Pseudo-Interface 1");
    AddAddress(out, "1", "::1", kV6Mask128, "", "", "manual");
    out.Set(kIaFriendlyName, "Loopback Pseudo-Interface 1");
    std::string index = std::to_string(4 + h.seed % 20);
    AddAddress(out, index, h.ipv4, h.ipv4_mask, Broadcast(h.ipv4, h.ipv4_mask), "",
               h.role == HostRole::kWorkstation ? "dhcp" : "manual");
    out.Set(kIaFriendlyName, h.primary_interface);
    AddAddress(out, index, LinkLocal(h, index, 1), kV6Mask64, "", "", "auto");
    out.Set(kIaFriendlyName, h.primary_interface);
  }
}

// ---- kernel_info ------------------------------------------------------------------------
constexpr ColumnDef kKernelInfoColumns[] = {
    {"version", T}, {"arguments", T}, {"path", T}, {"device", T},
};

void GenKernelInfo(const HostProfile& h, int64_t, RowBuffer& out) {
  out.AddRow();
  out.Set(0, h.kernel_version);
  if (IsLinux(h)) {
    std::string root = internal::FormatUuid(Hash64(h.seed, 0x726f6f74ull), Hash64(h.seed, 0x2f), false);
    bool rpm = IsRpmFamily(h);
    std::string image = fmt::format("{}/boot/vmlinuz-{}", rpm ? "(hd0,gpt2)" : "", h.kernel_version);
    std::string console = h.is_virtual ? (rpm ? " console=ttyS0,115200n8 net.ifnames=0" : " console=tty1 console=ttyS0")
                                       : " quiet splash";
    std::string extra = h.cloud == "aws" ? " nvme_core.io_timeout=4294967295" : "";
    out.Set(1, fmt::format("BOOT_IMAGE={} root=UUID={} ro{}{}{}", image, root, console, extra,
                           rpm ? " crashkernel=auto" : ""));
    out.Set(2, image);
    out.Set(3, "UUID=" + root);
  } else if (IsDarwin(h)) {
    out.Set(2, "/System/Library/Kernels/kernel");
    out.Set(3, "/dev/disk3s1s1");
  } else {
    out.Set(2, "C:\\Windows\\System32\\ntoskrnl.exe");
  }
}

}  // namespace

// -----------------------------------------------------------------------------------------
// Shared pieces.

namespace internal {

void GenerateOsqueryInfo(const HostProfile& h, int64_t now, bool config_loaded, RowBuffer& out) {
  (void)now;
  out.AddRow();
  out.SetInt(kOiPid, h.osquery_pid);
  out.Set(kOiUuid, h.host_identifier);
  out.Set(kOiInstanceId, h.instance_id);
  out.Set(kOiVersion, h.osquery_version);
  if (config_loaded) {
    // Every host of a fleet runs the same config, so they share its hash.
    uint64_t a = Hash64(h.fleet_seed, 0x636f6e666967ull);
    out.Set(kOiConfigHash, fmt::format("{:016x}{:016x}{:08x}", a, Mix64(a), Mix64(a + 1) >> 32));
  } else {
    out.Set(kOiConfigHash, "");
  }
  out.SetInt(kOiConfigValid, config_loaded ? 1 : 0);
  out.Set(kOiExtensions, "active");
  switch (h.family) {
    case PlatformFamily::kLinux:
      out.Set(kOiBuildPlatform, "ubuntu");
      out.Set(kOiBuildDistro, "20.04");
      break;
    case PlatformFamily::kDarwin:
      out.Set(kOiBuildPlatform, "darwin");
      out.Set(kOiBuildDistro, "10.15");
      break;
    case PlatformFamily::kWindows:
      out.Set(kOiBuildPlatform, "windows");
      out.Set(kOiBuildDistro, "10");
      break;
  }
  out.SetInt(kOiStartTime, h.osquery_start_time);
  out.SetInt(kOiWatcher, h.watcher_pid);
  out.Set(kOiPlatformMask, PlatformTypeString(h.family));
}

std::vector<HumanUser> HumanUsers(const HostProfile& h) {
  std::vector<HumanUser> users;
  users.reserve(static_cast<size_t>(h.extra_users) + 1);
  SimRng rng(Hash64(h.seed, kStreamUsers));
  std::string domain = WindowsDomainSid(h);
  auto make = [&](std::string name, std::string full, int64_t uid) {
    HumanUser u;
    u.name = std::move(name);
    u.full_name = std::move(full);
    u.uid = uid;
    switch (h.family) {
      case PlatformFamily::kLinux:
        u.gid = uid;
        u.home = "/home/" + u.name;
        u.shell = "/bin/bash";
        break;
      case PlatformFamily::kDarwin:
        u.gid = 20;
        u.home = "/Users/" + u.name;
        u.shell = "/bin/zsh";
        break;
      case PlatformFamily::kWindows:
        u.gid = 513;
        u.home = "C:\\Users\\" + u.name;
        u.shell = "C:\\Windows\\system32\\cmd.exe";
        u.sid = uid == 500 ? fmt::format("{}-500", WindowsMachineSid(h)) : fmt::format("{}-{}", domain, uid);
        break;
    }
    users.push_back(std::move(u));
  };
  int64_t first_uid = h.family == PlatformFamily::kDarwin ? 501 : 1000;
  if (h.family == PlatformFamily::kWindows) {
    first_uid = h.role == HostRole::kWinServer ? 500 : 1100 + static_cast<int64_t>(rng.Below(40000));
  }
  make(h.admin_user, h.owner_full_name, first_uid);
  for (int i = 0; i < h.extra_users; ++i) {
    std::string_view first = FirstName(rng.Next());
    std::string_view last = LastName(rng.Next());
    std::string name = fmt::format("{}{}", static_cast<char>(first[0] - 'A' + 'a'), last);
    for (char& c : name) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    // Keep names unique on the host.
    for (const HumanUser& u : users) {
      if (u.name == name) {
        name += std::to_string(i + 2);
        break;
      }
    }
    int64_t uid = h.family == PlatformFamily::kWindows ? 1100 + static_cast<int64_t>(rng.Below(40000))
                                                       : first_uid + 1 + i;
    make(std::move(name), fmt::format("{} {}", first, last), uid);
  }
  return users;
}

std::vector<LoginSession> RecentSessions(const HostProfile& h, int64_t now) {
  std::vector<LoginSession> sessions;
  if (h.root_logins_per_hour <= 0 && h.user_logins_per_hour <= 0) return sessions;
  std::vector<HumanUser> humans = HumanUsers(h);
  const double p_root = 1.0 - std::exp(-h.root_logins_per_hour);
  constexpr int kUserTries = 6;
  const double p_user = std::min(1.0, h.user_logins_per_hour / kUserTries);
  const int64_t first_hour = (now - kLoginHistorySeconds) / 3600;
  const int64_t last_hour = now / 3600;
  const bool windows = h.family == PlatformFamily::kWindows;
  const bool darwin = h.family == PlatformFamily::kDarwin;
  for (int64_t hour = first_hour; hour <= last_hour; ++hour) {
    SimRng rng(Hash64(h.seed, kStreamLogins, static_cast<uint64_t>(hour)));
    auto draw = [&](std::string_view user) {
      LoginSession s;
      s.user = std::string(user);
      s.login_time = hour * 3600 + static_cast<int64_t>(rng.Below(3600));
      // Log-uniform session length between 1 minute and 4 hours.
      s.logout_time = s.login_time + static_cast<int64_t>(std::exp(std::log(60.0) + rng.Unit() * std::log(240.0)));
      s.pid = windows ? 0 : 1000 + static_cast<int64_t>(rng.Below(darwin ? 90000 : 4000000));
      uint64_t slot = rng.Below(6);
      if (windows) {
        s.tty = fmt::format("rdp-tcp#{}", rng.Below(40));
      } else if (darwin) {
        s.tty = fmt::format("ttys00{}", slot);
      } else {
        s.tty = fmt::format("pts/{}", slot);
      }
      // Servers are reached through one of a few bastions or the VPN.
      uint64_t src = Hash64(h.fleet_seed, 0x6261737469ull, rng.Below(darwin ? 0 : 4));
      if (!darwin) {
        s.remote_host = fmt::format("10.{}.{}.{}", src % 64, (src >> 8) % 256, 4 + (src >> 16) % 240);
      }
      if (s.login_time > now || s.login_time <= now - kLoginHistorySeconds) return;
      // A reboot ends every session.
      if (s.login_time < h.boot_time && s.logout_time > h.boot_time) s.logout_time = h.boot_time;
      sessions.push_back(std::move(s));
    };
    if (rng.Unit() < p_root) draw("root");
    for (int k = 0; k < kUserTries; ++k) {
      if (rng.Unit() < p_user) {
        draw(humans[rng.Below(humans.size())].name);
      }
    }
  }
  std::stable_sort(sessions.begin(), sessions.end(), [](const LoginSession& a, const LoginSession& b) {
    return a.login_time < b.login_time;
  });
  return sessions;
}

}  // namespace internal

// -----------------------------------------------------------------------------------------
// The table list.

std::span<const TableDef> HostTables() {
  static const std::vector<TableDef> kTables = [] {
    std::vector<TableDef> t = {
        {"os_version", kOnAll, kOsVersionColumns, GenOsVersion, 1},
        {"system_info", kOnAll, kSystemInfoColumns, GenSystemInfo, 1},
        {"osquery_info", kOnAll, kOsqueryInfoColumns, GenOsqueryInfoLoaded, 1},
        {"platform_info", kOnAll, kPlatformInfoColumns, GenPlatformInfo, 1},
        internal::ProcessesTable(),
        {"users", kOnAll, kUsersColumns, GenUsers, 40},
        {"logged_in_users", kOnAll, kLoggedInUsersColumns, GenLoggedInUsers, 3},
        {"last", kOnPosix, kLastColumns, GenLast, 30},
        {"time", kOnAll, kTimeColumns, GenTime, 1},
        {"uptime", kOnAll, kUptimeColumns, GenUptime, 1},
        {"interface_addresses", kOnAll, kInterfaceAddressesColumns, GenInterfaceAddresses, 5},
        internal::ListeningPortsTable(),
        {"kernel_info", kOnAll, kKernelInfoColumns, GenKernelInfo, 1},
        internal::DebPackagesTable(),
        internal::RpmPackagesTable(),
        internal::ProgramsTable(),
        internal::AppsTable(),
    };
    return t;
  }();
  return kTables;
}

const TableDef* FindHostTable(std::string_view name) {
  for (const TableDef& t : HostTables()) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

std::vector<size_t> TableColumns(const TableDef& table, PlatformFamily family) {
  std::vector<size_t> cols;
  cols.reserve(table.columns.size());
  for (size_t i = 0; i < table.columns.size(); ++i) {
    if ((table.columns[i].platforms & PlatformBit(family)) != 0) cols.push_back(i);
  }
  return cols;
}

void GenerateTable(const TableDef& table, const HostProfile& host, int64_t now_unix,
                   RowBuffer& out) {
  out.Reset(table.columns.size());
  if (TableOnPlatform(table, host.family)) table.generate(host, now_unix, out);
}

}  // namespace quarry::sim
