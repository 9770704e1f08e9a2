#include "sim/sim_command.h"

#include <fmt/format.h>
#include <signal.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "base/log.h"

namespace quarry::sim {
namespace {

namespace json = boost::json;
using std::chrono::milliseconds;

Result<std::string> ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Fail(ErrorCode::kNotFound, "cannot read " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string TrimSpace(std::string s) {
  auto space = [](unsigned char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && space(s.back())) s.pop_back();
  size_t start = 0;
  while (start < s.size() && space(s[start])) ++start;
  return s.substr(start);
}

std::string JoinPath(const std::string& dir, const std::string& name) {
  if (dir.empty() || dir.back() == '/') return dir + name;
  return dir + "/" + name;
}

struct HostPort {
  std::string host;
  uint16_t port = 0;
};

// "https://host:port[/…]", "host:port", "[v6]:port".
Result<HostPort> ParseServerUrl(std::string_view url) {
  if (url.substr(0, 8) == "https://") {
    url.remove_prefix(8);
  } else if (url.find("://") != std::string_view::npos) {
    return Fail(ErrorCode::kInvalidArgument, "--server must be https://host:port");
  }
  url = url.substr(0, url.find('/'));
  HostPort out;
  std::string_view port_text;
  if (!url.empty() && url.front() == '[') {
    size_t close = url.find(']');
    if (close == std::string_view::npos)
      return Fail(ErrorCode::kInvalidArgument, "bad IPv6 address in --server");
    out.host = std::string(url.substr(1, close - 1));
    if (close + 1 < url.size() && url[close + 1] == ':') port_text = url.substr(close + 2);
  } else {
    size_t colon = url.rfind(':');
    out.host = std::string(url.substr(0, colon));
    if (colon != std::string_view::npos) port_text = url.substr(colon + 1);
  }
  unsigned port = 443;
  if (!port_text.empty()) {
    auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || ptr != port_text.data() + port_text.size() || port == 0 ||
        port > 65535) {
      return Fail(ErrorCode::kInvalidArgument, "bad port in --server");
    }
  }
  if (out.host.empty()) return Fail(ErrorCode::kInvalidArgument, "no host in --server");
  out.port = static_cast<uint16_t>(port);
  return out;
}

Result<milliseconds> FlagDuration(const std::string& flag, const std::string& text) {
  auto d = ParseSimDuration(text);
  if (!d) return Fail(ErrorCode::kInvalidArgument, flag + ": " + d.error().message);
  return *d;
}

// Lets this process hold as many sockets as the hard limit allows: a fleet needs one or
// three per host.
void RaiseFileLimit(uint64_t wanted) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
  if (limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
  if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < wanted) {
    log::Warn("sim: the open-file limit is {} but the fleet wants ~{} connections", limit.rlim_cur,
              wanted);
  }
}

double ProcessCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

// One line of --stats-json: the counters, per endpoint figures and histogram, and the
// process's resources.
std::string StatsJsonLine(const SimStats& s, double cpu_seconds, bool final_line) {
  json::object endpoints;
  for (size_t i = 0; i < kAgentEndpointCount; ++i) {
    const EndpointStats& e = s.endpoints[i];
    json::array histogram;
    histogram.reserve(e.histogram.size());
    for (const auto& [upper_us, count] : e.histogram) {
      histogram.push_back(json::array{upper_us, count});
    }
    endpoints[AgentEndpointName(static_cast<AgentEndpoint>(i))] = json::object{
        {"requests", e.requests}, {"errors", e.errors}, {"p50_ms", e.p50_ms},
        {"p99_ms", e.p99_ms},     {"max_ms", e.max_ms}, {"histogram_us", std::move(histogram)}};
  }
  const auto unix_us = std::chrono::duration_cast<std::chrono::microseconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count();
  json::object o{{"elapsed_seconds", s.elapsed_seconds},
                 {"unix_us", unix_us},
                 {"final", final_line},
                 {"hosts", s.hosts},
                 {"started", s.started},
                 {"enrolled", s.enrolled},
                 {"enrollments", s.enrollments},
                 {"enroll_refusals", s.enroll_refusals},
                 {"enroll_give_ups", s.enroll_give_ups},
                 {"node_invalid", s.node_invalid},
                 {"configs_applied", s.configs_applied},
                 {"scheduled_runs", s.scheduled_runs},
                 {"scheduled_errors", s.scheduled_errors},
                 {"result_lines_sent", s.result_lines_sent},
                 {"status_lines_sent", s.status_lines_sent},
                 {"log_lines_dropped", s.log_lines_dropped},
                 {"removed_rows_lost", s.removed_rows_lost},
                 {"queries_received", s.queries_received},
                 {"queries_answered", s.queries_answered},
                 {"queries_failed", s.queries_failed},
                 {"requests", s.TotalRequests()},
                 {"rss_bytes", static_cast<uint64_t>(ProcessRssBytes())},
                 {"cpu_seconds", cpu_seconds},
                 {"endpoints", std::move(endpoints)}};
  return json::serialize(o);
}

}  // namespace

Result<milliseconds> ParseSimDuration(std::string_view text) {
  if (text.empty()) return Fail(ErrorCode::kInvalidArgument, "empty duration");
  int64_t total = 0;
  std::string_view rest = text;
  while (!rest.empty()) {
    int64_t value = 0;
    auto [ptr, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), value);
    if (ec != std::errc() || value < 0) {
      return Fail(ErrorCode::kInvalidArgument, "bad duration '" + std::string(text) + "'");
    }
    rest.remove_prefix(static_cast<size_t>(ptr - rest.data()));
    int64_t unit = 1000;
    if (rest.substr(0, 2) == "ms") {
      unit = 1;
      rest.remove_prefix(2);
    } else if (!rest.empty() &&
               std::string_view("smhd").find(rest.front()) != std::string_view::npos) {
      unit = rest.front() == 's'   ? 1000
             : rest.front() == 'm' ? 60'000
             : rest.front() == 'h' ? 3'600'000
                                   : 86'400'000;
      rest.remove_prefix(1);
    } else if (!rest.empty()) {
      return Fail(ErrorCode::kInvalidArgument, "bad duration unit in '" + std::string(text) + "'");
    }
    if (value > INT64_MAX / unit / 2 || total > INT64_MAX / 2) {
      return Fail(ErrorCode::kInvalidArgument, "duration too long: '" + std::string(text) + "'");
    }
    total += value * unit;
  }
  return milliseconds(total);
}

Result<LocalServer> ReadServerJson(const std::string& data_dir) {
  const std::string path = JoinPath(data_dir, "server.json");
  auto text = ReadText(path);
  if (!text) {
    return Fail(
        ErrorCode::kNotFound,
        "cannot read " + path +
            " (start `quarry serve` there, or pass --server, --ca and --enroll-secret-file)");
  }
  json::error_code ec;
  json::value v = json::parse(*text, ec);
  if (ec || !v.is_object()) return Fail(ErrorCode::kInvalidArgument, path + ": not a JSON object");
  auto get = [&](std::string_view key) -> std::string {
    const json::object& o = v.as_object();
    auto it = o.find(key);
    return it != o.end() && it->value().is_string() ? std::string(it->value().as_string()) : "";
  };
  LocalServer out{get("agent_url"), get("ca_file"), get("enroll_secret_file")};
  if (out.agent_url.empty()) return Fail(ErrorCode::kInvalidArgument, path + ": no agent_url");
  return out;
}

Result<SimOptions> SimOptionsFromFlags(const SimFlags& flags) {
  SimOptions o;
  std::string server = flags.server;
  std::string ca = flags.ca_file;
  std::string secret_file = flags.enroll_secret_file;
  if (server.empty() || ca.empty() || secret_file.empty()) {
    auto local = ReadServerJson(flags.data_dir);
    if (!local) return Fail(local.error());
    if (server.empty()) server = local->agent_url;
    if (ca.empty()) ca = local->ca_file;
    if (secret_file.empty()) secret_file = local->enroll_secret_file;
  }
  if (ca.empty()) return Fail(ErrorCode::kInvalidArgument, "--ca is required");
  if (secret_file.empty())
    return Fail(ErrorCode::kInvalidArgument, "--enroll-secret-file is required");
  auto target = ParseServerUrl(server);
  if (!target) return Fail(target.error());
  auto secret = ReadText(secret_file);
  if (!secret) return Fail(secret.error());
  o.server_host = target->host;
  o.server_port = target->port;
  o.ca_file = ca;
  o.enroll_secret = TrimSpace(std::move(*secret));  // like --enroll_secret_path

  if (flags.hosts == 0) return Fail(ErrorCode::kInvalidArgument, "--hosts must be at least 1");
  o.hosts = flags.hosts;
  o.first_index = flags.first_index;
  o.seed = flags.seed;
  auto mix = ParsePlatformMix(flags.platforms);
  if (!mix) return Fail(ErrorCode::kInvalidArgument, "--platforms: " + mix.error().message);
  o.platforms = flags.platforms;

  auto seconds_of = [](milliseconds d) {
    return std::chrono::duration_cast<std::chrono::seconds>(d);
  };
  auto interval = FlagDuration("--distributed-interval", flags.distributed_interval);
  if (!interval) return Fail(interval.error());
  auto logger = FlagDuration("--logger-period", flags.logger_period);
  if (!logger) return Fail(logger.error());
  auto refresh = FlagDuration("--config-refresh", flags.config_refresh);
  if (!refresh) return Fail(refresh.error());
  auto ramp = FlagDuration("--ramp-up", flags.ramp_up);
  if (!ramp) return Fail(ramp.error());
  for (auto [flag, d] :
       {std::pair{"--distributed-interval", *interval}, std::pair{"--logger-period", *logger},
        std::pair{"--config-refresh", *refresh}}) {
    if (d.count() % 1000 != 0) {
      return Fail(ErrorCode::kInvalidArgument,
                  std::string(flag) + " must be whole seconds (osqueryd's unit)");
    }
  }
  o.distributed_interval = seconds_of(*interval);
  o.logger_period = seconds_of(*logger);
  o.config_refresh = seconds_of(*refresh);
  o.ramp_up = *ramp;

  if (flags.connections == "per-host") {
    o.connections = ConnectionMode::kPerHost;
  } else if (flags.connections == "per-role") {
    o.connections = ConnectionMode::kPerRole;
  } else {
    return Fail(ErrorCode::kInvalidArgument, "--connections must be per-host or per-role");
  }
  o.threads = flags.threads;
  o.scheduled_queries = !flags.no_schedule;
  return o;
}

size_t ProcessRssBytes() {
  std::ifstream in("/proc/self/statm");
  size_t pages_total = 0, pages_resident = 0;
  if (!(in >> pages_total >> pages_resident)) return 0;
  return pages_resident * static_cast<size_t>(sysconf(_SC_PAGESIZE));
}

int RunSim(const SimFlags& flags) {
  auto options = SimOptionsFromFlags(flags);
  if (!options) {
    std::fprintf(stderr, "quarry sim: %s\n", options.error().message.c_str());
    return 2;
  }
  auto duration = FlagDuration("--duration", flags.duration);
  auto stats_every = FlagDuration("--stats-every", flags.stats_every);
  if (!duration || !stats_every) {
    std::fprintf(stderr, "quarry sim: %s\n",
                 (!duration ? duration.error() : stats_every.error()).message.c_str());
    return 2;
  }
  std::FILE* stats_json = nullptr;
  if (!flags.stats_json.empty()) {
    stats_json = std::fopen(flags.stats_json.c_str(), "w");
    if (stats_json == nullptr) {
      std::fprintf(stderr, "quarry sim: --stats-json: cannot write %s\n", flags.stats_json.c_str());
      return 2;
    }
  }
  auto write_stats_json = [&](const SimStats& s, double cpu_seconds, bool final_line) {
    if (stats_json == nullptr) return;
    std::fprintf(stats_json, "%s\n", StatsJsonLine(s, cpu_seconds, final_line).c_str());
    std::fflush(stats_json);
  };
  RaiseFileLimit(
      uint64_t{options->hosts} * (options->connections == ConnectionMode::kPerRole ? 3 : 1) + 64);

  // The fleet's threads inherit this mask, so the signals come to sigtimedwait below.
  sigset_t wait_for, previous;
  sigemptyset(&wait_for);
  sigaddset(&wait_for, SIGINT);
  sigaddset(&wait_for, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &wait_for, &previous);

  const double cpu_before = ProcessCpuSeconds();
  auto fleet = SimFleet::Create(*options);
  if (!fleet) {
    pthread_sigmask(SIG_SETMASK, &previous, nullptr);
    if (stats_json != nullptr) std::fclose(stats_json);
    std::fprintf(stderr, "quarry sim: %s\n", fleet.error().message.c_str());
    return 2;
  }
  std::fprintf(stderr, "quarry sim: %u hosts -> https://%s:%u (Ctrl-C to stop)\n", options->hosts,
               options->server_host.c_str(), options->server_port);
  (*fleet)->Start();

  const auto started = std::chrono::steady_clock::now();
  const bool bounded = duration->count() > 0;
  const auto end = started + *duration;
  auto next_stats = started + *stats_every;
  SimStats last = (*fleet)->Stats();
  const bool periodic = (flags.verbose || stats_json != nullptr) && stats_every->count() > 0;
  int caught = 0;
  for (;;) {
    auto now = std::chrono::steady_clock::now();
    if (bounded && now >= end) break;
    auto wake = bounded ? end : now + std::chrono::hours(1);
    if (periodic) wake = std::min(wake, next_stats);
    auto wait = std::chrono::duration_cast<std::chrono::nanoseconds>(wake - now);
    timespec ts{static_cast<time_t>(wait.count() / 1'000'000'000),
                static_cast<long>(wait.count() % 1'000'000'000)};
    int got = sigtimedwait(&wait_for, nullptr, &ts);
    if (got == SIGINT || got == SIGTERM) {
      caught = got;
      break;
    }
    if (periodic && std::chrono::steady_clock::now() >= next_stats) {
      SimStats current = (*fleet)->Stats();
      if (flags.verbose) std::fprintf(stderr, "%s\n", FormatSimStats(current, &last).c_str());
      write_stats_json(current, ProcessCpuSeconds() - cpu_before, false);
      last = std::move(current);
      next_stats += *stats_every;
    }
  }
  const size_t rss = ProcessRssBytes();
  if (stats_json != nullptr) {
    write_stats_json((*fleet)->Stats(), ProcessCpuSeconds() - cpu_before, true);
    std::fclose(stats_json);
  }
  (*fleet)->Stop();
  const double cpu = ProcessCpuSeconds() - cpu_before;
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);

  SimStats stats = (*fleet)->Stats();
  std::printf("%s\n", FormatSimStats(stats).c_str());
  const uint64_t requests = stats.TotalRequests();
  std::printf(
      "  process: rss %.1f MiB (%.1f KiB/host), cpu %.1f s (%.0f requests per cpu-second)%s\n",
      static_cast<double>(rss) / (1024.0 * 1024.0),
      static_cast<double>(rss) / 1024.0 / options->hosts, cpu,
      cpu > 0 ? static_cast<double>(requests) / cpu : 0.0,
      caught != 0 ? (caught == SIGINT ? "  [interrupted]" : "  [terminated]") : "");
  std::fflush(stdout);
  return 0;
}

}  // namespace quarry::sim
