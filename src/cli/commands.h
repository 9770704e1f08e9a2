// The operator subcommands of `quarry`: one function per subcommand, each
// taking its parsed flags, a connected OperatorClient and the Console to write
// to. main.cpp parses the command line (CLI11) and calls these; nothing here
// knows CLI11.
//
// Output contract: data goes to stdout in the chosen --format; messages,
// warnings and the progress line go to stderr (the progress line only when
// stderr is a terminal). Exit codes: kExitOk; kExitFailed when the server
// refused (4xx/5xx) or, for `query`, when no host answered; kExitUsage for
// bad flags, missing connection settings, an unreachable server or a refused
// token.
#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "cli/operator_client.h"
#include "cli/output.h"

namespace quarry::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;
inline constexpr int kExitUsage = 2;

struct Console {
  FILE* out = stdout;
  FILE* err = stderr;
  bool err_tty = false;  // draw the updating progress line on stderr
  size_t out_width = 0;  // stdout's terminal width; 0 when not a terminal
  // Current time for relative times in tables (injectable for tests).
  std::function<int64_t()> now_micros;

  // stdout/stderr of this process, with isatty and the terminal width.
  static Console Process();
  int64_t Now() const;
};

// Resolves the connection (ResolveConnection with the process environment),
// then runs `command` with a client. kExitUsage with the reason when there is
// no usable connection.
int WithClient(const ConnectionFlags& flags, const Console& console,
               const std::function<int(OperatorClient&)>& command);

// quarry query SQL
struct QueryFlags {
  std::string sql;
  std::vector<std::string> hosts, labels, platforms;
  bool all = false;
  std::string timeout = "60s";
  std::string reduce;
  std::string format = "table";
  bool detach = false;
};
// Validates flags that need no server (format, timeout) before connecting.
int CheckQueryFlags(const QueryFlags& flags, const Console& console);
int QueryCommand(OperatorClient& client, const QueryFlags& flags, const Console& console);

// quarry runs / run ID / results ID / cancel ID
struct RunsFlags {
  std::string status;
  int64_t limit = 20;
  std::string format = "table";
};
int RunsCommand(OperatorClient& client, const RunsFlags& flags, const Console& console);
int RunCommand(OperatorClient& client, int64_t id, const std::string& format,
               const Console& console);
struct ResultsFlags {
  int64_t id = 0;
  std::string reduce;
  std::string format = "table";
};
int ResultsCommand(OperatorClient& client, const ResultsFlags& flags, const Console& console);
int CancelCommand(OperatorClient& client, int64_t id, const Console& console);

// quarry hosts / hosts show ID / hosts revoke ID
struct HostsFlags {
  HostFilter filter;
  std::string format = "table";
};
int HostsCommand(OperatorClient& client, const HostsFlags& flags, const Console& console);
int HostShowCommand(OperatorClient& client, const std::string& id, const std::string& format,
                    const Console& console);
int HostRevokeCommand(OperatorClient& client, const std::string& id, const Console& console);

// quarry labels / labels create|show|delete|set-hosts
int LabelsCommand(OperatorClient& client, const std::string& format, const Console& console);
struct LabelCreateFlags {
  std::string name, description, sql, refresh;
  std::vector<std::string> hosts;
};
int CheckLabelCreateFlags(const LabelCreateFlags& flags, const Console& console);
int LabelCreateCommand(OperatorClient& client, const LabelCreateFlags& flags,
                       const Console& console);
int LabelShowCommand(OperatorClient& client, const std::string& name, const std::string& format,
                     const Console& console);
int LabelDeleteCommand(OperatorClient& client, const std::string& name, const Console& console);
int LabelSetHostsCommand(OperatorClient& client, const std::string& name,
                         const std::vector<std::string>& hosts, const Console& console);

// quarry sql SQL
struct SqlFlags {
  std::string sql;
  std::string format = "table";
  int64_t max_rows = 0;  // 0: the server's default
};
int SqlCommand(OperatorClient& client, const SqlFlags& flags, const Console& console);

// quarry tokens / tokens create NAME --role R / tokens revoke ID
int TokensCommand(OperatorClient& client, const std::string& format, const Console& console);
int TokenCreateCommand(OperatorClient& client, const std::string& name, const std::string& role,
                       const std::string& format, const Console& console);
int TokenRevokeCommand(OperatorClient& client, const std::string& id, const Console& console);

// The exit code for a failed call: kExitUsage for an unreachable server or a
// refused token (the connection settings are wrong), kExitFailed otherwise.
int ExitCodeFor(const Error& error);

}  // namespace quarry::cli
