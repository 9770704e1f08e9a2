#include "e2e/server_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

extern char** environ;

namespace quarry::e2e {

std::string ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string TempDirFor(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() /
             ("quarry_e2e_" + std::to_string(::getpid()) + "_" + name);
  std::filesystem::remove_all(dir);
  return dir.string();
}

namespace {
std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}
uint16_t PortOf(const std::string& url) {
  auto colon = url.rfind(':');
  return static_cast<uint16_t>(std::stoi(url.substr(colon + 1)));
}
}  // namespace

ServerProcess::ServerProcess(std::string data_dir, std::string config_toml)
    : data_dir_(std::move(data_dir)), config_toml_(std::move(config_toml)) {}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) Stop();
  if (out_fd_ >= 0) ::close(out_fd_);
}

std::string ServerProcess::enroll_secret() const {
  return Trim(ReadWholeFile(data_dir_ + "/enroll_secret"));
}
std::string ServerProcess::operator_token() const {
  return Trim(ReadWholeFile(data_dir_ + "/operator_token"));
}

Result<void> ServerProcess::Start(std::chrono::milliseconds timeout) {
  std::vector<std::string> args = {QUARRY_BINARY,   "serve",          "--data-dir", data_dir_,
                                   "--agent-listen", "127.0.0.1:0", "--admin-listen",
                                   "127.0.0.1:0"};
  if (!config_toml_.empty()) {
    std::string path = data_dir_ + ".toml";
    std::ofstream(path) << config_toml_;
    args.push_back("--config");
    args.push_back(path);
  }
  // The child's environment, built before fork (only exec-safe calls after it).
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string_view kv(*e);
    if (!env_.count(std::string(kv.substr(0, kv.find('='))))) env_strings.emplace_back(kv);
  }
  for (const auto& [k, v] : env_) env_strings.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return Fail(ErrorCode::kIo, "pipe failed");
  pid_t pid = ::fork();
  if (pid < 0) return Fail(ErrorCode::kIo, "fork failed");
  if (pid == 0) {
    ::dup2(fds[1], 1);
    ::dup2(fds[1], 2);
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
  ::close(fds[1]);
  pid_ = pid;
  out_fd_ = fds[0];
  output_.clear();
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (output_.find("quarry serve: ready") == std::string::npos) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return Fail(ErrorCode::kDeadlineExceeded, "server not ready: " + output_);
    pollfd p{out_fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
    char buf[4096];
    ssize_t n = ::read(out_fd_, buf, sizeof buf);
    if (n <= 0) {
      int status = 0;
      ::waitpid(pid_, &status, 0);
      pid_ = -1;
      return Fail(ErrorCode::kIo, "server exited before ready: " + output_);
    }
    output_.append(buf, static_cast<size_t>(n));
  }
  // Keep draining the child's output so it never blocks on a full pipe.
  ::fcntl(out_fd_, F_SETFL, O_NONBLOCK);
  auto info = boost::json::parse(ReadWholeFile(data_dir_ + "/server.json")).as_object();
  agent_port_ = PortOf(std::string(info["agent_url"].as_string()));
  admin_port_ = PortOf(std::string(info["admin_url"].as_string()));
  return Ok();
}

int ServerProcess::Stop() {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  int status = 0;
  // Bounded wait: 100 x 100 ms, then SIGKILL.
  for (int i = 0; i < 100; ++i) {
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return status;
    }
    pollfd p{out_fd_, POLLIN, 0};
    if (::poll(&p, 1, 100) > 0) {
      char buf[4096];
      ssize_t n = ::read(out_fd_, buf, sizeof buf);
      if (n > 0) output_.append(buf, static_cast<size_t>(n));
    }
  }
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  return status;
}

void ServerProcess::Kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

}  // namespace quarry::e2e
