// End-to-end tests of the `quarry` operator subcommands: the real binary as a
// child process, against the real server over TLS, with osqueryd-like hosts
// answering from the test thread while the CLI follows the run's stream.
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <set>

#include "e2e/fake_osqueryd.h"
#include "e2e/server_process.h"

namespace quarry::e2e {
namespace {
namespace json = boost::json;
using Clock = std::chrono::steady_clock;

struct CliResult {
  int exit_code = -1;  // -1: killed at the deadline
  std::string out, err;
};

// One `quarry ...` child with its stdout and stderr on pipes.
class CliProcess {
 public:
  explicit CliProcess(const std::vector<std::string>& args) {
    int out[2], err[2];
    if (::pipe(out) != 0 || ::pipe(err) != 0) return;
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(out[1], 1);
      ::dup2(err[1], 2);
      ::close(out[0]);
      ::close(err[0]);
      ::close(out[1]);
      ::close(err[1]);
      std::vector<std::string> argv_strings = {QUARRY_BINARY};
      argv_strings.insert(argv_strings.end(), args.begin(), args.end());
      std::vector<char*> argv;
      for (auto& a : argv_strings) argv.push_back(a.data());
      argv.push_back(nullptr);
      // No QUARRY_* from the test's environment: connection settings come
      // from the arguments only.
      char* envp[] = {const_cast<char*>("TZ=UTC"), nullptr};
      ::execve(argv[0], argv.data(), envp);
      ::_exit(127);
    }
    ::close(out[1]);
    ::close(err[1]);
    fds_[0] = out[0];
    fds_[1] = err[0];
  }
  ~CliProcess() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    for (int fd : fds_) {
      if (fd >= 0) ::close(fd);
    }
  }

  // Reads output for at most `wait`. True once the child exited and both
  // pipes are drained.
  bool Pump(std::chrono::milliseconds wait) {
    if (fds_[0] < 0 && fds_[1] < 0) return Reap();
    pollfd p[2];
    int n = 0;
    for (int fd : fds_) {
      if (fd >= 0) p[n++] = pollfd{fd, POLLIN, 0};
    }
    if (::poll(p, n, static_cast<int>(wait.count())) > 0) {
      for (int i = 0; i < n; ++i) {
        if (!(p[i].revents & (POLLIN | POLLHUP))) continue;
        char buf[4096];
        ssize_t got = ::read(p[i].fd, buf, sizeof buf);
        int which = p[i].fd == fds_[0] ? 0 : 1;
        if (got > 0) {
          (which == 0 ? result_.out : result_.err).append(buf, static_cast<size_t>(got));
        } else {
          ::close(fds_[which]);
          fds_[which] = -1;
        }
      }
    }
    if (fds_[0] < 0 && fds_[1] < 0) return Reap();
    return false;
  }

  CliResult Finish(std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
    const auto deadline = Clock::now() + timeout;
    while (!Pump(std::chrono::milliseconds(100))) {
      if (Clock::now() >= deadline) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
        pid_ = -1;
        result_.exit_code = -1;
        return result_;
      }
    }
    return result_;
  }

 private:
  bool Reap() {
    if (pid_ <= 0) return true;
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    result_.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return true;
  }

  pid_t pid_ = -1;
  int fds_[2] = {-1, -1};
  CliResult result_;
};

class CliE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = TempDirFor(std::string("cli_") +
                      ::testing::UnitTest::GetInstance()->current_test_info()->name());
    server_ = std::make_unique<ServerProcess>(dir_);
    auto started = server_->Start();
    ASSERT_TRUE(started) << started.error().message;
  }
  void TearDown() override {
    if (server_) server_->Stop();
    std::filesystem::remove_all(dir_);
  }

  std::unique_ptr<FakeOsqueryd> Agent(const std::string& id) {
    auto a = std::make_unique<FakeOsqueryd>(server_->agent_port(), server_->ca_file(), id,
                                            server_->enroll_secret());
    a->Enroll();
    EXPECT_FALSE(a->node_key().empty());
    return a;
  }

  std::vector<std::string> Args(std::vector<std::string> args) {
    args.push_back("--data-dir");
    args.push_back(dir_);
    return args;
  }

  CliResult Quarry(std::vector<std::string> args) {
    CliProcess p(Args(std::move(args)));
    return p.Finish();
  }

  // Runs `quarry query ...` while `agents` answer each query they read with
  // `answer(sql)`: rows (JSON array text), or a failure when status != 0.
  CliResult QueryWhileAnswering(
      std::vector<std::string> args, std::vector<std::unique_ptr<FakeOsqueryd>>& agents,
      const std::function<FakeOsqueryd::Answer(const std::string&)>& answer) {
    CliProcess p(Args(std::move(args)));
    const auto deadline = Clock::now() + std::chrono::seconds(30);
    while (Clock::now() < deadline) {
      for (auto& a : agents) {
        AgentReply r = a->Read();
        auto it = r.body.find("queries");
        if (it == r.body.end() || !it->value().is_object()) continue;
        std::vector<FakeOsqueryd::Answer> answers;
        for (const auto& kv : it->value().as_object()) {
          FakeOsqueryd::Answer ans = answer(std::string(kv.value().as_string()));
          ans.id = std::string(kv.key());
          answers.push_back(ans);
        }
        if (!answers.empty()) {
          EXPECT_EQ(a->Write(answers).status, 200);
        }
      }
      // Waits on the child's output: the pace of the loop, not a sleep.
      if (p.Pump(std::chrono::milliseconds(50))) break;
    }
    return p.Finish(std::chrono::seconds(5));
  }

  static std::vector<json::object> JsonLines(const std::string& text) {
    std::vector<json::object> out;
    size_t start = 0;
    while (start < text.size()) {
      size_t nl = text.find('\n', start);
      if (nl == std::string::npos) nl = text.size();
      if (nl > start) out.push_back(json::parse(text.substr(start, nl - start)).as_object());
      start = nl + 1;
    }
    return out;
  }

  std::string dir_;
  std::unique_ptr<ServerProcess> server_;
};

FakeOsqueryd::Answer OsVersionOrFail(const std::string& sql) {
  if (sql.find("foo") != std::string::npos) return {"", "[]", 1, "no such table: foo"};
  return {"", R"([{"name":"Debian GNU/Linux","major":"12"}])", 0, ""};
}

TEST_F(CliE2E, QueryStreamsJsonLinesWithTheHostOfEveryRow) {
  std::vector<std::unique_ptr<FakeOsqueryd>> agents;
  agents.push_back(Agent("alpha"));
  agents.push_back(Agent("bravo"));
  CliResult r = QueryWhileAnswering(
      {"query", "SELECT name, major FROM os_version", "--format", "jsonl", "--timeout", "30s"},
      agents, OsVersionOrFail);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto rows = JsonLines(r.out);
  ASSERT_EQ(rows.size(), 2u) << r.out;
  std::set<std::string> hosts;
  for (const auto& row : rows) {
    EXPECT_GT(row.at("host_id").as_int64(), 0);
    hosts.insert(std::string(row.at("host").as_string()));
    EXPECT_EQ(row.at("name"), json::value("Debian GNU/Linux"));
    EXPECT_EQ(row.at("major"), json::value("12"));
  }
  EXPECT_EQ(hosts.size(), 2u);
  // Not a terminal: no progress line on stderr.
  EXPECT_EQ(r.err.find('\r'), std::string::npos) << r.err;
}

TEST_F(CliE2E, FailedHostsAreListedAndNothingAnsweredExitsOne) {
  std::vector<std::unique_ptr<FakeOsqueryd>> agents;
  agents.push_back(Agent("alpha"));
  CliResult r = QueryWhileAnswering({"query", "SELECT * FROM foo"}, agents, OsVersionOrFail);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find(": no such table: foo"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("no host answered"), std::string::npos) << r.err;
  EXPECT_EQ(r.out, "");
}

TEST_F(CliE2E, ReduceGivesOneTableInCsv) {
  std::vector<std::unique_ptr<FakeOsqueryd>> agents;
  agents.push_back(Agent("alpha"));
  agents.push_back(Agent("bravo"));
  agents.push_back(Agent("charlie"));
  CliResult r = QueryWhileAnswering(
      {"query", "SELECT name, major FROM os_version", "--reduce",
       "SELECT name || ' ' || major AS distro, count(*) AS hosts FROM results GROUP BY distro",
       "--format", "csv"},
      agents, OsVersionOrFail);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "distro,hosts\nDebian GNU/Linux 12,3\n");
}

TEST_F(CliE2E, DetachThenRunResultsAndCancel) {
  auto agent = Agent("alpha");
  CliResult started = Quarry({"query", "SELECT name FROM os_version", "--detach"});
  ASSERT_EQ(started.exit_code, 0) << started.err;
  const std::string id = started.out.substr(0, started.out.find('\n'));
  ASSERT_FALSE(id.empty());
  // The host answers on its own time.
  AgentReply read = agent->Read();
  auto& queries = read.body.at("queries").as_object();
  ASSERT_EQ(queries.size(), 1u);
  ASSERT_EQ(
      agent->Write({{std::string(queries.begin()->key()), R"([{"name":"Debian"}])", 0, ""}}).status,
      200);

  CliResult results = Quarry({"results", id, "--format", "csv"});
  ASSERT_EQ(results.exit_code, 0) << results.err;
  EXPECT_NE(results.out.find("host_id,host,name\n"), std::string::npos) << results.out;
  EXPECT_NE(results.out.find(",Debian\n"), std::string::npos) << results.out;

  CliResult run = Quarry({"run", id, "--format", "json"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  json::object o = json::parse(run.out).as_object();
  EXPECT_EQ(o.at("id").as_int64(), std::stoll(id));
  ASSERT_EQ(o.at("hosts").as_array().size(), 1u);
  EXPECT_EQ(o.at("hosts").as_array()[0].at("state"), json::value("answered"));

  CliResult table = Quarry({"run", id});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find("answered"), std::string::npos) << table.out;

  CliResult second = Quarry({"query", "SELECT 1", "--detach"});
  ASSERT_EQ(second.exit_code, 0) << second.err;
  const std::string id2 = second.out.substr(0, second.out.find('\n'));
  CliResult cancel = Quarry({"cancel", id2});
  EXPECT_EQ(cancel.exit_code, 0) << cancel.err;
  EXPECT_EQ(cancel.out, "run " + id2 + " cancelled\n");
  CliResult runs = Quarry({"runs", "--status", "cancelled", "--format", "jsonl"});
  ASSERT_EQ(runs.exit_code, 0) << runs.err;
  auto lines = JsonLines(runs.out);
  ASSERT_EQ(lines.size(), 1u) << runs.out;
  EXPECT_EQ(lines[0].at("id").as_int64(), std::stoll(id2));
}

TEST_F(CliE2E, HostsLabelsSqlAndTokens) {
  auto a = Agent("alpha");
  auto b = Agent("bravo");
  CliResult hosts = Quarry({"hosts", "--format", "json"});
  ASSERT_EQ(hosts.exit_code, 0) << hosts.err;
  auto list = json::parse(hosts.out).as_array();
  ASSERT_EQ(list.size(), 2u);
  const std::string alpha_id = std::to_string(list[0].at("id").as_int64());

  CliResult show = Quarry({"hosts", "show", alpha_id});
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_NE(show.out.find("identifier:"), std::string::npos) << show.out;

  CliResult create = Quarry({"labels", "create", "prod", "--hosts", alpha_id});
  ASSERT_EQ(create.exit_code, 0) << create.err;
  CliResult label = Quarry({"labels", "show", "prod", "--format", "json"});
  ASSERT_EQ(label.exit_code, 0) << label.err;
  EXPECT_EQ(json::serialize(json::parse(label.out).at("host_ids")), "[" + alpha_id + "]");
  CliResult filtered = Quarry({"hosts", "--label", "prod", "--format", "jsonl"});
  ASSERT_EQ(filtered.exit_code, 0) << filtered.err;
  EXPECT_EQ(JsonLines(filtered.out).size(), 1u);
  EXPECT_EQ(Quarry({"labels", "delete", "prod"}).exit_code, 0);
  EXPECT_EQ(Quarry({"labels", "show", "prod"}).exit_code, 1);

  CliResult sql = Quarry({"sql", "SELECT count(*) AS n FROM hosts", "--format", "csv"});
  ASSERT_EQ(sql.exit_code, 0) << sql.err;
  EXPECT_EQ(sql.out, "n\n2\n");
  CliResult refused = Quarry({"sql", "DELETE FROM hosts"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("HTTP 400"), std::string::npos) << refused.err;

  CliResult token = Quarry({"tokens", "create", "ci", "--role", "viewer"});
  ASSERT_EQ(token.exit_code, 0) << token.err;
  std::string secret = token.out.substr(0, token.out.find('\n'));
  ASSERT_GE(secret.size(), 16u);
  // The viewer token reads but may not start a run.
  CliResult viewer_runs = Quarry({"runs", "--token", secret});
  EXPECT_EQ(viewer_runs.exit_code, 0) << viewer_runs.err;
  CliResult viewer_query = Quarry({"query", "SELECT 1", "--token", secret});
  EXPECT_EQ(viewer_query.exit_code, 2);
  EXPECT_NE(viewer_query.err.find("HTTP 403"), std::string::npos) << viewer_query.err;
}

TEST_F(CliE2E, ConnectionErrorsExitTwo) {
  CliProcess none({"hosts", "--data-dir", dir_ + "/missing"});
  CliResult r = none.Finish();
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("server.json"), std::string::npos) << r.err;

  CliResult bad_token = Quarry({"hosts", "--token", "not-a-token"});
  EXPECT_EQ(bad_token.exit_code, 2);
  EXPECT_NE(bad_token.err.find("HTTP 401"), std::string::npos) << bad_token.err;

  CliResult usage = Quarry({"query", "SELECT 1", "--timeout", "5x"});
  EXPECT_EQ(usage.exit_code, 2);
  EXPECT_NE(usage.err.find("unknown unit"), std::string::npos) << usage.err;

  server_->Stop();
  CliResult down = Quarry({"hosts"});
  EXPECT_EQ(down.exit_code, 2);
  EXPECT_NE(down.err.find("is `quarry serve` running?"), std::string::npos) << down.err;
}

}  // namespace
}  // namespace quarry::e2e
