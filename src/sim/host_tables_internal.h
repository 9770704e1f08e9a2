// Internal to src/sim: pieces shared by the table generators and EnrollBody.
// Not part of the module's interface; may change without notice.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sim/host_profile.h"
#include "sim/host_tables.h"

namespace quarry::sim::internal {

// Stream ids: Hash64(host.seed, kStreamX, ...) keeps each aspect of a host independent, so
// adding draws to one aspect never changes another.
inline constexpr uint64_t kStreamUsers = 0x7573657273ull;
inline constexpr uint64_t kStreamLogins = 0x6c6f67696e73ull;
inline constexpr uint64_t kStreamProcesses = 0x70726f6373ull;
inline constexpr uint64_t kStreamEphemeral = 0x657068656dull;
inline constexpr uint64_t kStreamPackages = 0x706b6773ull;
inline constexpr uint64_t kStreamNetwork = 0x6e6574ull;

// How far back the login history (the `last` table) reaches.
inline constexpr int64_t kLoginHistorySeconds = 7 * 86400;

// "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx" from 128 random bits.
std::string FormatUuid(uint64_t hi, uint64_t lo, bool upper);

std::string_view FirstName(uint64_t h);
std::string_view LastName(uint64_t h);

// osquery_info before the config has loaded (as at enrollment: config_valid 0, empty
// config_hash) or after.
void GenerateOsqueryInfo(const HostProfile& host, int64_t now_unix, bool config_loaded,
                         RowBuffer& out);

// A local human (interactive) account.
struct HumanUser {
  std::string name;
  std::string full_name;
  int64_t uid = 0;
  int64_t gid = 0;
  std::string home;
  std::string shell;
  std::string sid;  // Windows only
};

// The admin/owner account first, then host.extra_users others. Deterministic.
std::vector<HumanUser> HumanUsers(const HostProfile& host);

// An interactive login (ssh, console) that started within the history window.
struct LoginSession {
  std::string user;
  std::string tty;
  std::string remote_host;
  int64_t login_time = 0;
  int64_t logout_time = 0;  // > now while the session is still open
  int64_t pid = 0;          // the session leader (sshd: user@pts/N)
};

// Sessions with login_time in (now - kLoginHistorySeconds, now], oldest first. Root logins
// arrive at host.root_logins_per_hour, others at host.user_logins_per_hour.
std::vector<LoginSession> RecentSessions(const HostProfile& host, int64_t now_unix);

// pid of the darwin console session's loginwindow (shared by processes and logged_in_users).
inline int64_t DarwinLoginwindowPid(const HostProfile& host) {
  return 140 + static_cast<int64_t>(host.seed % 160);
}

// Tables defined next to their generators.
TableDef ProcessesTable();
TableDef ListeningPortsTable();
TableDef DebPackagesTable();
TableDef RpmPackagesTable();
TableDef ProgramsTable();
TableDef AppsTable();

}  // namespace quarry::sim::internal
