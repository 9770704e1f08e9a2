// processes and listening_ports: one process model per (host, now), rendered two ways so that
// `processes JOIN listening_ports USING (pid)` finds the same pids.
//
// The model: kernel threads (linux), the distro's daemons, the role's services, one sshd
// chain per open login session, osqueryd (watcher + worker, with the profile's pids), a few
// short-lived processes that change every 5 minutes, and, on a small share of hosts, one or
// two processes whose binary is gone (on_disk = 0). Each long-lived process draws its numbers
// from its own stream (host seed, ordinal), so it keeps its pid and start time across calls;
// CPU times grow with `now`, memory wobbles per 10-minute bucket.

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "sim/host_tables.h"
#include "sim/host_tables_internal.h"
#include "sim/sim_random.h"

namespace quarry::sim::internal {
namespace {

constexpr ColumnType T = ColumnType::kText;
constexpr ColumnType I = ColumnType::kInteger;
constexpr ColumnType B = ColumnType::kBigInt;

enum {
  kPrPid, kPrName, kPrPath, kPrCmdline, kPrState, kPrCwd, kPrRoot, kPrUid, kPrGid, kPrEuid,
  kPrEgid, kPrSuid, kPrSgid, kPrOnDisk, kPrWiredSize, kPrResidentSize, kPrTotalSize, kPrUserTime,
  kPrSystemTime, kPrDiskBytesRead, kPrDiskBytesWritten, kPrStartTime, kPrParent, kPrPgroup,
  kPrThreads, kPrNice,
  // windows
  kPrElevatedToken, kPrSecureProcess, kPrProtectionType, kPrVirtualProcess, kPrElapsedTime,
  kPrHandleCount, kPrPercentProcessorTime,
  // darwin
  kPrUpid, kPrUppid, kPrCpuType, kPrCpuSubtype, kPrTranslated,
  // linux
  kPrCgroupPath,
};

constexpr ColumnDef kProcessesColumns[] = {
    {"pid", B},          {"name", T},           {"path", T},           {"cmdline", T},
    {"state", T},        {"cwd", T},            {"root", T},           {"uid", B},
    {"gid", B},          {"euid", B},           {"egid", B},           {"suid", B},
    {"sgid", B},         {"on_disk", I},        {"wired_size", B},     {"resident_size", B},
    {"total_size", B},   {"user_time", B},      {"system_time", B},    {"disk_bytes_read", B},
    {"disk_bytes_written", B},                  {"start_time", B},     {"parent", B},
    {"pgroup", B},       {"threads", I},        {"nice", I},
    {"elevated_token", I, kOnWindows},          {"secure_process", I, kOnWindows},
    {"protection_type", T, kOnWindows},         {"virtual_process", I, kOnWindows},
    {"elapsed_time", B, kOnWindows},            {"handle_count", B, kOnWindows},
    {"percent_processor_time", B, kOnWindows},
    {"upid", B, kOnDarwin},                     {"uppid", B, kOnDarwin},
    {"cpu_type", I, kOnDarwin},                 {"cpu_subtype", I, kOnDarwin},
    {"translated", I, kOnDarwin},
    {"cgroup_path", T, kOnLinux},
};

enum { kLpPid, kLpPort, kLpProtocol, kLpFamily, kLpAddress, kLpFd, kLpSocket, kLpPath, kLpNetNamespace };
constexpr ColumnDef kListeningPortsColumns[] = {
    {"pid", I},     {"port", I}, {"protocol", I}, {"family", I}, {"address", T},
    {"fd", B},      {"socket", B}, {"path", T},   {"net_namespace", T, kOnLinux},
};

// Resource classes: resident memory range (MiB), average CPU share, thread range.
enum class Size { kKernel, kTiny, kSmall, kMedium, kLarge, kHuge };
struct SizeInfo {
  int rss_lo;
  int rss_hi;
  double cpu;
  int threads_lo;
  int threads_hi;
};
constexpr SizeInfo SizeOf(Size s) {
  switch (s) {
    case Size::kKernel: return {0, 0, 0.0003, 1, 1};
    case Size::kTiny: return {1, 8, 0.0002, 1, 1};
    case Size::kSmall: return {8, 40, 0.001, 1, 4};
    case Size::kMedium: return {40, 200, 0.01, 4, 20};
    case Size::kLarge: return {200, 1500, 0.04, 20, 80};
    case Size::kHuge: return {1500, 8000, 0.15, 60, 200};
  }
  return {1, 8, 0.0002, 1, 1};
}

struct Proc {
  int64_t pid = 0;
  int64_t parent = 0;
  int64_t pgroup = 0;
  std::string name;
  std::string path;
  std::string cmdline;
  std::string cwd;
  std::string cgroup;
  std::string_view state = "S";
  int64_t uid = 0;
  int64_t gid = 0;
  int on_disk = 1;
  int threads = 1;
  int nice = 0;
  int64_t start = 0;
  double cpu = 0;
  int64_t rss = 0;
  int64_t vsz = 0;
  double io_rate = 0;  // bytes per second
  // windows
  std::string_view protection;
  bool elevated = false;
  bool is_virtual = false;
  int64_t handles = 0;
};

struct Listen {
  int64_t pid;
  int port;
  int protocol;  // 6 tcp, 17 udp
  int family;    // 2, or the platform's AF_INET6
  std::string address;
  int64_t fd;
  int64_t socket;
};

std::string_view PythonFor(const HostProfile& h) {
  switch (h.os) {
    case OsRelease::kUbuntu2004: return "/usr/bin/python3.8";
    case OsRelease::kUbuntu2204: return "/usr/bin/python3.10";
    case OsRelease::kUbuntu2404: return "/usr/bin/python3.12";
    case OsRelease::kDebian11: return "/usr/bin/python3.9";
    case OsRelease::kDebian12: return "/usr/bin/python3.11";
    case OsRelease::kRhel8: return "/usr/libexec/platform-python3.6";
    case OsRelease::kCentos7: return "/usr/bin/python2.7";
    case OsRelease::kAmazonLinux2: return "/usr/bin/python2.7";
    default: return "/usr/bin/python3.9";
  }
}

int PostgresMajor(const HostProfile& h) {
  switch (h.os) {
    case OsRelease::kUbuntu2004: return 12;
    case OsRelease::kUbuntu2204: return 14;
    case OsRelease::kUbuntu2404: return 16;
    case OsRelease::kDebian11: return 13;
    case OsRelease::kDebian12: return 15;
    case OsRelease::kRhel8: return 13;
    default: return 15;
  }
}

constexpr size_t kMaxProcesses = 1024;

class ProcessModel {
 public:
  ProcessModel(const HostProfile& h, int64_t now) : h_(h), now_(now) {
    // References returned by Add stay valid: no host comes near this many processes.
    procs_.reserve(kMaxProcesses);
    switch (h.family) {
      case PlatformFamily::kLinux: BuildLinux(); break;
      case PlatformFamily::kDarwin: BuildDarwin(); break;
      case PlatformFamily::kWindows: BuildWindows(); break;
    }
  }

  const std::vector<Proc>& procs() const { return procs_; }
  const std::vector<Listen>& listens() const { return listens_; }
  const HostProfile& host() const { return h_; }
  int64_t now() const { return now_; }

 private:
  bool Linux() const { return h_.family == PlatformFamily::kLinux; }
  bool Windows() const { return h_.family == PlatformFamily::kWindows; }
  int Inet6() const {
    return h_.family == PlatformFamily::kLinux ? 10 : h_.family == PlatformFamily::kDarwin ? 30 : 23;
  }

  bool PidUsed(int64_t pid) const {
    for (const Proc& p : procs_) {
      if (p.pid == pid) return true;
    }
    return pid == h_.osquery_pid || pid == h_.watcher_pid;
  }

  int64_t NextPid() {
    do {
      next_pid_ += Windows() ? 4 * (1 + static_cast<int64_t>(seq_.Below(40)))
                             : 1 + static_cast<int64_t>(seq_.Below(Linux() ? 30 : 12));
    } while (PidUsed(next_pid_));
    return next_pid_;
  }

  // Adds a process; pid 0 means "next", a wanted pid moves up past any taken one (except
  // osqueryd's own, which the profile fixes). Numbers come from the process's own stream.
  Proc& Add(std::string_view name, std::string_view path, std::string cmdline, int64_t uid,
            int64_t parent, Size size, int64_t pid = 0, int64_t start = 0, bool exact_pid = false) {
    uint64_t ordinal = procs_.size();
    SimRng r(Hash64(h_.seed, kStreamProcesses, ordinal));
    if (pid == 0) {
      pid = NextPid();
    } else if (!exact_pid) {
      while (PidUsed(pid)) ++pid;
    }
    Proc& p = procs_.emplace_back();
    p.pid = pid;
    p.parent = parent;
    p.pgroup = pid;
    p.name = std::string(name);
    p.path = std::string(path);
    p.cmdline = std::move(cmdline);
    p.uid = uid;
    p.gid = uid;
    p.cwd = Windows() ? "C:\\Windows\\system32\\" : "/";
    p.on_disk = path.empty() ? -1 : 1;
    SizeInfo si = SizeOf(size);
    p.threads = static_cast<int>(r.Range(si.threads_lo, si.threads_hi));
    if (start == 0) {
      daemon_clock_ += 1 + static_cast<int64_t>(r.Below(3));
      start = h_.boot_time + daemon_clock_;
    }
    p.start = std::min(start, now_);
    p.cpu = si.cpu * (0.3 + 1.4 * r.Unit());
    // Resident memory wobbles ±5% per 10-minute bucket.
    double wobble = 0.95 + 0.1 * SimRng(Hash64(h_.seed, ordinal, static_cast<uint64_t>(now_ / 600))).Unit();
    double rss_mb = si.rss_lo + (si.rss_hi - si.rss_lo) * r.Unit();
    p.rss = static_cast<int64_t>(rss_mb * wobble * 1048576.0) / 4096 * 4096;
    p.vsz = size == Size::kKernel ? 0 : p.rss * r.Range(3, 16) + r.Range(4, 60) * 1048576;
    p.io_rate = size == Size::kKernel ? 0 : si.cpu * 40000.0 * r.Unit();
    p.handles = r.Range(80, 900) * (size == Size::kLarge || size == Size::kHuge ? 4 : 1);
    if (Linux()) p.cgroup = fmt::format("/system.slice/{}.service", name);
    return p;
  }

  Proc& Kernel(std::string_view name, int nice = 0) {
    Proc& p = Add(name, "", "", 0, 2, Size::kKernel);
    p.state = name.starts_with("kworker") || name.find("_wq") != std::string_view::npos ? "I" : "S";
    p.nice = nice;
    p.pgroup = 0;
    p.cgroup = "/";
    return p;
  }

  void AddListen(const Proc& p, int port, int protocol, std::string_view v4, std::string_view v6) {
    SimRng r(Hash64(h_.seed, static_cast<uint64_t>(p.pid), static_cast<uint64_t>(port)));
    int64_t fd = Windows() ? 0 : 3 + static_cast<int64_t>(r.Below(40));
    if (!v4.empty()) {
      listens_.push_back({p.pid, port, protocol, 2, std::string(v4), fd,
                          Windows() ? 0 : 10000 + static_cast<int64_t>(r.Below(9000000))});
    }
    if (!v6.empty()) {
      listens_.push_back({p.pid, port, protocol, Inet6(), std::string(v6), fd + (Windows() ? 0 : 1),
                          Windows() ? 0 : 10000 + static_cast<int64_t>(r.Below(9000000))});
    }
  }
  void Tcp(const Proc& p, int port, std::string_view v4 = "0.0.0.0", std::string_view v6 = "::") {
    AddListen(p, port, 6, v4, v6);
  }
  void Udp(const Proc& p, int port, std::string_view v4 = "0.0.0.0", std::string_view v6 = "") {
    AddListen(p, port, 17, v4, v6);
  }

  // ---- linux ----------------------------------------------------------------------------
  void BuildLinux();
  void LinuxKernelThreads();
  void LinuxDaemons();
  void LinuxRole();
  void LinuxSessions();
  void LinuxEphemeral();
  void DeletedBinaries();
  void Osquery(std::string_view path, std::string cmdline);

  // ---- darwin ---------------------------------------------------------------------------
  void BuildDarwin();
  // ---- windows --------------------------------------------------------------------------
  void BuildWindows();

  int64_t ServiceUid(std::string_view debian_name) const;

  const HostProfile& h_;
  int64_t now_;
  SimRng seq_{Hash64(h_.seed, kStreamProcesses, 0xFFFF)};
  int64_t next_pid_ = 0;
  int64_t daemon_clock_ = 2;
  int64_t sshd_pid_ = 1;
  std::vector<Proc> procs_;
  std::vector<Listen> listens_;
};

int64_t ProcessModel::ServiceUid(std::string_view name) const {
  bool rpm = h_.package_format == PackageFormat::kRpm;
  if (name == "www-data") return rpm ? 994 : 33;
  if (name == "postgres") return rpm ? 26 : 113;
  if (name == "mysql") return rpm ? 27 : 113;
  if (name == "redis") return rpm ? 993 : 113;
  if (name == "messagebus") return rpm ? 81 : 102;
  if (name == "syslog") return rpm ? 0 : 104;
  if (name == "systemd-network") return rpm ? 192 : 100;
  if (name == "systemd-resolve") return rpm ? 193 : 101;
  if (name == "systemd-timesync") return rpm ? 0 : 103;
  if (name == "chrony") return 996;
  if (name == "polkitd") return rpm ? 998 : 0;
  if (name == "nobody") return 65534;
  if (name == "gitlab-runner") return 997;
  if (name == "kafka") return 998;
  return 0;
}

void ProcessModel::BuildLinux() {
  Proc& init = Add("systemd", "/usr/lib/systemd/systemd",
                   h_.package_format == PackageFormat::kRpm
                       ? "/usr/lib/systemd/systemd --switched-root --system --deserialize 31"
                       : "/sbin/init",
                   0, 0, Size::kSmall, 1, h_.boot_time);
  init.cgroup = "/init.scope";
  init.pgroup = 1;
  Add("kthreadd", "", "", 0, 0, Size::kKernel, 2, h_.boot_time).cgroup = "/";
  procs_.back().pgroup = 0;
  next_pid_ = 2;
  LinuxKernelThreads();
  next_pid_ = std::max<int64_t>(next_pid_, 300 + static_cast<int64_t>(seq_.Below(200)));
  LinuxDaemons();
  LinuxRole();
  Osquery("/opt/osquery/bin/osqueryd",
          "/opt/osquery/bin/osqueryd --flagfile=/etc/osquery/osquery.flags --config_path=/etc/osquery/osquery.conf");
  LinuxSessions();
  LinuxEphemeral();
  DeletedBinaries();
  // A service's helper processes live in the service's cgroup.
  for (Proc& p : procs_) {
    if (p.parent <= 2 || p.cgroup != fmt::format("/system.slice/{}.service", p.name)) continue;
    for (const Proc& parent : procs_) {
      if (parent.pid == p.parent) {
        p.cgroup = parent.cgroup;
        break;
      }
    }
  }
}

void ProcessModel::LinuxKernelThreads() {
  for (const char* name : {"rcu_gp", "rcu_par_gp", "slub_flushwq", "netns"}) Kernel(name, -20);
  Kernel("kworker/0:0H-events_highpri", -20);
  Kernel("mm_percpu_wq", -20);
  Kernel("rcu_tasks_rude_kthread");
  Kernel("rcu_tasks_trace_kthread");
  int cpus = std::min(h_.cpu_logical_cores, 4);
  for (int c = 0; c < cpus; ++c) {
    Kernel(fmt::format("ksoftirqd/{}", c));
    if (c == 0) Kernel("rcu_preempt");
    Kernel(fmt::format("migration/{}", c));
    Kernel(fmt::format("cpuhp/{}", c));
    if (c > 0) Kernel(fmt::format("kworker/{}:0H-events_highpri", c), -20);
  }
  for (const char* name : {"kdevtmpfs", "inet_frag_wq", "kauditd", "khungtaskd", "oom_reaper",
                           "writeback", "kcompactd0", "ksmd", "khugepaged", "kintegrityd",
                           "kblockd", "blkcg_punt_bio", "kswapd0", "kthrotld"}) {
    Kernel(name, std::string_view(name) == "ksmd" ? 5 : std::string_view(name) == "khugepaged" ? 19 : 0);
  }
  if (h_.cloud == "aws" || h_.cloud == "gcp") {
    for (const char* name : {"nvme-wq", "nvme-reset-wq", "nvme-delete-wq"}) Kernel(name, -20);
  }
  bool xfs = h_.package_format == PackageFormat::kRpm && h_.os != OsRelease::kAmazonLinux2;
  std::string_view disk = h_.cloud == "aws" || h_.cloud == "gcp" ? "nvme0n1p1" : "sda1";
  Kernel(xfs ? fmt::format("xfsaild/{}", disk) : fmt::format("jbd2/{}-8", disk));
  Kernel(xfs ? "xfs-buf/" + std::string(disk) : std::string("ext4-rsv-conver"), -20);
  Kernel(fmt::format("kworker/u{}:1-events_unbound", 2 * h_.cpu_logical_cores));
  Kernel(fmt::format("kworker/u{}:2-flush-259:0", 2 * h_.cpu_logical_cores));
  Kernel("kworker/0:1-events");
  Kernel("kworker/1:2-mm_percpu_wq");
}

void ProcessModel::LinuxDaemons() {
  const bool rpm = h_.package_format == PackageFormat::kRpm;
  const bool ubuntu = h_.os_platform == "ubuntu";
  const bool amazon = h_.os_platform == "amzn";
  const bool el7 = h_.os == OsRelease::kCentos7 || h_.os == OsRelease::kAmazonLinux2;
  const std::string py(PythonFor(h_));

  Add("systemd-journal", "/usr/lib/systemd/systemd-journald", "/usr/lib/systemd/systemd-journald", 0, 1, Size::kMedium);
  if (ubuntu) {
    Proc& m = Add("multipathd", "/usr/sbin/multipathd", "/sbin/multipathd -d -s", 0, 1, Size::kSmall);
    m.nice = 0;
    m.threads = 7;
  }
  Add("systemd-udevd",
      ubuntu && h_.os != OsRelease::kUbuntu2004 ? "/usr/bin/udevadm" : "/usr/lib/systemd/systemd-udevd",
      rpm ? "/usr/lib/systemd/systemd-udevd" : "/lib/systemd/systemd-udevd", 0, 1, Size::kSmall);
  if (el7) Add("lvmetad", "/usr/sbin/lvmetad", "/usr/sbin/lvmetad -f", 0, 1, Size::kTiny);
  if (rpm) {
    Proc& a = Add("auditd", "/usr/sbin/auditd", "/sbin/auditd", 0, 1, Size::kSmall);
    a.nice = -4;
    a.threads = 4;
  }
  if (!rpm || amazon) {
    if (h_.os != OsRelease::kAmazonLinux2) {
      Add("systemd-network", "/usr/lib/systemd/systemd-networkd", "/lib/systemd/systemd-networkd",
          ServiceUid("systemd-network"), 1, Size::kSmall);
      if (ubuntu || amazon) {
        Proc& r = Add("systemd-resolve", "/usr/lib/systemd/systemd-resolved", "/lib/systemd/systemd-resolved",
                      ServiceUid("systemd-resolve"), 1, Size::kSmall);
        Tcp(r, 53, "127.0.0.53", "");
        Udp(r, 53, "127.0.0.53");
        Tcp(r, 53, "127.0.0.54", "");
      }
    } else {
      Proc& d = Add("dhclient", "/usr/sbin/dhclient",
                    fmt::format("/sbin/dhclient -q -lf /var/lib/dhclient/dhclient--{0}.lease -pf /var/run/dhclient-{0}.pid {0}",
                                h_.primary_interface),
                    0, 1, Size::kSmall);
      Udp(d, 68);
    }
  }
  if (!rpm) {
    Add("systemd-timesyn", "/usr/lib/systemd/systemd-timesyncd", "/lib/systemd/systemd-timesyncd",
        ServiceUid("systemd-timesync"), 1, Size::kSmall);
  } else {
    Proc& c = Add("chronyd", "/usr/sbin/chronyd", "/usr/sbin/chronyd -F 2", ServiceUid("chrony"), 1, Size::kTiny);
    Udp(c, 323, "127.0.0.1", "::1");
  }
  if (h_.os == OsRelease::kRhel9 || h_.os == OsRelease::kRocky9 || h_.os == OsRelease::kAmazonLinux2023) {
    Proc& l = Add("dbus-broker-lau", "/usr/bin/dbus-broker-launch", "/usr/bin/dbus-broker-launch --scope system --audit",
                  ServiceUid("messagebus"), 1, Size::kTiny);
    Add("dbus-broker", "/usr/bin/dbus-broker",
        "dbus-broker --log 4 --controller 9 --machine-id 3b2a0e6a --max-bytes 536870912 --max-fds 4096 --max-matches 131072 --audit",
        ServiceUid("messagebus"), l.pid, Size::kTiny);
  } else {
    Add("dbus-daemon", "/usr/bin/dbus-daemon",
        "@dbus-daemon --system --address=systemd: --nofork --nopidfile --systemd-activation --syslog-only",
        ServiceUid("messagebus"), 1, Size::kTiny);
  }
  if (ubuntu && h_.os != OsRelease::kUbuntu2404) {
    Add("networkd-dispat", py, "/usr/bin/python3 /usr/bin/networkd-dispatcher --run-startup-triggers", 0, 1, Size::kSmall);
  }
  if (rpm && !amazon) {
    Add("NetworkManager", "/usr/sbin/NetworkManager", "/usr/sbin/NetworkManager --no-daemon", 0, 1, Size::kSmall);
    Add("irqbalance", "/usr/sbin/irqbalance", "/usr/sbin/irqbalance --foreground", 0, 1, Size::kTiny);
    Add("tuned", el7 ? "/usr/bin/python2.7" : py, std::string(el7 ? "/usr/bin/python2" : "/usr/bin/python3") + " -Es /usr/sbin/tuned -l -P",
        0, 1, Size::kSmall);
    Add("firewalld", el7 ? "/usr/bin/python2.7" : py,
        std::string(el7 ? "/usr/bin/python2" : "/usr/bin/python3") + " -s /usr/sbin/firewalld --nofork --nopid", 0, 1,
        Size::kSmall);
    if (h_.os != OsRelease::kCentos7) {
      int64_t sssd = Add("sssd", "/usr/sbin/sssd", "/usr/sbin/sssd -i --logger=files", 0, 1, Size::kSmall).pid;
      Add("sssd_be", "/usr/libexec/sssd/sssd_be", "/usr/libexec/sssd/sssd_be --domain implicit_files --uid 0 --gid 0 --logger=files",
          0, sssd, Size::kSmall);
      Add("sssd_nss", "/usr/libexec/sssd/sssd_nss", "/usr/libexec/sssd/sssd_nss --uid 0 --gid 0 --logger=files", 0, sssd,
          Size::kSmall);
    }
    if (h_.os_platform == "rhel") Add("rhsmcertd", "/usr/bin/rhsmcertd", "/usr/bin/rhsmcertd", 0, 1, Size::kTiny);
  }
  if (rpm) {
    Add("gssproxy", "/usr/sbin/gssproxy", "/usr/sbin/gssproxy -D", 0, 1, Size::kTiny);
    if (amazon) Add("rngd", "/usr/sbin/rngd", "/usr/sbin/rngd -f --fill-watermark=0 -x pkcs11 -x nist", 0, 1, Size::kTiny);
  }
  if (h_.os_platform != "debian" || h_.os == OsRelease::kDebian11) {
    Add("rsyslogd", "/usr/sbin/rsyslogd", rpm ? "/usr/sbin/rsyslogd -n" : "/usr/sbin/rsyslogd -n -iNONE",
        ServiceUid("syslog"), 1, Size::kSmall);
  }
  if (ubuntu) Add("snapd", "/usr/lib/snapd/snapd", "/usr/lib/snapd/snapd", 0, 1, Size::kMedium);
  Add("systemd-logind", "/usr/lib/systemd/systemd-logind",
      rpm ? "/usr/lib/systemd/systemd-logind" : "/lib/systemd/systemd-logind", 0, 1, Size::kSmall);
  if (!el7 && !(h_.os_platform == "debian")) {
    std::string_view polkit = rpm ? "/usr/lib/polkit-1/polkitd"
                              : h_.os == OsRelease::kUbuntu2004 ? "/usr/lib/policykit-1/polkitd"
                                                                : "/usr/libexec/polkitd";
    Add("polkitd", polkit, std::string(polkit) + " --no-debug", ServiceUid("polkitd"), 1, Size::kSmall);
  }
  if (ubuntu) {
    Add("unattended-upgr", py,
        "/usr/bin/python3 /usr/share/unattended-upgrades/unattended-upgrade-shutdown --wait-for-signal", 0, 1,
        Size::kSmall);
  }
  Add(rpm ? "crond" : "cron", rpm ? "/usr/sbin/crond" : "/usr/sbin/cron", rpm ? "/usr/sbin/crond -n" : "/usr/sbin/cron -f -P",
      0, 1, Size::kTiny);
  if (rpm) Add("atd", "/usr/sbin/atd", "/usr/sbin/atd -f", 0, 1, Size::kTiny);
  if (el7) {
    Proc& m = Add("master", "/usr/libexec/postfix/master", "/usr/libexec/postfix/master -w", 0, 1, Size::kTiny);
    Tcp(m, 25, "127.0.0.1", "::1");
    int64_t mpid = m.pid;
    Add("qmgr", "/usr/libexec/postfix/qmgr", "qmgr -l -t unix -u", 89, mpid, Size::kTiny);
    Add("pickup", "/usr/libexec/postfix/pickup", "pickup -l -t unix -u", 89, mpid, Size::kTiny);
  }
  if (h_.is_virtual) {
    Add("agetty", "/usr/sbin/agetty",
        "/sbin/agetty -o -p -- \\u --keep-baud 115200,57600,38400,9600 ttyS0 vt220", 0, 1, Size::kTiny);
  }
  Add("agetty", "/usr/sbin/agetty", "/sbin/agetty -o -p -- \\u --noclear tty1 linux", 0, 1, Size::kTiny);
  sshd_pid_ = Add("sshd", "/usr/sbin/sshd",
                  ubuntu && h_.os != OsRelease::kUbuntu2004 ? "sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups"
                                                             : "/usr/sbin/sshd -D",
                  0, 1, Size::kSmall)
                  .pid;
  Tcp(procs_.back(), 22);
  if (h_.cloud == "aws") {
    std::string ssm = ubuntu ? "/snap/amazon-ssm-agent/9881/amazon-ssm-agent" : "/usr/bin/amazon-ssm-agent";
    Proc& a = Add("amazon-ssm-agen", ssm, ssm, 0, 1, Size::kMedium);
    std::string worker = ubuntu ? "/snap/amazon-ssm-agent/9881/ssm-agent-worker" : "/usr/bin/ssm-agent-worker";
    Add("ssm-agent-worke", worker, worker, 0, a.pid, Size::kMedium);
  } else if (h_.cloud == "gcp") {
    Add("google_guest_ag", "/usr/bin/google_guest_agent", "/usr/bin/google_guest_agent", 0, 1, Size::kSmall);
  } else if (h_.cloud == "azure") {
    Add("python3", py, "/usr/bin/python3 -u /usr/sbin/waagent -daemon", 0, 1, Size::kSmall);
  } else if (h_.cloud == "vmware") {
    Add("vmtoolsd", "/usr/bin/vmtoolsd", "/usr/bin/vmtoolsd", 0, 1, Size::kSmall);
  } else {
    Add("irqbalance", "/usr/sbin/irqbalance", "/usr/sbin/irqbalance --foreground", 0, 1, Size::kTiny);
  }
  // Monitoring agents common in server fleets.
  uint64_t extras = Hash64(h_.seed, 0x6d6f6e69ull);
  if (extras % 10 < 6) {
    Proc& n = Add("node_exporter", "/usr/local/bin/node_exporter",
                  "/usr/local/bin/node_exporter --collector.systemd --web.listen-address=:9100",
                  ServiceUid("nobody"), 1, Size::kSmall);
    Tcp(n, 9100, "", "::");
  }
  if ((extras >> 8) % 10 < 4) {
    Add("filebeat", "/usr/share/filebeat/bin/filebeat",
        "/usr/share/filebeat/bin/filebeat --environment systemd -c /etc/filebeat/filebeat.yml --path.home /usr/share/filebeat "
        "--path.config /etc/filebeat --path.data /var/lib/filebeat --path.logs /var/log/filebeat",
        0, 1, Size::kMedium);
  }
}

void ProcessModel::LinuxRole() {
  const bool rpm = h_.package_format == PackageFormat::kRpm;
  const int workers = std::clamp(h_.cpu_logical_cores, 2, 8);
  daemon_clock_ += 10;
  auto docker = [&]() {
    Proc& c = Add("containerd", "/usr/bin/containerd", "/usr/bin/containerd", 0, 1, Size::kMedium);
    Tcp(c, 30000 + static_cast<int>(h_.seed % 30000), "127.0.0.1", "");
    Proc& d = Add("dockerd", "/usr/bin/dockerd", "/usr/bin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock",
                  0, 1, Size::kMedium);
    d.cgroup = "/system.slice/docker.service";
    return d.pid;
  };
  switch (h_.role) {
    case HostRole::kWeb: {
      Proc& master = Add("nginx", "/usr/sbin/nginx",
                         rpm ? "nginx: master process /usr/sbin/nginx"
                             : "nginx: master process /usr/sbin/nginx -g daemon on; master_process on;",
                         0, 1, Size::kSmall);
      Tcp(master, 80);
      Tcp(master, 443);
      int64_t mpid = master.pid;
      for (int i = 0; i < workers; ++i) {
        Proc& w = Add("nginx", "/usr/sbin/nginx", "nginx: worker process", ServiceUid("www-data"), mpid, Size::kSmall);
        w.pgroup = mpid;
        w.cgroup = "/system.slice/nginx.service";
      }
      if (h_.flavor == 0) {
        Proc& n = Add("node", "/usr/bin/node", "node /srv/app/dist/server.js", ServiceUid("www-data"), 1, Size::kLarge);
        n.cwd = "/srv/app";
        n.cgroup = "/system.slice/app.service";
        Tcp(n, 3000, "127.0.0.1", "");
      } else {
        std::string cmd = "/srv/app/venv/bin/python3 /srv/app/venv/bin/gunicorn app.wsgi:application --workers 4 --bind 127.0.0.1:8000";
        Proc& g = Add("gunicorn", PythonFor(h_), cmd, ServiceUid("www-data"), 1, Size::kMedium);
        g.cwd = "/srv/app";
        g.cgroup = "/system.slice/gunicorn.service";
        Tcp(g, 8000, "127.0.0.1", "");
        int64_t gpid = g.pid;
        for (int i = 0; i < 4; ++i) {
          Proc& w = Add("gunicorn", PythonFor(h_), cmd, ServiceUid("www-data"), gpid, Size::kMedium);
          w.cwd = "/srv/app";
          w.pgroup = gpid;
          w.cgroup = "/system.slice/gunicorn.service";
        }
      }
      break;
    }
    case HostRole::kApp: {
      if (h_.flavor == 0) {
        std::string java = rpm ? "/usr/lib/jvm/java-17-openjdk/bin/java"
                               : (h_.arch == "aarch64" ? "/usr/lib/jvm/java-17-openjdk-arm64/bin/java"
                                                       : "/usr/lib/jvm/java-17-openjdk-amd64/bin/java");
        Proc& j = Add("java", java,
                      "java -Xms2g -Xmx2g -XX:+UseG1GC -Dfile.encoding=UTF-8 -jar /opt/app/app.jar --spring.profiles.active=" +
                          h_.environment,
                      0, 1, Size::kHuge);
        j.cwd = "/opt/app";
        j.cgroup = "/system.slice/app.service";
        Tcp(j, 8080, "", "::");
        Tcp(j, 8081, "", "::");
      } else {
        int64_t dpid = docker();
        Proc& proxy = Add("docker-proxy", "/usr/bin/docker-proxy",
                          "/usr/bin/docker-proxy -proto tcp -host-ip 0.0.0.0 -host-port 8080 -container-ip 172.17.0.2 -container-port 8080",
                          0, dpid, Size::kSmall);
        Tcp(proxy, 8080, "0.0.0.0", "");
        Proc& shim = Add("containerd-shim", "/usr/bin/containerd-shim-runc-v2",
                         fmt::format("/usr/bin/containerd-shim-runc-v2 -namespace moby -id {:016x}{:016x} -address /run/containerd/containerd.sock",
                                     Hash64(h_.seed, 1), Hash64(h_.seed, 2)),
                         0, 1, Size::kSmall);
        Proc& app = Add("gunicorn", "/usr/local/bin/python3.12",
                        "/usr/local/bin/python3.12 /usr/local/bin/gunicorn api.main:app -k uvicorn.workers.UvicornWorker --bind 0.0.0.0:8080",
                        1000, shim.pid, Size::kLarge);
        app.cgroup = "/system.slice/docker-" + fmt::format("{:016x}", Hash64(h_.seed, 1)) + ".scope";
      }
      break;
    }
    case HostRole::kDatabase: {
      if (h_.flavor == 0) {
        int major = PostgresMajor(h_);
        std::string bin = rpm ? "/usr/bin/postgres" : fmt::format("/usr/lib/postgresql/{}/bin/postgres", major);
        std::string cluster = rpm ? "" : fmt::format("{}/main: ", major);
        Proc& pm = Add("postgres", bin,
                       rpm ? "/usr/bin/postgres -D /var/lib/pgsql/data"
                           : fmt::format("{0} -D /var/lib/postgresql/{1}/main -c config_file=/etc/postgresql/{1}/main/postgresql.conf",
                                         bin, major),
                       ServiceUid("postgres"), 1, Size::kMedium);
        pm.cwd = rpm ? "/var/lib/pgsql/data" : fmt::format("/var/lib/postgresql/{}/main", major);
        pm.cgroup = rpm ? "/system.slice/postgresql.service" : fmt::format("/system.slice/system-postgresql.slice/postgresql@{}-main.service", major);
        Tcp(pm, 5432);
        int64_t ppid = pm.pid;
        std::string cwd = pm.cwd;
        std::string cg = pm.cgroup;
        for (const char* bg : {"checkpointer ", "background writer ", "walwriter ", "autovacuum launcher ",
                               "logical replication launcher "}) {
          Proc& c = Add("postgres", bin, fmt::format("postgres: {}{}", cluster, bg), ServiceUid("postgres"), ppid, Size::kSmall);
          c.cwd = cwd;
          c.pgroup = ppid;
          c.cgroup = cg;
        }
        int conns = 3 + static_cast<int>(h_.seed % 14);
        for (int i = 0; i < conns; ++i) {
          uint64_t x = Hash64(h_.seed, 0x636f6e6eull, static_cast<uint64_t>(i));
          Proc& c = Add("postgres", bin,
                        fmt::format("postgres: {}app appdb 10.{}.{}.{}({}) idle", cluster, x % 64, (x >> 8) % 256,
                                    4 + (x >> 16) % 240, 32768 + (x >> 24) % 28000),
                        ServiceUid("postgres"), ppid, Size::kMedium);
          c.cwd = cwd;
          c.pgroup = ppid;
          c.cgroup = cg;
        }
      } else {
        Proc& m = Add("mysqld", "/usr/sbin/mysqld", rpm ? "/usr/libexec/mysqld --basedir=/usr" : "/usr/sbin/mysqld",
                      ServiceUid("mysql"), 1, Size::kHuge);
        m.cwd = "/var/lib/mysql";
        m.cgroup = "/system.slice/mysql.service";
        Tcp(m, 3306, "", "::");
        Tcp(m, 33060, "", "::");
      }
      break;
    }
    case HostRole::kCache: {
      Proc& r = Add("redis-server", "/usr/bin/redis-server",
                    rpm ? "/usr/bin/redis-server 127.0.0.1:6379" : "/usr/bin/redis-server 0.0.0.0:6379",
                    ServiceUid("redis"), 1, Size::kHuge);
      r.threads = 5;
      r.cwd = "/var/lib/redis";
      Tcp(r, 6379, rpm ? "127.0.0.1" : "0.0.0.0", "");
      break;
    }
    case HostRole::kKubeNode: {
      Proc& c = Add("containerd", "/usr/bin/containerd", "/usr/bin/containerd", 0, 1, Size::kMedium);
      Tcp(c, 30000 + static_cast<int>(h_.seed % 30000), "127.0.0.1", "");
      Proc& k = Add("kubelet", "/usr/bin/kubelet",
                    "/usr/bin/kubelet --bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf "
                    "--kubeconfig=/etc/kubernetes/kubelet.conf --config=/var/lib/kubelet/config.yaml "
                    "--container-runtime-endpoint=unix:///run/containerd/containerd.sock "
                    "--pod-infra-container-image=registry.k8s.io/pause:3.9",
                    0, 1, Size::kLarge);
      Tcp(k, 10250, "", "::");
      Tcp(k, 10248, "127.0.0.1", "");
      struct Pod {
        const char* name;
        const char* path;
        const char* cmdline;
        int64_t uid;
        Size size;
        int port;
      };
      static constexpr Pod kSystemPods[] = {
          {"kube-proxy", "/usr/local/bin/kube-proxy", "/usr/local/bin/kube-proxy --config=/var/lib/kube-proxy/config.conf", 0, Size::kMedium, 10249},
          {"calico-node", "/usr/bin/calico-node", "calico-node -felix", 0, Size::kMedium, 9099},
          {"node_exporter", "/bin/node_exporter", "/bin/node_exporter --path.procfs=/host/proc --path.sysfs=/host/sys --path.rootfs=/host/root", 65534, Size::kSmall, 9100},
          {"fluent-bit", "/fluent-bit/bin/fluent-bit", "/fluent-bit/bin/fluent-bit -c /fluent-bit/etc/fluent-bit.conf", 0, Size::kMedium, 0},
      };
      static constexpr Pod kAppPods[] = {
          {"coredns", "/coredns", "/coredns -conf /etc/coredns/Corefile", 65532, Size::kMedium, 0},
          {"node", "/usr/local/bin/node", "node dist/main.js", 1000, Size::kLarge, 0},
          {"java", "/opt/java/openjdk/bin/java", "java -XX:MaxRAMPercentage=75 -jar /app/service.jar", 1001, Size::kHuge, 0},
          {"api-server", "/app/api-server", "/app/api-server --config /etc/app/config.yaml", 65532, Size::kMedium, 0},
          {"nginx", "/usr/sbin/nginx", "nginx: master process nginx -g daemon off;", 0, Size::kSmall, 0},
          {"python", "/usr/local/bin/python3.11", "python -m celery -A worker worker --loglevel=INFO", 1000, Size::kLarge, 0},
      };
      int app_pods = 2 + static_cast<int>(h_.seed % 9);
      auto pod = [&](const Pod& p, int i) {
        uint64_t id = Hash64(h_.seed, 0x706f64ull, static_cast<uint64_t>(i));
        Proc& shim = Add("containerd-shim", "/usr/bin/containerd-shim-runc-v2",
                         fmt::format("/usr/bin/containerd-shim-runc-v2 -namespace k8s.io -id {:016x}{:016x}{:016x}{:016x} -address /run/containerd/containerd.sock",
                                     id, Mix64(id), Mix64(id + 1), Mix64(id + 2)),
                         0, 1, Size::kSmall);
        int64_t spid = shim.pid;
        std::string cg = fmt::format("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod{:08x}.slice", id >> 32);
        shim.cgroup = "/system.slice/containerd.service";
        Proc& pause = Add("pause", "/pause", "/pause", 65535, spid, Size::kTiny);
        pause.cgroup = cg;
        // Container paths resolve inside the container's mount namespace; the simulator reports
        // them as present so that on_disk = 0 stays a signal.
        Proc& w = Add(p.name, p.path, p.cmdline, p.uid, spid, p.size);
        w.cgroup = cg;
        if (p.port != 0) Tcp(w, p.port, "", "::");
      };
      int i = 0;
      for (const Pod& p : kSystemPods) pod(p, i++);
      for (int a = 0; a < app_pods; ++a) pod(kAppPods[Hash64(h_.seed, 0x617070ull, static_cast<uint64_t>(a)) % std::size(kAppPods)], i++);
      break;
    }
    case HostRole::kBuild: {
      docker();
      Proc& g = Add("gitlab-runner", "/usr/bin/gitlab-runner",
                    "/usr/bin/gitlab-runner run --working-directory /home/gitlab-runner --config /etc/gitlab-runner/config.toml "
                    "--service gitlab-runner --user gitlab-runner",
                    0, 1, Size::kMedium);
      Tcp(g, 9252, "127.0.0.1", "");
      break;
    }
    case HostRole::kKafka: {
      std::string java = rpm ? "/usr/lib/jvm/java-17-openjdk/bin/java" : "/usr/lib/jvm/java-17-openjdk-amd64/bin/java";
      Proc& k = Add("java", java,
                    "java -Xmx6G -Xms6G -server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true "
                    "-Dcom.sun.management.jmxremote -Dkafka.logs.dir=/opt/kafka/logs -cp /opt/kafka/libs/* kafka.Kafka "
                    "/opt/kafka/config/server.properties",
                    ServiceUid("kafka"), 1, Size::kHuge);
      k.threads = 140;
      k.cwd = "/opt/kafka";
      k.cgroup = "/system.slice/kafka.service";
      Tcp(k, 9092, "", "::");
      Tcp(k, 9999, "", "::");
      if (h_.flavor == 1) {
        Proc& z = Add("java", java,
                      "java -Xmx1G -Xms1G -cp /opt/kafka/libs/* org.apache.zookeeper.server.quorum.QuorumPeerMain "
                      "/opt/kafka/config/zookeeper.properties",
                      ServiceUid("kafka"), 1, Size::kLarge);
        z.cgroup = "/system.slice/zookeeper.service";
        Tcp(z, 2181, "", "::");
      }
      break;
    }
    default:
      break;
  }
}

void ProcessModel::Osquery(std::string_view path, std::string cmdline) {
  int64_t start = std::min(h_.osquery_start_time, now_);
  bool win = Windows();
  Proc& w = Add(win ? "osqueryd.exe" : "osqueryd", path, cmdline, win ? 18 : 0, win ? 0 : 1, Size::kMedium,
                h_.watcher_pid, start, /*exact_pid=*/true);
  w.cgroup = "/system.slice/osqueryd.service";
  w.rss = 30 * 1048576 + static_cast<int64_t>(h_.seed % 8) * 1048576;
  w.elevated = true;
  int64_t wpid = w.pid;
  Proc& k = Add(win ? "osqueryd.exe" : "osqueryd", path, cmdline, win ? 18 : 0, wpid, Size::kMedium, h_.osquery_pid,
                start + 1, /*exact_pid=*/true);
  k.cgroup = "/system.slice/osqueryd.service";
  k.pgroup = wpid;
  k.elevated = true;
  k.cpu = 0.01;
}

void ProcessModel::LinuxSessions() {
  std::vector<HumanUser> humans = HumanUsers(h_);
  for (const LoginSession& s : RecentSessions(h_, now_)) {
    if (s.logout_time <= now_) continue;
    int64_t uid = 0;
    std::string home = "/root";
    for (const HumanUser& u : humans) {
      if (u.name == s.user) {
        uid = u.uid;
        home = u.home;
      }
    }
    std::string scope = fmt::format("/user.slice/user-{}.slice/session-{}.scope", uid, s.pid % 997);
    Proc& priv = Add("sshd", "/usr/sbin/sshd", fmt::format("sshd: {} [priv]", s.user), 0, sshd_pid_, Size::kSmall, s.pid,
                     s.login_time);
    priv.cgroup = scope;
    int64_t ppid = priv.pid;
    Proc& net = Add("sshd", "/usr/sbin/sshd", fmt::format("sshd: {}@{}", s.user, s.tty), uid, ppid, Size::kSmall, ppid + 2,
                    s.login_time + 1);
    net.gid = uid;
    net.pgroup = ppid;
    net.cgroup = scope;
    int64_t npid = net.pid;
    Proc& sh = Add("bash", "/usr/bin/bash", "-bash", uid, npid, Size::kTiny, npid + 1, s.login_time + 1);
    sh.cwd = home;
    sh.cgroup = scope;
    int64_t shpid = sh.pid;
    // What they are doing right now.
    static constexpr const char* kCommands[][2] = {
        {"top", "top"},
        {"vim", "vim /etc/nginx/sites-available/default"},
        {"tail", "tail -f /var/log/syslog"},
        {"journalctl", "journalctl -fu app.service"},
        {"htop", "htop"},
        {"less", "less /var/log/auth.log"},
        {"sudo", "sudo -i"},
    };
    uint64_t pick = Hash64(h_.seed, static_cast<uint64_t>(s.pid)) % (std::size(kCommands) + 3);
    if (pick < std::size(kCommands)) {
      std::string_view name = kCommands[pick][0];
      Proc& c = Add(name, fmt::format("/usr/bin/{}", name), kCommands[pick][1], uid, shpid, Size::kTiny, shpid + 3,
                    std::min(now_, s.login_time + 30));
      c.cwd = home;
      c.state = "S";
      c.pgroup = c.pid;
      c.cgroup = scope;
    }
  }
}

void ProcessModel::LinuxEphemeral() {
  // Short-lived work that comes and goes every 5 minutes: cron jobs, health checks, builds.
  int64_t bucket = now_ / 300;
  SimRng r(Hash64(h_.seed, kStreamEphemeral, static_cast<uint64_t>(bucket)));
  struct Job {
    const char* name;
    const char* path;
    const char* cmdline;
  };
  static constexpr Job kJobs[] = {
      {"sh", "/usr/bin/dash", "/bin/sh -c /usr/local/bin/backup.sh"},
      {"run-parts", "/usr/bin/run-parts", "run-parts --report /etc/cron.hourly"},
      {"python3", "/usr/bin/python3", "python3 /opt/scripts/collect_metrics.py"},
      {"sleep", "/usr/bin/sleep", "sleep 30"},
      {"curl", "/usr/bin/curl", "curl -fsS http://127.0.0.1:8080/healthz"},
      {"logrotate", "/usr/sbin/logrotate", "/usr/sbin/logrotate /etc/logrotate.conf"},
      {"make", "/usr/bin/make", "make -j4 test"},
      {"go", "/usr/local/go/bin/go", "go build ./..."},
  };
  int n = static_cast<int>(r.Below(h_.role == HostRole::kBuild ? 6 : 3));
  for (int i = 0; i < n; ++i) {
    const Job& j = kJobs[r.Below(h_.role == HostRole::kBuild ? std::size(kJobs) : 6)];
    int64_t pid = 100000 + static_cast<int64_t>(r.Below(3000000));
    int64_t start = bucket * 300 + static_cast<int64_t>(r.Below(static_cast<uint64_t>(std::max<int64_t>(1, now_ - bucket * 300 + 1))));
    Proc& p = Add(j.name, j.path, j.cmdline, 0, 1, Size::kTiny, pid, start);
    p.cgroup = "/system.slice/cron.service";
    p.state = i == 0 ? "R" : "S";
  }
}

void ProcessModel::DeletedBinaries() {
  struct Ghost {
    const char* name;
    const char* path;
    const char* cmdline;
    Size size;
  };
  // A dropper that deleted itself, and an agent whose old version directory was removed
  // while it kept running.
  static constexpr Ghost kGhosts[] = {
      {"kdevtmpfsi", "/tmp/kdevtmpfsi", "/tmp/kdevtmpfsi", Size::kLarge},
      {"kworkerds", "/var/tmp/.X11-unix/kworkerds", "/var/tmp/.X11-unix/kworkerds -B", Size::kMedium},
      {"agent", "/opt/monitoring/agent-2.3.1/bin/agent", "/opt/monitoring/agent-2.3.1/bin/agent --config /etc/monitoring/agent.yml", Size::kMedium},
      {"dockerd-helper", "/dev/shm/.cache/dockerd-helper", "/dev/shm/.cache/dockerd-helper --daemon", Size::kSmall},
      {"python3", "/usr/bin/python3.9", "/usr/bin/python3.9 /opt/legacy/report.py", Size::kMedium},
  };
  for (int i = 0; i < h_.deleted_binaries; ++i) {
    uint64_t x = Hash64(h_.seed, 0x67686f7374ull, static_cast<uint64_t>(i));
    const Ghost& g = kGhosts[x % std::size(kGhosts)];
    int64_t start = h_.boot_time + static_cast<int64_t>((x >> 16) % static_cast<uint64_t>(std::max<int64_t>(1, now_ - h_.boot_time)));
    Proc& p = Add(g.name, g.path, g.cmdline, (x >> 8) % 2 == 0 ? 0 : ServiceUid("www-data"), 1, g.size,
                  20000 + static_cast<int64_t>((x >> 24) % 3000000), start);
    p.on_disk = 0;
    p.cwd = h_.family == PlatformFamily::kDarwin ? "/private/tmp" : "/tmp";
    p.cgroup = "/system.slice/cron.service";
  }
}

// ---- darwin -----------------------------------------------------------------------------

void ProcessModel::BuildDarwin() {
  Proc& kt = Add("kernel_task", "", "", 0, 0, Size::kLarge, 0, h_.boot_time);
  kt.pid = 0;
  kt.pgroup = 0;
  kt.threads = 500;
  Proc& launchd = Add("launchd", "/sbin/launchd", "/sbin/launchd", 0, 0, Size::kSmall, 1, h_.boot_time);
  launchd.pgroup = 1;
  next_pid_ = 70;
  static constexpr const char* kDaemons[][2] = {
      {"logd", "/usr/libexec/logd"},
      {"UserEventAgent", "/usr/libexec/UserEventAgent"},
      {"fseventsd", "/System/Library/Frameworks/CoreServices.framework/Versions/A/Frameworks/FSEvents.framework/Versions/A/Support/fseventsd"},
      {"mediaremoted", "/System/Library/PrivateFrameworks/MediaRemote.framework/Support/mediaremoted"},
      {"systemstats", "/usr/sbin/systemstats"},
      {"configd", "/usr/libexec/configd"},
      {"endpointsecurityd", "/usr/libexec/endpointsecurityd"},
      {"powerd", "/System/Library/CoreServices/powerd.bundle/powerd"},
      {"remoted", "/usr/libexec/remoted"},
      {"watchdogd", "/usr/libexec/watchdogd"},
      {"mds", "/System/Library/Frameworks/CoreServices.framework/Frameworks/Metadata.framework/Support/mds"},
      {"kernelmanagerd", "/usr/libexec/kernelmanagerd"},
      {"diskarbitrationd", "/usr/libexec/diskarbitrationd"},
      {"coreduetd", "/usr/libexec/coreduetd"},
      {"opendirectoryd", "/usr/libexec/opendirectoryd"},
      {"apsd", "/System/Library/PrivateFrameworks/ApplePushService.framework/apsd"},
      {"launchservicesd", "/System/Library/CoreServices/launchservicesd"},
      {"timed", "/usr/libexec/timed"},
      {"securityd", "/usr/sbin/securityd"},
      {"mDNSResponder", "/usr/sbin/mDNSResponder"},
      {"notifyd", "/usr/sbin/notifyd"},
      {"syspolicyd", "/usr/libexec/syspolicyd"},
      {"airportd", "/usr/libexec/airportd"},
      {"bluetoothd", "/usr/sbin/bluetoothd"},
      {"locationd", "/usr/libexec/locationd"},
      {"coreaudiod", "/usr/sbin/coreaudiod"},
      {"trustd", "/usr/libexec/trustd"},
      {"cfprefsd", "/usr/sbin/cfprefsd"},
      {"distnoted", "/usr/sbin/distnoted"},
      {"softwareupdated", "/System/Library/PrivateFrameworks/MobileSoftwareUpdate.framework/Support/softwareupdated"},
      {"nsurlsessiond", "/usr/libexec/nsurlsessiond"},
      {"WindowServer", "/System/Library/PrivateFrameworks/SkyLight.framework/Resources/WindowServer"},
  };
  for (const auto& d : kDaemons) {
    std::string_view name = d[0];
    std::string cmd = name == "WindowServer" ? std::string(d[1]) + " -daemon" : std::string(d[1]);
    Proc& p = Add(name, d[1], cmd, name == "WindowServer" ? 88 : name == "mDNSResponder" ? 65 : 0, 1,
                  name == "WindowServer" || name == "mds" ? Size::kLarge : Size::kSmall);
    if (name == "mDNSResponder") Udp(p, 5353, "0.0.0.0", "::");
  }
  Proc& lw = Add("loginwindow", "/System/Library/CoreServices/loginwindow.app/Contents/MacOS/loginwindow",
                 "/System/Library/CoreServices/loginwindow.app/Contents/MacOS/loginwindow console", 501, 1, Size::kMedium,
                 DarwinLoginwindowPid(h_));
  lw.uid = HumanUsers(h_).front().uid;
  Osquery("/opt/osquery/lib/osquery.app/Contents/MacOS/osqueryd",
          "/opt/osquery/lib/osquery.app/Contents/MacOS/osqueryd --flagfile=/private/var/osquery/osquery.flags");
  int64_t owner = HumanUsers(h_).front().uid;
  std::string home = HumanUsers(h_).front().home;
  daemon_clock_ += 60;
  struct App {
    const char* name;
    const char* path;
    Size size;
    int helpers;
  };
  static constexpr App kUserApps[] = {
      {"Finder", "/System/Library/CoreServices/Finder.app/Contents/MacOS/Finder", Size::kMedium, 0},
      {"Dock", "/System/Library/CoreServices/Dock.app/Contents/MacOS/Dock", Size::kMedium, 0},
      {"SystemUIServer", "/System/Library/CoreServices/SystemUIServer.app/Contents/MacOS/SystemUIServer", Size::kSmall, 0},
      {"ControlCenter", "/System/Library/CoreServices/ControlCenter.app/Contents/MacOS/ControlCenter", Size::kMedium, 0},
      {"Spotlight", "/System/Library/CoreServices/Spotlight.app/Contents/MacOS/Spotlight", Size::kMedium, 0},
      {"sharingd", "/usr/libexec/sharingd", Size::kSmall, 0},
      {"rapportd", "/usr/libexec/rapportd", Size::kSmall, 0},
      {"cfprefsd", "/usr/sbin/cfprefsd", Size::kSmall, 0},
      {"distnoted", "/usr/sbin/distnoted", Size::kTiny, 0},
      {"Google Chrome", "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome", Size::kLarge, 8},
      {"Slack", "/Applications/Slack.app/Contents/MacOS/Slack", Size::kLarge, 4},
      {"zoom.us", "/Applications/zoom.us.app/Contents/MacOS/zoom.us", Size::kLarge, 0},
      {"Microsoft Teams", "/Applications/Microsoft Teams.app/Contents/MacOS/MSTeams", Size::kLarge, 3},
      {"Code", "/Applications/Visual Studio Code.app/Contents/MacOS/Electron", Size::kLarge, 5},
      {"iTerm2", "/Applications/iTerm.app/Contents/MacOS/iTerm2", Size::kMedium, 0},
      {"1Password", "/Applications/1Password.app/Contents/MacOS/1Password", Size::kMedium, 2},
  };
  for (const App& a : kUserApps) {
    bool is_third_party = std::string_view(a.path).starts_with("/Applications");
    if (is_third_party && Hash64(h_.seed, HashName(a.name)) % 10 < 3) continue;
    Proc& p = Add(a.name, a.path, a.path, owner, 1, a.size);
    p.gid = 20;
    p.cwd = "/";
    int64_t app_pid = p.pid;
    if (std::string_view(a.name) == "rapportd") Tcp(p, 49152 + static_cast<int>(h_.seed % 100), "", "::");
    if (std::string_view(a.name) == "ControlCenter") {
      Tcp(p, 5000, "0.0.0.0", "::");
      Tcp(p, 7000, "0.0.0.0", "::");
    }
    for (int i = 0; i < a.helpers; ++i) {
      std::string helper = fmt::format("{} Helper", a.name);
      Proc& hp = Add(helper, fmt::format("{}/../Frameworks/{}.app", a.path, helper),
                     fmt::format("{}/../Frameworks/{}.app --type=renderer", a.path, helper), owner, app_pid,
                     Size::kMedium);
      hp.gid = 20;
    }
  }
  for (const LoginSession& s : RecentSessions(h_, now_)) {
    if (s.logout_time <= now_) continue;
    Proc& z = Add("zsh", "/bin/zsh", "-zsh", s.user == "root" ? 0 : owner, 1, Size::kTiny, s.pid, s.login_time);
    z.cwd = s.user == "root" ? "/var/root" : home;
  }
  DeletedBinaries();
}

// ---- windows ----------------------------------------------------------------------------

void ProcessModel::BuildWindows() {
  const bool server = h_.role == HostRole::kWinServer;
  Proc& idle = Add("System Idle Process", "", "", 18, 0, Size::kKernel, 0, h_.boot_time);
  idle.pid = 0;
  idle.is_virtual = true;
  Proc& sys = Add("System", "", "", 18, 0, Size::kSmall, 4, h_.boot_time);
  sys.is_virtual = true;
  sys.threads = 200;
  Tcp(sys, 445, "0.0.0.0", "::");
  Tcp(sys, 139, h_.ipv4, "");
  if (server && h_.flavor == 0) {  // IIS through http.sys
    Tcp(sys, 80, "0.0.0.0", "::");
    Tcp(sys, 443, "0.0.0.0", "::");
  }
  next_pid_ = 80;
  Proc& reg = Add("Registry", "", "", 18, 4, Size::kMedium);
  reg.is_virtual = true;
  auto sys32 = [](std::string_view exe) { return fmt::format("C:\\Windows\\System32\\{}", exe); };
  Proc& smss = Add("smss.exe", sys32("smss.exe"), "\\SystemRoot\\System32\\smss.exe", 18, 4, Size::kTiny);
  smss.protection = "PsProtectedSignerWinTcb-Light";
  int64_t smss_pid = smss.pid;
  for (int session = 0; session < 2; ++session) {
    Proc& c = Add("csrss.exe", sys32("csrss.exe"),
                  "%SystemRoot%\\system32\\csrss.exe ObjectDirectory=\\Windows SharedSection=1024,20480,768 Windows=On "
                  "SubSystemType=Windows ServerDll=basesrv,1 ServerDll=winsrv:UserServerDllInitialization,3 ServerDll=sxssrv,4 "
                  "ProfileControl=Off MaxRequestThreads=16",
                  18, smss_pid, Size::kSmall);
    c.protection = "PsProtectedSignerWinTcb-Light";
    c.nice = 13;
  }
  Proc& wininit = Add("wininit.exe", sys32("wininit.exe"), "wininit.exe", 18, smss_pid, Size::kSmall);
  wininit.protection = "PsProtectedSignerWinTcb-Light";
  wininit.nice = 13;
  Tcp(wininit, 49665, "0.0.0.0", "::");
  int64_t wininit_pid = wininit.pid;
  Proc& services = Add("services.exe", sys32("services.exe"), "C:\\Windows\\system32\\services.exe", 18, wininit_pid, Size::kSmall);
  services.protection = "PsProtectedSignerWinTcb-Light";
  int64_t services_pid = services.pid;
  Tcp(services, 49669, "0.0.0.0", "::");
  Proc& lsass = Add("lsass.exe", sys32("lsass.exe"), "C:\\Windows\\system32\\lsass.exe", 18, wininit_pid, Size::kMedium);
  lsass.protection = "PsProtectedSignerLsa-Light";
  Tcp(lsass, 49664, "0.0.0.0", "::");
  if (server && h_.flavor == 3) {  // domain controller
    for (int port : {88, 389, 464, 636, 3268, 3269}) Tcp(lsass, port, "0.0.0.0", "::");
  }
  Add("winlogon.exe", sys32("winlogon.exe"), "winlogon.exe", 18, smss_pid, Size::kSmall).nice = 13;
  Add("fontdrvhost.exe", sys32("fontdrvhost.exe"), "\"fontdrvhost.exe\"", 96, wininit_pid, Size::kSmall);
  Add("dwm.exe", sys32("dwm.exe"), "\"dwm.exe\"", 90, smss_pid, Size::kMedium).nice = 13;
  struct Svc {
    const char* group;
    int64_t uid;
    int port;
  };
  static constexpr Svc kSvchosts[] = {
      {"DcomLaunch -p", 18, 0},       {"RPCSS -p", 20, 135},          {"LocalServiceNetworkRestricted -p", 19, 0},
      {"netsvcs -p", 18, 49667},      {"LocalService -p", 19, 0},     {"LocalSystemNetworkRestricted -p", 18, 0},
      {"NetworkService -p", 20, 0},   {"LocalServiceNoNetwork -p", 19, 0}, {"appmodel -p", 18, 0},
      {"UnistackSvcGroup", 18, 0},    {"utcsvc -p", 18, 0},           {"wusvcs -p", 18, 0},
      {"LocalServiceNoNetworkFirewall -p", 19, 0},                    {"termsvcs", 20, 3389},
      {"LocalServiceAndNoImpersonation -p", 19, 0},                   {"NetSvcs -p -s Schedule", 18, 0},
      {"LocalService -p -s EventLog", 19, 49666},                     {"NetworkService -p -s Dnscache", 20, 0},
      {"LocalSystemNetworkRestricted -p -s SysMain", 18, 0},          {"netsvcs -p -s Winmgmt", 18, 0},
      {"NetworkService -p -s CryptSvc", 20, 0},                       {"LocalService -s W32Time", 19, 0},
      {"LocalServiceNetworkRestricted -p -s Dhcp", 19, 0},            {"netsvcs -p -s BITS", 18, 0},
      {"LocalService -p -s CDPSvc", 19, 5040},                        {"NetworkService -p -s DoSvc", 20, 7680},
      {"LocalServiceNetworkRestricted -p -s lmhosts", 19, 0},         {"netsvcs -p -s gpsvc", 18, 0},
      {"LocalSystemNetworkRestricted -p -s PcaSvc", 18, 0},           {"netsvcs -p -s ProfSvc", 18, 0},
  };
  int svchosts = server ? 22 : static_cast<int>(std::size(kSvchosts));
  for (int i = 0; i < svchosts; ++i) {
    const Svc& s = kSvchosts[i];
    std::string_view group = s.group;
    if (group.find("CDPSvc") != std::string_view::npos && server) continue;
    if (group == "termsvcs" && !server) continue;
    Proc& p = Add("svchost.exe", sys32("svchost.exe"), fmt::format("C:\\Windows\\system32\\svchost.exe -k {}", s.group), s.uid,
                  services_pid, i < 4 ? Size::kMedium : Size::kSmall);
    p.elevated = s.uid == 18;
    if (s.port != 0) Tcp(p, s.port, "0.0.0.0", "::");
  }
  Proc& spool = Add("spoolsv.exe", sys32("spoolsv.exe"), "C:\\Windows\\System32\\spoolsv.exe", 18, services_pid, Size::kSmall);
  Tcp(spool, 49668, "0.0.0.0", "::");
  Proc& defender = Add("MsMpEng.exe", "C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.24090.11-0\\MsMpEng.exe",
                       "\"C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.24090.11-0\\MsMpEng.exe\"", 18,
                       services_pid, Size::kLarge);
  defender.protection = "PsProtectedSignerAntimalware-Light";
  Add("NisSrv.exe", "C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.24090.11-0\\NisSrv.exe",
      "\"C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.24090.11-0\\NisSrv.exe\"", 19, services_pid, Size::kSmall);
  Add("SecurityHealthService.exe", sys32("SecurityHealthService.exe"), "C:\\Windows\\system32\\SecurityHealthService.exe", 18,
      services_pid, Size::kSmall);
  Add("WmiPrvSE.exe", sys32("wbem\\WmiPrvSE.exe"), "C:\\Windows\\system32\\wbem\\wmiprvse.exe", 20, 0, Size::kSmall);
  Osquery("C:\\Program Files\\osquery\\osqueryd\\osqueryd.exe",
          "\"C:\\Program Files\\osquery\\osqueryd\\osqueryd.exe\" --flagfile=\"C:\\Program Files\\osquery\\osquery.flags\" "
          "--windows_service");
  procs_[procs_.size() - 2].parent = services_pid;
  if (server) {
    switch (h_.flavor % 4) {
      case 0: {
        Proc& w3 = Add("w3wp.exe", "C:\\Windows\\System32\\inetsrv\\w3wp.exe",
                       "c:\\windows\\system32\\inetsrv\\w3wp.exe -ap \"DefaultAppPool\" -v \"v4.0\" -l \"webengine4.dll\" -a "
                       "\\\\.\\pipe\\iisipm -h \"C:\\inetpub\\temp\\apppools\\DefaultAppPool\\DefaultAppPool.config\" -w \"\" -m 0",
                       20, services_pid, Size::kLarge);
        w3.cwd = "C:\\Windows\\system32\\inetsrv\\";
        break;
      }
      case 1: {
        Proc& sql = Add("sqlservr.exe", "C:\\Program Files\\Microsoft SQL Server\\MSSQL16.MSSQLSERVER\\MSSQL\\Binn\\sqlservr.exe",
                        "\"C:\\Program Files\\Microsoft SQL Server\\MSSQL16.MSSQLSERVER\\MSSQL\\Binn\\sqlservr.exe\" -sMSSQLSERVER",
                        20, services_pid, Size::kHuge);
        Tcp(sql, 1433, "0.0.0.0", "::");
        break;
      }
      case 2:
        Add("dfsrs.exe", sys32("dfsrs.exe"), "C:\\Windows\\system32\\DFSRs.exe", 18, services_pid, Size::kMedium);
        break;
      default: {
        Proc& dns = Add("dns.exe", sys32("dns.exe"), "C:\\Windows\\system32\\dns.exe", 18, services_pid, Size::kMedium);
        Tcp(dns, 53, "0.0.0.0", "::");
        Udp(dns, 53, "0.0.0.0", "::");
        Add("ntfrs.exe", sys32("ntfrs.exe"), "C:\\Windows\\system32\\ntfrs.exe", 18, services_pid, Size::kSmall);
        break;
      }
    }
  }
  // The interactive desktop (workstations, and servers with an RDP session open).
  std::vector<HumanUser> humans = HumanUsers(h_);
  bool desktop = !server;
  int64_t desktop_uid = humans.front().uid;
  int64_t desktop_start = h_.boot_time + 60 + static_cast<int64_t>(h_.seed % 120);
  if (server) {
    for (const LoginSession& s : RecentSessions(h_, now_)) {
      if (s.logout_time > now_) {
        desktop = true;
        desktop_start = s.login_time;
        for (const HumanUser& u : humans) {
          if (u.name == s.user) desktop_uid = u.uid;
        }
      }
    }
  }
  if (!desktop) return;
  daemon_clock_ += 30;
  Proc& explorer = Add("explorer.exe", "C:\\Windows\\explorer.exe", "C:\\Windows\\Explorer.EXE", desktop_uid, 0, Size::kLarge,
                       0, desktop_start);
  explorer.cwd = "C:\\Windows\\system32\\";
  int64_t ex = explorer.pid;
  struct UserApp {
    const char* name;
    const char* path;
    Size size;
    int copies;
    bool workstation_only;
  };
  static constexpr UserApp kApps[] = {
      {"sihost.exe", "C:\\Windows\\System32\\sihost.exe", Size::kSmall, 1, false},
      {"taskhostw.exe", "C:\\Windows\\System32\\taskhostw.exe", Size::kSmall, 1, false},
      {"RuntimeBroker.exe", "C:\\Windows\\System32\\RuntimeBroker.exe", Size::kSmall, 3, false},
      {"ctfmon.exe", "C:\\Windows\\System32\\ctfmon.exe", Size::kSmall, 1, false},
      {"SearchHost.exe", "C:\\Windows\\SystemApps\\MicrosoftWindows.Client.CBS_cw5n1h2txyewy\\SearchHost.exe", Size::kMedium, 1, true},
      {"StartMenuExperienceHost.exe", "C:\\Windows\\SystemApps\\Microsoft.Windows.StartMenuExperienceHost_cw5n1h2txyewy\\StartMenuExperienceHost.exe", Size::kMedium, 1, true},
      {"OneDrive.exe", "C:\\Program Files\\Microsoft OneDrive\\OneDrive.exe", Size::kMedium, 1, true},
      {"ms-teams.exe", "C:\\Program Files\\WindowsApps\\MSTeams_24295.605.3225.8804_x64__8wekyb3d8bbwe\\ms-teams.exe", Size::kLarge, 1, true},
      {"chrome.exe", "C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe", Size::kLarge, 8, true},
      {"msedge.exe", "C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe", Size::kLarge, 5, true},
      {"OUTLOOK.EXE", "C:\\Program Files\\Microsoft Office\\root\\Office16\\OUTLOOK.EXE", Size::kLarge, 1, true},
      {"conhost.exe", "C:\\Windows\\System32\\conhost.exe", Size::kTiny, 1, false},
  };
  for (const UserApp& a : kApps) {
    if (a.workstation_only && server) continue;
    if (a.copies > 1 && Hash64(h_.seed, HashName(a.name)) % 10 < 3) continue;
    int64_t parent = ex;
    for (int i = 0; i < a.copies; ++i) {
      Proc& p = Add(a.name, a.path, i == 0 ? fmt::format("\"{}\"", a.path) : fmt::format("\"{}\" --type=renderer", a.path),
                    desktop_uid, parent, i == 0 ? a.size : Size::kMedium, 0,
                    std::min(now_, desktop_start + 20 + static_cast<int64_t>(i)));
      p.cwd = "C:\\Users\\" + humans.front().name + "\\";
      if (i == 0) parent = p.pid;
    }
  }
}

// ---- rendering ---------------------------------------------------------------------------

void GenProcesses(const HostProfile& h, int64_t now, RowBuffer& out) {
  ProcessModel model(h, now);
  const bool win = h.family == PlatformFamily::kWindows;
  const bool mac = h.family == PlatformFamily::kDarwin;
  const bool arm_mac = mac && h.cpu_type == "arm64e";
  for (const Proc& p : model.procs()) {
    out.AddRow();
    int64_t age = std::max<int64_t>(0, now - p.start);
    int64_t cpu_ms = static_cast<int64_t>(p.cpu * static_cast<double>(age) * 1000.0);
    int64_t user_ms = cpu_ms * 4 / 5;
    int64_t sys_ms = cpu_ms - user_ms;
    int64_t io = static_cast<int64_t>(p.io_rate * static_cast<double>(age));
    out.SetInt(kPrPid, p.pid);
    out.Set(kPrName, p.name);
    out.Set(kPrPath, p.path);
    out.Set(kPrCmdline, p.cmdline);
    out.Set(kPrState, win ? "STILL_ACTIVE" : p.state);
    out.Set(kPrCwd, p.cwd);
    out.Set(kPrRoot, win ? "" : (mac ? "" : "/"));
    out.SetInt(kPrUid, p.uid);
    if (win) {
      out.SetInt(kPrGid, -1);
      out.SetInt(kPrEuid, -1);
      out.SetInt(kPrEgid, -1);
      out.SetInt(kPrSuid, -1);
      out.SetInt(kPrSgid, -1);
    } else {
      out.SetInt(kPrGid, p.gid);
      out.SetInt(kPrEuid, p.uid);
      out.SetInt(kPrEgid, p.gid);
      out.SetInt(kPrSuid, p.uid);
      out.SetInt(kPrSgid, p.gid);
    }
    out.SetInt(kPrOnDisk, p.on_disk);
    out.SetInt(kPrWiredSize, 0);
    out.SetInt(kPrResidentSize, p.rss);
    out.SetInt(kPrTotalSize, p.vsz);
    out.SetInt(kPrUserTime, user_ms);
    out.SetInt(kPrSystemTime, sys_ms);
    out.SetInt(kPrDiskBytesRead, io);
    out.SetInt(kPrDiskBytesWritten, io / 3);
    out.SetInt(kPrStartTime, p.start);
    out.SetInt(kPrParent, p.parent);
    out.SetInt(kPrPgroup, win ? -1 : p.pgroup);
    out.SetInt(kPrThreads, p.threads);
    out.SetInt(kPrNice, win ? (p.nice == 0 ? 8 : p.nice) : p.nice);
    if (win) {
      out.SetInt(kPrElevatedToken, p.uid == 18 || p.elevated ? 1 : 0);
      out.SetInt(kPrSecureProcess, 0);
      out.Set(kPrProtectionType, p.protection);
      out.SetInt(kPrVirtualProcess, p.is_virtual ? 1 : 0);
      out.SetInt(kPrElapsedTime, age);
      out.SetInt(kPrHandleCount, p.handles);
      out.SetInt(kPrPercentProcessorTime, cpu_ms * 10000);
    } else if (mac) {
      out.SetInt(kPrUpid, p.pid);
      out.SetInt(kPrUppid, p.parent);
      out.SetInt(kPrCpuType, arm_mac ? 16777228 : 16777223);
      out.SetInt(kPrCpuSubtype, arm_mac ? 2 : 3);
      out.SetInt(kPrTranslated, 0);
    } else {
      out.Set(kPrCgroupPath, p.cgroup);
    }
  }
}

void GenListeningPorts(const HostProfile& h, int64_t now, RowBuffer& out) {
  ProcessModel model(h, now);
  const bool linux = h.family == PlatformFamily::kLinux;
  for (const Listen& l : model.listens()) {
    out.AddRow();
    out.SetInt(kLpPid, l.pid);
    out.SetInt(kLpPort, l.port);
    out.SetInt(kLpProtocol, l.protocol);
    out.SetInt(kLpFamily, l.family);
    out.Set(kLpAddress, l.address);
    out.SetInt(kLpFd, l.fd);
    out.SetInt(kLpSocket, l.socket);
    out.Set(kLpPath, "");
    if (linux) out.Set(kLpNetNamespace, "4026531840");
  }
}

}  // namespace

TableDef ProcessesTable() { return {"processes", kOnAll, kProcessesColumns, GenProcesses, 90}; }
TableDef ListeningPortsTable() {
  return {"listening_ports", kOnAll, kListeningPortsColumns, GenListeningPorts, 10};
}

}  // namespace quarry::sim::internal
