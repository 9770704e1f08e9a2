// Installed software: deb_packages, rpm_packages (linux), programs (windows), apps (darwin).
//
// Each list is a fixed catalogue of real package names with per-release versions. A host
// installs every base package of its release, a deterministic share of the optional ones and
// its role's packages. Versions written "…ubuntu1.{19}" carry a security patch counter: a host
// with patch_lag > 0 runs some packages a few updates behind, so vulnerability-style queries
// ("which hosts still have openssl < …") find a realistic spread.

#include <algorithm>
#include <charconv>
#include <ctime>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "sim/host_tables.h"
#include "sim/host_tables_internal.h"
#include "sim/sim_random.h"

namespace quarry::sim::internal {
namespace {

constexpr ColumnType T = ColumnType::kText;
constexpr ColumnType I = ColumnType::kInteger;
constexpr ColumnType B = ColumnType::kBigInt;
constexpr ColumnType D = ColumnType::kDouble;

// Expands a "{N}" patch counter to N minus the host's lag for this package (never below 0,
// or 1 when N >= 1), appending the result to `out`.
void ExpandVersion(std::string_view version, int lag, std::string& out) {
  size_t open = version.find('{');
  if (open == std::string_view::npos) {
    out.append(version);
    return;
  }
  size_t close = version.find('}', open);
  int n = 0;
  std::from_chars(version.data() + open + 1, version.data() + close, n);
  int v = std::max(n >= 1 ? 1 : 0, n - lag);
  out.append(version.substr(0, open));
  out.append(std::to_string(v));
  out.append(version.substr(close + 1));
}

// How many updates behind this host is for one package.
int PackageLag(const HostProfile& h, std::string_view name) {
  if (h.patch_lag == 0) return 0;
  uint64_t x = Hash64(h.seed, kStreamPackages, HashName(name));
  if (x % 3 != 0) return 0;
  return 1 + static_cast<int>((x >> 8) % static_cast<uint64_t>(h.patch_lag * 2));
}

bool Installed(const HostProfile& h, std::string_view name, int presence) {
  if (presence >= 100) return true;
  return Hash64(h.seed, kStreamPackages + 1, HashName(name)) % 100 < static_cast<uint64_t>(presence);
}

// ---- deb_packages -----------------------------------------------------------------------

enum { kDbName, kDbVersion, kDbSource, kDbSize, kDbArch, kDbRevision, kDbStatus, kDbMaintainer,
       kDbSection, kDbPriority, kDbAdmindir };
constexpr ColumnDef kDebColumns[] = {
    {"name", T},     {"version", T},    {"source", T},     {"size", B},
    {"arch", T},     {"revision", T},   {"status", T},     {"maintainer", T},
    {"section", T},  {"priority", T},   {"admindir", T},
};

// Release columns: Ubuntu 20.04, 22.04, 24.04, Debian 11, Debian 12. "" = not on that release.
struct DebPackage {
  const char* name;
  const char* source;  // "" when the source package has the same name
  const char* section;
  const char* priority;
  int kb;
  bool arch_all;
  int presence;  // percent of hosts
  HostRole role; // kWorkstation here means "any role"
  const char* versions[5];
};

constexpr HostRole kAny = HostRole::kWorkstation;

constexpr DebPackage kDebPackages[] = {
    {"adduser", "", "admin", "important", 608, true, 100, kAny, {"3.118ubuntu2", "3.118ubuntu5", "3.137ubuntu1", "3.118+deb11u1", "3.134"}},
    {"apparmor", "", "admin", "optional", 2704, false, 100, kAny, {"2.13.3-7ubuntu5.{4}", "3.0.4-2ubuntu2.{4}", "4.0.1really4.0.1-0ubuntu0.24.04.{3}", "2.13.6-10", "3.0.8-3"}},
    {"apt", "", "admin", "important", 4156, false, 100, kAny, {"2.0.{10}", "2.4.{13}", "2.7.14build2", "2.2.4", "2.6.1"}},
    {"apt-utils", "apt", "admin", "important", 788, false, 100, kAny, {"2.0.{10}", "2.4.{13}", "2.7.14build2", "2.2.4", "2.6.1"}},
    {"base-files", "", "admin", "required", 392, false, 100, kAny, {"11ubuntu5.{8}", "12ubuntu4.{7}", "13ubuntu10.{2}", "11.1+deb11u{10}", "12.4+deb12u{9}"}},
    {"base-passwd", "", "admin", "required", 243, false, 100, kAny, {"3.5.47", "3.5.52build1", "3.6.3build1", "3.5.52", "3.6.1"}},
    {"bash", "", "shells", "required", 1864, false, 100, kAny, {"5.0-6ubuntu1.{2}", "5.1-6ubuntu1.{1}", "5.2.21-2ubuntu4", "5.1-2+deb11u{1}", "5.2.15-2+b7"}},
    {"bash-completion", "", "shells", "standard", 1470, true, 100, kAny, {"1:2.10-1ubuntu1", "1:2.11-5ubuntu1", "1:2.11-8", "1:2.11-2", "1:2.11-6"}},
    {"bind9-dnsutils", "bind9", "net", "standard", 440, false, 100, kAny, {"1:9.18.28-0ubuntu0.20.04.{1}", "1:9.18.28-0ubuntu0.22.04.{1}", "1:9.18.28-0ubuntu0.24.04.{1}", "1:9.16.50-1~deb11u{2}", "1:9.18.28-1~deb12u{2}"}},
    {"bind9-host", "bind9", "net", "standard", 160, false, 100, kAny, {"1:9.18.28-0ubuntu0.20.04.{1}", "1:9.18.28-0ubuntu0.22.04.{1}", "1:9.18.28-0ubuntu0.24.04.{1}", "1:9.16.50-1~deb11u{2}", "1:9.18.28-1~deb12u{2}"}},
    {"bind9-libs", "bind9", "libs", "standard", 3500, false, 100, kAny, {"1:9.18.28-0ubuntu0.20.04.{1}", "1:9.18.28-0ubuntu0.22.04.{1}", "1:9.18.28-0ubuntu0.24.04.{1}", "1:9.16.50-1~deb11u{2}", "1:9.18.28-1~deb12u{2}"}},
    {"bsdutils", "util-linux", "utils", "required", 393, false, 100, kAny, {"1:2.34-0.1ubuntu9.{6}", "1:2.37.2-4ubuntu3.{4}", "1:2.39.3-9ubuntu6.{1}", "1:2.36.1-8+deb11u{2}", "1:2.38.1-5+deb12u{2}"}},
    {"btrfs-progs", "", "admin", "optional", 4276, false, 60, kAny, {"5.4.1-2", "5.16.2-1", "6.6.3-1.1build2", "5.10.1-2", "6.2-1"}},
    {"bzip2", "", "utils", "standard", 118, false, 100, kAny, {"1.0.8-2", "1.0.8-5build1", "1.0.8-5.1build0.1", "1.0.8-4", "1.0.8-5+b1"}},
    {"ca-certificates", "", "misc", "important", 384, true, 100, kAny, {"20240203~20.04.{1}", "20240203~22.04.{1}", "20240203", "20210119", "20230311"}},
    {"cloud-guest-utils", "cloud-utils", "admin", "optional", 96, true, 80, kAny, {"0.31-7-gd99b2d76-0ubuntu1", "0.32-22-g45fe84a5-0ubuntu1", "0.33-1", "0.31-2", "0.33-1"}},
    {"cloud-init", "", "admin", "optional", 3100, true, 80, kAny, {"24.3.1-0ubuntu0~20.04.{1}", "24.3.1-0ubuntu0~22.04.{1}", "24.3.1-0ubuntu0~24.04.{2}", "20.4.1-2+deb11u{1}", "22.4.2-1"}},
    {"coreutils", "", "utils", "required", 7196, false, 100, kAny, {"8.30-3ubuntu2", "8.32-4.1ubuntu1.{2}", "9.4-3ubuntu6", "8.32-4+b1", "9.1-1"}},
    {"cron", "", "admin", "important", 256, false, 100, kAny, {"3.0pl1-136ubuntu1", "3.0pl1-137ubuntu3", "3.0pl1-184ubuntu2", "3.0pl1-137", "3.0pl1-162"}},
    {"curl", "", "web", "optional", 453, false, 100, kAny, {"7.68.0-1ubuntu2.{24}", "7.81.0-1ubuntu1.{20}", "8.5.0-2ubuntu10.{6}", "7.74.0-1.3+deb11u{14}", "7.88.1-10+deb12u{12}"}},
    {"dash", "", "shells", "required", 224, false, 100, kAny, {"0.5.10.2-6", "0.5.11+git20210903+057cd650a4ed-3build1", "0.5.12-6ubuntu5", "0.5.11+git20200708+dd9ef66-5", "0.5.12-2"}},
    {"dbus", "", "admin", "standard", 528, false, 100, kAny, {"1.12.16-2ubuntu2.{3}", "1.12.20-2ubuntu4.{1}", "1.14.10-4ubuntu4.{1}", "1.12.28-0+deb11u{1}", "1.14.10-1~deb12u{1}"}},
    {"debconf", "", "admin", "required", 512, true, 100, kAny, {"1.5.73", "1.5.79ubuntu1", "1.5.86ubuntu1", "1.5.77", "1.5.82"}},
    {"debianutils", "", "utils", "required", 243, false, 100, kAny, {"4.9.1", "5.5-1ubuntu2", "5.17build1", "4.11.2", "5.7-0.5~deb12u1"}},
    {"diffutils", "", "utils", "required", 1574, false, 100, kAny, {"1:3.7-3", "1:3.8-0ubuntu2", "1:3.10-1build1", "1:3.7-5", "1:3.8-4"}},
    {"dpkg", "", "admin", "required", 6740, false, 100, kAny, {"1.19.7ubuntu3.{2}", "1.21.1ubuntu2.{3}", "1.22.6ubuntu6.{1}", "1.20.13", "1.21.22"}},
    {"e2fsprogs", "", "admin", "required", 1512, false, 100, kAny, {"1.45.5-2ubuntu1.{1}", "1.46.5-2ubuntu1.{2}", "1.47.0-2.4~exp1ubuntu4.{1}", "1.46.2-2", "1.47.0-2"}},
    {"ethtool", "", "net", "standard", 684, false, 100, kAny, {"1:5.4-1", "1:5.16-1ubuntu0.{1}", "1:6.7-1build1", "1:5.9-1", "1:6.1-1"}},
    {"fdisk", "util-linux", "utils", "important", 533, false, 100, kAny, {"2.34-0.1ubuntu9.{6}", "2.37.2-4ubuntu3.{4}", "2.39.3-9ubuntu6.{1}", "2.36.1-8+deb11u{2}", "2.38.1-5+deb12u{2}"}},
    {"file", "", "utils", "standard", 83, false, 100, kAny, {"1:5.38-4", "1:5.41-3ubuntu0.{1}", "1:5.45-3build1", "1:5.39-3+deb11u{1}", "1:5.44-3"}},
    {"findutils", "", "utils", "required", 1888, false, 100, kAny, {"4.7.0-1ubuntu1", "4.8.0-1ubuntu3", "4.9.0-5build1", "4.8.0-1", "4.9.0-4"}},
    {"fwupd", "", "admin", "optional", 8380, false, 50, kAny, {"1.7.9-1~20.04.{3}", "1.7.9-1~22.04.{3}", "1.9.24-1~24.04.{1}", "1.5.7-4", "1.8.12-3"}},
    {"gcc-12-base", "gcc-12", "libs", "required", 269, false, 100, kAny, {"", "12.3.0-1ubuntu1~22.04", "", "", "12.2.0-14"}},
    {"gcc-14-base", "gcc-14", "libs", "required", 278, false, 100, kAny, {"", "", "14-20240412-0ubuntu1", "", ""}},
    {"gcc-10-base", "gcc-10", "libs", "required", 264, false, 100, kAny, {"10.5.0-1ubuntu1~20.04", "", "", "10.2.1-6", ""}},
    {"git", "", "vcs", "optional", 36400, false, 75, kAny, {"1:2.25.1-1ubuntu3.{13}", "1:2.34.1-1ubuntu1.{11}", "1:2.43.0-1ubuntu7.{1}", "1:2.30.2-1+deb11u{3}", "1:2.39.5-0+deb12u{1}"}},
    {"git-man", "git", "doc", "optional", 2096, true, 75, kAny, {"1:2.25.1-1ubuntu3.{13}", "1:2.34.1-1ubuntu1.{11}", "1:2.43.0-1ubuntu7.{1}", "1:2.30.2-1+deb11u{3}", "1:2.39.5-0+deb12u{1}"}},
    {"gnupg", "gnupg2", "utils", "optional", 370, true, 100, kAny, {"2.2.19-3ubuntu2.{2}", "2.2.27-3ubuntu2.{1}", "2.4.4-2ubuntu17", "2.2.27-2+deb11u{2}", "2.2.40-1.1"}},
    {"gpgv", "gnupg2", "utils", "important", 317, false, 100, kAny, {"2.2.19-3ubuntu2.{2}", "2.2.27-3ubuntu2.{1}", "2.4.4-2ubuntu17", "2.2.27-2+deb11u{2}", "2.2.40-1.1"}},
    {"grep", "", "utils", "required", 1200, false, 100, kAny, {"3.4-1", "3.7-1build1", "3.11-4build1", "3.6-1+deb11u1", "3.8-5"}},
    {"grub-common", "grub2", "admin", "optional", 13300, false, 100, kAny, {"2.06-2ubuntu14.{4}", "2.06-2ubuntu14.{4}", "2.12-1ubuntu7.{1}", "2.06-3~deb11u{6}", "2.06-13+deb12u{1}"}},
    {"gzip", "", "utils", "required", 245, false, 100, kAny, {"1.10-0ubuntu4.{1}", "1.10-4ubuntu4.{1}", "1.12-1ubuntu3", "1.10-4+deb11u1", "1.12-1"}},
    {"hostname", "", "admin", "required", 50, false, 100, kAny, {"3.23", "3.23ubuntu2", "3.23+nmu2ubuntu2", "3.23", "3.23+nmu1"}},
    {"htop", "", "utils", "optional", 342, false, 70, kAny, {"2.2.0-2build1", "3.0.5-7build2", "3.3.0-4build1", "3.0.5-7", "3.2.2-2"}},
    {"init-system-helpers", "", "admin", "required", 133, true, 100, kAny, {"1.57", "1.62", "1.66ubuntu1", "1.60", "1.65.2"}},
    {"iproute2", "", "net", "important", 3024, false, 100, kAny, {"5.5.0-1ubuntu1", "5.15.0-1ubuntu2", "6.1.0-1ubuntu6", "5.10.0-4", "6.1.0-3"}},
    {"iptables", "", "net", "optional", 2864, false, 100, kAny, {"1.8.4-3ubuntu2.{1}", "1.8.7-1ubuntu5.{2}", "1.8.10-3ubuntu2", "1.8.7-1", "1.8.9-2"}},
    {"iputils-ping", "iputils", "net", "important", 116, false, 100, kAny, {"3:20190709-3", "3:20211215-1", "3:20240117-1build1", "3:20210202-1", "3:20221126-1"}},
    {"jq", "", "utils", "optional", 102, false, 70, kAny, {"1.6-1ubuntu0.20.04.{1}", "1.6-2.1ubuntu3", "1.7.1-3build1", "1.6-2.1", "1.6-2.1"}},
    {"kmod", "", "admin", "important", 250, false, 100, kAny, {"27-1ubuntu2.{1}", "29-1ubuntu1", "31+20240202-2ubuntu7", "28-1", "30+20221128-1"}},
    {"less", "", "text", "important", 320, false, 100, kAny, {"551-1ubuntu0.{3}", "590-1ubuntu0.22.04.{3}", "590-2ubuntu2.{1}", "551-2+deb11u{2}", "590-2.1~deb12u{2}"}},
    {"libapparmor1", "apparmor", "libs", "optional", 120, false, 100, kAny, {"2.13.3-7ubuntu5.{4}", "3.0.4-2ubuntu2.{4}", "4.0.1really4.0.1-0ubuntu0.24.04.{3}", "2.13.6-10", "3.0.8-3"}},
    {"libaudit1", "audit", "libs", "required", 149, false, 100, kAny, {"1:2.8.5-2ubuntu6", "1:3.0.7-1build1", "1:3.1.2-2.1build1", "1:3.0-2", "1:3.0.9-1"}},
    {"libblkid1", "util-linux", "libs", "required", 352, false, 100, kAny, {"2.34-0.1ubuntu9.{6}", "2.37.2-4ubuntu3.{4}", "2.39.3-9ubuntu6.{1}", "2.36.1-8+deb11u{2}", "2.38.1-5+deb12u{2}"}},
    {"libbz2-1.0", "bzip2", "libs", "important", 98, false, 100, kAny, {"1.0.8-2", "1.0.8-5build1", "1.0.8-5.1build0.1", "1.0.8-4", "1.0.8-5+b1"}},
    {"libc-bin", "glibc", "libs", "required", 2880, false, 100, kAny, {"2.31-0ubuntu9.{17}", "2.35-0ubuntu3.{9}", "2.39-0ubuntu8.{4}", "2.31-13+deb11u{11}", "2.36-9+deb12u{10}"}},
    {"libc6", "glibc", "libs", "required", 13589, false, 100, kAny, {"2.31-0ubuntu9.{17}", "2.35-0ubuntu3.{9}", "2.39-0ubuntu8.{4}", "2.31-13+deb11u{11}", "2.36-9+deb12u{10}"}},
    {"libcap2", "", "libs", "optional", 84, false, 100, kAny, {"1:2.32-1ubuntu0.{1}", "1:2.44-1ubuntu0.22.04.{1}", "1:2.66-5ubuntu2", "1:2.44-1", "1:2.66-4"}},
    {"libcom-err2", "e2fsprogs", "libs", "optional", 55, false, 100, kAny, {"1.45.5-2ubuntu1.{1}", "1.46.5-2ubuntu1.{2}", "1.47.0-2.4~exp1ubuntu4.{1}", "1.46.2-2", "1.47.0-2"}},
    {"libcurl4", "curl", "libs", "optional", 1045, false, 100, kAny, {"7.68.0-1ubuntu2.{24}", "7.81.0-1ubuntu1.{20}", "", "7.74.0-1.3+deb11u{14}", "7.88.1-10+deb12u{12}"}},
    {"libcurl4t64", "curl", "libs", "optional", 1045, false, 100, kAny, {"", "", "8.5.0-2ubuntu10.{6}", "", ""}},
    {"libdb5.3", "db5.3", "libs", "standard", 1800, false, 100, kAny, {"5.3.28+dfsg1-0.6ubuntu2", "5.3.28+dfsg1-0.8ubuntu3", "5.3.28+dfsg2-7", "5.3.28+dfsg1-0.8", "5.3.28+dfsg2-1"}},
    {"libexpat1", "expat", "libs", "optional", 428, false, 100, kAny, {"2.2.9-1ubuntu0.{8}", "2.4.7-1ubuntu0.{5}", "2.6.1-2ubuntu0.{2}", "2.2.10-2+deb11u{6}", "2.5.0-1+deb12u{1}"}},
    {"libffi7", "libffi", "libs", "optional", 60, false, 100, kAny, {"3.3-4", "", "", "3.3-6", ""}},
    {"libffi8", "libffi", "libs", "optional", 60, false, 100, kAny, {"", "3.4.2-4", "3.4.6-1build1", "", "3.4.4-1"}},
    {"libgcrypt20", "", "libs", "standard", 1370, false, 100, kAny, {"1.8.5-5ubuntu1.{1}", "1.9.4-3ubuntu3", "1.10.3-2build1", "1.8.7-6", "1.10.1-3"}},
    {"libglib2.0-0", "glib2.0", "libs", "optional", 4100, false, 100, kAny, {"2.64.6-1~ubuntu20.04.{7}", "2.72.4-0ubuntu2.{3}", "", "2.66.8-1+deb11u{4}", "2.74.6-2+deb12u{3}"}},
    {"libglib2.0-0t64", "glib2.0", "libs", "optional", 4100, false, 100, kAny, {"", "", "2.80.0-6ubuntu3.{1}", "", ""}},
    {"libgmp10", "gmp", "libs", "optional", 526, false, 100, kAny, {"2:6.2.0+dfsg-4ubuntu0.{1}", "2:6.2.1+dfsg-3ubuntu1", "2:6.3.0+dfsg-2ubuntu6", "2:6.2.1+dfsg-1+deb11u1", "2:6.2.1+dfsg1-1.1"}},
    {"libgnutls30", "gnutls28", "libs", "optional", 2400, false, 100, kAny, {"3.6.13-2ubuntu1.{11}", "3.7.3-4ubuntu1.{5}", "", "3.7.1-5+deb11u{6}", "3.7.9-2+deb12u{3}"}},
    {"libgnutls30t64", "gnutls28", "libs", "optional", 2400, false, 100, kAny, {"", "", "3.8.3-1.1ubuntu3.{2}", "", ""}},
    {"libgssapi-krb5-2", "krb5", "libs", "standard", 440, false, 100, kAny, {"1.17-6ubuntu4.{7}", "1.19.2-2ubuntu0.{4}", "1.20.1-6ubuntu2.{2}", "1.18.3-6+deb11u{5}", "1.20.1-2+deb12u{2}"}},
    {"libidn2-0", "libidn2", "libs", "standard", 380, false, 100, kAny, {"2.2.0-2", "2.3.2-2build1", "2.3.7-2build1", "2.3.0-5", "2.3.3-1+b1"}},
    {"libk5crypto3", "krb5", "libs", "standard", 280, false, 100, kAny, {"1.17-6ubuntu4.{7}", "1.19.2-2ubuntu0.{4}", "1.20.1-6ubuntu2.{2}", "1.18.3-6+deb11u{5}", "1.20.1-2+deb12u{2}"}},
    {"libkrb5-3", "krb5", "libs", "standard", 1030, false, 100, kAny, {"1.17-6ubuntu4.{7}", "1.19.2-2ubuntu0.{4}", "1.20.1-6ubuntu2.{2}", "1.18.3-6+deb11u{5}", "1.20.1-2+deb12u{2}"}},
    {"libldap-2.5-0", "openldap", "libs", "optional", 590, false, 100, kAny, {"", "2.5.18+dfsg-0ubuntu0.22.04.{2}", "", "", "2.5.13+dfsg-5"}},
    {"libldap2", "openldap", "libs", "optional", 590, false, 100, kAny, {"", "", "2.6.7+dfsg-1~exp1ubuntu8.{1}", "", ""}},
    {"liblzma5", "xz-utils", "libs", "required", 290, false, 100, kAny, {"5.2.4-1ubuntu1.{1}", "5.2.5-2ubuntu1", "5.6.1+really5.4.5-1build0.{1}", "5.2.5-2.1~deb11u1", "5.4.1-0.2"}},
    {"libmount1", "util-linux", "libs", "required", 408, false, 100, kAny, {"2.34-0.1ubuntu9.{6}", "2.37.2-4ubuntu3.{4}", "2.39.3-9ubuntu6.{1}", "2.36.1-8+deb11u{2}", "2.38.1-5+deb12u{2}"}},
    {"libncursesw6", "ncurses", "libs", "optional", 412, false, 100, kAny, {"6.2-0ubuntu2.{1}", "6.3-2ubuntu0.{1}", "6.4+20240113-1ubuntu2", "6.2+20201114-2+deb11u{2}", "6.4-4"}},
    {"libnghttp2-14", "nghttp2", "libs", "optional", 230, false, 100, kAny, {"1.40.0-1ubuntu0.{3}", "1.43.0-1ubuntu0.{2}", "1.59.0-1ubuntu0.{1}", "1.43.0-1+deb11u{2}", "1.52.0-1+deb12u{2}"}},
    {"libpam-modules", "pam", "admin", "required", 1100, false, 100, kAny, {"1.3.1-5ubuntu4.{7}", "1.4.0-11ubuntu2.{4}", "1.5.3-5ubuntu5.{1}", "1.4.0-9+deb11u{1}", "1.5.2-6+deb12u{1}"}},
    {"libpam0g", "pam", "libs", "required", 240, false, 100, kAny, {"1.3.1-5ubuntu4.{7}", "1.4.0-11ubuntu2.{4}", "1.5.3-5ubuntu5.{1}", "1.4.0-9+deb11u{1}", "1.5.2-6+deb12u{1}"}},
    {"libpcre2-8-0", "pcre2", "libs", "optional", 640, false, 100, kAny, {"10.34-7ubuntu0.{1}", "10.39-3ubuntu0.{1}", "10.42-4ubuntu2", "10.36-2+deb11u1", "10.42-1"}},
    {"libpython3.10", "python3.10", "libs", "optional", 5800, false, 100, kAny, {"", "3.10.12-1~22.04.{7}", "", "", ""}},
    {"libreadline8", "readline", "libs", "important", 460, false, 100, kAny, {"8.0-4", "8.1.2-1", "", "8.1-1", "8.2-1.3"}},
    {"libreadline8t64", "readline", "libs", "important", 460, false, 100, kAny, {"", "", "8.2-4build1", "", ""}},
    {"libseccomp2", "libseccomp", "libs", "optional", 145, false, 100, kAny, {"2.5.1-1ubuntu1~20.04.{2}", "2.5.3-2ubuntu2", "2.5.5-1ubuntu3.{1}", "2.5.1-1+deb11u1", "2.5.4-1+b3"}},
    {"libselinux1", "libselinux", "libs", "required", 200, false, 100, kAny, {"3.0-1build2", "3.3-1build2", "3.5-2ubuntu2", "3.1-3", "3.4-1+b6"}},
    {"libsqlite3-0", "sqlite3", "libs", "standard", 1500, false, 100, kAny, {"3.31.1-4ubuntu0.{7}", "3.37.2-2ubuntu0.{3}", "3.45.1-1ubuntu2.{1}", "3.34.1-3+deb11u{1}", "3.40.1-2+deb12u{1}"}},
    {"libssh-4", "libssh", "libs", "optional", 560, false, 100, kAny, {"0.9.3-2ubuntu2.{5}", "0.9.6-2ubuntu0.22.04.{3}", "0.10.6-2build2", "0.9.8-0+deb11u{1}", "0.10.6-0+deb12u{1}"}},
    {"libssl1.1", "openssl", "libs", "optional", 4240, false, 100, kAny, {"1.1.1f-1ubuntu2.{24}", "", "", "1.1.1w-0+deb11u{2}", ""}},
    {"libssl3", "openssl", "libs", "optional", 5860, false, 100, kAny, {"", "3.0.2-0ubuntu1.{19}", "", "", "3.0.15-1~deb12u{1}"}},
    {"libssl3t64", "openssl", "libs", "optional", 6000, false, 100, kAny, {"", "", "3.0.13-0ubuntu3.{5}", "", ""}},
    {"libstdc++6", "gcc-12", "libs", "important", 2680, false, 100, kAny, {"10.5.0-1ubuntu1~20.04", "12.3.0-1ubuntu1~22.04", "14-20240412-0ubuntu1", "10.2.1-6", "12.2.0-14"}},
    {"libsystemd0", "systemd", "libs", "optional", 900, false, 100, kAny, {"245.4-4ubuntu3.{24}", "249.11-0ubuntu3.{12}", "255.4-1ubuntu8.{5}", "247.3-7+deb11u{6}", "252.{33}-1~deb12u1"}},
    {"libtinfo6", "ncurses", "libs", "required", 560, false, 100, kAny, {"6.2-0ubuntu2.{1}", "6.3-2ubuntu0.{1}", "6.4+20240113-1ubuntu2", "6.2+20201114-2+deb11u{2}", "6.4-4"}},
    {"libudev1", "systemd", "libs", "optional", 350, false, 100, kAny, {"245.4-4ubuntu3.{24}", "249.11-0ubuntu3.{12}", "255.4-1ubuntu8.{5}", "247.3-7+deb11u{6}", "252.{33}-1~deb12u1"}},
    {"libuuid1", "util-linux", "libs", "required", 120, false, 100, kAny, {"2.34-0.1ubuntu9.{6}", "2.37.2-4ubuntu3.{4}", "2.39.3-9ubuntu6.{1}", "2.36.1-8+deb11u{2}", "2.38.1-5+deb12u{2}"}},
    {"libxml2", "", "libs", "optional", 2050, false, 100, kAny, {"2.9.10+dfsg-5ubuntu0.20.04.{8}", "2.9.13+dfsg-1ubuntu0.{5}", "2.9.14+dfsg-1.3ubuntu3.{1}", "2.9.10+dfsg-6.7+deb11u{5}", "2.9.14+dfsg-1.3~deb12u{1}"}},
    {"libyaml-0-2", "libyaml", "libs", "optional", 140, false, 100, kAny, {"0.2.2-1", "0.2.2-1build2", "0.2.5-1build1", "0.2.2-1", "0.2.5-1"}},
    {"libzstd1", "libzstd", "libs", "required", 900, false, 100, kAny, {"1.4.4+dfsg-3ubuntu0.{1}", "1.4.8+dfsg-3build1", "1.5.5+dfsg2-2build1.{1}", "1.4.8+dfsg-2.1", "1.5.4+dfsg2-5"}},
    {"linux-base", "", "kernel", "optional", 62, true, 100, kAny, {"4.5ubuntu3.{7}", "4.5ubuntu9", "4.5ubuntu9+24.04.{1}", "4.6", "4.9"}},
    {"locales", "glibc", "localization", "standard", 16900, true, 100, kAny, {"2.31-0ubuntu9.{17}", "2.35-0ubuntu3.{9}", "2.39-0ubuntu8.{4}", "2.31-13+deb11u{11}", "2.36-9+deb12u{10}"}},
    {"login", "shadow", "admin", "required", 1200, false, 100, kAny, {"1:4.8.1-1ubuntu5.20.04.{5}", "1:4.8.1-2ubuntu2.{2}", "1:4.13+dfsg1-4ubuntu3.{2}", "1:4.8.1-1", "1:4.13+dfsg1-1+b1"}},
    {"logrotate", "", "admin", "important", 160, false, 100, kAny, {"3.14.0-4ubuntu3", "3.19.0-1ubuntu1.{1}", "3.21.0-2build1", "3.18.0-2+deb11u{2}", "3.21.0-1"}},
    {"lsb-release", "", "misc", "optional", 65, true, 100, kAny, {"11.1.0ubuntu2", "11.1.0ubuntu4", "12.0-2", "11.1.0", "12.0-1"}},
    {"lsof", "", "utils", "standard", 460, false, 90, kAny, {"4.93.2+dfsg-1ubuntu0.20.04.{1}", "4.93.2+dfsg-1.1build2", "4.95.0-1build3", "4.93.2+dfsg-1.1", "4.95.0-1"}},
    {"lvm2", "", "admin", "optional", 3100, false, 60, kAny, {"2.03.07-1ubuntu1", "2.03.11-2.1ubuntu4", "2.03.16-3ubuntu3.{1}", "2.03.11-2.1", "2.03.16-2"}},
    {"man-db", "", "doc", "standard", 2800, false, 100, kAny, {"2.9.1-1", "2.10.2-1", "2.12.0-4build2", "2.9.4-2", "2.11.2-2"}},
    {"mawk", "", "interpreters", "required", 250, false, 100, kAny, {"1.3.4.20200120-2", "1.3.4.20200120-3", "1.3.4.20240123-1build1", "1.3.4.20200120-2", "1.3.4.20200120-3.1"}},
    {"mount", "util-linux", "admin", "required", 450, false, 100, kAny, {"2.34-0.1ubuntu9.{6}", "2.37.2-4ubuntu3.{4}", "2.39.3-9ubuntu6.{1}", "2.36.1-8+deb11u{2}", "2.38.1-5+deb12u{2}"}},
    {"nano", "", "editors", "standard", 868, false, 100, kAny, {"4.8-1ubuntu1", "6.2-1ubuntu0.{1}", "7.2-2ubuntu0.{1}", "5.4-2+deb11u{2}", "7.2-1+deb12u{1}"}},
    {"ncurses-base", "ncurses", "misc", "required", 393, true, 100, kAny, {"6.2-0ubuntu2.{1}", "6.3-2ubuntu0.{1}", "6.4+20240113-1ubuntu2", "6.2+20201114-2+deb11u{2}", "6.4-4"}},
    {"netbase", "", "admin", "important", 44, true, 100, kAny, {"6.1", "6.3", "6.4", "6.3", "6.4"}},
    {"netplan.io", "netplan.io", "net", "important", 360, false, 100, kAny, {"0.104-0ubuntu2~20.04.{6}", "0.106.1-7ubuntu0.22.04.{4}", "1.1.1-1~ubuntu24.04.{1}", "", ""}},
    {"openssh-client", "openssh", "net", "standard", 4760, false, 100, kAny, {"1:8.2p1-4ubuntu0.{12}", "1:8.9p1-3ubuntu0.{11}", "1:9.6p1-3ubuntu13.{8}", "1:8.4p1-5+deb11u{3}", "1:9.2p1-2+deb12u{4}"}},
    {"openssh-server", "openssh", "net", "optional", 1528, false, 100, kAny, {"1:8.2p1-4ubuntu0.{12}", "1:8.9p1-3ubuntu0.{11}", "1:9.6p1-3ubuntu13.{8}", "1:8.4p1-5+deb11u{3}", "1:9.2p1-2+deb12u{4}"}},
    {"openssh-sftp-server", "openssh", "net", "optional", 150, false, 100, kAny, {"1:8.2p1-4ubuntu0.{12}", "1:8.9p1-3ubuntu0.{11}", "1:9.6p1-3ubuntu13.{8}", "1:8.4p1-5+deb11u{3}", "1:9.2p1-2+deb12u{4}"}},
    {"openssl", "", "utils", "optional", 1280, false, 100, kAny, {"1.1.1f-1ubuntu2.{24}", "3.0.2-0ubuntu1.{19}", "3.0.13-0ubuntu3.{5}", "1.1.1w-0+deb11u{2}", "3.0.15-1~deb12u{1}"}},
    {"osquery", "", "default", "optional", 158000, false, 100, kAny, {"@", "@", "@", "@", "@"}},
    {"passwd", "shadow", "admin", "required", 2600, false, 100, kAny, {"1:4.8.1-1ubuntu5.20.04.{5}", "1:4.8.1-2ubuntu2.{2}", "1:4.13+dfsg1-4ubuntu3.{2}", "1:4.8.1-1", "1:4.13+dfsg1-1+b1"}},
    {"perl-base", "perl", "perl", "required", 7700, false, 100, kAny, {"5.30.0-9ubuntu0.{5}", "5.34.0-3ubuntu1.{3}", "5.38.2-3.2build2.{1}", "5.32.1-4+deb11u{3}", "5.36.0-7+deb12u{1}"}},
    {"procps", "", "admin", "important", 1400, false, 100, kAny, {"2:3.3.16-1ubuntu2.{4}", "2:3.3.17-6ubuntu2.{1}", "2:4.0.4-4ubuntu3.{2}", "2:3.3.17-5", "2:4.0.2-3"}},
    {"python3", "python3-defaults", "python", "important", 90, false, 100, kAny, {"3.8.2-0ubuntu2", "3.10.6-1~22.04.{1}", "3.12.3-0ubuntu2", "3.9.2-3", "3.11.2-1+b1"}},
    {"python3-apt", "python-apt", "python", "optional", 700, false, 100, kAny, {"2.0.1ubuntu0.20.04.{1}", "2.4.0ubuntu4", "2.7.7ubuntu3", "2.2.1", "2.6.0"}},
    {"python3-certifi", "python-certifi", "python", "optional", 100, true, 100, kAny, {"2019.11.28-1", "2020.6.20-1", "2023.11.17-1", "2020.6.20-1", "2022.9.24-1"}},
    {"python3-cryptography", "python-cryptography", "python", "optional", 1400, false, 100, kAny, {"2.8-3ubuntu0.{3}", "3.4.8-1ubuntu2.{2}", "41.0.7-4ubuntu0.{1}", "3.3.2-1", "38.0.4-3"}},
    {"python3-jinja2", "jinja2", "python", "optional", 520, true, 100, kAny, {"2.10.1-2ubuntu0.{3}", "3.0.3-1ubuntu0.{2}", "3.1.2-1ubuntu1.{1}", "2.11.3-1+deb11u{1}", "3.1.2-1+deb12u{1}"}},
    {"python3-requests", "requests", "python", "optional", 220, true, 100, kAny, {"2.22.0-2ubuntu1.{1}", "2.25.1+dfsg-2ubuntu0.{1}", "2.31.0+dfsg-1ubuntu1.{1}", "2.25.1+dfsg-2", "2.28.1+dfsg-1"}},
    {"python3-urllib3", "python-urllib3", "python", "optional", 420, true, 100, kAny, {"1.25.8-2ubuntu0.{4}", "1.26.5-1~exp1ubuntu0.{2}", "2.0.7-1ubuntu0.{1}", "1.26.5-1~exp1+deb11u{1}", "1.26.12-1"}},
    {"python3-yaml", "pyyaml", "python", "optional", 690, false, 100, kAny, {"5.3.1-1ubuntu0.{1}", "5.4.1-1ubuntu1", "6.0.1-2build2", "5.3.1-5", "6.0-3+b2"}},
    {"python3.10", "", "python", "optional", 580, false, 100, kAny, {"", "3.10.12-1~22.04.{7}", "", "", ""}},
    {"python3.11", "", "python", "optional", 600, false, 100, kAny, {"", "", "", "", "3.11.2-6+deb12u{4}"}},
    {"python3.12", "", "python", "optional", 610, false, 100, kAny, {"", "", "3.12.3-1ubuntu0.{3}", "", ""}},
    {"python3.8", "", "python", "optional", 520, false, 100, kAny, {"3.8.10-0ubuntu1~20.04.{13}", "", "", "", ""}},
    {"python3.9", "", "python", "optional", 550, false, 100, kAny, {"", "", "", "3.9.2-1+deb11u{2}", ""}},
    {"rsync", "", "net", "optional", 750, false, 90, kAny, {"3.1.3-8ubuntu0.{9}", "3.2.7-0ubuntu0.22.04.{3}", "3.2.7-1ubuntu1.{1}", "3.2.3-4+deb11u{2}", "3.2.7-1+deb12u{1}"}},
    {"rsyslog", "", "admin", "important", 1800, false, 100, kAny, {"8.2001.0-1ubuntu1.{3}", "8.2112.0-2ubuntu2.{2}", "8.2312.0-3ubuntu9", "8.2102.0-2+deb11u{1}", ""}},
    {"sed", "", "utils", "required", 883, false, 100, kAny, {"4.7-1", "4.8-1ubuntu2", "4.9-2build1", "4.7-1", "4.9-1"}},
    {"snapd", "", "devel", "optional", 90000, false, 100, kAny, {"2.63+20.04ubuntu0.{1}", "2.63+22.04ubuntu0.{1}", "2.63.1+24.04ubuntu0.{2}", "", ""}},
    {"strace", "", "utils", "optional", 2300, false, 60, kAny, {"5.5-3ubuntu1", "5.16-0ubuntu3", "6.8-0ubuntu2", "5.10-1", "6.1-0.1"}},
    {"sudo", "", "admin", "optional", 2500, false, 100, kAny, {"1.8.31-1ubuntu1.{5}", "1.9.9-1ubuntu2.{4}", "1.9.15p5-3ubuntu5.{1}", "1.9.5p2-3+deb11u{1}", "1.9.13p3-1+deb12u{1}"}},
    {"systemd", "", "admin", "important", 15000, false, 100, kAny, {"245.4-4ubuntu3.{24}", "249.11-0ubuntu3.{12}", "255.4-1ubuntu8.{5}", "247.3-7+deb11u{6}", "252.{33}-1~deb12u1"}},
    {"systemd-sysv", "systemd", "admin", "important", 60, false, 100, kAny, {"245.4-4ubuntu3.{24}", "249.11-0ubuntu3.{12}", "255.4-1ubuntu8.{5}", "247.3-7+deb11u{6}", "252.{33}-1~deb12u1"}},
    {"systemd-timesyncd", "systemd", "admin", "optional", 270, false, 100, kAny, {"245.4-4ubuntu3.{24}", "249.11-0ubuntu3.{12}", "255.4-1ubuntu8.{5}", "247.3-7+deb11u{6}", "252.{33}-1~deb12u1"}},
    {"sysvinit-utils", "sysvinit", "admin", "required", 90, false, 100, kAny, {"2.96-2.1ubuntu1", "3.01-1ubuntu1", "3.08-6ubuntu3", "2.96-7+deb11u1", "3.06-4"}},
    {"tar", "", "utils", "required", 3100, false, 100, kAny, {"1.30+dfsg-7ubuntu0.20.04.{4}", "1.34+dfsg-1ubuntu0.1.22.04.{2}", "1.35+dfsg-3build1", "1.34+dfsg-1+deb11u{1}", "1.34+dfsg-1.2+deb12u{1}"}},
    {"tcpdump", "", "net", "optional", 1300, false, 70, kAny, {"4.9.3-4ubuntu0.{3}", "4.99.1-3ubuntu0.{2}", "4.99.4-3ubuntu4", "4.99.0-2+deb11u{1}", "4.99.3-1"}},
    {"tzdata", "", "localization", "required", 3600, true, 100, kAny, {"2024a-0ubuntu0.20.04.{1}", "2024a-0ubuntu0.22.04.{1}", "2024a-3ubuntu1.{1}", "2024a-0+deb11u{1}", "2024a-0+deb12u{1}"}},
    {"ubuntu-minimal", "ubuntu-meta", "metapackages", "important", 10, false, 100, kAny, {"1.450.2", "1.481.{4}", "1.539.{2}", "", ""}},
    {"ubuntu-server", "ubuntu-meta", "metapackages", "optional", 10, false, 100, kAny, {"1.450.2", "1.481.{4}", "1.539.{2}", "", ""}},
    {"ufw", "", "admin", "optional", 850, true, 100, kAny, {"0.36-6ubuntu1.{1}", "0.36.1-4ubuntu0.{1}", "0.36.2-6", "", ""}},
    {"unattended-upgrades", "", "admin", "optional", 400, true, 100, kAny, {"2.8ubuntu1", "2.8ubuntu1", "2.9.1+nmu4ubuntu1", "2.8", "2.9.1+nmu3"}},
    {"unzip", "", "utils", "optional", 580, false, 80, kAny, {"6.0-25ubuntu1.{2}", "6.0-26ubuntu3.{2}", "6.0-28ubuntu4.{1}", "6.0-26+deb11u{1}", "6.0-28"}},
    {"util-linux", "", "utils", "required", 4300, false, 100, kAny, {"2.34-0.1ubuntu9.{6}", "2.37.2-4ubuntu3.{4}", "2.39.3-9ubuntu6.{1}", "2.36.1-8+deb11u{2}", "2.38.1-5+deb12u{2}"}},
    {"vim", "", "editors", "optional", 3900, false, 80, kAny, {"2:8.1.2269-1ubuntu5.{23}", "2:8.2.3995-1ubuntu2.{21}", "2:9.1.0016-1ubuntu7.{5}", "2:8.2.2434-3+deb11u{1}", "2:9.0.1378-2"}},
    {"vim-common", "vim", "editors", "important", 390, true, 100, kAny, {"2:8.1.2269-1ubuntu5.{23}", "2:8.2.3995-1ubuntu2.{21}", "2:9.1.0016-1ubuntu7.{5}", "2:8.2.2434-3+deb11u{1}", "2:9.0.1378-2"}},
    {"vim-tiny", "vim", "editors", "important", 1700, false, 100, kAny, {"2:8.1.2269-1ubuntu5.{23}", "2:8.2.3995-1ubuntu2.{21}", "2:9.1.0016-1ubuntu7.{5}", "2:8.2.2434-3+deb11u{1}", "2:9.0.1378-2"}},
    {"wget", "", "web", "standard", 3300, false, 100, kAny, {"1.20.3-1ubuntu2.{1}", "1.21.2-2ubuntu1.{1}", "1.21.4-1ubuntu4.{1}", "1.21-1+deb11u{1}", "1.21.3-1+b2"}},
    {"xfsprogs", "", "admin", "optional", 3600, false, 60, kAny, {"5.3.0-1ubuntu2", "5.13.0-1ubuntu2.{1}", "6.6.0-1ubuntu2", "5.10.0-4", "6.1.0-1"}},
    {"xxd", "vim", "editors", "important", 80, false, 100, kAny, {"2:8.1.2269-1ubuntu5.{23}", "2:8.2.3995-1ubuntu2.{21}", "2:9.1.0016-1ubuntu7.{5}", "2:8.2.2434-3+deb11u{1}", "2:9.0.1378-2"}},
    {"xz-utils", "", "utils", "standard", 450, false, 100, kAny, {"5.2.4-1ubuntu1.{1}", "5.2.5-2ubuntu1", "5.6.1+really5.4.5-1build0.{1}", "5.2.5-2.1~deb11u1", "5.4.1-0.2"}},
    {"zlib1g", "zlib", "libs", "required", 164, false, 100, kAny, {"1:1.2.11.dfsg-2ubuntu1.{5}", "1:1.2.11.dfsg-2ubuntu9.{2}", "1:1.3.dfsg-3.1ubuntu2.{1}", "1:1.2.11.dfsg-2+deb11u{2}", "1:1.2.13.dfsg-1"}},
    {"acl", "", "utils", "optional", 192, false, 100, kAny, {"2.2.53-6", "2.3.1-1", "2.3.2-1build1", "2.2.53-10", "2.3.1-3"}},
    {"at", "", "admin", "standard", 158, false, 60, kAny, {"3.1.23-1ubuntu1", "3.2.5-1ubuntu1", "3.2.5-2.1ubuntu3", "3.1.23-1.1", "3.2.5-1"}},
    {"bc", "", "math", "standard", 220, false, 80, kAny, {"1.07.1-2build1", "1.07.1-3build1", "1.07.1-3ubuntu4", "1.07.1-2+b2", "1.07.1-3+b1"}},
    {"command-not-found", "", "admin", "optional", 30, true, 100, kAny, {"20.04.6", "22.04.0", "23.04.0", "", ""}},
    {"console-setup", "", "utils", "optional", 440, true, 100, kAny, {"1.194ubuntu3", "1.205ubuntu3", "1.226ubuntu1", "1.205", "1.221"}},
    {"cryptsetup", "", "admin", "optional", 640, false, 70, kAny, {"2:2.2.2-3ubuntu2.{4}", "2:2.4.3-1ubuntu1.{2}", "2:2.7.0-1ubuntu4.{1}", "2:2.3.7-1+deb11u{1}", "2:2.6.1-4~deb12u{2}"}},
    {"dirmngr", "gnupg2", "utils", "optional", 840, false, 100, kAny, {"2.2.19-3ubuntu2.{2}", "2.2.27-3ubuntu2.{1}", "2.4.4-2ubuntu17", "2.2.27-2+deb11u{2}", "2.2.40-1.1"}},
    {"distro-info-data", "", "devel", "optional", 40, true, 100, kAny, {"0.43ubuntu1.{16}", "0.52ubuntu0.{8}", "0.60ubuntu0.{2}", "0.51+deb11u{7}", "0.58+deb12u{3}"}},
    {"dmidecode", "", "utils", "important", 230, false, 100, kAny, {"3.2-3", "3.3-3ubuntu0.{2}", "3.5-3build1", "3.3-2", "3.4-1"}},
    {"dmsetup", "lvm2", "admin", "optional", 210, false, 100, kAny, {"2:1.02.167-1ubuntu1", "2:1.02.175-2.1ubuntu4", "2:1.02.185-3ubuntu3.{1}", "2:1.02.175-2.1", "2:1.02.185-2"}},
    {"dosfstools", "", "otherosfs", "optional", 340, false, 80, kAny, {"4.1-2", "4.2-1build3", "4.2-1.1build1", "4.2-1", "4.2-1"}},
    {"ed", "", "editors", "optional", 120, false, 90, kAny, {"1.16-1", "1.18-1", "1.20.1-1", "1.17-1", "1.19-1"}},
    {"gawk", "", "interpreters", "optional", 2500, false, 80, kAny, {"1:5.0.1+dfsg-1ubuntu0.{1}", "1:5.1.0-1ubuntu0.{1}", "1:5.2.1-2build3", "1:5.1.0-1", "1:5.2.1-2"}},
    {"gdisk", "", "admin", "optional", 880, false, 80, kAny, {"1.0.5-1", "1.0.8-4build1", "1.0.10-1build1", "1.0.6-1.1", "1.0.9-2.1"}},
    {"gettext-base", "gettext", "utils", "standard", 300, false, 100, kAny, {"0.19.8.1-10build1", "0.21-4ubuntu4", "0.21-14ubuntu2", "0.21-4", "0.21-12"}},
    {"gpg", "gnupg2", "utils", "optional", 1000, false, 100, kAny, {"2.2.19-3ubuntu2.{2}", "2.2.27-3ubuntu2.{1}", "2.4.4-2ubuntu17", "2.2.27-2+deb11u{2}", "2.2.40-1.1"}},
    {"gpg-agent", "gnupg2", "utils", "optional", 700, false, 100, kAny, {"2.2.19-3ubuntu2.{2}", "2.2.27-3ubuntu2.{1}", "2.4.4-2ubuntu17", "2.2.27-2+deb11u{2}", "2.2.40-1.1"}},
    {"gpgconf", "gnupg2", "utils", "optional", 280, false, 100, kAny, {"2.2.19-3ubuntu2.{2}", "2.2.27-3ubuntu2.{1}", "2.4.4-2ubuntu17", "2.2.27-2+deb11u{2}", "2.2.40-1.1"}},
    {"info", "texinfo", "doc", "standard", 630, false, 100, kAny, {"6.7.0.dfsg.2-5", "6.8-4build1", "7.1-3build2", "6.7.0.dfsg.2-6", "6.8-6+b1"}},
    {"init", "init-system-helpers", "metapackages", "important", 30, false, 100, kAny, {"1.57", "1.62", "1.66ubuntu1", "1.60", "1.65.2"}},
    {"initramfs-tools", "", "utils", "optional", 100, true, 100, kAny, {"0.136ubuntu6.{7}", "0.140ubuntu13.{4}", "0.142ubuntu25.{1}", "0.140", "0.142"}},
    {"iputils-tracepath", "iputils", "net", "optional", 70, false, 90, kAny, {"3:20190709-3", "3:20211215-1", "3:20240117-1build1", "3:20210202-1", "3:20221126-1"}},
    {"irqbalance", "", "admin", "optional", 180, false, 80, kAny, {"1.6.0-3ubuntu1", "1.8.0-1build1", "1.9.3-2ubuntu5", "1.7.0-1", "1.9.0-1"}},
    {"isc-dhcp-client", "isc-dhcp", "net", "important", 1100, false, 100, kAny, {"4.4.1-2.1ubuntu5.20.04.{5}", "4.4.1-2.3ubuntu2.{4}", "", "4.4.1-2.3+deb11u{2}", "4.4.3-P1-2"}},
    {"keyboard-configuration", "console-setup", "utils", "optional", 2800, true, 100, kAny, {"1.194ubuntu3", "1.205ubuntu3", "1.226ubuntu1", "1.205", "1.221"}},
    {"klibc-utils", "klibc", "libs", "optional", 390, false, 100, kAny, {"2.0.7-1ubuntu5.{2}", "2.0.10-4", "2.0.13-4ubuntu0.{1}", "2.0.8-6.1", "2.0.12-1"}},
    {"libacl1", "acl", "libs", "required", 70, false, 100, kAny, {"2.2.53-6", "2.3.1-1", "2.3.2-1build1", "2.2.53-10", "2.3.1-3"}},
    {"libargon2-1", "argon2", "libs", "optional", 50, false, 100, kAny, {"0~20171227-0.2", "0~20171227-0.3build2", "0~20190702+dfsg-4build1", "0~20171227-0.2", "0~20171227-0.3+deb12u1"}},
    {"libattr1", "attr", "libs", "required", 60, false, 100, kAny, {"1:2.4.48-5", "1:2.5.1-1build1", "1:2.5.2-1build1.{1}", "1:2.4.48-6", "1:2.5.1-4"}},
    {"libbrotli1", "brotli", "libs", "optional", 830, false, 100, kAny, {"1.0.7-6ubuntu0.{1}", "1.0.9-2build6", "1.1.0-2build2", "1.0.9-2+b2", "1.0.9-2+b6"}},
    {"libbsd0", "libbsd", "libs", "optional", 190, false, 100, kAny, {"0.10.0-1", "0.11.5-1", "0.12.1-1build1.{1}", "0.11.3-1+deb11u{1}", "0.11.7-2"}},
    {"libcap-ng0", "libcap-ng", "libs", "optional", 50, false, 100, kAny, {"0.7.9-2.1build1", "0.7.9-2.2build3", "0.8.4-2build2", "0.7.9-2.2+b1", "0.8.3-1+b3"}},
    {"libcrypt1", "libxcrypt", "libs", "required", 230, false, 100, kAny, {"1:4.4.10-10ubuntu4", "1:4.4.27-1", "1:4.4.36-4build1", "1:4.4.18-4", "1:4.4.33-2"}},
    {"libcryptsetup12", "cryptsetup", "libs", "optional", 750, false, 100, kAny, {"2:2.2.2-3ubuntu2.{4}", "2:2.4.3-1ubuntu1.{2}", "2:2.7.0-1ubuntu4.{1}", "2:2.3.7-1+deb11u{1}", "2:2.6.1-4~deb12u{2}"}},
    {"libdevmapper1.02.1", "lvm2", "libs", "optional", 480, false, 100, kAny, {"2:1.02.167-1ubuntu1", "2:1.02.175-2.1ubuntu4", "2:1.02.185-3ubuntu3.{1}", "2:1.02.175-2.1", "2:1.02.185-2"}},
    {"libedit2", "libedit", "libs", "standard", 260, false, 100, kAny, {"3.1-20191231-1", "3.1-20210910-1build1", "3.1-20230828-1build1", "3.1-20191231-2+b1", "3.1-20221030-2"}},
    {"libelf1", "elfutils", "libs", "optional", 180, false, 100, kAny, {"0.176-1.1ubuntu0.{1}", "0.186-1ubuntu0.{1}", "0.190-1.1ubuntu0.{1}", "0.183-1", "0.188-2.1"}},
    {"libestr0", "libestr", "libs", "optional", 30, false, 100, kAny, {"0.1.10-2.1", "0.1.10-2.1build3", "0.1.11-1build1", "0.1.10-2.1+b1", "0.1.11-1"}},
    {"libfastjson4", "libfastjson", "libs", "optional", 80, false, 100, kAny, {"0.99.8-2", "0.99.9-1build2", "1.2304.0-1build1", "0.99.9-1", "1.2304.0-1"}},
    {"libfdisk1", "util-linux", "libs", "optional", 480, false, 100, kAny, {"2.34-0.1ubuntu9.{6}", "2.37.2-4ubuntu3.{4}", "2.39.3-9ubuntu6.{1}", "2.36.1-8+deb11u{2}", "2.38.1-5+deb12u{2}"}},
    {"libfido2-1", "libfido2", "libs", "optional", 240, false, 100, kAny, {"1.3.1-1ubuntu2", "1.10.0-1", "1.14.0-1build3", "1.6.0-2", "1.12.0-2+b1"}},
    {"libgdbm6", "gdbm", "libs", "important", 120, false, 100, kAny, {"1.18.1-5", "1.23-1", "1.23-5.1build1", "1.19-2", "1.23-3"}},
    {"libhogweed6", "nettle", "libs", "required", 330, false, 100, kAny, {"", "3.7.3-1build2", "3.9.1-2.2build1.{1}", "3.7.3-1", "3.8.1-2"}},
    {"libjson-c5", "json-c", "libs", "optional", 110, false, 100, kAny, {"", "0.15-3~ubuntu1.22.04.{2}", "0.17-1build1", "0.15-2+deb11u{1}", "0.16-2"}},
    {"libkmod2", "kmod", "libs", "important", 140, false, 100, kAny, {"27-1ubuntu2.{1}", "29-1ubuntu1", "31+20240202-2ubuntu7", "28-1", "30+20221128-1"}},
    {"libksba8", "libksba", "libs", "optional", 250, false, 100, kAny, {"1.3.5-2ubuntu0.20.04.{2}", "1.6.0-2ubuntu0.{2}", "1.6.6-1build1", "1.5.0-3+deb11u{2}", "1.6.3-2"}},
    {"liblz4-1", "lz4", "libs", "required", 170, false, 100, kAny, {"1.9.2-2ubuntu0.20.04.{1}", "1.9.3-2build2", "1.9.4-1build1.{1}", "1.9.3-2", "1.9.4-1"}},
    {"libmagic1", "file", "libs", "standard", 230, false, 100, kAny, {"1:5.38-4", "1:5.41-3ubuntu0.{1}", "1:5.45-3build1", "1:5.39-3+deb11u{1}", "1:5.44-3"}},
    {"libmnl0", "libmnl", "libs", "optional", 50, false, 100, kAny, {"1.0.4-2", "1.0.4-3build2", "1.0.5-2build1", "1.0.4-3", "1.0.4-3"}},
    {"libmpfr6", "mpfr4", "libs", "optional", 3400, false, 100, kAny, {"4.0.2-1", "4.1.0-3build3", "4.2.1-1build1", "4.1.0-3", "4.2.0-1"}},
    {"libnewt0.52", "newt", "libs", "important", 400, false, 100, kAny, {"0.52.21-4ubuntu2", "0.52.21-5ubuntu2", "0.52.24-2ubuntu2", "0.52.21-4+b3", "0.52.23-1+b1"}},
    {"libnftables1", "nftables", "libs", "optional", 900, false, 100, kAny, {"0.9.3-2", "1.0.2-1ubuntu3", "1.0.9-1build1", "0.9.8-3.1+deb11u{2}", "1.0.6-2+deb12u{2}"}},
    {"libnl-3-200", "libnl3", "libs", "optional", 200, false, 100, kAny, {"3.4.0-1", "3.5.0-0.1", "3.7.0-0.3build1.{1}", "3.4.0-1+b1", "3.7.0-0.2+b1"}},
    {"libnpth0", "npth", "libs", "optional", 40, false, 100, kAny, {"1.6-1", "1.6-3build2", "1.6-3.1build1", "1.6-3", "1.6-3"}},
    {"libp11-kit0", "p11-kit", "libs", "optional", 1400, false, 100, kAny, {"0.23.20-1ubuntu0.{1}", "0.24.0-6build1", "0.25.3-4ubuntu2.{1}", "0.23.22-1", "0.24.1-2"}},
    {"libpam-systemd", "systemd", "admin", "standard", 450, false, 100, kAny, {"245.4-4ubuntu3.{24}", "249.11-0ubuntu3.{12}", "255.4-1ubuntu8.{5}", "247.3-7+deb11u{6}", "252.{33}-1~deb12u1"}},
    {"libpci3", "pciutils", "libs", "optional", 110, false, 100, kAny, {"1:3.6.4-1ubuntu0.20.04.{1}", "1:3.7.0-6", "1:3.10.0-2build1", "1:3.7.0-5", "1:3.9.0-4"}},
    {"libpopt0", "popt", "libs", "important", 130, false, 100, kAny, {"1.16-14", "1.18-3build1", "1.19+dfsg-1build1", "1.18-2", "1.19+dfsg-1"}},
    {"libpsl5", "libpsl", "libs", "optional", 90, false, 100, kAny, {"0.21.0-1ubuntu1", "0.21.0-1.2build2", "0.21.2-1.1build1", "0.21.0-1.2", "0.21.2-1"}},
    {"libsasl2-2", "cyrus-sasl2", "libs", "standard", 140, false, 100, kAny, {"2.1.27+dfsg-2ubuntu0.{1}", "2.1.27+dfsg2-3ubuntu1.{2}", "2.1.28+dfsg1-5ubuntu3.{1}", "2.1.27+dfsg-2.1+deb11u{1}", "2.1.28+dfsg-10"}},
    {"libslang2", "slang2", "libs", "important", 1600, false, 100, kAny, {"2.3.2-4", "2.3.2-5build4", "2.3.3-3build2", "2.3.2-5", "2.3.3-3"}},
    {"libsmartcols1", "util-linux", "libs", "required", 320, false, 100, kAny, {"2.34-0.1ubuntu9.{6}", "2.37.2-4ubuntu3.{4}", "2.39.3-9ubuntu6.{1}", "2.36.1-8+deb11u{2}", "2.38.1-5+deb12u{2}"}},
    {"libss2", "e2fsprogs", "libs", "required", 110, false, 100, kAny, {"1.45.5-2ubuntu1.{1}", "1.46.5-2ubuntu1.{2}", "1.47.0-2.4~exp1ubuntu4.{1}", "1.46.2-2", "1.47.0-2"}},
    {"libtasn1-6", "libtasn1-6", "libs", "standard", 150, false, 100, kAny, {"4.16.0-2", "4.18.0-4build1", "4.19.0-3build1", "4.16.0-2+deb11u{1}", "4.19.0-2"}},
    {"libunistring2", "libunistring", "libs", "required", 1600, false, 100, kAny, {"0.9.10-2", "1.0-1", "", "0.9.10-4", ""}},
    {"libunistring5", "libunistring", "libs", "required", 1800, false, 100, kAny, {"", "", "1.1-2build1.{1}", "", ""}},
    {"libusb-1.0-0", "libusb-1.0", "libs", "important", 160, false, 100, kAny, {"2:1.0.23-2build1", "2:1.0.25-1ubuntu2", "2:1.0.27-1", "2:1.0.24-3", "2:1.0.26-1"}},
    {"libwrap0", "tcp-wrappers", "libs", "optional", 110, false, 100, kAny, {"7.6.q-30", "7.6.q-31build2", "7.6.q-33", "7.6.q-31", "7.6.q-32"}},
    {"libxtables12", "iptables", "libs", "optional", 90, false, 100, kAny, {"1.8.4-3ubuntu2.{1}", "1.8.7-1ubuntu5.{2}", "1.8.10-3ubuntu2", "1.8.7-1", "1.8.9-2"}},
    {"lshw", "", "utils", "optional", 900, false, 80, kAny, {"02.18.85-0.3ubuntu2.20.04.{1}", "02.19.git.2021.06.19.996aaad9c7-2build1", "02.19.git.2021.06.19.996aaad9c7-2build3", "02.19.git.2021.06.19.996aaad9c7-1", "02.19.git.2021.06.19.996aaad9c7-2"}},
    {"mdadm", "", "admin", "optional", 1250, false, 50, kAny, {"4.1-5ubuntu1.{2}", "4.2-0ubuntu2", "4.3-1ubuntu2.{1}", "4.1-11", "4.2-5"}},
    {"mtr-tiny", "mtr", "net", "optional", 160, false, 70, kAny, {"0.93-1", "0.95-1", "0.95-1.1build2", "0.94-1+deb11u{1}", "0.95-1"}},
    {"ncurses-bin", "ncurses", "utils", "required", 640, false, 100, kAny, {"6.2-0ubuntu2.{1}", "6.3-2ubuntu0.{1}", "6.4+20240113-1ubuntu2", "6.2+20201114-2+deb11u{2}", "6.4-4"}},
    {"needrestart", "", "admin", "optional", 500, true, 100, kAny, {"", "3.5-5ubuntu2.{1}", "3.6-7ubuntu4.{1}", "", ""}},
    {"netcat-openbsd", "", "net", "important", 110, false, 100, kAny, {"1.206-1ubuntu1", "1.218-4ubuntu1", "1.226-1ubuntu2", "1.217-3", "1.219-1"}},
    {"open-vm-tools", "", "admin", "optional", 3700, false, 15, kAny, {"2:11.3.0-2ubuntu0~ubuntu20.04.{7}", "2:12.3.5-3~ubuntu0.22.04.{1}", "2:12.4.5-1~ubuntu0.24.04.{1}", "2:11.2.5-2+deb11u{3}", "2:12.2.0-1+deb12u{2}"}},
    {"patch", "", "vcs", "standard", 220, false, 80, kAny, {"2.7.6-6", "2.7.6-7build2", "2.7.6-7build3", "2.7.6-7", "2.7.6-7"}},
    {"pciutils", "", "admin", "optional", 220, false, 100, kAny, {"1:3.6.4-1ubuntu0.20.04.{1}", "1:3.7.0-6", "1:3.10.0-2build1", "1:3.7.0-5", "1:3.9.0-4"}},
    {"psmisc", "", "admin", "optional", 480, false, 100, kAny, {"23.3-1", "23.4-2build3", "23.7-1build1", "23.4-2", "23.6-1"}},
    {"publicsuffix", "", "net", "optional", 300, true, 100, kAny, {"20200303.0012-1", "20211207.1025-1", "20231001.0357-0.1", "20220811.1734-0+deb11u1", "20230209.2326-1"}},
    {"python3-attr", "python-attrs", "python", "optional", 240, true, 100, kAny, {"19.3.0-2", "21.2.0-1ubuntu1", "23.2.0-2", "20.3.0-1", "22.2.0-1"}},
    {"python3-configobj", "configobj", "python", "optional", 200, true, 100, kAny, {"5.0.6-4", "5.0.6-5", "5.0.8-3", "5.0.6-4", "5.0.8-1"}},
    {"python3-dbus", "dbus-python", "python", "optional", 400, false, 100, kAny, {"1.2.16-1build1", "1.2.18-3build1", "1.3.2-5build3", "1.2.16-5", "1.3.2-4+b1"}},
    {"python3-debconf", "debconf", "python", "optional", 30, true, 100, kAny, {"1.5.73", "1.5.79ubuntu1", "1.5.86ubuntu1", "1.5.77", "1.5.82"}},
    {"python3-distro", "python-distro", "python", "optional", 80, true, 100, kAny, {"1.4.0-1", "1.7.0-1", "1.9.0-1", "1.5.0-1", "1.8.0-1"}},
    {"python3-gi", "pygobject", "python", "optional", 1000, false, 100, kAny, {"3.36.0-1", "3.42.1-0ubuntu1", "3.48.2-1", "3.38.0-2", "3.42.2-3"}},
    {"python3-jsonschema", "python-jsonschema", "python", "optional", 280, true, 100, kAny, {"3.2.0-0ubuntu2", "3.2.0-0ubuntu2", "4.10.3-2ubuntu1", "3.2.0-3", "4.10.3-1"}},
    {"python3-jwt", "pyjwt", "python", "optional", 90, true, 100, kAny, {"1.7.1-2ubuntu2.{1}", "2.3.0-1ubuntu0.{2}", "2.7.0-1", "1.7.1-2", "2.6.0-1"}},
    {"python3-oauthlib", "python-oauthlib", "python", "optional", 500, true, 100, kAny, {"3.1.0-1ubuntu2", "3.2.0-1ubuntu0.{1}", "3.2.2-1", "3.1.0-2", "3.2.2-1"}},
    {"python3-pkg-resources", "setuptools", "python", "optional", 600, true, 100, kAny, {"45.2.0-1ubuntu0.{1}", "59.6.0-1.2ubuntu0.22.04.{2}", "68.1.2-2ubuntu1.{1}", "52.0.0-4", "66.1.1-1"}},
    {"python3-six", "six", "python", "optional", 60, true, 100, kAny, {"1.14.0-2", "1.16.0-3ubuntu1", "1.16.0-4", "1.16.0-2", "1.16.0-4"}},
    {"screen", "", "misc", "optional", 1000, false, 60, kAny, {"4.8.0-1ubuntu0.{1}", "4.9.0-1", "4.9.1-1build1", "4.8.0-6", "4.9.0-4"}},
    {"shared-mime-info", "", "misc", "optional", 2700, false, 100, kAny, {"1.15-1", "2.1-2", "2.4-4", "2.0-1", "2.2-1"}},
    {"software-properties-common", "software-properties", "admin", "optional", 180, true, 100, kAny, {"0.99.9.{12}", "0.99.22.{9}", "0.99.49.{1}", "0.96.20.2-2.1", "0.99.30-4.1~deb12u1"}},
    {"squashfs-tools", "", "admin", "optional", 400, false, 100, kAny, {"1:4.4-1ubuntu0.{3}", "1:4.5-3build1", "1:4.6.1-1build1", "1:4.4-2+deb11u{2}", "1:4.5.1-1"}},
    {"ssh-import-id", "", "misc", "optional", 40, true, 100, kAny, {"5.10-0ubuntu1", "5.11-0ubuntu1", "5.11-0ubuntu2.{1}", "", ""}},
    {"time", "", "utils", "standard", 130, false, 100, kAny, {"1.7-25.1build1", "1.9-0.1build2", "1.9-0.2build1", "1.9-0.1", "1.9-0.2"}},
    {"tmux", "", "admin", "optional", 1100, false, 80, kAny, {"3.0a-2ubuntu0.{4}", "3.2a-4ubuntu0.{2}", "3.4-1ubuntu0.{1}", "3.1c-1+deb11u{1}", "3.3a-3"}},
    {"ubuntu-keyring", "", "misc", "important", 50, true, 100, kAny, {"2020.02.11.4", "2021.03.26", "2023.11.28.1", "", ""}},
    {"ubuntu-pro-client", "ubuntu-advantage-tools", "misc", "important", 1200, false, 100, kAny, {"34~20.04", "34~22.04", "34~24.04", "", ""}},
    {"update-manager-core", "update-manager", "admin", "optional", 220, true, 100, kAny, {"1:20.04.10.{22}", "1:22.04.{21}", "1:24.04.{9}", "", ""}},
    {"usbutils", "", "utils", "optional", 320, false, 100, kAny, {"1:012-2", "1:014-1build1", "1:017-3build1", "1:013-3", "1:014-1"}},
    {"uuid-runtime", "util-linux", "utils", "optional", 160, false, 100, kAny, {"2.34-0.1ubuntu9.{6}", "2.37.2-4ubuntu3.{4}", "2.39.3-9ubuntu6.{1}", "2.36.1-8+deb11u{2}", "2.38.1-5+deb12u{2}"}},
    {"xauth", "", "x11", "optional", 80, false, 70, kAny, {"1:1.1-0ubuntu1", "1:1.1-1build2", "1:1.1.2-1build1", "1:1.1-1", "1:1.1.2-1"}},
    {"zstd", "libzstd", "utils", "optional", 1700, false, 100, kAny, {"1.4.4+dfsg-3ubuntu0.{1}", "1.4.8+dfsg-3build1", "1.5.5+dfsg2-2build1.{1}", "1.4.8+dfsg-2.1", "1.5.4+dfsg2-5"}},
    // Role packages.
    {"nginx", "", "httpd", "optional", 1600, false, 100, HostRole::kWeb, {"1.18.0-0ubuntu1.{5}", "1.18.0-6ubuntu14.{5}", "1.24.0-2ubuntu7.{1}", "1.18.0-6.1+deb11u{3}", "1.22.1-9"}},
    {"nginx-common", "nginx", "httpd", "optional", 500, true, 100, HostRole::kWeb, {"1.18.0-0ubuntu1.{5}", "1.18.0-6ubuntu14.{5}", "1.24.0-2ubuntu7.{1}", "1.18.0-6.1+deb11u{3}", "1.22.1-9"}},
    {"nodejs", "", "web", "optional", 190000, false, 60, HostRole::kWeb, {"20.18.0-1nodesource1", "20.18.0-1nodesource1", "20.18.0-1nodesource1", "18.20.4-1nodesource1", "20.18.0-1nodesource1"}},
    {"openjdk-17-jre-headless", "openjdk-17", "java", "optional", 190000, false, 100, HostRole::kApp, {"17.0.12+7-1ubuntu2~20.04", "17.0.12+7-1ubuntu2~22.04", "17.0.12+7-1ubuntu2~24.04", "17.0.12+7-2~deb11u1", "17.0.12+7-2~deb12u1"}},
    {"openjdk-17-jre-headless", "openjdk-17", "java", "optional", 190000, false, 100, HostRole::kKafka, {"17.0.12+7-1ubuntu2~20.04", "17.0.12+7-1ubuntu2~22.04", "17.0.12+7-1ubuntu2~24.04", "17.0.12+7-2~deb11u1", "17.0.12+7-2~deb12u1"}},
    {"postgresql-common", "", "database", "optional", 760, true, 100, HostRole::kDatabase, {"214ubuntu0.{1}", "238", "257build1.{1}", "225", "248"}},
    {"postgresql", "postgresql-common", "database", "optional", 70, true, 100, HostRole::kDatabase, {"12+214ubuntu0.{1}", "14+238", "16+257build1.{1}", "13+225", "15+248"}},
    {"redis-server", "redis", "database", "optional", 200, false, 100, HostRole::kCache, {"5:5.0.7-2ubuntu0.{1}", "5:6.0.16-1ubuntu1.{1}", "5:7.0.15-1ubuntu0.{1}", "5:6.0.16-1+deb11u{2}", "5:7.0.15-1~deb12u{1}"}},
    {"redis-tools", "redis", "database", "optional", 3900, false, 100, HostRole::kCache, {"5:5.0.7-2ubuntu0.{1}", "5:6.0.16-1ubuntu1.{1}", "5:7.0.15-1ubuntu0.{1}", "5:6.0.16-1+deb11u{2}", "5:7.0.15-1~deb12u{1}"}},
    {"containerd.io", "", "admin", "optional", 120000, false, 100, HostRole::kKubeNode, {"1.7.22-1", "1.7.22-1", "1.7.22-1", "1.7.22-1", "1.7.22-1"}},
    {"kubelet", "", "admin", "optional", 75000, false, 100, HostRole::kKubeNode, {"1.29.9-1.1", "1.30.5-1.1", "1.31.1-1.1", "1.29.9-1.1", "1.30.5-1.1"}},
    {"kubectl", "", "admin", "optional", 49000, false, 100, HostRole::kKubeNode, {"1.29.9-1.1", "1.30.5-1.1", "1.31.1-1.1", "1.29.9-1.1", "1.30.5-1.1"}},
    {"kubeadm", "", "admin", "optional", 48000, false, 100, HostRole::kKubeNode, {"1.29.9-1.1", "1.30.5-1.1", "1.31.1-1.1", "1.29.9-1.1", "1.30.5-1.1"}},
    {"cri-tools", "", "admin", "optional", 40000, false, 100, HostRole::kKubeNode, {"1.29.0-1.1", "1.30.1-1.1", "1.31.1-1.1", "1.29.0-1.1", "1.30.1-1.1"}},
    {"docker-ce", "", "admin", "optional", 100000, false, 100, HostRole::kBuild, {"5:27.3.1-1~ubuntu.20.04~focal", "5:27.3.1-1~ubuntu.22.04~jammy", "5:27.3.1-1~ubuntu.24.04~noble", "5:27.3.1-1~debian.11~bullseye", "5:27.3.1-1~debian.12~bookworm"}},
    {"docker-ce-cli", "docker-ce", "admin", "optional", 38000, false, 100, HostRole::kBuild, {"5:27.3.1-1~ubuntu.20.04~focal", "5:27.3.1-1~ubuntu.22.04~jammy", "5:27.3.1-1~ubuntu.24.04~noble", "5:27.3.1-1~debian.11~bullseye", "5:27.3.1-1~debian.12~bookworm"}},
    {"containerd.io", "", "admin", "optional", 120000, false, 100, HostRole::kBuild, {"1.7.22-1", "1.7.22-1", "1.7.22-1", "1.7.22-1", "1.7.22-1"}},
    {"gitlab-runner", "", "admin", "optional", 65000, false, 100, HostRole::kBuild, {"17.4.0-1", "17.4.0-1", "17.4.0-1", "17.4.0-1", "17.4.0-1"}},
};

constexpr const char* kUbuntuMaintainer = "Ubuntu Developers <ubuntu-devel-discuss@lists.ubuntu.com>";

int DebRelease(OsRelease os) {
  switch (os) {
    case OsRelease::kUbuntu2004: return 0;
    case OsRelease::kUbuntu2204: return 1;
    case OsRelease::kUbuntu2404: return 2;
    case OsRelease::kDebian11: return 3;
    case OsRelease::kDebian12: return 4;
    default: return -1;
  }
}

std::string_view DebianMaintainer(std::string_view source) {
  if (source == "glibc") return "GNU Libc Maintainers <debian-glibc@lists.debian.org>";
  if (source == "systemd") return "Debian systemd Maintainers <pkg-systemd-maintainers@lists.alioth.debian.org>";
  if (source == "openssh") return "Debian OpenSSH Maintainers <debian-ssh@lists.debian.org>";
  if (source == "openssl") return "Debian OpenSSL Team <pkg-openssl-devel@alioth-lists.debian.net>";
  if (source == "util-linux") return "util-linux packagers <util-linux@packages.debian.org>";
  if (source == "curl") return "Debian Curl Maintainers <team+curl@tracker.debian.org>";
  if (source == "apt") return "APT Development Team <deity@lists.debian.org>";
  if (source == "python3-defaults" || source.starts_with("python")) return "Matthias Klose <doko@debian.org>";
  return "Debian QA Group <packages@qa.debian.org>";
}

bool RoleMatches(const HostProfile& h, HostRole role) {
  if (role == kAny || role == h.role) return true;
  // Docker-based app hosts install the container runtime too.
  return role == HostRole::kBuild && h.role == HostRole::kApp && h.flavor == 1;
}

void GenDebPackages(const HostProfile& h, int64_t, RowBuffer& out) {
  int rel = DebRelease(h.os);
  if (rel < 0 || h.package_format != PackageFormat::kDeb) return;
  const bool ubuntu = rel <= 2;
  const std::string_view arch = h.arch == "aarch64" ? "arm64" : "amd64";
  std::string version;
  for (const DebPackage& p : kDebPackages) {
    std::string_view v = p.versions[rel];
    if (v.empty() || !RoleMatches(h, p.role) || !Installed(h, p.name, p.presence)) continue;
    std::string_view name = p.name;
    if (h.role == HostRole::kDatabase && h.flavor == 1 && name.starts_with("postgresql")) continue;
    version.clear();
    if (v == "@") {
      version = h.osquery_version + "-1.linux";
    } else {
      ExpandVersion(v, PackageLag(h, name), version);
    }
    out.AddRow();
    out.Set(kDbName, name);
    out.Set(kDbVersion, version);
    out.Set(kDbSource, p.source);
    out.SetInt(kDbSize, static_cast<int64_t>(p.kb) * 1024);
    out.Set(kDbArch, p.arch_all ? "all" : arch);
    // Debian revision: what follows the last '-' of the version.
    size_t dash = version.rfind('-');
    out.Set(kDbRevision, dash == std::string::npos ? std::string_view() : std::string_view(version).substr(dash + 1));
    out.Set(kDbStatus, "install ok installed");
    out.Set(kDbMaintainer, v == "@" ? "osquery <osquery@osquery.io>" : ubuntu ? kUbuntuMaintainer
                                                                   : DebianMaintainer(*p.source ? p.source : p.name));
    out.Set(kDbSection, p.section);
    out.Set(kDbPriority, p.priority);
    out.Set(kDbAdmindir, "/var/lib/dpkg");
  }
  // Role packages whose name depends on the release.
  if (h.role == HostRole::kDatabase) {
    static constexpr int kPg[] = {12, 14, 16, 13, 15};
    static constexpr const char* kMysql[] = {"8.0.39-0ubuntu0.20.04.{1}", "8.0.39-0ubuntu0.22.04.{1}",
                                             "8.0.39-0ubuntu0.24.04.{2}", "", ""};
    auto add = [&](std::string name, std::string_view v, std::string_view source, int kb) {
      version.clear();
      ExpandVersion(v, PackageLag(h, name), version);
      out.AddRow();
      out.Set(kDbName, name);
      out.Set(kDbVersion, version);
      out.Set(kDbSource, source);
      out.SetInt(kDbSize, static_cast<int64_t>(kb) * 1024);
      out.Set(kDbArch, arch);
      size_t dash = version.rfind('-');
      out.Set(kDbRevision, dash == std::string::npos ? std::string_view() : std::string_view(version).substr(dash + 1));
      out.Set(kDbStatus, "install ok installed");
      out.Set(kDbMaintainer, ubuntu ? kUbuntuMaintainer : "Debian PostgreSQL Maintainers <team+postgresql@tracker.debian.org>");
      out.Set(kDbSection, "database");
      out.Set(kDbPriority, "optional");
      out.Set(kDbAdmindir, "/var/lib/dpkg");
    };
    if (h.flavor == 0) {
      static constexpr const char* kPgVersion[] = {"12.20-0ubuntu0.20.04.{1}", "14.13-0ubuntu0.22.04.{1}",
                                                   "16.4-0ubuntu0.24.04.{2}", "13.16-0+deb11u{1}", "15.8-0+deb12u{1}"};
      add(fmt::format("postgresql-{}", kPg[rel]), kPgVersion[rel], fmt::format("postgresql-{}", kPg[rel]), 54000);
      add(fmt::format("postgresql-client-{}", kPg[rel]), kPgVersion[rel], fmt::format("postgresql-{}", kPg[rel]), 4900);
    } else if (*kMysql[rel]) {
      add("mysql-server-8.0", kMysql[rel], "mysql-8.0", 120000);
      add("mysql-client-8.0", kMysql[rel], "mysql-8.0", 80000);
    } else {
      add("mariadb-server", rel == 3 ? "1:10.5.26-0+deb11u{2}" : "1:10.11.6-0+deb12u{1}", "mariadb", 70000);
    }
  }
  // The running kernel's image package.
  version.clear();
  std::string kname = "linux-image-" + h.kernel_version;
  out.AddRow();
  out.Set(kDbName, kname);
  // "5.15.0-105-generic" / "6.1.0-25-cloud-amd64": upstream-abi, then the flavour.
  std::string_view kv = h.kernel_version;
  size_t abi_dash = kv.find('-');
  size_t flavor_dash = kv.find('-', abi_dash + 1);
  std::string base(kv.substr(0, flavor_dash));
  std::string_view abi = kv.substr(abi_dash + 1, flavor_dash - abi_dash - 1);
  std::string_view flavor = flavor_dash == std::string_view::npos ? std::string_view() : kv.substr(flavor_dash + 1);
  version = ubuntu ? fmt::format("{}.{}", base, abi) : fmt::format("{}-1", base);
  out.Set(kDbVersion, version);
  out.Set(kDbSource, ubuntu ? (flavor == "generic" ? std::string("linux") : "linux-" + std::string(flavor))
                            : fmt::format("linux-signed-{}", arch));
  out.SetInt(kDbSize, 14000 * 1024);
  out.Set(kDbArch, arch);
  out.Set(kDbRevision, version.substr(version.rfind('-') + 1));
  out.Set(kDbStatus, "install ok installed");
  out.Set(kDbMaintainer, ubuntu ? kUbuntuMaintainer : "Debian Kernel Team <debian-kernel@lists.debian.org>");
  out.Set(kDbSection, "kernel");
  out.Set(kDbPriority, "optional");
  out.Set(kDbAdmindir, "/var/lib/dpkg");
}

// ---- rpm_packages -----------------------------------------------------------------------

enum { kRpName, kRpVersion, kRpRelease, kRpSource, kRpSize, kRpSha1, kRpArch, kRpEpoch,
       kRpInstallTime, kRpVendor, kRpPackageGroup };
constexpr ColumnDef kRpmColumns[] = {
    {"name", T},   {"version", T}, {"release", T},      {"source", T},
    {"size", B},   {"sha1", T},    {"arch", T},         {"epoch", I},
    {"install_time", I},           {"vendor", T},       {"package_group", T},
};

// Release columns: EL8 (RHEL 8), EL9 (RHEL 9, Rocky 9), Amazon Linux 2, Amazon Linux 2023,
// CentOS 7. Each cell is "version-release"; "" = not on that release.
struct RpmPackage {
  const char* name;
  const char* srpm;  // source package name
  int epoch;         // 0 = none
  int kb;
  bool noarch;
  int presence;
  HostRole role;
  const char* vr[5];
};

constexpr RpmPackage kRpmPackages[] = {
    {"audit", "audit", 0, 600, false, 100, kAny, {"3.1.2-1.el8", "3.1.2-2.el9", "2.8.1-3.amzn2", "3.0.6-1.amzn2023.0.2", "2.8.5-4.el7"}},
    {"audit-libs", "audit", 0, 300, false, 100, kAny, {"3.1.2-1.el8", "3.1.2-2.el9", "2.8.1-3.amzn2", "3.0.6-1.amzn2023.0.2", "2.8.5-4.el7"}},
    {"basesystem", "basesystem", 0, 0, true, 100, kAny, {"11-5.el8", "11-13.el9", "10.0-7.amzn2.0.1", "11-11.amzn2023.0.2", "10.0-7.el7.centos"}},
    {"bash", "bash", 0, 7400, false, 100, kAny, {"4.4.20-5.el8", "5.1.8-9.el9", "4.2.46-34.amzn2", "5.2.15-1.amzn2023.0.2", "4.2.46-35.el7_9"}},
    {"bind-utils", "bind", 32, 650, false, 70, kAny, {"9.11.36-16.el8_10.{2}", "9.16.23-18.el9_4.{6}", "9.11.4-26.P2.amzn2.13.{5}", "9.16.48-1.amzn2023.0.{3}", "9.11.4-26.P2.el7_9.{16}"}},
    {"ca-certificates", "ca-certificates", 0, 2400, true, 100, kAny, {"2024.2.69_v8.0.303-80.0.el8_10", "2024.2.69_v8.0.303-91.4.el9_4", "2021.2.50-72.amzn2.0.{8}", "2023.2.68-1.0.amzn2023.0.{1}", "2023.2.60_v7.0.306-72.el7_9"}},
    {"chrony", "chrony", 0, 600, false, 100, kAny, {"4.5-2.el8_10", "4.5-1.el9", "4.2-5.amzn2.0.{2}", "4.3-1.amzn2023.0.{4}", "3.4-1.el7"}},
    {"cloud-init", "cloud-init", 0, 3700, true, 80, kAny, {"23.4-7.el8_10.{3}", "23.4-7.el9_4.{5}", "19.3-46.amzn2.0.{2}", "22.2.2-1.amzn2023.1.{14}", "19.4-7.el7.centos.{3}"}},
    {"coreutils", "coreutils", 0, 5800, false, 100, kAny, {"8.30-15.el8", "8.32-35.el9", "8.22-24.amzn2", "8.32-30.amzn2023.0.3", "8.22-24.el7_9.2"}},
    {"cronie", "cronie", 0, 280, false, 100, kAny, {"1.5.2-10.el8", "1.5.7-11.el9", "1.4.11-23.amzn2", "1.5.7-1.amzn2023.0.2", "1.4.11-25.el7_9"}},
    {"cryptsetup-libs", "cryptsetup", 0, 2000, false, 100, kAny, {"2.3.7-7.el8", "2.6.0-3.el9", "1.7.4-4.amzn2", "2.6.1-1.amzn2023.0.1", "2.0.3-6.el7"}},
    {"curl", "curl", 0, 700, false, 100, kAny, {"7.61.1-34.el8_10.{2}", "7.76.1-29.el9_4.{1}", "8.3.0-1.amzn2.0.{6}", "", "7.29.0-59.el7_9.{2}"}},
    {"curl-minimal", "curl", 0, 300, false, 100, kAny, {"", "", "", "8.5.0-1.amzn2023.0.{4}", ""}},
    {"cyrus-sasl-lib", "cyrus-sasl", 0, 730, false, 100, kAny, {"2.1.27-6.el8_5", "2.1.27-21.el9", "2.1.26-24.amzn2", "2.1.27-18.amzn2023.0.3", "2.1.26-24.el7_9"}},
    {"dbus", "dbus", 1, 100, false, 100, kAny, {"1.12.8-26.el8", "1.12.20-8.el9", "1.10.24-7.amzn2.0.{2}", "1.12.28-1.amzn2023.0.{1}", "1.10.24-15.el7"}},
    {"dbus-broker", "dbus-broker", 0, 380, false, 100, kAny, {"", "28-7.el9", "", "32-1.amzn2023.0.2", ""}},
    {"device-mapper", "lvm2", 8, 350, false, 100, kAny, {"1.02.181-14.el8", "1.02.197-2.el9", "1.02.170-6.amzn2.5", "1.02.185-1.amzn2023.0.3", "1.02.170-6.el7_9.5"}},
    {"dhclient", "dhcp", 12, 650, false, 100, kAny, {"4.3.6-50.el8_10", "", "4.2.5-79.amzn2.1.{5}", "", "4.2.5-83.el7.centos.{2}"}},
    {"dnf", "dnf", 0, 2000, true, 100, kAny, {"4.7.0-21.el8_10", "4.14.0-9.el9", "", "4.14.0-1.amzn2023.0.5", ""}},
    {"dnf-data", "dnf", 0, 40, true, 100, kAny, {"4.7.0-21.el8_10", "4.14.0-9.el9", "", "4.14.0-1.amzn2023.0.5", ""}},
    {"e2fsprogs", "e2fsprogs", 0, 4200, false, 100, kAny, {"1.45.6-5.el8", "1.46.5-5.el9", "1.42.9-19.amzn2.0.1", "1.46.5-2.amzn2023.0.2", "1.42.9-19.el7"}},
    {"elfutils-libs", "elfutils", 0, 700, false, 100, kAny, {"0.190-2.el8", "0.190-2.el9", "0.176-2.amzn2.0.{2}", "0.188-3.amzn2023.0.2", "0.176-5.el7"}},
    {"expat", "expat", 0, 310, false, 100, kAny, {"2.2.5-13.el8_10", "2.5.0-2.el9_4.{1}", "2.1.0-15.amzn2.0.{3}", "2.5.0-1.amzn2023.0.{4}", "2.1.0-15.el7_9"}},
    {"file-libs", "file", 0, 6000, false, 100, kAny, {"5.33-26.el8", "5.39-16.el9", "5.11-36.amzn2.0.1", "5.39-7.amzn2023.0.4", "5.11-37.el7"}},
    {"filesystem", "filesystem", 0, 0, false, 100, kAny, {"3.8-6.el8", "3.16-2.el9", "3.2-25.amzn2.0.4", "3.14-5.amzn2023.0.3", "3.2-25.el7"}},
    {"findutils", "findutils", 1, 1800, false, 100, kAny, {"4.6.0-23.el8_10", "4.8.0-6.el9", "4.5.11-6.amzn2", "4.8.0-2.amzn2023.0.2", "4.5.11-6.el7"}},
    {"firewalld", "firewalld", 0, 2300, true, 90, kAny, {"0.9.11-4.el8", "1.3.4-1.el9", "", "", "0.6.3-13.el7_9"}},
    {"gawk", "gawk", 0, 2500, false, 100, kAny, {"4.2.1-4.el8", "5.1.0-6.el9", "4.0.2-4.amzn2.1.2", "5.1.0-3.amzn2023.0.3", "4.0.2-4.el7_3.1"}},
    {"git", "git", 0, 390, false, 70, kAny, {"2.43.5-1.el8_10", "2.43.5-1.el9_4", "2.40.1-1.amzn2.0.{3}", "2.40.1-1.amzn2023.0.{3}", "1.8.3.1-25.el7_9"}},
    {"glibc", "glibc", 0, 15300, false, 100, kAny, {"2.28-251.el8_10.{5}", "2.34-100.el9_4.{4}", "2.26-64.amzn2.0.{2}", "2.34-52.amzn2023.0.{11}", "2.17-326.el7_9.{3}"}},
    {"glibc-common", "glibc", 0, 8800, false, 100, kAny, {"2.28-251.el8_10.{5}", "2.34-100.el9_4.{4}", "2.26-64.amzn2.0.{2}", "2.34-52.amzn2023.0.{11}", "2.17-326.el7_9.{3}"}},
    {"gmp", "gmp", 1, 1600, false, 100, kAny, {"6.1.2-11.el8", "6.2.0-13.el9", "6.0.0-15.amzn2.0.2", "6.2.1-2.amzn2023.0.2", "6.0.0-15.el7"}},
    {"gnupg2", "gnupg2", 0, 9000, false, 100, kAny, {"2.2.20-3.el8_6", "2.3.3-4.el9", "2.0.22-5.amzn2.0.5", "2.3.7-1.amzn2023.0.4", "2.0.22-5.el7_5"}},
    {"gnutls", "gnutls", 0, 3000, false, 100, kAny, {"3.6.16-8.el8_9.{3}", "3.8.3-4.el9_4", "3.3.29-9.amzn2.0.{3}", "3.8.0-378.amzn2023.0.{3}", "3.3.29-9.el7_6"}},
    {"grep", "grep", 0, 830, false, 100, kAny, {"3.1-6.el8", "3.6-5.el9", "2.20-3.amzn2.0.2", "3.8-1.amzn2023.0.4", "2.20-3.el7"}},
    {"grub2-common", "grub2", 1, 3400, true, 100, kAny, {"2.02-156.el8", "2.06-80.el9", "2.06-61.amzn2.0.{9}", "2.06-61.amzn2023.0.{9}", "2.02-0.87.el7.centos.{14}"}},
    {"gzip", "gzip", 0, 350, false, 100, kAny, {"1.9-13.el8_5", "1.12-1.el9", "1.5-10.amzn2.0.{1}", "1.12-3.amzn2023.0.1", "1.5-11.el7_9"}},
    {"iproute", "iproute", 0, 2400, false, 100, kAny, {"6.2.0-5.el8_9", "6.2.0-6.el9_4", "5.10.0-2.amzn2.0.3", "5.10.0-2.amzn2023.0.5", "4.11.0-30.el7"}},
    {"iptables-libs", "iptables", 0, 1000, false, 100, kAny, {"1.8.5-11.el8_9", "1.8.10-2.el9", "1.8.4-10.amzn2.1.2", "1.8.8-3.amzn2023.0.2", "1.4.21-35.el7"}},
    {"jq", "jq", 0, 400, false, 60, kAny, {"1.6-8.el8", "1.6-16.el9", "1.5-1.amzn2.0.2", "1.7.1-49.amzn2023.0.1", "1.6-2.el7"}},
    {"json-c", "json-c", 0, 150, false, 100, kAny, {"0.13.1-3.el8", "0.14-11.el9", "0.11-4.amzn2.0.4", "0.14-8.amzn2023.0.2", "0.11-4.el7_0"}},
    {"kmod", "kmod", 0, 250, false, 100, kAny, {"25-20.el8", "28-9.el9", "25-3.amzn2.0.2", "29-2.amzn2023.0.5", "20-28.el7"}},
    {"krb5-libs", "krb5", 0, 2200, false, 100, kAny, {"1.18.2-29.el8_10", "1.21.1-2.el9_4", "1.15.1-55.amzn2.2.{8}", "1.21-3.amzn2023.0.{4}", "1.15.1-55.el7_9"}},
    {"less", "less", 0, 360, false, 100, kAny, {"530-3.el8_10", "590-4.el9_4", "458-9.amzn2.0.{2}", "608-2.amzn2023.0.{2}", "458-10.el7_9"}},
    {"libcap", "libcap", 0, 160, false, 100, kAny, {"2.48-6.el8_9", "2.48-9.el9_2", "2.54-1.amzn2.0.{1}", "2.48-2.amzn2023.0.3", "2.22-11.el7"}},
    {"libcurl", "curl", 0, 600, false, 100, kAny, {"7.61.1-34.el8_10.{2}", "7.76.1-29.el9_4.{1}", "8.3.0-1.amzn2.0.{6}", "", "7.29.0-59.el7_9.{2}"}},
    {"libcurl-minimal", "curl", 0, 560, false, 100, kAny, {"", "", "", "8.5.0-1.amzn2023.0.{4}", ""}},
    {"libffi", "libffi", 0, 50, false, 100, kAny, {"3.1-24.el8", "3.4.2-8.el9", "3.0.13-18.amzn2.0.2", "3.4.4-1.amzn2023.0.1", "3.0.13-19.el7"}},
    {"libgcc", "gcc", 0, 190, false, 100, kAny, {"8.5.0-22.el8_10", "11.4.1-3.el9", "7.3.1-17.amzn2", "11.4.1-2.amzn2023.0.2", "4.8.5-44.el7"}},
    {"libgcrypt", "libgcrypt", 0, 1200, false, 100, kAny, {"1.8.5-7.el8_6", "1.10.0-10.el9_2", "1.5.3-14.amzn2.0.3", "1.10.2-1.amzn2023.0.2", "1.5.3-14.el7"}},
    {"libidn2", "libidn2", 0, 300, false, 100, kAny, {"2.2.0-1.el8", "2.3.0-7.el9", "2.3.0-1.amzn2", "2.3.2-1.amzn2023.0.5", "2.3.2-1.el7"}},
    {"libselinux", "libselinux", 0, 200, false, 100, kAny, {"2.9-8.el8", "3.6-1.el9", "2.5-12.amzn2.0.2", "3.4-5.amzn2023.0.2", "2.5-15.el7"}},
    {"libssh", "libssh", 0, 520, false, 100, kAny, {"0.9.6-14.el8", "0.10.4-13.el9", "", "0.10.6-1.amzn2023.0.1", ""}},
    {"libstdc++", "gcc", 0, 2000, false, 100, kAny, {"8.5.0-22.el8_10", "11.4.1-3.el9", "7.3.1-17.amzn2", "11.4.1-2.amzn2023.0.2", "4.8.5-44.el7"}},
    {"libxml2", "libxml2", 0, 1900, false, 100, kAny, {"2.9.7-18.el8_10.{1}", "2.9.13-6.el9_4", "2.9.1-6.amzn2.5.{13}", "2.10.4-1.amzn2023.0.{6}", "2.9.1-6.el7_9.{6}"}},
    {"libzstd", "zstd", 0, 700, false, 100, kAny, {"1.4.4-1.el8", "1.5.1-2.el9", "1.5.5-1.amzn2.0.1", "1.5.5-1.amzn2023.0.1", ""}},
    {"logrotate", "logrotate", 0, 140, false, 100, kAny, {"3.14.0-6.el8", "3.18.0-8.el9", "3.8.6-15.amzn2", "3.20.1-2.amzn2023.0.3", "3.8.6-19.el7"}},
    {"lsof", "lsof", 0, 460, false, 80, kAny, {"4.93.2-1.el8", "4.94.0-3.el9", "4.87-6.amzn2", "4.94.0-1.amzn2023.0.2", "4.87-6.el7"}},
    {"lz4-libs", "lz4", 0, 140, false, 100, kAny, {"1.8.3-3.el8_4", "1.9.3-5.el9", "1.7.5-2.amzn2.0.1", "1.9.4-1.amzn2023.0.2", "1.8.3-1.el7"}},
    {"ncurses-libs", "ncurses", 0, 1000, false, 100, kAny, {"6.1-10.20180224.el8", "6.2-10.20210508.el9", "6.0-8.20170212.amzn2.1.{3}", "6.2-4.20200222.amzn2023.0.{6}", "5.9-14.20130511.el7_4"}},
    {"nettle", "nettle", 0, 600, false, 100, kAny, {"3.4.1-7.el8", "3.9.1-1.el9", "2.7.1-9.amzn2", "3.8-2.amzn2023.0.3", "2.7.1-9.el7_9"}},
    {"NetworkManager", "NetworkManager", 1, 6500, false, 100, kAny, {"1.40.16-15.el8_10", "1.46.0-8.el9_4", "", "", "1.18.8-2.el7_9"}},
    {"nftables", "nftables", 1, 640, false, 100, kAny, {"0.9.3-26.el8", "1.0.9-1.el9", "", "1.0.4-3.amzn2023.0.2", ""}},
    {"nspr", "nspr", 0, 330, false, 100, kAny, {"4.35.0-1.el8_8", "4.35.0-7.el9_4", "4.35.0-1.amzn2", "4.35.0-1.amzn2023.0.1", "4.35.0-1.el7_9"}},
    {"nss", "nss", 0, 2000, false, 100, kAny, {"3.101.0-1.el8_10", "3.101.0-7.el9_4", "3.90.0-2.amzn2.0.{1}", "3.90.0-3.amzn2023.0.{4}", "3.90.0-2.el7_9"}},
    {"openldap", "openldap", 0, 1000, false, 100, kAny, {"2.4.46-19.el8_10", "2.6.6-3.el9", "2.4.44-25.amzn2.0.{5}", "2.4.57-6.amzn2023.0.{6}", "2.4.44-25.el7_9"}},
    {"openssh", "openssh", 0, 2000, false, 100, kAny, {"8.0p1-24.el8", "8.7p1-38.el9_4.{4}", "7.4p1-22.amzn2.0.{9}", "8.7p1-8.amzn2023.0.{13}", "7.4p1-23.el7_9"}},
    {"openssh-clients", "openssh", 0, 2600, false, 100, kAny, {"8.0p1-24.el8", "8.7p1-38.el9_4.{4}", "7.4p1-22.amzn2.0.{9}", "8.7p1-8.amzn2023.0.{13}", "7.4p1-23.el7_9"}},
    {"openssh-server", "openssh", 0, 1000, false, 100, kAny, {"8.0p1-24.el8", "8.7p1-38.el9_4.{4}", "7.4p1-22.amzn2.0.{9}", "8.7p1-8.amzn2023.0.{13}", "7.4p1-23.el7_9"}},
    {"openssl", "openssl", 1, 1800, false, 100, kAny, {"1.1.1k-12.el8_9", "3.0.7-27.el9", "1.0.2k-24.amzn2.0.{14}", "3.0.8-1.amzn2023.0.{16}", "1.0.2k-26.el7_9"}},
    {"openssl-libs", "openssl", 1, 3700, false, 100, kAny, {"1.1.1k-12.el8_9", "3.0.7-27.el9", "1.0.2k-24.amzn2.0.{14}", "3.0.8-1.amzn2023.0.{16}", "1.0.2k-26.el7_9"}},
    {"osquery", "osquery", 0, 158000, false, 100, kAny, {"@", "@", "@", "@", "@"}},
    {"pam", "pam", 0, 2700, false, 100, kAny, {"1.3.1-34.el8_10", "1.5.1-19.el9", "1.1.8-23.amzn2.0.1", "1.5.1-8.amzn2023.0.3", "1.1.8-23.el7"}},
    {"pcre2", "pcre2", 0, 640, false, 100, kAny, {"10.32-3.el8_6", "10.40-5.el9", "10.23-2.amzn2.0.2", "10.40-1.amzn2023.0.3", "10.23-2.el7"}},
    {"policycoreutils", "policycoreutils", 0, 700, false, 100, kAny, {"2.9-26.el8_10", "3.6-2.1.el9", "2.5-22.amzn2", "3.4-6.amzn2023.0.2", "2.5-34.el7"}},
    {"polkit", "polkit", 0, 400, false, 100, kAny, {"0.115-15.el8_10.{2}", "0.117-11.el9", "0.112-26.amzn2.1", "0.120-1.amzn2023.0.2", "0.112-26.el7_9.1"}},
    {"procps-ng", "procps-ng", 0, 900, false, 100, kAny, {"3.3.15-14.el8", "3.3.17-14.el9", "3.3.10-26.amzn2.0.1", "3.3.17-1.amzn2023.0.2", "3.3.10-28.el7"}},
    {"python3", "python3.9", 0, 30, false, 100, kAny, {"", "3.9.18-3.el9_4.{5}", "3.7.16-1.amzn2.0.{9}", "3.9.16-1.amzn2023.0.{9}", ""}},
    {"python3-libs", "python3.9", 0, 32000, false, 100, kAny, {"", "3.9.18-3.el9_4.{5}", "3.7.16-1.amzn2.0.{9}", "3.9.16-1.amzn2023.0.{9}", ""}},
    {"platform-python", "python3", 0, 40, false, 100, kAny, {"3.6.8-62.el8_10", "", "", "", ""}},
    {"python3-libs", "python3", 0, 32000, false, 100, kAny, {"3.6.8-62.el8_10", "", "", "", ""}},
    {"python", "python", 0, 80, false, 100, kAny, {"", "", "2.7.18-1.amzn2.0.{8}", "", "2.7.5-94.el7_9"}},
    {"python-libs", "python", 0, 24000, false, 100, kAny, {"", "", "2.7.18-1.amzn2.0.{8}", "", "2.7.5-94.el7_9"}},
    {"readline", "readline", 0, 480, false, 100, kAny, {"7.0-10.el8", "8.1-4.el9", "6.2-10.amzn2.0.2", "8.1-2.amzn2023.0.2", "6.2-11.el7"}},
    {"rpm", "rpm", 0, 2200, false, 100, kAny, {"4.14.3-31.el8", "4.16.1.3-29.el9", "4.11.3-48.amzn2.0.{4}", "4.16.1.3-29.amzn2023.0.{6}", "4.11.3-48.el7_9"}},
    {"rpm-libs", "rpm", 0, 700, false, 100, kAny, {"4.14.3-31.el8", "4.16.1.3-29.el9", "4.11.3-48.amzn2.0.{4}", "4.16.1.3-29.amzn2023.0.{6}", "4.11.3-48.el7_9"}},
    {"rsync", "rsync", 0, 800, false, 80, kAny, {"3.1.3-19.el8_7.{1}", "3.2.3-19.el9_4.{1}", "3.1.2-11.amzn2.0.{3}", "3.2.6-1.amzn2023.0.{3}", "3.1.2-12.el7_9"}},
    {"rsyslog", "rsyslog", 0, 2600, false, 100, kAny, {"8.2102.0-15.el8_10.{1}", "8.2310.0-4.el9", "8.24.0-57.amzn2.2.{4}", "", "8.24.0-57.el7_9.{3}"}},
    {"sed", "sed", 0, 770, false, 100, kAny, {"4.5-5.el8", "4.8-9.el9", "4.2.2-5.amzn2.0.2", "4.8-7.amzn2023.0.2", "4.2.2-7.el7"}},
    {"selinux-policy", "selinux-policy", 0, 30, true, 100, kAny, {"3.14.3-139.el8_10", "38.1.35-2.el9_4.{2}", "3.13.1-192.amzn2.6.{8}", "37.22-1.amzn2023.0.{1}", "3.13.1-268.el7_9.{2}"}},
    {"shadow-utils", "shadow-utils", 2, 3700, false, 100, kAny, {"4.6-22.el8", "4.9-8.el9", "4.1.5.1-24.amzn2.0.3", "4.9-12.amzn2023.0.4", "4.6-5.el7"}},
    {"sqlite-libs", "sqlite", 0, 1200, false, 100, kAny, {"3.26.0-19.el8_9", "3.34.1-7.el9_3", "3.7.17-8.amzn2.1.{2}", "3.40.0-1.amzn2023.0.{4}", "3.7.17-8.el7_7.1"}},
    {"sssd-client", "sssd", 0, 400, false, 100, kAny, {"2.9.4-4.el8_10", "2.9.4-6.el9_4.{1}", "", "", ""}},
    {"strace", "strace", 0, 2400, false, 50, kAny, {"5.18-2.el8", "5.18-2.el9", "4.33-1.amzn2", "6.8-1.amzn2023.0.1", "4.24-7.el7_9"}},
    {"sudo", "sudo", 0, 4000, false, 100, kAny, {"1.9.5p2-1.el8_9", "1.9.5p2-10.el9_3", "1.8.23-10.amzn2.3.{3}", "1.9.15-1.p5.amzn2023.0.{1}", "1.8.23-10.el7_9.{3}"}},
    {"systemd", "systemd", 0, 11000, false, 100, kAny, {"239-82.el8_10.{2}", "252-32.el9_4.{7}", "219-78.amzn2.0.{22}", "252.23-2.amzn2023", "219-78.el7_9.{9}"}},
    {"systemd-libs", "systemd", 0, 4500, false, 100, kAny, {"239-82.el8_10.{2}", "252-32.el9_4.{7}", "219-78.amzn2.0.{22}", "252.23-2.amzn2023", "219-78.el7_9.{9}"}},
    {"systemd-udev", "systemd", 0, 8800, false, 100, kAny, {"239-82.el8_10.{2}", "252-32.el9_4.{7}", "", "252.23-2.amzn2023", ""}},
    {"tar", "tar", 2, 2900, false, 100, kAny, {"1.30-9.el8", "1.34-6.el9_4.{1}", "1.26-35.amzn2.0.{3}", "1.34-1.amzn2023.0.{4}", "1.26-35.el7"}},
    {"tcpdump", "tcpdump", 14, 1300, false, 60, kAny, {"4.9.3-4.el8", "4.99.0-9.el9", "4.9.2-4.amzn2.1", "4.99.1-1.amzn2023.0.2", "4.9.2-4.el7_7.1"}},
    {"tuned", "tuned", 0, 900, true, 100, kAny, {"2.22.1-4.el8_10.{1}", "2.22.1-1.el9", "", "", "2.11.0-12.el7_9"}},
    {"tzdata", "tzdata", 0, 1900, true, 100, kAny, {"2024a-1.el8", "2024a-1.el9", "2024a-1.amzn2", "2024a-1.amzn2023.0.1", "2024a-1.el7"}},
    {"util-linux", "util-linux", 0, 12000, false, 100, kAny, {"2.32.1-46.el8", "2.37.4-18.el9", "2.30.2-2.amzn2.0.{11}", "2.37.4-1.amzn2023.0.{4}", "2.23.2-65.el7_9.{1}"}},
    {"vim-minimal", "vim", 2, 1400, false, 100, kAny, {"8.0.1763-19.el8_6.{4}", "8.2.2637-20.el9_1", "9.0.2153-1.amzn2.0.{1}", "9.0.2153-1.amzn2023.0.{1}", "7.4.629-8.el7_9"}},
    {"wget", "wget", 0, 3200, false, 70, kAny, {"1.19.5-12.el8_10", "1.21.1-8.el9_4", "1.14-18.amzn2.{1}", "1.21.3-1.amzn2023.0.{4}", "1.14-18.el7_6.1"}},
    {"xfsprogs", "xfsprogs", 0, 3500, false, 100, kAny, {"5.0.0-12.el8", "6.3.0-1.el9", "5.0.0-10.amzn2.0.1", "5.18.0-2.amzn2023.0.{3}", "4.5.0-22.el7"}},
    {"xz-libs", "xz", 0, 190, false, 100, kAny, {"5.2.4-4.el8_6", "5.2.5-8.el9_0", "5.2.2-1.amzn2.0.3", "5.2.5-9.amzn2023.0.2", "5.2.2-2.el7_9"}},
    {"yum", "dnf", 0, 80, true, 100, kAny, {"4.7.0-21.el8_10", "4.14.0-9.el9", "3.4.3-158.amzn2.0.{7}", "4.14.0-1.amzn2023.0.5", "3.4.3-168.el7.centos"}},
    {"zlib", "zlib", 0, 200, false, 100, kAny, {"1.2.11-25.el8", "1.2.11-40.el9", "1.2.7-19.amzn2.0.{3}", "1.2.11-33.amzn2023.0.{5}", "1.2.7-21.el7_9"}},
    {"amazon-ssm-agent", "amazon-ssm-agent", 0, 100000, false, 100, kAny, {"", "", "3.3.808.0-1.amzn2", "3.3.808.0-1.amzn2023", ""}},
    {"ec2-utils", "amazon-ec2-utils", 0, 50, true, 100, kAny, {"", "", "1.2-47.amzn2", "2.2.0-1.amzn2023.0.1", ""}},
    {"system-release", "system-release", 1, 60, true, 100, kAny, {"", "", "2-16.amzn2", "2023.6.20241010-0.amzn2023", ""}},
    {"centos-release", "centos-release", 0, 44, false, 100, kAny, {"", "", "", "", "7-9.2009.1.el7.centos"}},
    // Role packages.
    {"nginx", "nginx", 1, 1800, false, 100, HostRole::kWeb, {"1.14.1-9.module+el8.0.0+4108+af250afe", "1.20.1-14.el9_2.{1}", "1.22.1-1.amzn2.0.{3}", "1.24.0-1.amzn2023.0.{4}", "1.20.1-10.el7"}},
    {"nodejs", "nodejs", 1, 190000, false, 60, HostRole::kWeb, {"20.18.0-1nodesource", "20.18.0-1nodesource", "18.20.4-1nodesource", "20.18.0-1nodesource", "16.20.2-1nodesource"}},
    {"java-17-openjdk-headless", "java-17-openjdk", 1, 190000, false, 100, HostRole::kApp, {"17.0.12.0.7-2.el8", "17.0.12.0.7-2.el9", "17.0.12+7-1.amzn2.1", "17.0.12+7-1.amzn2023.1", ""}},
    {"java-17-openjdk-headless", "java-17-openjdk", 1, 190000, false, 100, HostRole::kKafka, {"17.0.12.0.7-2.el8", "17.0.12.0.7-2.el9", "17.0.12+7-1.amzn2.1", "17.0.12+7-1.amzn2023.1", ""}},
    {"postgresql-server", "postgresql", 0, 22000, false, 100, HostRole::kDatabase, {"13.14-1.module+el8.9.0+21234+c8b8b8b8", "15.8-1.el9_4", "", "15.8-1.amzn2023.0.{1}", "9.2.24-9.el7_9"}},
    {"postgresql", "postgresql", 0, 6800, false, 100, HostRole::kDatabase, {"13.14-1.module+el8.9.0+21234+c8b8b8b8", "15.8-1.el9_4", "", "15.8-1.amzn2023.0.{1}", "9.2.24-9.el7_9"}},
    {"redis", "redis", 0, 4000, false, 100, HostRole::kCache, {"6.2.7-1.module+el8.7.0+15197+8c8b8b8b", "6.2.7-1.el9", "", "7.0.15-1.amzn2023.0.{2}", "3.2.12-2.el7"}},
    {"containerd", "containerd", 0, 120000, false, 100, HostRole::kKubeNode, {"1.7.22-3.1.el8", "1.7.22-3.1.el9", "1.7.22-1.amzn2.0.{2}", "1.7.22-1.amzn2023.0.{2}", "1.6.33-3.1.el7"}},
    {"kubelet", "kubelet", 0, 75000, false, 100, HostRole::kKubeNode, {"1.29.9-150500.1.1", "1.30.5-150500.1.1", "1.30.5-1.amzn2", "1.30.5-1.amzn2023", "1.28.14-150500.1.1"}},
    {"kubectl", "kubectl", 0, 49000, false, 100, HostRole::kKubeNode, {"1.29.9-150500.1.1", "1.30.5-150500.1.1", "1.30.5-1.amzn2", "1.30.5-1.amzn2023", "1.28.14-150500.1.1"}},
    {"docker-ce", "docker-ce", 3, 100000, false, 100, HostRole::kBuild, {"27.3.1-1.el8", "27.3.1-1.el9", "", "", "26.1.4-1.el7"}},
    {"docker", "docker", 0, 100000, false, 100, HostRole::kBuild, {"", "", "25.0.6-1.amzn2.0.{2}", "25.0.6-1.amzn2023.0.{2}", ""}},
    {"gitlab-runner", "gitlab-runner", 0, 65000, false, 100, HostRole::kBuild, {"17.4.0-1", "17.4.0-1", "17.4.0-1", "17.4.0-1", "17.4.0-1"}},
};

int RpmRelease(OsRelease os) {
  switch (os) {
    case OsRelease::kRhel8: return 0;
    case OsRelease::kRhel9:
    case OsRelease::kRocky9: return 1;
    case OsRelease::kAmazonLinux2: return 2;
    case OsRelease::kAmazonLinux2023: return 3;
    case OsRelease::kCentos7: return 4;
    default: return -1;
  }
}

std::string_view RpmVendor(const HostProfile& h) {
  switch (h.os) {
    case OsRelease::kRocky9: return "Rocky Enterprise Software Foundation";
    case OsRelease::kAmazonLinux2:
    case OsRelease::kAmazonLinux2023: return "Amazon Linux";
    case OsRelease::kCentos7: return "CentOS";
    default: return "Red Hat, Inc.";
  }
}

void GenRpmPackages(const HostProfile& h, int64_t, RowBuffer& out) {
  int rel = RpmRelease(h.os);
  if (rel < 0 || h.package_format != PackageFormat::kRpm) return;
  const std::string_view arch = h.arch == "aarch64" ? "aarch64" : "x86_64";
  const bool old = rel == 2 || rel == 4;  // yum-era releases still fill in Group
  // The image was built a while before boot; updates land afterwards.
  const int64_t image_time = h.boot_time - 86400 * (30 + static_cast<int64_t>(h.seed % 300));
  std::string vr;
  auto emit = [&](std::string_view name, std::string_view srpm, int epoch, int kb, bool noarch,
                  std::string_view version_release, std::string_view vendor, bool updated) {
    size_t dash = version_release.rfind('-');
    std::string_view version = version_release.substr(0, dash);
    std::string_view release = dash == std::string_view::npos ? std::string_view() : version_release.substr(dash + 1);
    out.AddRow();
    out.Set(kRpName, name);
    out.Set(kRpVersion, version);
    out.Set(kRpRelease, release);
    out.Set(kRpSource, fmt::format("{}-{}.src.rpm", srpm, version_release));
    out.SetInt(kRpSize, static_cast<int64_t>(kb) * 1024);
    uint64_t s1 = Hash64(HashName(name), HashName(version_release));
    out.Set(kRpSha1, fmt::format("{:016x}{:016x}{:08x}", s1, Mix64(s1), static_cast<uint32_t>(Mix64(s1 + 1))));
    out.Set(kRpArch, noarch ? "noarch" : arch);
    if (epoch != 0) out.SetInt(kRpEpoch, epoch);
    int64_t when = updated ? h.boot_time - 3600 - static_cast<int64_t>(Hash64(h.seed, HashName(name)) % (20 * 86400))
                           : image_time + static_cast<int64_t>(HashName(name) % 600);
    out.SetInt(kRpInstallTime, when);
    out.Set(kRpVendor, vendor);
    out.Set(kRpPackageGroup, old ? "System Environment/Base" : "Unspecified");
  };
  for (const RpmPackage& p : kRpmPackages) {
    std::string_view v = p.vr[rel];
    if (v.empty() || !RoleMatches(h, p.role) || !Installed(h, p.name, p.presence)) continue;
    vr.clear();
    bool third_party = v == "@" || std::string_view(p.name).starts_with("docker-ce") ||
                       std::string_view(p.name) == "gitlab-runner" || std::string_view(p.name) == "nodejs" ||
                       std::string_view(p.name).starts_with("kube");
    if (v == "@") {
      vr = h.osquery_version + "-1.linux";
    } else {
      ExpandVersion(v, PackageLag(h, p.name), vr);
    }
    std::string_view vendor = v == "@" ? "osquery" : third_party ? "" : RpmVendor(h);
    emit(p.name, p.srpm, p.epoch, p.kb, p.noarch, vr, vendor, v.find('{') != std::string_view::npos);
  }
  // The running kernel.
  std::string_view kv = h.kernel_version;
  size_t arch_dot = kv.rfind('.');
  std::string kernel_vr(kv.substr(0, arch_dot));
  for (const char* name : {"kernel", "kernel-core", "kernel-modules"}) {
    if (rel >= 2 && std::string_view(name) != "kernel") continue;
    if (rel == 4 && std::string_view(name) != "kernel") continue;
    emit(name, "kernel", 0, 36000, false, kernel_vr, RpmVendor(h), true);
  }
  if (h.os == OsRelease::kRhel8 || h.os == OsRelease::kRhel9 || h.os == OsRelease::kRocky9) {
    bool rocky = h.os == OsRelease::kRocky9;
    std::string release_vr = rocky ? fmt::format("9.{}-1.6.el9", h.os_minor)
                                   : fmt::format("{}.{}-0.5.el{}", h.os_major, h.os_minor, h.os_major);
    emit(rocky ? "rocky-release" : "redhat-release", rocky ? "rocky-release" : "redhat-release", 0, 80, !rocky,
         release_vr, RpmVendor(h), false);
    if (!rocky) {
      emit("subscription-manager", "subscription-manager", 0, 3900, false,
           h.os_major == 9 ? "1.29.40-1.el9" : "1.28.42-1.el8", RpmVendor(h), false);
    }
  }
}

// ---- programs (windows) -----------------------------------------------------------------

enum { kPgName, kPgVersion, kPgInstallLocation, kPgInstallSource, kPgLanguage, kPgPublisher,
       kPgUninstallString, kPgInstallDate, kPgIdentifyingNumber };
constexpr ColumnDef kProgramsColumns[] = {
    {"name", T},              {"version", T},           {"install_location", T},
    {"install_source", T},    {"language", T},          {"publisher", T},
    {"uninstall_string", T},  {"install_date", T},      {"identifying_number", T},
};

struct Program {
  const char* name;
  const char* version;
  const char* publisher;
  const char* location;
  bool msi;
  int presence;
  bool server;  // also on servers
};

constexpr Program kPrograms[] = {
    {"Google Chrome", "130.0.6723.{70}", "Google LLC", "C:\\Program Files\\Google\\Chrome\\Application", true, 90, false},
    {"Microsoft Edge", "130.0.2849.{56}", "Microsoft Corporation", "C:\\Program Files (x86)\\Microsoft\\Edge\\Application", false, 100, true},
    {"Microsoft Edge WebView2 Runtime", "130.0.2849.{56}", "Microsoft Corporation", "C:\\Program Files (x86)\\Microsoft\\EdgeWebView\\Application", false, 100, true},
    {"Microsoft 365 Apps for enterprise - en-us", "16.0.17928.{20216}", "Microsoft Corporation", "C:\\Program Files\\Microsoft Office", false, 85, false},
    {"Microsoft OneDrive", "24.201.1006.{5}", "Microsoft Corporation", "C:\\Program Files\\Microsoft OneDrive", false, 90, false},
    {"Microsoft Teams", "24295.605.3225.{8804}", "Microsoft Corporation", "", false, 80, false},
    {"Zoom Workplace (64-bit)", "6.2.{5}", "Zoom Video Communications, Inc.", "C:\\Program Files\\Zoom\\bin", true, 50, false},
    {"Slack", "4.41.{97}", "Slack Technologies Inc.", "C:\\Program Files\\Slack", true, 50, false},
    {"7-Zip 24.08 (x64 edition)", "24.08.00.0", "Igor Pavlov", "C:\\Program Files\\7-Zip", true, 60, true},
    {"Notepad++ (64-bit x64)", "8.7.{1}", "Notepad++ Team", "C:\\Program Files\\Notepad++", false, 40, true},
    {"Adobe Acrobat Reader (64-bit)", "24.003.{20180}", "Adobe", "C:\\Program Files\\Adobe\\Acrobat DC\\", true, 60, false},
    {"Microsoft Visual C++ 2015-2022 Redistributable (x64) - 14.40.33810", "14.40.33810.0", "Microsoft Corporation", "", true, 100, true},
    {"Microsoft Visual C++ 2015-2022 Redistributable (x86) - 14.40.33810", "14.40.33810.0", "Microsoft Corporation", "", true, 100, true},
    {"Microsoft Visual C++ 2013 Redistributable (x64) - 12.0.40664", "12.0.40664.0", "Microsoft Corporation", "", true, 60, true},
    {"Microsoft Update Health Tools", "5.72.0.0", "Microsoft Corporation", "", true, 100, false},
    {"Git", "2.47.0", "The Git Development Community", "C:\\Program Files\\Git\\", false, 25, false},
    {"Python 3.12.7 (64-bit)", "3.12.7150.0", "Python Software Foundation", "", true, 20, false},
    {"Microsoft Visual Studio Code", "1.95.{1}", "Microsoft Corporation", "C:\\Program Files\\Microsoft VS Code\\", false, 35, false},
    {"CrowdStrike Windows Sensor", "7.18.{18803}.0", "CrowdStrike, Inc.", "", true, 70, true},
    {"osquery", "@", "osquery", "C:\\Program Files\\osquery\\", true, 100, true},
    {"VMware Tools", "12.4.5.23787635", "VMware, Inc.", "C:\\Program Files\\VMware\\VMware Tools\\", true, 100, true},
    {"Amazon SSM Agent", "3.3.808.0", "Amazon Web Services", "", true, 100, true},
    {"Windows Azure VM Agent - 2.7.41491.1130", "2.7.41491.1130", "Microsoft Corporation", "", true, 100, true},
    {"Microsoft SQL Server 2022 (64-bit)", "16.0.{4145}.4", "Microsoft Corporation", "", false, 100, true},
    {"Dell Command | Update", "5.4.0", "Dell Inc.", "C:\\Program Files\\Dell\\CommandUpdate\\", true, 100, false},
    {"Lenovo Vantage Service", "4.1.48.0", "Lenovo Group Ltd.", "C:\\Program Files (x86)\\Lenovo\\VantageService\\4.1.48.0\\", false, 100, false},
    {"HP Wolf Security", "4.6.11.482", "HP Inc.", "", true, 100, false},
};

void GenPrograms(const HostProfile& h, int64_t, RowBuffer& out) {
  if (h.family != PlatformFamily::kWindows) return;
  const bool server = h.role == HostRole::kWinServer;
  std::string version;
  for (const Program& p : kPrograms) {
    std::string_view name = p.name;
    if (server && !p.server) continue;
    // Hardware- and cloud-specific software only where it belongs.
    if (name == "VMware Tools" && h.cloud != "vmware") continue;
    if (name == "Amazon SSM Agent" && h.cloud != "aws") continue;
    if (name.starts_with("Windows Azure VM Agent") && h.cloud != "azure") continue;
    if (name.starts_with("Microsoft SQL Server") && !(server && h.flavor % 4 == 1)) continue;
    if (name.starts_with("Dell Command") && h.hardware_vendor != "Dell Inc.") continue;
    if (name.starts_with("Lenovo") && h.hardware_vendor != "LENOVO") continue;
    if (name.starts_with("HP Wolf") && h.hardware_vendor != "HP") continue;
    if (!Installed(h, name, p.presence)) continue;
    version.clear();
    if (std::string_view(p.version) == "@") {
      version = h.osquery_version;
    } else {
      ExpandVersion(p.version, PackageLag(h, name), version);
    }
    uint64_t id = Hash64(HashName(name), 0x6d7369ull);
    std::string guid = FormatUuid(id, Mix64(id), true);
    out.AddRow();
    out.Set(kPgName, name);
    out.Set(kPgVersion, version);
    out.Set(kPgInstallLocation, p.location);
    out.Set(kPgLanguage, p.msi ? "1033" : "");
    out.Set(kPgPublisher, p.publisher);
    if (p.msi) {
      out.Set(kPgInstallSource, fmt::format("C:\\Windows\\ccmcache\\{}\\", static_cast<char>('a' + id % 26)));
      out.Set(kPgUninstallString, fmt::format("MsiExec.exe /X{{{}}}", guid));
      out.Set(kPgIdentifyingNumber, "{" + guid + "}");
    } else {
      out.Set(kPgUninstallString, fmt::format("\"{}\\Installer\\setup.exe\" --uninstall", p.location));
    }
    int64_t installed = h.os_install_date + static_cast<int64_t>(Hash64(h.seed, id) % (200 * 86400));
    std::time_t t = static_cast<std::time_t>(installed);
    std::tm tm{};
    gmtime_r(&t, &tm);
    out.Set(kPgInstallDate, fmt::format("{:04}{:02}{:02}", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday));
  }
}

// ---- apps (darwin) ----------------------------------------------------------------------

enum { kApName, kApPath, kApBundleExecutable, kApBundleIdentifier, kApBundleName,
       kApBundleShortVersion, kApBundleVersion, kApBundlePackageType, kApEnvironment, kApElement,
       kApCompiler, kApDevelopmentRegion, kApDisplayName, kApInfoString,
       kApMinimumSystemVersion, kApCategory, kApApplescriptEnabled, kApCopyright,
       kApLastOpenedTime };
constexpr ColumnDef kAppsColumns[] = {
    {"name", T},                 {"path", T},                  {"bundle_executable", T},
    {"bundle_identifier", T},    {"bundle_name", T},           {"bundle_short_version", T},
    {"bundle_version", T},       {"bundle_package_type", T},   {"environment", T},
    {"element", T},              {"compiler", T},              {"development_region", T},
    {"display_name", T},         {"info_string", T},           {"minimum_system_version", T},
    {"category", T},             {"applescript_enabled", T},   {"copyright", T},
    {"last_opened_time", D},
};

struct MacApp {
  const char* name;          // without .app
  const char* executable;
  const char* bundle_id;
  const char* version;
  const char* category;
  const char* min_os;
  int presence;
  bool system;
};

constexpr MacApp kMacApps[] = {
    {"Safari", "Safari", "com.apple.Safari", "18.1", "public.app-category.productivity", "14.0", 100, true},
    {"Mail", "Mail", "com.apple.mail", "16.0", "public.app-category.productivity", "14.0", 100, true},
    {"Calendar", "Calendar", "com.apple.iCal", "14.0", "public.app-category.productivity", "14.0", 100, true},
    {"Notes", "Notes", "com.apple.Notes", "4.11", "public.app-category.productivity", "14.0", 100, true},
    {"App Store", "App Store", "com.apple.AppStore", "3.0", "public.app-category.utilities", "14.0", 100, true},
    {"System Settings", "System Settings", "com.apple.systempreferences", "15.0", "public.app-category.utilities", "14.0", 100, true},
    {"Terminal", "Terminal", "com.apple.Terminal", "2.14", "public.app-category.utilities", "14.0", 100, true},
    {"Preview", "Preview", "com.apple.Preview", "11.0", "public.app-category.productivity", "14.0", 100, true},
    {"Google Chrome", "Google Chrome", "com.google.Chrome", "130.0.6723.{92}", "public.app-category.productivity", "10.15", 90, false},
    {"Slack", "Slack", "com.tinyspeck.slackmacgap", "4.41.{97}", "public.app-category.business", "10.15", 70, false},
    {"zoom.us", "zoom.us", "us.zoom.xos", "6.2.{5}", "public.app-category.productivity", "10.13", 60, false},
    {"Microsoft Teams", "MSTeams", "com.microsoft.teams2", "24295.605.3225.{8804}", "public.app-category.business", "11.0", 60, false},
    {"Microsoft Outlook", "Microsoft Outlook", "com.microsoft.Outlook", "16.90", "public.app-category.productivity", "12.0", 60, false},
    {"Microsoft Word", "Microsoft Word", "com.microsoft.Word", "16.90", "public.app-category.productivity", "12.0", 55, false},
    {"Microsoft Excel", "Microsoft Excel", "com.microsoft.Excel", "16.90", "public.app-category.productivity", "12.0", 55, false},
    {"Visual Studio Code", "Electron", "com.microsoft.VSCode", "1.95.{1}", "public.app-category.developer-tools", "10.15", 45, false},
    {"iTerm", "iTerm2", "com.googlecode.iterm2", "3.5.{6}", "public.app-category.developer-tools", "10.15", 35, false},
    {"Docker", "Docker", "com.docker.docker", "4.35.{1}", "public.app-category.developer-tools", "12.0", 30, false},
    {"1Password", "1Password", "com.1password.1password", "8.10.{50}", "public.app-category.productivity", "11.0", 50, false},
    {"Firefox", "firefox", "org.mozilla.firefox", "132.0.{1}", "public.app-category.productivity", "10.15", 25, false},
    {"Spotify", "Spotify", "com.spotify.client", "1.2.49.439", "public.app-category.music", "11.0", 35, false},
    {"Notion", "Notion", "notion.id", "3.17.{0}", "public.app-category.productivity", "10.15", 25, false},
    {"Figma", "Figma", "com.figma.Desktop", "124.5.{5}", "public.app-category.graphics-design", "10.14", 15, false},
    {"Rectangle", "Rectangle", "com.knollsoft.Rectangle", "0.84", "public.app-category.productivity", "10.15", 20, false},
};

void GenApps(const HostProfile& h, int64_t now, RowBuffer& out) {
  if (h.family != PlatformFamily::kDarwin) return;
  std::string version;
  for (const MacApp& a : kMacApps) {
    if (!Installed(h, a.name, a.presence)) continue;
    version.clear();
    ExpandVersion(a.version, PackageLag(h, a.name), version);
    std::string path = a.system && std::string_view(a.name) != "Safari"
                           ? (std::string_view(a.name) == "Terminal" ? fmt::format("/System/Applications/Utilities/{}.app", a.name)
                                                                      : fmt::format("/System/Applications/{}.app", a.name))
                           : fmt::format("/Applications/{}.app", a.name);
    out.AddRow();
    out.Set(kApName, fmt::format("{}.app", a.name));
    out.Set(kApPath, path);
    out.Set(kApBundleExecutable, a.executable);
    out.Set(kApBundleIdentifier, a.bundle_id);
    out.Set(kApBundleName, a.name);
    out.Set(kApBundleShortVersion, version);
    out.Set(kApBundleVersion, version);
    out.Set(kApBundlePackageType, "APPL");
    out.Set(kApElement, "");
    out.Set(kApCompiler, a.system ? "com.apple.compilers.llvm.clang.1_0" : "");
    out.Set(kApDevelopmentRegion, "en");
    out.Set(kApDisplayName, a.name);
    out.Set(kApMinimumSystemVersion, a.min_os);
    out.Set(kApCategory, a.category);
    out.Set(kApApplescriptEnabled, a.system ? "1" : "");
    out.Set(kApCopyright, a.system ? "Copyright \u00a9 2024 Apple Inc. All rights reserved." : "");
    // Last opened: recently for everyday apps, with sub-second precision like LaunchServices.
    uint64_t x = Hash64(h.seed, HashName(a.name), static_cast<uint64_t>(now / 3600));
    double opened = static_cast<double>(now - static_cast<int64_t>(x % (3 * 86400))) +
                    static_cast<double>((x >> 32) % 1000000) / 1e6;
    out.Set(kApLastOpenedTime, fmt::format("{:.6f}", opened));
  }
}

}  // namespace

TableDef DebPackagesTable() { return {"deb_packages", kOnLinux, kDebColumns, GenDebPackages, 250}; }
TableDef RpmPackagesTable() { return {"rpm_packages", kOnLinux, kRpmColumns, GenRpmPackages, 250}; }
TableDef ProgramsTable() { return {"programs", kOnWindows, kProgramsColumns, GenPrograms, 30}; }
TableDef AppsTable() { return {"apps", kOnDarwin, kAppsColumns, GenApps, 30}; }

}  // namespace quarry::sim::internal
