#include "sim/host_profile.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <utility>

#include <boost/json.hpp>
#include <fmt/format.h>

#include "sim/host_tables.h"
#include "sim/host_tables_internal.h"
#include "sim/sim_random.h"

namespace quarry::sim {
namespace {

constexpr PlatformFamily kL = PlatformFamily::kLinux;
constexpr PlatformFamily kD = PlatformFamily::kDarwin;
constexpr PlatformFamily kW = PlatformFamily::kWindows;

struct ReleaseShare {
  OsRelease os;
  PlatformFamily family;
  PackageFormat format;
  double weight;  // share within the family, percent
};

constexpr ReleaseShare kReleaseShares[] = {
    {OsRelease::kUbuntu2004, kL, PackageFormat::kDeb, 15},
    {OsRelease::kUbuntu2204, kL, PackageFormat::kDeb, 35},
    {OsRelease::kUbuntu2404, kL, PackageFormat::kDeb, 10},
    {OsRelease::kDebian11, kL, PackageFormat::kDeb, 5},
    {OsRelease::kDebian12, kL, PackageFormat::kDeb, 12},
    {OsRelease::kRhel8, kL, PackageFormat::kRpm, 4},
    {OsRelease::kRhel9, kL, PackageFormat::kRpm, 4},
    {OsRelease::kRocky9, kL, PackageFormat::kRpm, 5},
    {OsRelease::kAmazonLinux2, kL, PackageFormat::kRpm, 3.5},
    {OsRelease::kAmazonLinux2023, kL, PackageFormat::kRpm, 3.5},
    {OsRelease::kCentos7, kL, PackageFormat::kRpm, 3},
    {OsRelease::kMacos13, kD, PackageFormat::kNone, 20},
    {OsRelease::kMacos14, kD, PackageFormat::kNone, 35},
    {OsRelease::kMacos15, kD, PackageFormat::kNone, 45},
    {OsRelease::kWindows10, kW, PackageFormat::kNone, 30},
    {OsRelease::kWindows11, kW, PackageFormat::kNone, 45},
    {OsRelease::kWindowsServer2019, kW, PackageFormat::kNone, 10},
    {OsRelease::kWindowsServer2022, kW, PackageFormat::kNone, 15},
};

// osquery releases and their share of a fleet (newer releases more common).
struct VersionShare {
  const char* version;
  double weight;
};
constexpr VersionShare kOsqueryVersions[] = {
    {"5.10.2", 1}, {"5.11.0", 2},  {"5.12.1", 2}, {"5.12.2", 3}, {"5.13.1", 4},  {"5.14.1", 5},
    {"5.15.0", 5}, {"5.16.0", 6},  {"5.17.0", 7}, {"5.18.1", 8}, {"5.19.0", 8},  {"5.20.0", 8},
    {"5.21.0", 9}, {"5.22.0", 10}, {"5.23.0", 10}, {"5.23.1", 12},
};

constexpr const char* kFirstNames[] = {
    "James",  "Mary",    "Robert", "Patricia", "John",    "Jennifer", "Michael", "Linda",
    "David",  "Elizabeth", "William", "Barbara", "Richard", "Susan",  "Joseph",  "Jessica",
    "Thomas", "Sarah",   "Carlos", "Karen",    "Daniel",  "Lisa",     "Matthew", "Nancy",
    "Anthony", "Sandra", "Mark",   "Ashley",   "Wei",     "Priya",    "Steven",  "Emily",
    "Andrew", "Michelle", "Kenji", "Amanda",   "Joshua",  "Melissa",  "Kevin",   "Deborah",
    "Brian",  "Stephanie", "Omar", "Rebecca",  "Jason",   "Laura",    "Ryan",    "Helen",
    "Lukas",  "Sofia",   "Ahmed",  "Chloe",    "Mateo",   "Aisha",    "Noah",    "Ingrid",
};
constexpr const char* kLastNames[] = {
    "Smith",   "Johnson", "Williams", "Brown",  "Jones",    "Garcia",  "Miller",  "Davis",
    "Rodriguez", "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas",
    "Taylor",  "Moore",   "Jackson",  "Martin", "Lee",      "Perez",   "Thompson", "White",
    "Harris",  "Sanchez", "Clark",    "Ramirez", "Lewis",   "Robinson", "Walker", "Young",
    "Allen",   "King",    "Wright",   "Scott",  "Torres",   "Nguyen",  "Hill",    "Flores",
    "Green",   "Adams",   "Nelson",   "Baker",  "Hall",     "Rivera",  "Campbell", "Mitchell",
    "Chen",    "Patel",   "Kim",      "Singh",  "Muller",   "Rossi",   "Tanaka",  "Okafor",
};

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string RandomChars(SimRng& rng, size_t n, std::string_view alphabet) {
  std::string out(n, '0');
  for (char& c : out) c = alphabet[rng.Below(alphabet.size())];
  return out;
}

constexpr std::string_view kUpperAlnum = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789";
constexpr std::string_view kUpperHex = "0123456789ABCDEF";
constexpr std::string_view kDigits = "0123456789";

std::string MacAddress(SimRng& rng, std::string_view prefix) {
  std::string mac(prefix);
  while (mac.size() < 17) {
    mac += fmt::format(":{:02x}", rng.Below(256));
  }
  return mac;
}

// ---------------------------------------------------------------------------------------
// Hardware catalogues.

struct VmShape {
  const char* model;
  int vcpus;
  int mem_gib;
  const char* cpu_brand;
  const char* microcode;
  const char* cpu_subtype;
  bool arm;
  bool memory_optimized;
};

constexpr VmShape kAwsShapes[] = {
    {"t3.medium", 2, 4, "Intel(R) Xeon(R) Platinum 8259CL CPU @ 2.50GHz", "0x5003604", "85", false, false},
    {"t3.large", 2, 8, "Intel(R) Xeon(R) Platinum 8259CL CPU @ 2.50GHz", "0x5003604", "85", false, false},
    {"m5.large", 2, 8, "Intel(R) Xeon(R) Platinum 8175M CPU @ 2.50GHz", "0x2007006", "85", false, false},
    {"m5.xlarge", 4, 16, "Intel(R) Xeon(R) Platinum 8259CL CPU @ 2.50GHz", "0x5003604", "85", false, false},
    {"m5.2xlarge", 8, 32, "Intel(R) Xeon(R) Platinum 8259CL CPU @ 2.50GHz", "0x5003604", "85", false, false},
    {"c5.xlarge", 4, 8, "Intel(R) Xeon(R) Platinum 8275CL CPU @ 3.00GHz", "0x5003604", "85", false, false},
    {"c6i.2xlarge", 8, 16, "Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz", "0xd0003d1", "106", false, false},
    {"m6i.xlarge", 4, 16, "Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz", "0xd0003d1", "106", false, false},
    {"m6i.4xlarge", 16, 64, "Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz", "0xd0003d1", "106", false, false},
    {"m6a.xlarge", 4, 16, "AMD EPYC 7R13 Processor", "0xa0011d1", "1", false, false},
    {"m7i.2xlarge", 8, 32, "Intel(R) Xeon(R) Platinum 8488C", "0x2b000571", "143", false, false},
    {"r5.2xlarge", 8, 64, "Intel(R) Xeon(R) Platinum 8259CL CPU @ 2.50GHz", "0x5003604", "85", false, true},
    {"r6i.xlarge", 4, 32, "Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz", "0xd0003d1", "106", false, true},
    {"r6i.4xlarge", 16, 128, "Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz", "0xd0003d1", "106", false, true},
    {"m6g.xlarge", 4, 16, "", "", "", true, false},
    {"m7g.2xlarge", 8, 32, "", "", "", true, false},
    {"c7g.xlarge", 4, 8, "", "", "", true, false},
    {"r7g.xlarge", 4, 32, "", "", "", true, true},
};

constexpr VmShape kGcpShapes[] = {
    {"e2-standard-2", 2, 8, "Intel(R) Xeon(R) CPU @ 2.20GHz", "0xffffffff", "79", false, false},
    {"e2-standard-8", 8, 32, "Intel(R) Xeon(R) CPU @ 2.20GHz", "0xffffffff", "79", false, false},
    {"n2-standard-4", 4, 16, "Intel(R) Xeon(R) CPU @ 2.80GHz", "0xffffffff", "106", false, false},
    {"n2d-standard-8", 8, 32, "AMD EPYC 7B12", "0xffffffff", "49", false, false},
    {"n2-highmem-8", 8, 64, "Intel(R) Xeon(R) CPU @ 2.80GHz", "0xffffffff", "106", false, true},
};

constexpr VmShape kAzureShapes[] = {
    {"Standard_D2s_v3", 2, 8, "Intel(R) Xeon(R) Platinum 8272CL CPU @ 2.60GHz", "0xffffffff", "85", false, false},
    {"Standard_D4s_v5", 4, 16, "Intel(R) Xeon(R) Platinum 8370C CPU @ 2.80GHz", "0xffffffff", "106", false, false},
    {"Standard_F8s_v2", 8, 16, "Intel(R) Xeon(R) Platinum 8168 CPU @ 2.70GHz", "0xffffffff", "85", false, false},
    {"Standard_E8s_v5", 8, 64, "Intel(R) Xeon(R) Platinum 8370C CPU @ 2.80GHz", "0xffffffff", "106", false, true},
};

constexpr VmShape kVmwareShapes[] = {
    {"VMware7,1", 2, 4, "Intel(R) Xeon(R) Gold 6248R CPU @ 3.00GHz", "0x5003604", "85", false, false},
    {"VMware7,1", 4, 8, "Intel(R) Xeon(R) Gold 6248R CPU @ 3.00GHz", "0x5003604", "85", false, false},
    {"VMware7,1", 4, 16, "Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz", "0xd0003d1", "106", false, false},
    {"VMware Virtual Platform", 8, 32, "Intel(R) Xeon(R) Gold 6248R CPU @ 3.00GHz", "0x5003604", "85", false, false},
    {"VMware7,1", 16, 64, "Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz", "0xd0003d1", "106", false, true},
};

struct ServerModel {
  const char* vendor;
  const char* model;
  const char* board_model;
  const char* cpu_brand;
  const char* microcode;
  const char* cpu_subtype;
  int cores_per_socket;
  int mem_gib;
  const char* bios_version;
  const char* bios_date;
};

constexpr ServerModel kServerModels[] = {
    {"Dell Inc.", "PowerEdge R650", "0Y2K8N", "Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz", "0xd0003d1", "106", 32, 512, "1.12.1", "04/02/2024"},
    {"Dell Inc.", "PowerEdge R750", "0PJ7YJ", "Intel(R) Xeon(R) Gold 6330 CPU @ 2.00GHz", "0xd0003d1", "106", 28, 256, "1.13.2", "06/12/2024"},
    {"HPE", "ProLiant DL380 Gen10", "ProLiant DL380 Gen10", "Intel(R) Xeon(R) Gold 6248R CPU @ 3.00GHz", "0x5003604", "85", 24, 384, "U30", "01/17/2024"},
    {"Supermicro", "SYS-120U-TNR", "X12DPU-6", "Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz", "0xd0003d1", "106", 32, 256, "1.8", "09/14/2023"},
};

struct MacModel {
  const char* model;
  const char* cpu_brand;
  int cores_lo;
  int cores_hi;
  int mem_choices[3];
  bool arm;
  int min_macos;   // first major release that shipped on it
  bool air;
};

constexpr MacModel kMacModels[] = {
    {"MacBookPro18,3", "Apple M1 Pro", 8, 10, {16, 32, 16}, true, 12, false},
    {"MacBookAir10,1", "Apple M1", 8, 8, {8, 16, 16}, true, 11, true},
    {"Mac14,2", "Apple M2", 8, 8, {8, 16, 24}, true, 12, true},
    {"Mac14,9", "Apple M2 Pro", 10, 12, {16, 32, 32}, true, 13, false},
    {"Mac15,3", "Apple M3", 8, 8, {8, 16, 24}, true, 14, false},
    {"Mac15,6", "Apple M3 Pro", 11, 12, {18, 36, 18}, true, 14, false},
    {"Mac16,1", "Apple M4", 10, 10, {16, 24, 32}, true, 15, false},
    {"Mac16,8", "Apple M4 Pro", 12, 14, {24, 48, 24}, true, 15, false},
    {"MacBookPro16,1", "Intel(R) Core(TM) i9-9880H CPU @ 2.30GHz", 8, 8, {16, 32, 16}, false, 10, false},
    {"MacBookPro15,2", "Intel(R) Core(TM) i5-8279U CPU @ 2.40GHz", 4, 4, {8, 16, 16}, false, 10, false},
};

struct PcModel {
  const char* vendor;
  const char* model;
  const char* version;
  const char* cpu_brand;
  const char* cpu_subtype;
  int physical;
  int logical;
  const char* bios_version;
  const char* bios_date;
};

constexpr PcModel kPcModels[] = {
    {"Dell Inc.", "Latitude 5440", "", "13th Gen Intel(R) Core(TM) i7-1365U", "186", 10, 12, "1.14.1", "05/09/2024"},
    {"Dell Inc.", "Latitude 7420", "", "11th Gen Intel(R) Core(TM) i7-1185G7 @ 3.00GHz", "140", 4, 8, "1.36.0", "03/18/2024"},
    {"LENOVO", "21HD0015US", "ThinkPad T14 Gen 4", "13th Gen Intel(R) Core(TM) i5-1345U", "186", 10, 12, "R2FET59W (1.39 )", "04/10/2024"},
    {"LENOVO", "20XW004GUS", "ThinkPad X1 Carbon Gen 9", "11th Gen Intel(R) Core(TM) i7-1165G7 @ 2.80GHz", "140", 4, 8, "N32ET91W (1.67 )", "02/07/2024"},
    {"LENOVO", "21K3000BUS", "ThinkPad T14 Gen 4", "AMD Ryzen 7 PRO 7840U w/ Radeon 780M Graphics", "116", 8, 16, "R2FET55W (1.35 )", "01/22/2024"},
    {"HP", "HP EliteBook 840 G9", "", "12th Gen Intel(R) Core(TM) i5-1245U", "154", 10, 12, "U70 Ver. 01.06.02", "03/01/2024"},
    {"Dell Inc.", "OptiPlex 7010", "", "13th Gen Intel(R) Core(TM) i7-13700", "183", 16, 24, "1.11.1", "02/13/2024"},
};

// ---------------------------------------------------------------------------------------

HostRole PickLinuxRole(SimRng& rng) {
  static constexpr double kWeights[] = {22, 20, 10, 6, 22, 6, 4, 2};
  static constexpr HostRole kRoles[] = {HostRole::kWeb,      HostRole::kApp,   HostRole::kDatabase,
                                        HostRole::kCache,    HostRole::kKubeNode, HostRole::kBuild,
                                        HostRole::kKafka,    HostRole::kBastion};
  return kRoles[rng.Weighted(kWeights)];
}

std::string_view RoleHostPrefix(HostRole role, int flavor) {
  switch (role) {
    case HostRole::kWeb: return "web";
    case HostRole::kApp: return flavor == 0 ? "api" : "app";
    case HostRole::kDatabase: return flavor == 0 ? "pg" : "mysql";
    case HostRole::kCache: return "redis";
    case HostRole::kKubeNode: return "k8s-node";
    case HostRole::kBuild: return "ci-runner";
    case HostRole::kKafka: return "kafka";
    case HostRole::kBastion: return "bastion";
    default: return "host";
  }
}

bool IsUbuntu(OsRelease os) {
  return os == OsRelease::kUbuntu2004 || os == OsRelease::kUbuntu2204 ||
         os == OsRelease::kUbuntu2404;
}
bool IsDebian(OsRelease os) { return os == OsRelease::kDebian11 || os == OsRelease::kDebian12; }
bool IsEl(OsRelease os) {
  return os == OsRelease::kRhel8 || os == OsRelease::kRhel9 || os == OsRelease::kRocky9 ||
         os == OsRelease::kCentos7;
}
bool IsAmazon(OsRelease os) {
  return os == OsRelease::kAmazonLinux2 || os == OsRelease::kAmazonLinux2023;
}

std::string PickCloud(SimRng& rng, OsRelease os) {
  if (IsAmazon(os)) return "aws";
  if (os == OsRelease::kCentos7) {
    static constexpr double kW[] = {30, 45, 25};
    static constexpr const char* kC[] = {"aws", "vmware", ""};
    return kC[rng.Weighted(kW)];
  }
  if (IsEl(os)) {
    static constexpr double kW[] = {35, 20, 30, 15};
    static constexpr const char* kC[] = {"aws", "azure", "vmware", ""};
    return kC[rng.Weighted(kW)];
  }
  static constexpr double kW[] = {55, 12, 12, 13, 8};
  static constexpr const char* kC[] = {"aws", "gcp", "azure", "vmware", ""};
  return kC[rng.Weighted(kW)];
}

bool ArmCapable(OsRelease os) {
  return os == OsRelease::kUbuntu2204 || os == OsRelease::kUbuntu2404 ||
         os == OsRelease::kDebian12 || os == OsRelease::kAmazonLinux2023;
}

const VmShape& PickShape(SimRng& rng, std::span<const VmShape> shapes, HostRole role,
                         bool allow_arm) {
  bool want_memory = role == HostRole::kDatabase || role == HostRole::kCache;
  // Candidates matching the wish, falling back to anything allowed.
  std::array<size_t, 32> idx{};
  size_t n = 0;
  for (size_t i = 0; i < shapes.size() && n < idx.size(); ++i) {
    if (shapes[i].arm && !allow_arm) continue;
    if (shapes[i].memory_optimized != want_memory) continue;
    idx[n++] = i;
  }
  if (n == 0) {
    for (size_t i = 0; i < shapes.size() && n < idx.size(); ++i) {
      if (!shapes[i].arm || allow_arm) idx[n++] = i;
    }
  }
  return shapes[idx[rng.Below(n)]];
}

int64_t VmMemory(SimRng& rng, int gib) {
  // Firmware and the hypervisor keep a little back.
  return static_cast<int64_t>(gib) * (int64_t{1} << 30) - rng.Range(96, 480) * (int64_t{1} << 20);
}

void ApplyVmShape(HostProfile& p, SimRng& rng, const VmShape& s) {
  p.hardware_model = s.model;
  p.cpu_brand = s.cpu_brand;
  p.cpu_microcode = s.microcode;
  p.cpu_subtype = s.cpu_subtype;
  p.cpu_logical_cores = s.vcpus;
  p.cpu_physical_cores = s.arm ? s.vcpus : std::max(1, s.vcpus / 2);
  p.cpu_sockets = 1;
  p.physical_memory = VmMemory(rng, s.mem_gib);
  p.cpu_type = s.arm ? "aarch64" : "x86_64";
}

void SetServerHardware(HostProfile& p, SimRng& rng) {
  p.is_virtual = !p.cloud.empty();
  bool allow_arm = p.cloud == "aws" && ArmCapable(p.os) && p.family == kL && rng.Chance(0.25);
  if (p.cloud == "aws") {
    const VmShape& s = PickShape(rng, kAwsShapes, p.role, allow_arm);
    ApplyVmShape(p, rng, s);
    std::string uuid = internal::FormatUuid(rng.Next(), rng.Next(), false);
    p.host_identifier = "ec2" + uuid.substr(3);
    p.hardware_vendor = "Amazon EC2";
    p.hardware_serial = p.host_identifier;
    p.board_vendor = "Amazon EC2";
    p.firmware_vendor = "Amazon EC2";
    p.firmware_version = "1.0";
    p.firmware_date = "10/16/2017";
    if (s.arm) p.arch = "aarch64";
  } else if (p.cloud == "gcp") {
    ApplyVmShape(p, rng, PickShape(rng, kGcpShapes, p.role, false));
    p.host_identifier = internal::FormatUuid(rng.Next(), rng.Next(), false);
    p.hardware_vendor = "Google";
    p.hardware_model = "Google Compute Engine";
    p.hardware_serial = "GoogleCloud-" + RandomChars(rng, 32, kUpperHex);
    p.board_vendor = "Google";
    p.board_model = "Google Compute Engine";
    p.firmware_vendor = "Google";
    p.firmware_version = "Google";
    p.firmware_date = "10/09/2024";
  } else if (p.cloud == "azure") {
    ApplyVmShape(p, rng, PickShape(rng, kAzureShapes, p.role, false));
    p.host_identifier = internal::FormatUuid(rng.Next(), rng.Next(), p.family == kW);
    p.hardware_vendor = "Microsoft Corporation";
    p.hardware_model = "Virtual Machine";
    p.hardware_version = "7.0";
    p.hardware_serial =
        fmt::format("0000-00{}-{}-{}-{}-{}-{}", RandomChars(rng, 2, kDigits), RandomChars(rng, 4, kDigits),
                    RandomChars(rng, 4, kDigits), RandomChars(rng, 4, kDigits),
                    RandomChars(rng, 4, kDigits), RandomChars(rng, 2, kDigits));
    p.board_vendor = "Microsoft Corporation";
    p.board_model = "Virtual Machine";
    p.board_version = "7.0";
    p.board_serial = p.hardware_serial;
    p.firmware_vendor = "Microsoft Corporation";
    p.firmware_version = "Hyper-V UEFI Release v4.1";
    p.firmware_date = "08/23/2024";
  } else if (p.cloud == "vmware") {
    ApplyVmShape(p, rng, PickShape(rng, kVmwareShapes, p.role, false));
    p.cpu_physical_cores = p.cpu_logical_cores;  // one vCPU is one core to the guest
    p.cpu_sockets = p.cpu_logical_cores >= 8 ? 2 : 1;
    uint64_t a = rng.Next();
    uint64_t b = rng.Next();
    p.host_identifier = internal::FormatUuid(a, b, p.family == kW);
    std::string serial = "VMware-";
    for (int i = 0; i < 16; ++i) {
      uint64_t byte = ((i < 8 ? a : b) >> (8 * (i % 8))) & 0xff;
      serial += fmt::format("{}{:02x}", i == 0 ? "" : (i == 8 ? "-" : " "), byte);
    }
    p.hardware_vendor = "VMware, Inc.";
    p.hardware_version = "None";
    p.hardware_serial = serial;
    p.board_vendor = "Intel Corporation";
    p.board_model = "440BX Desktop Reference Platform";
    p.board_version = "None";
    p.board_serial = "None";
    p.firmware_vendor = "VMware, Inc.";
    p.firmware_version = "VMW71.00V.21100432.B64.2301110304";
    p.firmware_date = "01/11/2023";
  } else {
    const ServerModel& m = kServerModels[rng.Below(std::size(kServerModels))];
    p.host_identifier = internal::FormatUuid(rng.Next(), rng.Next(), true);
    p.hardware_vendor = m.vendor;
    p.hardware_model = m.model;
    p.cpu_brand = m.cpu_brand;
    p.cpu_microcode = m.microcode;
    p.cpu_subtype = m.cpu_subtype;
    p.cpu_type = "x86_64";
    p.cpu_sockets = 2;
    p.cpu_physical_cores = 2 * m.cores_per_socket;
    p.cpu_logical_cores = 4 * m.cores_per_socket;
    p.physical_memory = static_cast<int64_t>(m.mem_gib) << 30;
    p.hardware_serial = std::string_view(m.vendor) == "Dell Inc." ? RandomChars(rng, 7, kUpperAlnum)
                        : std::string_view(m.vendor) == "HPE"     ? "CZ" + RandomChars(rng, 8, kUpperAlnum)
                                                                  : "S" + RandomChars(rng, 9, kDigits);
    p.board_vendor = m.vendor;
    p.board_model = m.board_model;
    p.board_version = "A01";
    p.board_serial = fmt::format(".{}.CNFCP00{}.", p.hardware_serial, RandomChars(rng, 5, kUpperAlnum));
    p.firmware_vendor = m.vendor;
    p.firmware_version = m.bios_version;
    p.firmware_date = m.bios_date;
  }
  // osquery's platform_info is empty on ARM and in some VMs whose firmware tables are hidden.
  p.has_platform_info = p.cpu_type != "aarch64" && !(p.is_virtual && rng.Chance(0.15));
}

// ---------------------------------------------------------------------------------------
// Operating system fields.

void SetLinuxOs(HostProfile& p, SimRng& rng) {
  bool aws = p.cloud == "aws";
  bool arm = p.arch == "aarch64";
  std::string_view karch = arm ? "aarch64" : "x86_64";
  switch (p.os) {
    case OsRelease::kUbuntu2004:
    case OsRelease::kUbuntu2204:
    case OsRelease::kUbuntu2404: {
      p.os_name = "Ubuntu";
      p.os_platform = "ubuntu";
      p.os_platform_like = "debian";
      p.os_patch = 0;
      std::string flavour = aws ? "aws" : p.cloud == "azure" ? "azure" : p.cloud == "gcp" ? "gcp" : "generic";
      if (p.os == OsRelease::kUbuntu2004) {
        p.os_major = 20;
        p.os_minor = 4;
        p.os_codename = "focal";
        p.os_version = "20.04.6 LTS (Focal Fossa)";
        p.kernel_version = flavour == "generic"
                               ? fmt::format("5.4.0-{}-generic", rng.Range(150, 204))
                               : fmt::format("5.15.0-10{:02}-{}", rng.Range(40, 75), flavour);
      } else if (p.os == OsRelease::kUbuntu2204) {
        p.os_major = 22;
        p.os_minor = 4;
        p.os_codename = "jammy";
        p.os_version = fmt::format("22.04.{} LTS (Jammy Jellyfish)", rng.Range(3, 5));
        p.kernel_version = flavour == "generic"
                               ? fmt::format("5.15.0-{}-generic", rng.Range(100, 131))
                               : fmt::format("6.8.0-10{:02}-{}", rng.Range(12, 30), flavour);
      } else {
        p.os_major = 24;
        p.os_minor = 4;
        p.os_codename = "noble";
        p.os_version = fmt::format("24.04.{} LTS (Noble Numbat)", rng.Range(1, 3));
        p.kernel_version = flavour == "generic"
                               ? fmt::format("6.8.0-{}-generic", rng.Range(40, 60))
                               : fmt::format("6.8.0-10{:02}-{}", rng.Range(15, 30), flavour);
      }
      break;
    }
    case OsRelease::kDebian11:
    case OsRelease::kDebian12: {
      bool d12 = p.os == OsRelease::kDebian12;
      p.os_name = "Debian GNU/Linux";
      p.os_platform = "debian";
      p.os_platform_like = "";
      p.os_major = d12 ? 12 : 11;
      p.os_codename = d12 ? "bookworm" : "bullseye";
      p.os_version = d12 ? "12 (bookworm)" : "11 (bullseye)";
      std::string_view darch = arm ? "arm64" : "amd64";
      bool cloud_kernel = p.is_virtual && p.cloud != "vmware";
      p.kernel_version = d12 ? fmt::format("6.1.0-{}-{}{}", rng.Range(18, 31), cloud_kernel ? "cloud-" : "", darch)
                             : fmt::format("5.10.0-{}-{}{}", rng.Range(26, 34), cloud_kernel ? "cloud-" : "", darch);
      break;
    }
    case OsRelease::kRhel8:
    case OsRelease::kRhel9:
    case OsRelease::kRocky9: {
      bool el9 = p.os != OsRelease::kRhel8;
      if (p.os == OsRelease::kRocky9) {
        p.os_name = "Rocky Linux";
        p.os_platform = "rocky";
        p.os_platform_like = "rhel centos fedora";
        p.os_minor = static_cast<int>(rng.Range(3, 5));
        p.os_version = fmt::format("9.{} (Blue Onyx)", p.os_minor);
      } else {
        p.os_name = "Red Hat Enterprise Linux";
        p.os_platform = "rhel";
        p.os_platform_like = "fedora";
        p.os_minor = static_cast<int>(el9 ? rng.Range(2, 5) : rng.Range(8, 10));
        p.os_version = fmt::format("{}.{} ({})", el9 ? 9 : 8, p.os_minor, el9 ? "Plow" : "Ootpa");
      }
      p.os_major = el9 ? 9 : 8;
      static constexpr int kEl9Base[] = {284, 362, 427, 503};
      static constexpr int kEl8Base[] = {477, 513, 553};
      int base = el9 ? kEl9Base[std::clamp(p.os_minor - 2, 0, 3)] : kEl8Base[std::clamp(p.os_minor - 8, 0, 2)];
      p.kernel_version = fmt::format("{}-{}.{}.1.el{}_{}.{}", el9 ? "5.14.0" : "4.18.0", base,
                                     rng.Range(5, 40), el9 ? 9 : 8, p.os_minor, karch);
      break;
    }
    case OsRelease::kAmazonLinux2:
      p.os_name = "Amazon Linux";
      p.os_platform = "amzn";
      p.os_platform_like = "centos rhel fedora";
      p.os_major = 2;
      p.os_version = "2";
      p.kernel_version = fmt::format("5.10.{}-{}.{}.amzn2.{}", rng.Range(210, 234),
                                     rng.Range(200, 226), rng.Range(700, 899), karch);
      break;
    case OsRelease::kAmazonLinux2023:
      p.os_name = "Amazon Linux";
      p.os_platform = "amzn";
      p.os_platform_like = "fedora";
      p.os_major = 2023;
      p.os_version = "2023";
      p.kernel_version = fmt::format("6.1.{}-{}.{}.amzn2023.{}", rng.Range(100, 130),
                                     rng.Range(110, 140), rng.Range(200, 240), karch);
      break;
    case OsRelease::kCentos7:
      p.os_name = "CentOS Linux";
      p.os_platform = "centos";
      p.os_platform_like = "rhel fedora";
      p.os_major = 7;
      p.os_minor = 9;
      p.os_patch = 2009;
      p.os_version = "7 (Core)";
      p.kernel_version = fmt::format("3.10.0-1160.{}.1.el7.x86_64", rng.Range(80, 119));
      break;
    default:
      break;
  }
  if (p.arch.empty()) p.arch = "x86_64";
}

void SetMacOs(HostProfile& p, SimRng& rng) {
  p.os_name = "macOS";
  p.os_platform = "darwin";
  p.os_platform_like = "darwin";
  switch (p.os) {
    case OsRelease::kMacos13:
      p.os_major = 13;
      p.os_minor = static_cast<int>(rng.Range(6, 7));
      p.os_patch = static_cast<int>(rng.Range(1, 7));
      p.kernel_version = "22.6.0";
      break;
    case OsRelease::kMacos14:
      p.os_major = 14;
      p.os_minor = static_cast<int>(rng.Range(5, 7));
      p.os_patch = static_cast<int>(rng.Range(0, 4));
      p.kernel_version = "23.6.0";
      break;
    default:
      p.os_major = 15;
      p.os_minor = static_cast<int>(rng.Range(1, 5));
      p.os_patch = static_cast<int>(rng.Range(0, 1));
      p.kernel_version = fmt::format("24.{}.0", p.os_minor);
      break;
  }
  p.os_version = p.os_patch == 0 ? fmt::format("{}.{}", p.os_major, p.os_minor)
                                  : fmt::format("{}.{}.{}", p.os_major, p.os_minor, p.os_patch);
  p.os_build = fmt::format("{}{}{}", p.os_major + 9, static_cast<char>('A' + p.os_minor),
                           rng.Range(20, 320));
}

void SetWindowsOs(HostProfile& p, SimRng& rng) {
  p.os_platform = "windows";
  p.os_platform_like = "windows";
  p.arch = "64-bit";
  p.os_major = 10;
  p.os_minor = 0;
  int build = 0;
  switch (p.os) {
    case OsRelease::kWindows10:
      p.os_name = rng.Chance(0.7) ? "Microsoft Windows 10 Enterprise" : "Microsoft Windows 10 Pro";
      build = 19045;
      p.os_revision = static_cast<int>(rng.Range(4291, 5131));
      break;
    case OsRelease::kWindows11: {
      p.os_name = rng.Chance(0.7) ? "Microsoft Windows 11 Enterprise" : "Microsoft Windows 11 Pro";
      static constexpr int kBuilds[] = {22621, 22631, 26100};
      build = kBuilds[rng.Below(3)];
      p.os_revision = static_cast<int>(build == 26100 ? rng.Range(1742, 3476) : rng.Range(3880, 4460));
      break;
    }
    case OsRelease::kWindowsServer2019:
      p.os_name = rng.Chance(0.5) ? "Microsoft Windows Server 2019 Datacenter"
                                  : "Microsoft Windows Server 2019 Standard";
      build = 17763;
      p.os_revision = static_cast<int>(rng.Range(5830, 6893));
      break;
    default:
      p.os_name = rng.Chance(0.5) ? "Microsoft Windows Server 2022 Datacenter"
                                  : "Microsoft Windows Server 2022 Standard";
      build = 20348;
      p.os_revision = static_cast<int>(rng.Range(2113, 3091));
      break;
  }
  p.os_patch = build;
  p.os_build = std::to_string(build);
  p.os_version = fmt::format("10.0.{}", build);
  p.os_codename = p.os_name;
  p.kernel_version = fmt::format("10.0.{}.{}", build, p.os_revision);
}

std::string AdminUserFor(const HostProfile& p, SimRng& rng) {
  if (p.cloud == "aws") {
    if (IsUbuntu(p.os)) return "ubuntu";
    if (IsDebian(p.os)) return "admin";
    if (p.os == OsRelease::kRocky9) return "rocky";
    if (p.os == OsRelease::kCentos7) return "centos";
    return "ec2-user";
  }
  if (p.cloud == "azure") return "azureuser";
  if (p.cloud == "gcp") {
    return Lower(std::string(1, internal::FirstName(rng.Next())[0]) +
                 std::string(internal::LastName(rng.Next())));
  }
  return rng.Chance(0.5) ? "sysadmin" : "ops";
}

}  // namespace

// -----------------------------------------------------------------------------------------

std::string_view PlatformFamilyName(PlatformFamily family) {
  switch (family) {
    case PlatformFamily::kLinux: return "linux";
    case PlatformFamily::kDarwin: return "darwin";
    case PlatformFamily::kWindows: return "windows";
  }
  return "linux";
}

std::string_view PlatformTypeString(PlatformFamily family) {
  switch (family) {
    case PlatformFamily::kLinux: return "9";
    case PlatformFamily::kDarwin: return "21";
    case PlatformFamily::kWindows: return "2";
  }
  return "9";
}

std::string_view HostRoleName(HostRole role) {
  switch (role) {
    case HostRole::kWeb: return "web";
    case HostRole::kApp: return "app";
    case HostRole::kDatabase: return "database";
    case HostRole::kCache: return "cache";
    case HostRole::kKubeNode: return "kube-node";
    case HostRole::kBuild: return "build";
    case HostRole::kKafka: return "kafka";
    case HostRole::kBastion: return "bastion";
    case HostRole::kWorkstation: return "workstation";
    case HostRole::kWinServer: return "windows-server";
  }
  return "web";
}

Result<PlatformMix> ParsePlatformMix(std::string_view spec) {
  PlatformMix mix{0, 0, 0};
  auto trim = [](std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
  };
  if (trim(spec).empty()) return Fail(ErrorCode::kInvalidArgument, "empty --platforms value");
  while (!spec.empty()) {
    size_t comma = spec.find(',');
    std::string_view item = trim(spec.substr(0, comma));
    spec = comma == std::string_view::npos ? std::string_view() : spec.substr(comma + 1);
    size_t eq = item.find('=');
    std::string_view name = trim(item.substr(0, eq));
    double weight = 1;
    if (eq != std::string_view::npos) {
      std::string_view text = trim(item.substr(eq + 1));
      auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), weight);
      if (ec != std::errc() || ptr != text.data() + text.size() || text.empty() ||
          !std::isfinite(weight) || weight < 0) {
        return Fail(ErrorCode::kInvalidArgument,
                    fmt::format("bad weight '{}' for platform '{}' in --platforms", text, name));
      }
    }
    if (name == "linux") {
      mix.linux_weight = weight;
    } else if (name == "darwin" || name == "macos") {
      mix.darwin_weight = weight;
    } else if (name == "windows") {
      mix.windows_weight = weight;
    } else {
      return Fail(ErrorCode::kInvalidArgument,
                  fmt::format("unknown platform '{}' in --platforms (linux, darwin, windows)", name));
    }
  }
  if (mix.linux_weight + mix.darwin_weight + mix.windows_weight <= 0) {
    return Fail(ErrorCode::kInvalidArgument, "--platforms weights are all zero");
  }
  return mix;
}

HostProfile MakeHostProfile(const FleetSpec& fleet, uint32_t index) {
  HostProfile p;
  p.fleet_seed = fleet.seed;
  p.index = index;
  p.seed = Hash64(fleet.seed ^ 0x5EEDF00DCAFEull, index);
  SimRng rng(Hash64(fleet.seed, index, 0x70726f66696c65ull));

  // Platform family and release.
  const double family_weights[] = {fleet.mix.linux_weight, fleet.mix.darwin_weight,
                                   fleet.mix.windows_weight};
  p.family = static_cast<PlatformFamily>(rng.Weighted(family_weights));
  {
    std::array<double, std::size(kReleaseShares)> w{};
    for (size_t i = 0; i < w.size(); ++i) {
      w[i] = kReleaseShares[i].family == p.family ? kReleaseShares[i].weight : 0;
    }
    const ReleaseShare& r = kReleaseShares[rng.Weighted(w)];
    p.os = r.os;
    p.package_format = r.format;
  }

  // Role, environment, where it runs.
  p.flavor = static_cast<uint8_t>(rng.Below(4));
  if (p.family == kL) {
    p.role = PickLinuxRole(rng);
    p.flavor = static_cast<uint8_t>(p.flavor % 2);
    static constexpr double kEnvW[] = {60, 25, 15};
    static constexpr const char* kEnv[] = {"prod", "staging", "dev"};
    p.environment = kEnv[rng.Weighted(kEnvW)];
    p.cloud = PickCloud(rng, p.os);
  } else if (p.family == kW &&
             (p.os == OsRelease::kWindowsServer2019 || p.os == OsRelease::kWindowsServer2022)) {
    p.role = HostRole::kWinServer;
    p.environment = rng.Chance(0.7) ? "prod" : "staging";
    static constexpr double kW3[] = {30, 35, 35};
    static constexpr const char* kC[] = {"aws", "azure", "vmware"};
    p.cloud = kC[rng.Weighted(kW3)];
  } else {
    p.role = HostRole::kWorkstation;
    p.environment = "corp";
  }

  // Hardware and operating system.
  if (p.family == kL) {
    SetServerHardware(p, rng);
    SetLinuxOs(p, rng);
  } else if (p.family == kD) {
    SetMacOs(p, rng);
    std::array<double, std::size(kMacModels)> w{};
    for (size_t i = 0; i < w.size(); ++i) w[i] = kMacModels[i].min_macos <= p.os_major ? 1 : 0;
    const MacModel& m = kMacModels[rng.Weighted(w)];
    p.host_identifier = internal::FormatUuid(rng.Next(), rng.Next(), true);
    p.hardware_vendor = "Apple Inc.";
    p.hardware_model = m.model;
    p.hardware_version = "1.0";
    p.hardware_serial = m.arm ? RandomChars(rng, 10, kUpperAlnum) : "C02" + RandomChars(rng, 9, kUpperAlnum);
    p.cpu_brand = m.cpu_brand;
    p.cpu_physical_cores = static_cast<int>(rng.Range(m.cores_lo, m.cores_hi));
    p.cpu_logical_cores = m.arm ? p.cpu_physical_cores : 2 * p.cpu_physical_cores;
    p.cpu_type = m.arm ? "arm64e" : "x86_64h";
    p.cpu_subtype = m.arm ? "ARM64E" : "Intel x86-64h Haswell";
    p.cpu_microcode = "";
    p.physical_memory = static_cast<int64_t>(m.mem_choices[rng.Below(3)]) << 30;
    p.arch = m.arm ? "arm64" : "x86_64";
    p.firmware_vendor = "Apple Inc.";
    p.firmware_version = m.arm ? fmt::format("{}.{}.{}.0.0 (iBoot-{})", 11881, 140 + 2 * p.os_minor, rng.Range(40, 99), 11881)
                               : fmt::format("2069.{}.4.0.0 (iBridge: 22.16.{}.0.0,0)", 40 + p.os_minor * 20, rng.Range(10000, 13999));
    p.firmware_date = "";
    p.has_platform_info = true;
  } else {
    SetWindowsOs(p, rng);
    if (p.role == HostRole::kWinServer) {
      SetServerHardware(p, rng);
      p.cpu_subtype = "-1";
      // Windows reports the SMBIOS UUID in upper case (EC2 included).
      for (char& c : p.host_identifier) {
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
      }
      if (p.cloud == "aws") p.hardware_serial = p.host_identifier;
    } else {
      const PcModel& m = kPcModels[rng.Below(std::size(kPcModels))];
      p.host_identifier = internal::FormatUuid(rng.Next(), rng.Next(), true);
      p.hardware_vendor = m.vendor;
      p.hardware_model = m.model;
      p.hardware_version = m.version;
      std::string_view vendor = m.vendor;
      p.hardware_serial = vendor == "Dell Inc." ? RandomChars(rng, 7, kUpperAlnum)
                          : vendor == "LENOVO"  ? "PF" + RandomChars(rng, 6, kUpperAlnum)
                                                : "5CG" + RandomChars(rng, 7, kUpperAlnum);
      p.board_vendor = m.vendor;
      p.board_model = vendor == "LENOVO" ? m.model : "0" + RandomChars(rng, 5, kUpperAlnum);
      p.board_serial = fmt::format("/{}/CNCMK00{}/", p.hardware_serial, RandomChars(rng, 6, kUpperAlnum));
      p.cpu_brand = m.cpu_brand;
      p.cpu_subtype = "-1";
      p.cpu_physical_cores = m.physical;
      p.cpu_logical_cores = m.logical;
      p.physical_memory = static_cast<int64_t>(rng.Chance(0.6) ? 16 : 32) << 30;
      p.firmware_vendor = m.vendor;
      p.firmware_version = m.bios_version;
      p.firmware_date = m.bios_date;
      p.has_platform_info = true;
    }
    p.cpu_type = "x86_64";
    p.cpu_microcode = "";
    p.os_install_date = fleet.start_unix - rng.Range(30, 3 * 365) * 86400 - rng.Range(0, 86399);
  }

  // Names and people.
  if (p.role == HostRole::kWorkstation) {
    std::string_view first = internal::FirstName(rng.Next());
    std::string_view last = internal::LastName(rng.Next());
    p.owner_full_name = fmt::format("{} {}", first, last);
    p.admin_user = p.family == kD ? Lower(fmt::format("{}{}", first, last))
                                  : Lower(fmt::format("{}{}", first[0], last));
    if (p.family == kD) {
      bool air = std::string_view(p.hardware_model).starts_with("MacBookAir") ||
                 p.hardware_model == "Mac14,2";
      std::string_view kind = air ? "MacBook-Air" : "MacBook-Pro";
      if (rng.Chance(0.6)) {
        p.local_hostname = fmt::format("{}s-{}", first, kind);
        p.computer_name = fmt::format("{}\u2019s {}", first, air ? "MacBook Air" : "MacBook Pro");
      } else {
        p.local_hostname = "MAC-" + p.hardware_serial;
        p.computer_name = p.local_hostname;
      }
      p.hostname = p.local_hostname + ".local";
      static constexpr const char* kZones[] = {"EST", "PST", "CST", "MST", "GMT", "CET", "IST", "JST"};
      p.timezone = kZones[rng.Below(std::size(kZones))];
    } else {
      double pick = rng.Unit();
      p.computer_name = pick < 0.25   ? "DESKTOP-" + RandomChars(rng, 7, kUpperAlnum)
                        : pick < 0.5 ? "LAPTOP-" + RandomChars(rng, 8, kUpperAlnum)
                                     : fmt::format("WKS-{:05}", index + 1);
      p.hostname = p.computer_name;
      p.local_hostname = p.computer_name;
      static constexpr const char* kZones[] = {"EST", "PST", "CST", "GMT", "CET", "IST"};
      p.timezone = kZones[rng.Below(std::size(kZones))];
    }
  } else if (p.role == HostRole::kWinServer) {
    static constexpr const char* kPrefix[] = {"IIS", "SQL", "FS", "DC"};
    p.computer_name = fmt::format("{}-{}-{:04}", kPrefix[p.flavor % 4],
                                  p.environment == "prod" ? "PRD" : "STG", index + 1);
    p.hostname = p.computer_name;
    p.local_hostname = p.computer_name;
    p.admin_user = "Administrator";
    p.timezone = "UTC";
  } else {
    p.admin_user = AdminUserFor(p, rng);
    p.timezone = "UTC";
  }

  // Network.
  {
    SimRng net(Hash64(p.seed, internal::kStreamNetwork));
    if (p.role == HostRole::kWorkstation) {
      p.ipv4 = fmt::format("192.168.{}.{}", net.Chance(0.5) ? 1 : net.Range(0, 254), net.Range(2, 250));
      p.ipv4_mask = "255.255.255.0";
    } else {
      p.ipv4 = fmt::format("10.{}.{}.{}", net.Range(0, 63), net.Range(0, 255), net.Range(4, 250));
      p.ipv4_mask = net.Chance(0.5) ? "255.255.240.0" : "255.255.255.0";
    }
    if (p.family == kD) {
      p.primary_interface = "en0";
      p.mac = MacAddress(net, "a4:83:e7");
    } else if (p.family == kW) {
      p.primary_interface = p.role == HostRole::kWorkstation ? "Wi-Fi" : "Ethernet";
      p.mac = MacAddress(net, p.cloud == "azure" ? "00:0d:3a" : p.cloud == "vmware" ? "00:50:56" : "8c:8d:28");
    } else if (p.cloud == "aws") {
      p.primary_interface = IsAmazon(p.os) || IsEl(p.os) ? "eth0" : "ens5";
      p.mac = MacAddress(net, "0a");
    } else if (p.cloud == "gcp") {
      p.primary_interface = "ens4";
      p.mac = MacAddress(net, "42:01:0a");
    } else if (p.cloud == "azure") {
      p.primary_interface = "eth0";
      p.mac = MacAddress(net, "00:0d:3a");
    } else if (p.cloud == "vmware") {
      p.primary_interface = "ens192";
      p.mac = MacAddress(net, "00:50:56");
    } else {
      p.primary_interface = "eno1";
      p.mac = MacAddress(net, "b0:7b:25");
    }
  }
  if (p.family == kL) {
    std::string_view prefix = RoleHostPrefix(p.role, p.flavor);
    if (p.cloud == "aws" && rng.Chance(0.2)) {
      std::string dashed = p.ipv4;
      std::replace(dashed.begin(), dashed.end(), '.', '-');
      p.computer_name = "ip-" + dashed;
      p.hostname = p.computer_name + ".ec2.internal";
    } else {
      p.computer_name = fmt::format("{}-{:03}", prefix, index + 1);
      p.hostname = fmt::format("{}.{}.example.internal", p.computer_name, p.environment);
    }
    p.local_hostname = p.computer_name;
  }

  // Time: boot, then osquery starting a little later (or restarted since, e.g. upgraded).
  {
    int64_t max_uptime = p.role == HostRole::kKubeNode      ? 20 * 86400
                         : p.role == HostRole::kWorkstation ? 14 * 86400
                                                            : 120 * 86400;
    // Log-uniform between 30 minutes and max_uptime.
    double lo = std::log(1800.0);
    double hi = std::log(static_cast<double>(max_uptime));
    int64_t uptime = static_cast<int64_t>(std::exp(lo + rng.Unit() * (hi - lo)));
    p.boot_time = fleet.start_unix - uptime;
    // Windows pids are multiples of 4.
    if (rng.Chance(0.8)) {
      p.osquery_start_time = p.boot_time + rng.Range(15, 90);
      p.watcher_pid = p.family == kW ? 4 * rng.Range(500, 2250) : rng.Range(600, 2400);
    } else {
      p.osquery_start_time = rng.Range(p.boot_time + 90, fleet.start_unix - 60);
      p.watcher_pid = p.family == kW ? 4 * rng.Range(2250, 7500) : rng.Range(20000, 900000);
    }
    p.osquery_pid = p.watcher_pid + (p.family == kW ? 4 * rng.Range(1, 60) : rng.Range(2, 9));
    if (p.family == kD) {
      p.watcher_pid = rng.Range(300, 900);
      p.osquery_pid = p.watcher_pid + rng.Range(200, 4000);
    }
  }

  // osquery itself.
  {
    double w[std::size(kOsqueryVersions)];
    for (size_t i = 0; i < std::size(kOsqueryVersions); ++i) w[i] = kOsqueryVersions[i].weight;
    p.osquery_version = kOsqueryVersions[rng.Weighted(w)].version;
    p.instance_id = internal::FormatUuid(rng.Next(), rng.Next(), false);
  }

  // Behaviour knobs.
  if (p.family == kL) {
    double d = rng.Unit();
    p.deleted_binaries = d < 0.014 ? 1 : d < 0.02 ? 2 : 0;
    double r = rng.Unit();
    p.root_logins_per_hour = r < 0.55 ? 0 : r < 0.8 ? 0.01 + 0.04 * rng.Unit() : 0.15 + 0.35 * rng.Unit();
    p.user_logins_per_hour = p.role == HostRole::kBastion ? 1 + 3 * rng.Unit() : 0.02 + 0.25 * rng.Unit();
  } else if (p.family == kD) {
    p.deleted_binaries = rng.Chance(0.004) ? 1 : 0;
    p.root_logins_per_hour = rng.Chance(0.05) ? 0.02 : 0;
    p.user_logins_per_hour = 0.05 * rng.Unit();
  } else {
    p.user_logins_per_hour = p.role == HostRole::kWinServer ? 0.05 + 0.2 * rng.Unit() : 0;
  }
  {
    double lag = rng.Unit();
    p.patch_lag = lag < 0.5 ? 0 : lag < 0.75 ? 1 : lag < 0.9 ? 2 : 3;
    p.extra_users = p.role == HostRole::kWorkstation ? static_cast<int>(rng.Below(2))
                    : p.role == HostRole::kBastion   ? static_cast<int>(rng.Range(4, 12))
                                                     : static_cast<int>(rng.Below(5));
  }
  return p;
}

namespace internal {

std::string FormatUuid(uint64_t hi, uint64_t lo, bool upper) {
  hi = (hi & ~0xF000ull) | 0x4000ull;                                 // version 4
  lo = (lo & ~(0xC000ull << 48)) | (0x8000ull << 48);                 // variant 10
  std::string s = fmt::format("{:08x}-{:04x}-{:04x}-{:04x}-{:012x}", hi >> 32, (hi >> 16) & 0xFFFF,
                              hi & 0xFFFF, lo >> 48, lo & 0xFFFFFFFFFFFFull);
  if (upper) {
    for (char& c : s) {
      if (c >= 'a' && c <= 'f') c = static_cast<char>(c - 'a' + 'A');
    }
  }
  return s;
}

std::string_view FirstName(uint64_t h) { return kFirstNames[h % std::size(kFirstNames)]; }
std::string_view LastName(uint64_t h) { return kLastNames[h % std::size(kLastNames)]; }

}  // namespace internal

namespace {

// First row of `table` as an object with alphabetically ordered keys, or null if no rows.
boost::json::value FirstRowObject(const TableDef& table, const HostProfile& host,
                                  RowBuffer& rows) {
  if (rows.rows() == 0) return nullptr;
  std::vector<size_t> cols = TableColumns(table, host.family);
  std::sort(cols.begin(), cols.end(),
            [&](size_t a, size_t b) { return table.columns[a].name < table.columns[b].name; });
  boost::json::object obj;
  obj.reserve(cols.size());
  for (size_t c : cols) {
    obj.emplace(table.columns[c].name, rows.Get(0, c));
  }
  return obj;
}

}  // namespace

std::string EnrollBody(const HostProfile& host, std::string_view enroll_secret) {
  boost::json::object body;
  body.emplace("enroll_secret", enroll_secret);
  body.emplace("host_identifier", host.host_identifier);
  body.emplace("platform_type", PlatformTypeString(host.family));
  boost::json::object details;
  RowBuffer rows;
  // osquery reads these four (a sorted set) at enrollment, before the config is loaded.
  static constexpr std::string_view kTables[] = {"os_version", "osquery_info", "platform_info",
                                                 "system_info"};
  for (std::string_view name : kTables) {
    const TableDef* table = FindHostTable(name);
    if (table == nullptr) continue;
    rows.Reset(table->columns.size());
    if (name == "osquery_info") {
      internal::GenerateOsqueryInfo(host, host.osquery_start_time + 1, false, rows);
    } else {
      table->generate(host, host.osquery_start_time + 1, rows);
    }
    boost::json::value obj = FirstRowObject(*table, host, rows);
    if (!obj.is_null()) details.emplace(name, std::move(obj));
  }
  body.emplace("host_details", std::move(details));
  return boost::json::serialize(body);
}

}  // namespace quarry::sim
