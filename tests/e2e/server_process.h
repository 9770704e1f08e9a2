// ServerProcess: runs the real `quarry serve` binary as a child process for
// end-to-end tests, on 127.0.0.1 with ephemeral ports, and stops it by PID.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "base/result.h"

namespace quarry::e2e {

class ServerProcess {
 public:
  // `data_dir` is created by the server; `config_toml` (optional) is written to
  // <data_dir>.toml and passed with --config.
  ServerProcess(std::string data_dir, std::string config_toml = "");
  ~ServerProcess();

  // Starts the binary and waits (bounded) for its "ready" line, then reads
  // server.json. kDeadlineExceeded when it does not come up in `timeout`.
  Result<void> Start(std::chrono::milliseconds timeout = std::chrono::milliseconds(20'000));
  // SIGTERM, then wait (bounded); SIGKILL if it does not exit. Returns the exit status.
  int Stop();
  // SIGKILL at once: a crash.
  void Kill();
  bool Running() const { return pid_ > 0; }

  const std::string& data_dir() const { return data_dir_; }
  uint16_t agent_port() const { return agent_port_; }
  uint16_t admin_port() const { return admin_port_; }
  std::string ca_file() const { return data_dir_ + "/ca.pem"; }
  std::string enroll_secret() const;
  std::string operator_token() const;
  std::string db_path() const { return data_dir_ + "/quarry.db"; }
  const std::string& output() const { return output_; }
  // Environment for the next Start(). By default empty reads are not held
  // (QUARRY_AGENT_HOLD_POLL_MS=0) so tests of other behaviour are not slowed.
  void SetEnv(const std::string& name, const std::string& value) { env_[name] = value; }

 private:
  std::string data_dir_;
  std::string config_toml_;
  pid_t pid_ = -1;
  int out_fd_ = -1;
  std::string output_;
  std::map<std::string, std::string> env_ = {{"QUARRY_AGENT_HOLD_POLL_MS", "0"}};
  uint16_t agent_port_ = 0;
  uint16_t admin_port_ = 0;
};

std::string ReadWholeFile(const std::string& path);
// A fresh, empty directory path under the system temp dir, unique to this test.
std::string TempDirFor(const std::string& name);

}  // namespace quarry::e2e
