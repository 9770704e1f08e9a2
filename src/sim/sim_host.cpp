#include "sim/sim_host.h"

#include <fmt/format.h>
#include <sys/resource.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cstdio>
#include <utility>

#include "base/log.h"
#include "net/gzip.h"
#include "sim/host_db.h"

namespace quarry::sim {
namespace {

namespace json = boost::json;
using std::chrono::milliseconds;
using std::chrono::seconds;

// While an `accelerate` window is open the distributed loop sleeps this long instead of
// distributed_interval (dist_runner's fixed 5 s).
constexpr milliseconds kAccelerateInterval{5000};
// osqueryd's --schedule_splay_percent: each host runs a query every interval ± 10%.
constexpr uint32_t kSplayPercent = 10;
// zlib level of logger bodies. osqueryd uses 9 (best); 6 gives nearly the same size for
// repetitive JSON at a fraction of the CPU, which is what a load generator runs short of.
constexpr int kLogGzipLevel = 6;
// One scheduled run in this many also logs a WARNING status line.
constexpr uint64_t kWarningOneIn = 64;
// Distributed results kept for resending while writes fail (osqueryd keeps them all): past
// this many rows bytes the oldest go first (the newest result always stays), so a host whose
// server refuses writes stays small.
constexpr size_t kMaxPendingResultBytes = 1024 * 1024;
// An accelerate window longer than this (a year) is taken as this long.
constexpr int64_t kMaxAccelerateSeconds = 365LL * 86400;
// First osquery release that sends Authorization: NodeKey (reference §1.2).
constexpr int kAuthHeaderMajor = 5;
constexpr int kAuthHeaderMinor = 23;

int64_t NowMs() {
  return std::chrono::duration_cast<milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}
int64_t NowUnix() { return NowMs() / 1000; }

// The loop thread's engine (QueryEngine is not thread-safe; each loop has one thread).
QueryEngine* ThreadEngine() {
  thread_local std::unique_ptr<QueryEngine> engine;
  thread_local bool failed = false;
  if (!engine && !failed) {
    auto created = QueryEngine::Create();
    if (created) {
      engine = std::move(*created);
    } else {
      failed = true;
      log::Error("sim: cannot create a query engine: {}", created.error().message);
    }
  }
  return engine.get();
}

SqlAnswer Execute(const HostProfile& profile, std::string_view sql, int64_t now) {
  if (QueryEngine* engine = ThreadEngine()) return engine->Execute(profile, sql, now);
  SqlAnswer answer;
  answer.status = 1;
  answer.message = "query engine unavailable";
  return answer;
}

bool SendsAuthHeader(std::string_view version) {
  int major = 0, minor = 0;
  if (std::sscanf(std::string(version).c_str(), "%d.%d", &major, &minor) != 2) return false;
  return major > kAuthHeaderMajor || (major == kAuthHeaderMajor && minor >= kAuthHeaderMinor);
}

int64_t TimevalMs(const timeval& tv) { return tv.tv_sec * 1000 + tv.tv_usec / 1000; }

}  // namespace

// ---------------------------------------------------------------------------

std::shared_ptr<const ParsedAgentConfig> ConfigCache::Get(uint64_t hash,
                                                          const json::value& document) {
  std::lock_guard lock(mu_);
  std::weak_ptr<const ParsedAgentConfig>& slot = entries_[hash];
  if (auto cached = slot.lock()) return cached;
  auto parsed = ParseAgentConfig(document);
  if (!parsed) return nullptr;
  auto shared = std::make_shared<const ParsedAgentConfig>(std::move(*parsed));
  slot = shared;
  if (entries_.size() > 64) {
    std::erase_if(entries_, [](const auto& entry) { return entry.second.expired(); });
  }
  return shared;
}

bool LineBuffer::Add(std::string_view line, size_t max_lines, size_t max_bytes) {
  if (count_ >= max_lines || data_.size() + line.size() + 1 > max_bytes) return false;
  data_.append(line);
  data_ += '\n';
  ++count_;
  return true;
}

size_t LineBuffer::AppendJoined(size_t n, std::string& out) const {
  size_t pos = 0;
  for (size_t i = 0; i < n && i < count_; ++i) {
    size_t end = data_.find('\n', pos);
    if (i > 0) out += ',';
    out.append(data_, pos, end - pos);
    pos = end + 1;
  }
  return pos;
}

void LineBuffer::Drop(size_t n, size_t bytes) {
  n = std::min<size_t>(n, count_);
  data_.erase(0, bytes);
  count_ -= static_cast<uint32_t>(n);
  if (count_ == 0) std::string().swap(data_);  // an idle host holds no buffer
}

// ---------------------------------------------------------------------------

SimHost::SimHost(std::shared_ptr<FleetContext> context, net::ClientLoop& loop, HostProfile profile)
    : ctx_(std::move(context)),
      loop_(loop),
      profile_(std::move(profile)),
      rng_(Hash64(profile_.seed, HashName("sim_host"))) {
  auth_header_ = SendsAuthHeader(profile_.osquery_version);
  logger_max_lines_ = static_cast<uint32_t>(ctx_->options.logger_max_lines);
  buffered_log_max_ = static_cast<uint32_t>(ctx_->options.buffered_log_max);
}

SimHost::~SimHost() = default;

void SimHost::Start() {
  ctx_->counters.started.fetch_add(1, std::memory_order_relaxed);
  BufferStatus(Severity::kInfo, "init.cpp", 522,
               fmt::format("osquery initialized [version={}]", profile_.osquery_version));
  FetchConfig();
}

// --- plumbing ---------------------------------------------------------------

net::AsyncHttpsClient& SimHost::Client(Role role) {
  const size_t slot = ctx_->options.connections == ConnectionMode::kPerRole ? role : 0;
  if (!clients_[slot]) {
    clients_[slot] = net::AsyncHttpsClient::Create(loop_, ctx_->client_options, ctx_->tls);
  }
  return *clients_[slot];
}

void SimHost::Send(Role role, AgentEndpoint endpoint, const std::string& path, std::string body,
                   bool with_key, std::function<void(AgentReply&&)> done) {
  net::HeaderList headers;
  headers.reserve(5);
  headers.emplace_back("Content-Type", "application/json");
  headers.emplace_back("Accept", "application/json");
  headers.emplace_back("User-Agent", "osquery/" + profile_.osquery_version);
  if (with_key && auth_header_ && !node_key_.empty()) {
    headers.emplace_back("Authorization", "NodeKey " + node_key_);
  }
  if (endpoint == AgentEndpoint::kLog && ctx_->options.logger_compress) {
    body = net::Gzip(body, kLogGzipLevel);
    headers.emplace_back("Content-Encoding", "gzip");
  }
  const auto started = std::chrono::steady_clock::now();
  Client(role).Request(
      "POST", path, std::move(body), std::move(headers),
      [ctx = ctx_, this, endpoint, started, key_used = with_key ? node_key_ : std::string(),
       done = std::move(done)](Result<net::ClientResponse> response) {
        if (ctx->stopping.load(std::memory_order_acquire)) return;
        AgentReply reply;
        if (!response) {
          reply.error = response.error().message;
        } else {
          reply = ReadAgentReply(response->body, endpoint == AgentEndpoint::kEnroll);
          reply.raw = std::move(response->body);
        }
        const bool failed = !reply.ok || (endpoint == AgentEndpoint::kEnroll &&
                                          EnrolledNodeKey(reply.body).empty());
        ctx->counters.RecordRequest(endpoint,
                                    std::chrono::duration_cast<std::chrono::microseconds>(
                                        std::chrono::steady_clock::now() - started),
                                    failed);
        if (reply.node_invalid) DropKey(key_used);
        done(std::move(reply));
      });
}

uint64_t SimHost::After(milliseconds delay, void (SimHost::*fn)()) {
  return loop_.After(std::max(delay, milliseconds(0)), [ctx = ctx_, this, fn] {
    if (ctx->stopping.load(std::memory_order_acquire)) return;
    (this->*fn)();
  });
}

void SimHost::CancelTimer(uint64_t& timer) {
  if (timer != 0) loop_.Cancel(timer);
  timer = 0;
}

milliseconds SimHost::Backoff(int attempt) const {
  return ctx_->options.backoff_unit * (static_cast<int64_t>(attempt) * attempt);
}

std::string SimHost::NodeKeyBody() const {
  std::string body = "{\"node_key\":";
  AppendJsonString(body, node_key_);
  body += '}';
  return body;
}

// --- enrollment -------------------------------------------------------------

void SimHost::WithKey(Role role, std::function<void()> then) {
  if (!node_key_.empty()) {
    then();
    return;
  }
  key_waiters_.push_back(std::move(then));
  if (enrolling_) return;
  enrolling_ = true;
  enroll_role_ = role;
  enroll_attempt_ = 0;
  Enroll();
}

void SimHost::Enroll() {
  enroll_timer_ = 0;
  ++enroll_attempt_;
  Send(enroll_role_, AgentEndpoint::kEnroll, ctx_->options.paths.enroll,
       EnrollBody(profile_, ctx_->options.enroll_secret), false,
       [this](AgentReply&& reply) { OnEnroll(std::move(reply)); });
}

void SimHost::OnEnroll(AgentReply&& reply) {
  std::string key = reply.ok ? EnrolledNodeKey(reply.body) : std::string();
  SimCounters& counters = ctx_->counters;
  if (!key.empty()) {
    node_key_ = std::move(key);
    enrolling_ = false;
    enroll_attempt_ = 0;
    counters.enrollments.fetch_add(1, std::memory_order_relaxed);
    counters.enrolled.fetch_add(1, std::memory_order_relaxed);
    std::vector<std::function<void()>> waiters;
    waiters.swap(key_waiters_);
    for (auto& resume : waiters) resume();
    return;
  }
  counters.enroll_refusals.fetch_add(1, std::memory_order_relaxed);
  BufferStatus(Severity::kWarning, "tls_enroll.cpp", 89,
               fmt::format("Failed enrollment request to https://{}:{}{} ({}) retrying...",
                           ctx_->client_options.verify_name, ctx_->options.server_port,
                           ctx_->options.paths.enroll,
                           reply.ok ? "No node key returned from TLS enroll plugin" : reply.error));
  const SimOptions& o = ctx_->options;
  if (o.enroll_max_attempts > 0 && enroll_attempt_ >= o.enroll_max_attempts) {
    // osqueryd gives up (the logger's setUp fails and it exits); its service manager starts
    // it again, and the new process enrolls from attempt 1.
    counters.enroll_give_ups.fetch_add(1, std::memory_order_relaxed);
    enroll_attempt_ = 0;
    enroll_timer_ = After(o.enroll_restart_delay, &SimHost::Enroll);
    return;
  }
  const int64_t k = enroll_attempt_;
  const int64_t wait_units = std::min<int64_t>(k * k, o.enroll_max_interval.count());
  enroll_timer_ = After(o.backoff_unit * wait_units, &SimHost::Enroll);
}

void SimHost::DropKey(const std::string& key_used) {
  ctx_->counters.node_invalid.fetch_add(1, std::memory_order_relaxed);
  // Another role may already have enrolled again after the same revocation.
  if (key_used.empty() || key_used != node_key_) return;
  node_key_.clear();
  ctx_->counters.enrolled.fetch_sub(1, std::memory_order_relaxed);
}

// --- config -----------------------------------------------------------------

void SimHost::FetchConfig() {
  config_timer_ = 0;
  WithKey(kConfigRole, [this] {
    Send(kConfigRole, AgentEndpoint::kConfig, ctx_->options.paths.config, NodeKeyBody(), true,
         [this](AgentReply&& reply) { OnConfig(std::move(reply)); });
  });
}

void SimHost::OnConfig(AgentReply&& reply) {
  const SimOptions& o = ctx_->options;
  milliseconds next = o.config_refresh;
  if (reply.ok) {
    config_attempt_ = 0;
    ApplyConfig(reply);
  } else if (++config_attempt_ < o.config_max_attempts) {
    // The retry right after node_invalid enrolls first (WithKey).
    config_timer_ = After(Backoff(config_attempt_), &SimHost::FetchConfig);
    return;
  } else {
    config_attempt_ = 0;
    next = o.config_accelerated_refresh;
    BufferStatus(Severity::kWarning, "config.cpp", 1013,
                 "Error reading config: " + (reply.error.empty() ? "unknown" : reply.error));
  }
  // osqueryd runs on (with its previous config, or none) whether or not the load worked.
  if (!services_started_) StartServices();
  // The refresher exists only with a refresh period.
  if (o.config_refresh.count() > 0) config_timer_ = After(next, &SimHost::FetchConfig);
}

void SimHost::ApplyConfig(const AgentReply& reply) {
  const uint64_t hash = Mix64(HashName(reply.raw));
  if (config_ && hash == config_hash_) return;  // unchanged: nothing is re-applied
  auto parsed = ctx_->configs.Get(hash, reply.body);
  if (!parsed) return;
  config_hash_ = hash;
  const AgentConfigOptions& options = parsed->options;
  auto positive = [](const std::optional<int64_t>& v, int64_t cap) -> std::optional<int32_t> {
    if (!v || *v <= 0) return std::nullopt;
    return static_cast<int32_t>(std::min(*v, cap));
  };
  if (auto v = positive(options.distributed_interval, 86400)) distributed_interval_s_ = *v;
  if (auto v = positive(options.logger_tls_period, 86400)) logger_period_s_ = *v;
  if (auto v = positive(options.logger_tls_max_lines, 1 << 20)) logger_max_lines_ = *v;
  if (auto v = positive(options.buffered_log_max, INT32_MAX)) {
    buffered_log_max_ = static_cast<uint32_t>(
        std::min<int64_t>(*v, static_cast<int64_t>(ctx_->options.buffered_log_max)));
  }
  ctx_->counters.configs_applied.fetch_add(1, std::memory_order_relaxed);
  ApplySchedule(std::move(parsed));
}

void SimHost::StartServices() {
  services_started_ = true;
  OnLoggerTimer();
  ReadDistributed();
  ArmScheduler();
}

// --- schedule ---------------------------------------------------------------

void SimHost::ApplySchedule(std::shared_ptr<const ParsedAgentConfig> config) {
  std::vector<QueryState> next;
  const SimOptions& o = ctx_->options;
  const int64_t now_ms = NowMs();
  if (o.scheduled_queries) {
    for (uint32_t i = 0; i < config->queries.size(); ++i) {
      const ScheduledQuerySpec& spec = config->queries[i];
      if (!PlatformMatches(spec.platforms, profile_.family)) continue;
      QueryState state;
      // A query keeps its differential state under the same name, even with new SQL
      // (osqueryd's epoch does not change).
      auto old = config_ ? std::find_if(queries_.begin(), queries_.end(),
                                        [&](const QueryState& q) {
                                          return config_->queries[q.spec].name == spec.name;
                                        })
                         : queries_.end();
      const bool same_interval =
          old != queries_.end() && config_->queries[old->spec].interval == spec.interval;
      if (old != queries_.end()) state = std::move(*old);
      state.spec = i;
      if (!same_interval) {
        const uint32_t delta = spec.interval * kSplayPercent / 100;
        state.interval =
            delta == 0 ? spec.interval
                       : spec.interval - delta + static_cast<uint32_t>(rng_.Below(2 * delta + 1));
        state.interval = std::max<uint32_t>(state.interval, 1);
        const int64_t interval_ms = int64_t{state.interval} * 1000;
        const int64_t window_ms = o.schedule_first_run_window.count() * 1000;
        if (window_ms <= 0) {
          state.next_run_ms = (now_ms / interval_ms + 1) * interval_ms;
        } else {
          state.next_run_ms =
              now_ms + static_cast<int64_t>(
                           rng_.Below(static_cast<uint64_t>(std::min(interval_ms, window_ms))));
        }
      }
      next.push_back(std::move(state));
    }
  }
  queries_ = std::move(next);
  config_ = std::move(config);
  if (services_started_) ArmScheduler();
}

void SimHost::ArmScheduler() {
  CancelTimer(scheduler_timer_);
  if (queries_.empty()) return;
  int64_t first = queries_.front().next_run_ms;
  for (const auto& q : queries_) first = std::min(first, q.next_run_ms);
  scheduler_timer_ = After(milliseconds(first - NowMs()), &SimHost::OnSchedulerTimer);
}

void SimHost::OnSchedulerTimer() {
  scheduler_timer_ = 0;
  const int64_t now_ms = NowMs();
  const int64_t now = now_ms / 1000;
  for (QueryState& q : queries_) {
    if (q.next_run_ms > now_ms) continue;
    RunScheduled(q, config_->queries[q.spec], now);
    const int64_t interval_ms = int64_t{q.interval} * 1000;
    q.next_run_ms += interval_ms;
    if (q.next_run_ms <= now_ms) q.next_run_ms = now_ms + interval_ms;  // fell behind
  }
  ArmScheduler();
}

void SimHost::RunScheduled(QueryState& state, const ScheduledQuerySpec& spec, int64_t now) {
  SimCounters& counters = ctx_->counters;
  counters.scheduled_runs.fetch_add(1, std::memory_order_relaxed);
  if (rng_.Below(kWarningOneIn) == 0) {
    BufferStatus(Severity::kWarning, "scheduler.cpp", 104,
                 "Scheduled query may have failed: " + spec.name);
  }
  SqlAnswer answer = Execute(profile_, spec.sql, now);
  auto rows =
      answer.status == 0
          ? CanonicalRows(answer.rows_json)
          : Result<std::vector<CanonicalRow>>(Fail(ErrorCode::kInvalidArgument, answer.message));
  if (!rows) {
    // A failed scheduled query logs an ERROR status line and no result line (§4.4).
    counters.scheduled_errors.fetch_add(1, std::memory_order_relaxed);
    BufferStatus(
        Severity::kError, "scheduler.cpp", 115,
        fmt::format("Error executing scheduled query {}: {}", spec.name, rows.error().message));
    return;
  }
  ResultLineHeader header{spec.name, profile_.host_identifier, now, 0};
  if (spec.snapshot) {
    BufferResult(SnapshotLine(header, *rows));
    return;
  }
  RowDiff diff = DiffRows(state.hashes, *rows);
  if (state.ran) {
    if (diff.added.empty() && diff.removed.empty()) {
      state.last_run = now;
      return;  // nothing changed, nothing logged
    }
    ++state.counter;
  }
  header.counter = state.counter;
  // "removed" lines come before "added" ones.
  if (state.ran && spec.removed && !diff.removed.empty()) {
    BufferRemovedRows(spec, state, diff.removed, header);
  }
  for (size_t index : diff.added) BufferResult(EventLine(header, (*rows)[index], "added"));
  state.ran = true;
  state.last_run = now;
  state.hashes = std::move(diff.hashes);
}

size_t SimHost::BufferRemovedRows(const ScheduledQuerySpec& spec, const QueryState& state,
                                  const std::vector<uint64_t>& removed,
                                  const ResultLineHeader& header) {
  // Only hashes are kept, but a host's tables are a pure function of (profile, time): the
  // rows of the previous run come back by running the query at the previous run's time.
  // (If the SQL changed since, some may not: those are counted as lost.)
  SqlAnswer previous = Execute(profile_, spec.sql, state.last_run);
  std::vector<CanonicalRow> rows;
  if (previous.status == 0) {
    if (auto parsed = CanonicalRows(previous.rows_json)) rows = std::move(*parsed);
  }
  std::vector<uint64_t> wanted = removed;  // sorted multiset; found entries are consumed
  size_t found = 0;
  for (const CanonicalRow& row : rows) {
    auto it = std::lower_bound(wanted.begin(), wanted.end(), RowHash(row));
    if (it == wanted.end() || *it != RowHash(row)) continue;
    wanted.erase(it);
    BufferResult(EventLine(header, row, "removed"));
    ++found;
  }
  if (!wanted.empty()) {
    ctx_->counters.removed_rows_lost.fetch_add(wanted.size(), std::memory_order_relaxed);
  }
  return found;
}

// --- logger -----------------------------------------------------------------

void SimHost::BufferResult(std::string line) {
  if (!results_.Add(line, buffered_log_max_, ctx_->options.buffered_log_max_bytes)) {
    ctx_->counters.log_lines_dropped.fetch_add(1, std::memory_order_relaxed);
  }
}

void SimHost::BufferStatus(Severity severity, std::string_view filename, int line,
                           std::string_view message) {
  if (!statuses_.Add(StatusLine(profile_.host_identifier, NowUnix(), severity, filename, line,
                                message, profile_.osquery_version),
                     buffered_log_max_, ctx_->options.buffered_log_max_bytes)) {
    ctx_->counters.log_lines_dropped.fetch_add(1, std::memory_order_relaxed);
  }
}

milliseconds SimHost::LoggerPeriod() const {
  const seconds forced = ctx_->options.logger_period;
  return forced.count() > 0 ? milliseconds(forced) : milliseconds(seconds(logger_period_s_));
}

milliseconds SimHost::DistributedInterval() const {
  const seconds forced = ctx_->options.distributed_interval;
  return forced.count() > 0 ? milliseconds(forced) : milliseconds(seconds(distributed_interval_s_));
}

void SimHost::ArmLogger() { logger_timer_ = After(LoggerPeriod(), &SimHost::OnLoggerTimer); }

void SimHost::OnLoggerTimer() {
  logger_timer_ = 0;
  bool results = results_.count() > 0;
  bool statuses = statuses_.count() > 0;
  // A type in backoff sits out this period (buffered check/backoffTick).
  if (result_backoff_ > 0) {
    --result_backoff_;
    results = false;
  }
  if (status_backoff_ > 0) {
    --status_backoff_;
    statuses = false;
  }
  if (!results && !statuses) {
    ArmLogger();
    return;
  }
  WithKey(kLoggerRole, [this, results, statuses] { FlushLogs(results, statuses); });
}

void SimHost::FlushLogs(bool results, bool statuses) {
  // At most logger_tls_max_lines per check, results first (their buffer keys sort first).
  const size_t max_lines = logger_max_lines_;
  const size_t result_lines = results ? std::min<size_t>(results_.count(), max_lines) : 0;
  status_lines_to_send_ =
      statuses ? std::min<size_t>(statuses_.count(), max_lines - result_lines) : 0;
  if (result_lines > 0) {
    SendLogs(true, result_lines);
  } else if (status_lines_to_send_ > 0) {
    SendLogs(false, status_lines_to_send_);
  } else {
    ArmLogger();
  }
}

void SimHost::SendLogs(bool results, size_t lines) {
  const LineBuffer& buffer = results ? results_ : statuses_;
  lines = std::min(lines, buffer.count());
  const std::string_view type = results ? "result" : "status";
  std::string body;
  size_t bytes = 0;
  if (ctx_->options.logger_compress) {
    // Compressed bodies are built in this key order (tls_logger send).
    body = "{\"node_key\":";
    AppendJsonString(body, node_key_);
    body += ",\"log_type\":\"";
    body += type;
    body += "\",\"data\":[";
    bytes = buffer.AppendJoined(lines, body);
    body += "]}";
  } else {
    body = "{\"data\":[";
    bytes = buffer.AppendJoined(lines, body);
    body += "],\"log_type\":\"";
    body += type;
    body += "\",\"node_key\":";
    AppendJsonString(body, node_key_);
    body += '}';
  }
  Send(kLoggerRole, AgentEndpoint::kLog, ctx_->options.paths.log, std::move(body), true,
       [this, results, lines, bytes](AgentReply&& reply) {
         LineBuffer& sent = results ? results_ : statuses_;
         uint16_t& failures = results ? result_failures_ : status_failures_;
         uint32_t& backoff = results ? result_backoff_ : status_backoff_;
         if (reply.ok) {
           sent.Drop(lines, bytes);
           failures = 0;
           (results ? ctx_->counters.result_lines_sent : ctx_->counters.status_lines_sent)
               .fetch_add(lines, std::memory_order_relaxed);
         } else {
           // Lines stay buffered; the type pauses period × n² (≤ logger_tls_backoff_max).
           failures = static_cast<uint16_t>(std::min<int>(failures + 1, 1000));
           const int64_t period_s = std::max<int64_t>(1, LoggerPeriod().count() / 1000);
           const int64_t max_s = ctx_->options.logger_backoff_max.count();
           backoff = max_s <= period_s ? 0
                                       : static_cast<uint32_t>(std::min<int64_t>(
                                             int64_t{failures} * failures, max_s / period_s));
         }
         if (results && status_lines_to_send_ > 0) {
           // The status request of the same check; after node_invalid it enrolls first.
           WithKey(kLoggerRole, [this] { SendLogs(false, status_lines_to_send_); });
           return;
         }
         status_lines_to_send_ = 0;
         ArmLogger();
       });
}

// --- distributed ------------------------------------------------------------

void SimHost::ReadDistributed() {
  distributed_timer_ = 0;
  WithKey(kDistributedRole, [this] {
    Send(kDistributedRole, AgentEndpoint::kDistributedRead, ctx_->options.paths.distributed_read,
         NodeKeyBody(), true, [this](AgentReply&& reply) { OnDistributedRead(std::move(reply)); });
  });
}

void SimHost::OnDistributedRead(AgentReply&& reply) {
  if (reply.ok) {
    distributed_attempt_ = 0;
    RunDistributed(reply.body.as_object());
  } else if (++distributed_attempt_ < ctx_->options.distributed_max_attempts) {
    distributed_timer_ = After(Backoff(distributed_attempt_), &SimHost::ReadDistributed);
    return;
  } else {
    distributed_attempt_ = 0;  // no new work this cycle; unsent results still go out
  }
  if (!pending_results_.empty()) {
    WriteDistributed();
  } else {
    SleepDistributed();
  }
}

void SimHost::RunDistributed(const json::object& work) {
  const int64_t now_ms = NowMs();
  const int64_t now = now_ms / 1000;
  if (auto it = work.find("accelerate"); it != work.end()) {
    // Only a JSON integer counts ("60" as a string is ignored).
    const json::value& v = it->value();
    if (v.is_int64() && v.as_int64() > 0) {
      accelerate_until_ms_ = now_ms + std::min<int64_t>(v.as_int64(), kMaxAccelerateSeconds) * 1000;
    }
  }
  std::vector<std::string_view> undiscovered;
  if (auto it = work.find("discovery"); it != work.end() && it->value().is_object()) {
    for (const auto& entry : it->value().as_object()) {
      const json::string* sql = entry.value().if_string();
      if (entry.key().empty() || sql == nullptr || sql->empty()) return;
      SqlAnswer answer = Execute(profile_, *sql, now);
      if (answer.status != 0) return;  // a failed discovery query drops the whole response
      if (answer.row_count == 0) undiscovered.push_back(entry.key());
    }
  }
  auto it = work.find("queries");
  if (it == work.end() || !it->value().is_object()) return;
  std::vector<std::pair<std::string_view, std::string_view>> queued;
  for (const auto& entry : it->value().as_object()) {
    const json::string* sql = entry.value().if_string();
    // The first malformed entry stops processing; those before it stay queued.
    if (entry.key().empty() || sql == nullptr || sql->empty()) break;
    if (std::find(undiscovered.begin(), undiscovered.end(), entry.key()) != undiscovered.end()) {
      continue;  // its discovery query returned no rows: never run, never reported
    }
    queued.emplace_back(entry.key(), std::string_view(*sql));
  }
  ctx_->counters.queries_received.fetch_add(queued.size(), std::memory_order_relaxed);
  // They run in lexicographic id order (RocksDB key order), not arrival order.
  std::sort(queued.begin(), queued.end());
  for (const auto& [id, sql] : queued) {
    DistributedResult result = RunQuery(std::string(id), sql, now);
    auto same = std::find_if(pending_results_.begin(), pending_results_.end(),
                             [&](const DistributedResult& r) { return r.id == result.id; });
    if (same != pending_results_.end()) {
      *same = std::move(result);
    } else {
      pending_results_.push_back(std::move(result));
    }
  }
  size_t bytes = 0;
  for (const auto& r : pending_results_) bytes += r.rows_json.size();
  size_t drop = 0;
  while (bytes > kMaxPendingResultBytes && drop + 1 < pending_results_.size()) {
    bytes -= pending_results_[drop++].rows_json.size();
  }
  pending_results_.erase(pending_results_.begin(),
                         pending_results_.begin() + static_cast<ptrdiff_t>(drop));
}

SimHost::DistributedResult SimHost::RunQuery(std::string id, std::string_view sql, int64_t now) {
  rusage before{}, after{};
  getrusage(RUSAGE_THREAD, &before);
  const auto started = std::chrono::steady_clock::now();
  SqlAnswer answer = Execute(profile_, sql, now);
  const auto wall = std::chrono::steady_clock::now() - started;
  getrusage(RUSAGE_THREAD, &after);
  DistributedResult result;
  result.id = std::move(id);
  result.status = answer.status;
  result.message = std::move(answer.message);
  result.rows_json = std::move(answer.rows_json);
  result.wall_time_ms = std::chrono::duration_cast<milliseconds>(wall).count();
  result.user_time_ms = TimevalMs(after.ru_utime) - TimevalMs(before.ru_utime);
  result.system_time_ms = TimevalMs(after.ru_stime) - TimevalMs(before.ru_stime);
  return result;
}

void SimHost::WriteDistributed() {
  distributed_timer_ = 0;
  WithKey(kDistributedRole, [this] {
    // One write holds every result not yet delivered, key order as osqueryd's.
    size_t bytes = 128;
    for (const auto& r : pending_results_)
      bytes += r.id.size() * 4 + r.rows_json.size() + r.message.size() + 120;
    std::string body;
    body.reserve(bytes);
    auto map = [&](std::string_view name, auto&& value) {
      body += '"';
      body += name;
      body += "\":{";
      for (size_t i = 0; i < pending_results_.size(); ++i) {
        if (i > 0) body += ',';
        AppendJsonString(body, pending_results_[i].id);
        body += ':';
        value(pending_results_[i]);
      }
      body += '}';
    };
    body += '{';
    map("queries", [&](const DistributedResult& r) { body += r.rows_json; });
    body += ',';
    map("statuses", [&](const DistributedResult& r) { body += std::to_string(r.status); });
    body += ',';
    map("messages", [&](const DistributedResult& r) { AppendJsonString(body, r.message); });
    body += ',';
    map("stats", [&](const DistributedResult& r) {
      if (!r.stats) {
        body += "{}";
        return;
      }
      // memory: osqueryd reports the change of its resident size; one simulated host has
      // no resident size of its own, so 0.
      body +=
          fmt::format("{{\"wall_time_ms\":{},\"user_time\":{},\"system_time\":{},\"memory\":0}}",
                      r.wall_time_ms, r.user_time_ms, r.system_time_ms);
    });
    body += ",\"node_key\":";
    AppendJsonString(body, node_key_);
    body += '}';
    const size_t sent = pending_results_.size();
    Send(kDistributedRole, AgentEndpoint::kDistributedWrite, ctx_->options.paths.distributed_write,
         std::move(body), true,
         [this, sent](AgentReply&& reply) { OnDistributedWrite(std::move(reply), sent); });
  });
}

void SimHost::OnDistributedWrite(AgentReply&& reply, size_t sent) {
  if (reply.ok) {
    distributed_attempt_ = 0;
    sent = std::min(sent, pending_results_.size());
    uint64_t failed = 0;
    for (size_t i = 0; i < sent; ++i) failed += pending_results_[i].status != 0 ? 1 : 0;
    ctx_->counters.queries_answered.fetch_add(sent, std::memory_order_relaxed);
    ctx_->counters.queries_failed.fetch_add(failed, std::memory_order_relaxed);
    pending_results_.erase(pending_results_.begin(),
                           pending_results_.begin() + static_cast<ptrdiff_t>(sent));
    if (pending_results_.empty()) std::vector<DistributedResult>().swap(pending_results_);
  } else if (++distributed_attempt_ < ctx_->options.distributed_max_attempts) {
    distributed_timer_ = After(Backoff(distributed_attempt_), &SimHost::WriteDistributed);
    return;
  } else {
    distributed_attempt_ = 0;  // results stay and go out with the next cycle's write
  }
  SleepDistributed();
}

void SimHost::SleepDistributed() {
  const milliseconds sleep =
      NowMs() < accelerate_until_ms_ ? kAccelerateInterval : DistributedInterval();
  distributed_timer_ = After(sleep, &SimHost::ReadDistributed);
}

}  // namespace quarry::sim
