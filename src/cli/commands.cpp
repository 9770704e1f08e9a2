#include "cli/commands.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <thread>

#include "base/clock.h"
#include "cli/duration.h"
#include "cli/run_follower.h"
#include "net/sse.h"

namespace quarry::cli {
namespace json = boost::json;
namespace {

using Clock = std::chrono::steady_clock;

// `query`: how long after the run's own deadline to wait for the server's
// `end` event before giving up on it.
constexpr std::chrono::seconds kEndGrace{5};
// `query`: a silent event stream is reopened after this long (the server sends
// progress at start, so a reopened stream shows at once whether it is alive).
constexpr std::chrono::seconds kStreamIdle{30};
// `query`: a stream that brought events and lasted this long worked; a reopened
// stream that keeps closing sooner counts as failing, so that it backs off.
constexpr std::chrono::seconds kStreamHealthy{2};
// `query`: consecutive failing stream attempts before giving up.
constexpr int kStreamAttempts = 8;
// `query`: backoff between such attempts: 250 ms, doubling, at most 4 s.
constexpr std::chrono::milliseconds kStreamBackoff{250};
constexpr std::chrono::milliseconds kStreamBackoffMax{4000};
// `results` and `hosts`: rows/hosts per page.
constexpr int64_t kResultsPage = 1000;
constexpr int64_t kHostsPage = 500;
// `hosts`: pages fetched at most (5M hosts), a bound should the server ignore
// the offset.
constexpr int kMaxHostPages = 10'000;

void Write(const Console& c, const std::string& text) {
  if (!text.empty()) std::fwrite(text.data(), 1, text.size(), c.out);
}

void Warn(const Console& c, const std::string& message) {
  std::fprintf(c.err, "quarry: %s\n", message.c_str());
}

int Report(const Console& c, const Error& e) {
  Warn(c, e.message);
  return ExitCodeFor(e);
}

TextOptions TextFor(const Console& c) {
  TextOptions o;
  o.max_line_width = c.out_width;
  return o;
}

// Parses --format; prints the error and answers nullopt when bad.
std::optional<Format> FormatOf(const Console& c, const std::string& name) {
  auto f = ParseFormat(name);
  if (!f) {
    Warn(c, f.error().message);
    return std::nullopt;
  }
  return *f;
}

std::vector<json::object> ObjectsIn(const json::object& o, std::string_view key) {
  std::vector<json::object> out;
  if (const auto* a = o.if_contains(key); a && a->is_array()) {
    for (const auto& e : a->as_array())
      if (e.is_object()) out.push_back(e.as_object());
  }
  return out;
}

std::string JoinStrings(const json::value* v, const char* sep = ",") {
  std::string out;
  if (!v || !v->is_array()) return out;
  for (const auto& e : v->as_array()) {
    if (!out.empty()) out += sep;
    out += CellText(e);
  }
  return out;
}

std::string HostName(const json::object& o, std::string_view name_key, std::string_view id_key) {
  std::string name = GetString(o, name_key);
  return name.empty() ? "#" + std::to_string(GetInt(o, id_key)) : name;
}

// json: the objects as an array; jsonl: one per line; csv: their fields (nested
// values as JSON text); table: the curated table.
int PrintList(const Console& c, Format format, const std::vector<json::object>& objects,
              const std::function<Table()>& curated, const char* none) {
  switch (format) {
    case Format::kJson:
      Write(c, RenderJsonArray(objects));
      break;
    case Format::kJsonl:
    case Format::kCsv:
      Write(c, Render(TableFromObjects(objects), format));
      break;
    case Format::kTable:
      if (objects.empty()) {
        std::fprintf(c.err, "%s\n", none);
      } else {
        Write(c, RenderText(curated(), TextFor(c)));
      }
      break;
  }
  return kExitOk;
}

// One object: json pretty, jsonl one line, csv one row; table: `fields`.
void PrintObject(const Console& c, Format format, const json::object& o,
                 const std::function<std::string()>& table) {
  switch (format) {
    case Format::kJson:
      Write(c, PrettyJson(o));
      break;
    case Format::kJsonl:
      Write(c, json::serialize(o) + "\n");
      break;
    case Format::kCsv:
      Write(c, RenderCsv(TableFromObjects({o})));
      break;
    case Format::kTable:
      Write(c, table());
      break;
  }
}

std::string TimeField(const Console& c, int64_t us) {
  if (us == 0) return "-";
  return FormatLocalTime(us) + "  (" + FormatRelative(us, c.Now()) + ")";
}

// A run's selector, which the server may give as an object or as JSON text.
std::string DescribeSelector(const json::value* v) {
  if (!v) return {};
  json::value parsed;
  if (v->is_string()) {
    json::error_code ec;
    parsed = json::parse(v->as_string(), ec);
    if (ec) return std::string(v->as_string());
    v = &parsed;
  }
  if (!v->is_object()) return CellText(*v);
  const auto& o = v->as_object();
  std::vector<std::string> parts;
  if (GetBool(o, "all")) parts.push_back("all hosts");
  for (const char* kind : {"hosts", "labels", "platforms"}) {
    std::string list = JoinStrings(o.if_contains(kind));
    if (!list.empty()) parts.push_back(std::string(kind) + " " + list);
  }
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : "; ") + p;
  return out;
}

std::string ProgressText(const Progress& p) {
  std::string line = ProgressLine(p);
  if (p.expired > 0) line += ", " + std::to_string(p.expired) + " expired";
  if (p.cancelled > 0) line += ", " + std::to_string(p.cancelled) + " cancelled";
  return line;
}

// The updating progress line on a terminal's stderr: drawn with "\r" + erase,
// cleared before any other output so that lines never mix.
class StatusLine {
 public:
  explicit StatusLine(const Console& c) : c_(c) {}
  ~StatusLine() { Clear(); }
  void Show(const std::string& line) {
    if (!c_.err_tty || (drawn_ && line == current_)) return;
    current_ = line;
    std::fprintf(c_.err, "\r\033[K%s", current_.c_str());
    std::fflush(c_.err);
    drawn_ = true;
  }
  void Clear() {
    if (!drawn_) return;
    std::fputs("\r\033[K", c_.err);
    std::fflush(c_.err);
    drawn_ = false;
  }
  // A message line above the progress line.
  void Message(const std::string& text) {
    bool was = drawn_;
    Clear();
    std::fprintf(c_.err, "%s\n", text.c_str());
    if (was) Show(current_);
  }
  // Writes to stdout without tearing the progress line (stdout and stderr are
  // often the same terminal).
  void WriteOut(const std::string& text) {
    bool was = drawn_;
    Clear();
    Write(c_, text);
    std::fflush(c_.out);
    if (was) Show(current_);
  }

 private:
  const Console& c_;
  std::string current_;
  bool drawn_ = false;
};

// Prints a Table answer of the API (reduce, search) in `format`.
int PrintApiTable(const Console& c, Format format, const json::value& answer) {
  auto table = TableFromApi(answer);
  if (!table) return Report(c, table.error());
  Write(c, Render(*table, format, TextFor(c)));
  if (format == Format::kTable && table->rows.empty()) std::fprintf(c.err, "(no rows)\n");
  if (answer.is_object() && GetBool(answer.as_object(), "truncated")) {
    Warn(c, "the result was cut at " + std::to_string(table->rows.size()) + " rows");
  }
  return kExitOk;
}

}  // namespace

// ---------------------------------------------------------------------------

Console Console::Process() {
  Console c;
  c.err_tty = ::isatty(STDERR_FILENO) == 1;
  if (::isatty(STDOUT_FILENO) == 1) {
    struct winsize ws {};
    if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) c.out_width = ws.ws_col;
  }
  return c;
}

int64_t Console::Now() const {
  return now_micros ? now_micros() : SystemClock::Instance().NowMicros();
}

int ExitCodeFor(const Error& error) {
  if (error.code == ErrorCode::kIo || error.code == ErrorCode::kUnauthenticated) return kExitUsage;
  return kExitFailed;
}

int WithClient(const ConnectionFlags& flags, const Console& console,
               const std::function<int(OperatorClient&)>& command) {
  auto connection = ResolveConnection(flags, ProcessEnv());
  if (!connection) {
    Warn(console, connection.error().message);
    return kExitUsage;
  }
  OperatorClient client(std::move(*connection));
  return command(client);
}

// ---------------------------------------------------------------------------
// query

int CheckQueryFlags(const QueryFlags& flags, const Console& console) {
  if (!FormatOf(console, flags.format)) return kExitUsage;
  if (auto t = ParseDuration(flags.timeout); !t) {
    Warn(console, "--timeout: " + t.error().message);
    return kExitUsage;
  }
  if (flags.sql.empty()) {
    Warn(console, "SQL is empty");
    return kExitUsage;
  }
  return kExitOk;
}

namespace {

int FollowRun(OperatorClient& client, int64_t id, const QueryFlags& flags, Format format,
              std::chrono::seconds timeout, const Console& c) {
  const auto started = Clock::now();
  const auto deadline = started + timeout + kEndGrace;
  RunFollower follower;
  StatusLine status(c);
  const bool stream_rows =
      flags.reduce.empty() && (format == Format::kJsonl || format == Format::kCsv);
  RowEncoder encoder(format);
  std::vector<json::object> buffered;
  size_t events = 0;

  auto on_event = [&](const net::SseEvent& ev) {
    ++events;
    RunFollower::Update up = follower.OnEvent(ev.event, ev.id, ev.data);
    for (const auto& f : up.failures) status.Message(f);
    if (!up.rows.empty()) {
      if (stream_rows) {
        status.WriteOut(encoder.Encode(up.rows));
        for (const auto& w : encoder.TakeWarnings()) status.Message("quarry: " + w);
      } else {
        for (auto& r : up.rows) buffered.push_back(std::move(r));
      }
    }
    if (up.progress_changed || !up.rows.empty()) status.Show(ProgressText(follower.progress()));
  };

  int failures = 0;
  std::string last_error;
  bool lost = false;
  while (!follower.ended() && Clock::now() < deadline) {
    const size_t events_before = events;
    const auto attempt_started = Clock::now();
    const auto remaining =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    net::SseParser parser;
    std::optional<int64_t> resume;
    if (follower.last_seq() > 0) resume = follower.last_seq();
    auto r = client.StreamRunEvents(
        id, flags.reduce, resume,
        [&](std::string_view bytes) {
          parser.Feed(bytes, on_event);
          return !parser.failed() && !follower.ended() && Clock::now() < deadline;
        },
        std::min<std::chrono::milliseconds>(kStreamIdle, remaining));
    if (follower.ended() || Clock::now() >= deadline) break;
    if (!r) {
      const ErrorCode code = r.error().code;
      if (code != ErrorCode::kIo && code != ErrorCode::kUnavailable &&
          code != ErrorCode::kDeadlineExceeded) {
        status.Clear();
        Warn(c, "cannot follow run " + std::to_string(id) + ": " + r.error().message);
        return kExitUsage;
      }
      last_error = r.error().message;
    } else if (parser.failed()) {
      last_error = "an event over the size limit";
    } else {
      last_error = "the server closed the event stream before the run ended";
    }
    if (events > events_before && Clock::now() - attempt_started >= kStreamHealthy) {
      failures = 0;  // that connection worked for a while: reopen at once
      continue;
    }
    if (++failures >= kStreamAttempts) {
      lost = true;
      break;
    }
    auto backoff = std::min(kStreamBackoff * (1 << (failures - 1)), kStreamBackoffMax);
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    std::this_thread::sleep_for(std::max(std::chrono::milliseconds(0), std::min(backoff, left)));
  }
  status.Clear();

  int code = kExitOk;
  if (!flags.reduce.empty()) {
    // The final table over every row (a `reduce` event may predate the last
    // rows); the latest event is the fallback when the server cannot answer.
    auto reduced = client.Reduce(id, flags.reduce);
    if (reduced) {
      code = PrintApiTable(c, format, *reduced);
    } else if (follower.reduce()) {
      Warn(c, "reduce: " + reduced.error().message + "; showing the last table streamed");
      code = PrintApiTable(c, format, *follower.reduce());
    } else {
      code = Report(c, reduced.error());
    }
  } else if (format == Format::kJson) {
    Write(c, RenderJsonArray(buffered));
  } else if (format == Format::kTable) {
    if (buffered.empty()) {
      std::fprintf(c.err, "(no rows)\n");
    } else {
      Write(c, RenderText(TableFromObjects(buffered), TextFor(c)));
    }
  }
  std::fflush(c.out);

  const std::string run = "run " + std::to_string(id);
  const Progress& p = follower.progress();
  if (lost) {
    Warn(c, "lost the event stream of " + run + " (" + last_error + "); `quarry results " +
                std::to_string(id) + "` has every row");
  } else if (!follower.ended()) {
    Warn(c, "timed out after " + FormatDuration(timeout) + " waiting for " + run +
                "; it goes on on the server (`quarry run " + std::to_string(id) + "`)");
  } else if (c.err_tty) {
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
    std::string how = GetString(*follower.end_run(), "status");
    // `end` comes when every online host is done; the run itself stays open
    // until its deadline for hosts that were offline.
    std::string line = run + " " + (how.empty() || how == "running" ? "done" : how) + ": " +
                       ProgressText(p) + " in " + FormatElapsed(ms.count() * 1000);
    if (how == "running" && p.offline > 0) {
      line += "; offline hosts may still answer until the deadline (`quarry results " +
              std::to_string(id) + "`)";
    }
    std::fprintf(c.err, "%s\n", line.c_str());
  }
  if (follower.bad_events() > 0) {
    Warn(c, std::to_string(follower.bad_events()) + " malformed events ignored");
  }
  if (lost) return kExitUsage;
  if (follower.answered() == 0 && encoder.rows() == 0 && buffered.empty()) {
    if (p.targeted == 0 && follower.hosts().empty()) {
      Warn(c, "no host matches the targets of " + run);
    } else {
      Warn(c, "no host answered " + run + " (" + ProgressText(p) + ")");
    }
    return kExitFailed;
  }
  return code;
}

}  // namespace

int QueryCommand(OperatorClient& client, const QueryFlags& flags, const Console& console) {
  if (int rc = CheckQueryFlags(flags, console); rc != kExitOk) return rc;
  const Format format = *ParseFormat(flags.format);
  const std::chrono::seconds timeout = *ParseDuration(flags.timeout);
  RunRequest request;
  request.sql = flags.sql;
  request.targets.hosts = flags.hosts;
  request.targets.labels = flags.labels;
  request.targets.platforms = flags.platforms;
  // No target option: every host.
  request.targets.all =
      flags.all || (flags.hosts.empty() && flags.labels.empty() && flags.platforms.empty());
  request.timeout_seconds = timeout.count();
  request.reduce = flags.reduce;
  auto run = client.CreateRun(request);
  if (!run) {
    Warn(console, "cannot start the query: " + run.error().message);
    return kExitUsage;
  }
  const int64_t id = GetInt(*run, "id");
  if (flags.detach) {
    if (format == Format::kJson) {
      Write(console, PrettyJson(*run));
    } else if (format == Format::kJsonl) {
      Write(console, json::serialize(*run) + "\n");
    } else {
      Write(console, std::to_string(id) + "\n");
    }
    return kExitOk;
  }
  return FollowRun(client, id, flags, format, timeout, console);
}

// ---------------------------------------------------------------------------
// runs, run, results, cancel

int RunsCommand(OperatorClient& client, const RunsFlags& flags, const Console& c) {
  auto format = FormatOf(c, flags.format);
  if (!format) return kExitUsage;
  auto answer = client.ListRuns(flags.status, flags.limit, 0);
  if (!answer) return Report(c, answer.error());
  auto runs = ObjectsIn(*answer, "runs");
  return PrintList(
      c, *format, runs,
      [&] {
        Table t;
        t.columns = {"ID", "STATUS", "CREATED", "BY", "TARGETS", "SQL"};
        for (const auto& r : runs) {
          t.rows.push_back({GetInt(r, "id"), json::string(GetString(r, "status")),
                            json::string(FormatRelative(GetInt(r, "created_us"), c.Now())),
                            json::string(GetString(r, "submitted_by")),
                            json::string(DescribeSelector(r.if_contains("selector"))),
                            json::string(GetString(r, "sql"))});
        }
        t.align = {Align::kRight};
        return t;
      },
      "no runs");
}

int RunCommand(OperatorClient& client, int64_t id, const std::string& format_name,
               const Console& c) {
  auto format = FormatOf(c, format_name);
  if (!format) return kExitUsage;
  auto run = client.GetRun(id, true);
  if (!run) return Report(c, run.error());
  const auto hosts = ObjectsIn(*run, "hosts");
  if (*format == Format::kCsv) {
    Write(c, RenderCsv(TableFromObjects(hosts)));
    return kExitOk;
  }
  PrintObject(c, *format, *run, [&] {
    const int64_t created = GetInt(*run, "created_us");
    std::vector<std::pair<std::string, std::string>> fields = {
        {"run", std::to_string(GetInt(*run, "id"))},
        {"status", GetString(*run, "status")},
        {"sql", GetString(*run, "sql")},
        {"targets", DescribeSelector(run->if_contains("selector"))}};
    if (auto reduce = GetString(*run, "reduce"); !reduce.empty())
      fields.push_back({"reduce", reduce});
    fields.push_back({"submitted by", GetString(*run, "submitted_by")});
    fields.push_back({"created", TimeField(c, created)});
    fields.push_back({"deadline", TimeField(c, GetInt(*run, "deadline_us"))});
    fields.push_back({"ended", TimeField(c, GetInt(*run, "ended_us"))});
    if (const auto* p = run->if_contains("progress"); p && p->is_object())
      fields.push_back({"progress", ProgressText(ProgressFromJson(p->as_object()))});
    std::string out = RenderFields(fields);
    if (hosts.empty()) return out;
    // The execution timeline: times are offsets from the run's creation.
    Table t;
    t.columns = {"HOST", "STATE", "PICKED UP", "FINISHED", "ROWS", "WALL MS", "MESSAGE"};
    t.align = {Align::kLeft,  Align::kLeft,  Align::kRight, Align::kRight,
               Align::kRight, Align::kRight, Align::kLeft};
    auto offset = [&](int64_t us) {
      return json::string(us == 0 ? "-" : "+" + FormatElapsed(us - created));
    };
    for (const auto& h : hosts) {
      std::string state = GetString(h, "state");
      if (state == "pending" && !GetBool(h, "online", true)) state += " (offline)";
      json::value wall;
      if (const auto* s = h.if_contains("stats"); s && s->is_object())
        wall = GetInt(s->as_object(), "wall_time_ms");
      t.rows.push_back({json::string(HostName(h, "hostname", "host_id")), json::string(state),
                        offset(GetInt(h, "picked_up_us")), offset(GetInt(h, "finished_us")),
                        GetInt(h, "rows"), wall, json::string(GetString(h, "message"))});
    }
    return out + "\n" + RenderText(t, TextFor(c));
  });
  return kExitOk;
}

int ResultsCommand(OperatorClient& client, const ResultsFlags& flags, const Console& c) {
  auto format = FormatOf(c, flags.format);
  if (!format) return kExitUsage;
  if (!flags.reduce.empty()) {
    auto reduced = client.Reduce(flags.id, flags.reduce);
    if (!reduced) return Report(c, reduced.error());
    return PrintApiTable(c, *format, *reduced);
  }
  const bool stream_rows = *format == Format::kJsonl || *format == Format::kCsv;
  RowEncoder encoder(*format);
  std::vector<json::object> buffered;
  int64_t after = 0;
  while (true) {
    auto page = client.Results(flags.id, after, kResultsPage);
    if (!page) {
      std::fflush(c.out);
      return Report(c, page.error());
    }
    std::vector<json::object> rows;
    for (const auto& r : ObjectsIn(*page, "rows")) rows.push_back(FlattenResultRow(r));
    const size_t n = rows.size();
    if (stream_rows) {
      Write(c, encoder.Encode(rows));
      for (const auto& w : encoder.TakeWarnings()) Warn(c, w);
    } else {
      for (auto& r : rows) buffered.push_back(std::move(r));
    }
    const int64_t next = GetInt(*page, "next_after", after);
    if (n < static_cast<size_t>(kResultsPage) || next <= after) break;
    after = next;
  }
  if (*format == Format::kJson) {
    Write(c, RenderJsonArray(buffered));
  } else if (*format == Format::kTable) {
    if (buffered.empty()) {
      std::fprintf(c.err, "(no rows)\n");
    } else {
      Write(c, RenderText(TableFromObjects(buffered), TextFor(c)));
    }
  }
  return kExitOk;
}

int CancelCommand(OperatorClient& client, int64_t id, const Console& c) {
  auto run = client.CancelRun(id);
  if (!run) return Report(c, run.error());
  std::fprintf(c.out, "run %lld %s\n", static_cast<long long>(id),
               GetString(*run, "status").c_str());
  return kExitOk;
}

// ---------------------------------------------------------------------------
// hosts

namespace {
std::string HostStatus(const json::object& h) {
  if (GetBool(h, "revoked")) return "revoked";
  return GetBool(h, "online") ? "online" : "offline";
}
}  // namespace

int HostsCommand(OperatorClient& client, const HostsFlags& flags, const Console& c) {
  auto format = FormatOf(c, flags.format);
  if (!format) return kExitUsage;
  std::vector<json::object> hosts;
  for (int page = 0; page < kMaxHostPages; ++page) {
    auto answer = client.ListHosts(flags.filter, kHostsPage, static_cast<int64_t>(hosts.size()));
    if (!answer) return Report(c, answer.error());
    auto batch = ObjectsIn(*answer, "hosts");
    const size_t n = batch.size();
    for (auto& h : batch) hosts.push_back(std::move(h));
    const int64_t total = GetInt(*answer, "total", -1);
    // A short page is the last; so is an over-long one (a server that does
    // not page answered everything at once).
    if (n != static_cast<size_t>(kHostsPage)) break;
    if (total >= 0 && static_cast<int64_t>(hosts.size()) >= total) break;
  }
  return PrintList(
      c, *format, hosts,
      [&] {
        Table t;
        t.columns = {"ID",      "HOSTNAME", "PLATFORM",  "OS",
                     "OSQUERY", "LABELS",   "LAST SEEN", "STATUS"};
        t.align = {Align::kRight, Align::kLeft, Align::kLeft, Align::kLeft,
                   Align::kLeft,  Align::kLeft, Align::kRight};
        for (const auto& h : hosts) {
          std::string os = GetString(h, "os_name");
          if (auto v = GetString(h, "os_version"); !v.empty()) os += os.empty() ? v : " " + v;
          t.rows.push_back({GetInt(h, "id"), json::string(GetString(h, "hostname")),
                            json::string(GetString(h, "platform")), json::string(os),
                            json::string(GetString(h, "osquery_version")),
                            json::string(JoinStrings(h.if_contains("labels"))),
                            json::string(FormatRelative(GetInt(h, "last_seen_us"), c.Now())),
                            json::string(HostStatus(h))});
        }
        return t;
      },
      "no hosts");
}

int HostShowCommand(OperatorClient& client, const std::string& id, const std::string& format_name,
                    const Console& c) {
  auto format = FormatOf(c, format_name);
  if (!format) return kExitUsage;
  auto host = client.GetHost(id);
  if (!host) return Report(c, host.error());
  PrintObject(c, *format, *host, [&] {
    const json::object& h = *host;
    std::string platform = GetString(h, "platform");
    std::vector<std::pair<std::string, std::string>> fields = {
        {"id", std::to_string(GetInt(h, "id"))},
        {"hostname", GetString(h, "hostname")},
        {"identifier", GetString(h, "host_identifier")},
        {"status", HostStatus(h)},
        {"platform", platform},
        {"os", GetString(h, "os_name") + " " + GetString(h, "os_version")},
        {"osquery", GetString(h, "osquery_version")},
        {"hardware uuid", GetString(h, "hardware_uuid")},
    };
    if (auto serial = GetString(h, "hardware_serial"); !serial.empty())
      fields.push_back({"hardware serial", serial});
    if (const auto* d = h.if_contains("host_details"); d && d->is_object()) {
      if (const auto* si = d->as_object().if_contains("system_info"); si && si->is_object()) {
        const auto& s = si->as_object();
        if (auto cpu = GetString(s, "cpu_brand"); !cpu.empty()) fields.push_back({"cpu", cpu});
        if (auto mem = GetString(s, "physical_memory"); !mem.empty()) {
          int64_t bytes = 0;
          auto [end, ec] = std::from_chars(mem.data(), mem.data() + mem.size(), bytes);
          fields.push_back({"memory", ec == std::errc() && end == mem.data() + mem.size()
                                          ? FormatBytes(bytes)
                                          : mem});
        }
      }
    }
    fields.push_back({"labels", JoinStrings(h.if_contains("labels"), ", ")});
    fields.push_back({"enroll secret", GetString(h, "enroll_secret_name")});
    fields.push_back({"first enrolled", TimeField(c, GetInt(h, "first_enrolled_us"))});
    fields.push_back({"enrolled", TimeField(c, GetInt(h, "enrolled_us"))});
    fields.push_back({"last seen", TimeField(c, GetInt(h, "last_seen_us"))});
    fields.push_back({"last config", TimeField(c, GetInt(h, "last_config_us"))});
    fields.push_back({"last log", TimeField(c, GetInt(h, "last_log_us"))});
    fields.push_back({"last query", TimeField(c, GetInt(h, "last_distributed_us"))});
    std::string out = RenderFields(fields);
    auto runs = ObjectsIn(h, "recent_runs");
    if (runs.empty()) return out;
    Table t;
    t.columns = {"RUN", "STATE", "CREATED", "ROWS", "SQL"};
    t.align = {Align::kRight, Align::kLeft, Align::kRight, Align::kRight};
    for (const auto& r : runs) {
      int64_t run_id = GetInt(r, "run_id", GetInt(r, "id"));
      std::string state = GetString(r, "state");
      if (state.empty()) state = GetString(r, "status");
      json::value rows;
      if (r.contains("rows")) rows = GetInt(r, "rows");
      t.rows.push_back({run_id, json::string(state),
                        json::string(FormatRelative(GetInt(r, "created_us"), c.Now())), rows,
                        json::string(GetString(r, "sql"))});
    }
    return out + "\nrecent runs:\n" + RenderText(t, TextFor(c));
  });
  return kExitOk;
}

int HostRevokeCommand(OperatorClient& client, const std::string& id, const Console& c) {
  auto host = client.RevokeHost(id);
  if (!host) return Report(c, host.error());
  std::fprintf(c.out, "host %lld (%s) revoked: its node key no longer works\n",
               static_cast<long long>(GetInt(*host, "id")), GetString(*host, "hostname").c_str());
  return kExitOk;
}

// ---------------------------------------------------------------------------
// labels

int LabelsCommand(OperatorClient& client, const std::string& format_name, const Console& c) {
  auto format = FormatOf(c, format_name);
  if (!format) return kExitUsage;
  auto answer = client.ListLabels();
  if (!answer) return Report(c, answer.error());
  auto labels = ObjectsIn(*answer, "labels");
  return PrintList(
      c, *format, labels,
      [&] {
        Table t;
        t.columns = {"NAME", "KIND", "HOSTS", "REFRESH", "DESCRIPTION", "SQL", "UPDATED"};
        t.align = {Align::kLeft, Align::kLeft, Align::kRight, Align::kRight};
        for (const auto& l : labels) {
          const bool dynamic = GetString(l, "kind") == "dynamic";
          int64_t refresh = GetInt(l, "refresh_seconds");
          t.rows.push_back(
              {json::string(GetString(l, "name")), json::string(GetString(l, "kind")),
               GetInt(l, "hosts"),
               json::string(dynamic && refresh > 0 ? FormatDuration(std::chrono::seconds(refresh))
                                                   : ""),
               json::string(GetString(l, "description")), json::string(GetString(l, "sql")),
               json::string(FormatRelative(GetInt(l, "updated_us"), c.Now()))});
        }
        return t;
      },
      "no labels");
}

int CheckLabelCreateFlags(const LabelCreateFlags& flags, const Console& c) {
  if (flags.hosts.empty() == flags.sql.empty()) {
    Warn(c, "labels create: give --hosts a,b (a manual label) or --sql SQL (a dynamic one)");
    return kExitUsage;
  }
  if (!flags.refresh.empty()) {
    if (flags.sql.empty()) {
      Warn(c, "labels create: --refresh applies to a dynamic label (--sql)");
      return kExitUsage;
    }
    if (auto d = ParseDuration(flags.refresh); !d) {
      Warn(c, "--refresh: " + d.error().message);
      return kExitUsage;
    }
  }
  return kExitOk;
}

int LabelCreateCommand(OperatorClient& client, const LabelCreateFlags& flags, const Console& c) {
  if (int rc = CheckLabelCreateFlags(flags, c); rc != kExitOk) return rc;
  LabelSpec spec;
  spec.name = flags.name;
  spec.description = flags.description;
  spec.hosts = flags.hosts;
  spec.sql = flags.sql;
  if (!flags.refresh.empty()) spec.refresh_seconds = ParseDuration(flags.refresh)->count();
  auto label = client.CreateLabel(spec);
  if (!label) return Report(c, label.error());
  std::fprintf(c.out, "label %s created (%s, %lld hosts)\n", GetString(*label, "name").c_str(),
               GetString(*label, "kind").c_str(), static_cast<long long>(GetInt(*label, "hosts")));
  return kExitOk;
}

int LabelShowCommand(OperatorClient& client, const std::string& name,
                     const std::string& format_name, const Console& c) {
  auto format = FormatOf(c, format_name);
  if (!format) return kExitUsage;
  auto label = client.GetLabel(name);
  if (!label) return Report(c, label.error());
  if (*format != Format::kTable) {
    PrintObject(c, *format, *label, {});
    return kExitOk;
  }
  const json::object& l = *label;
  std::vector<std::pair<std::string, std::string>> fields = {
      {"name", GetString(l, "name")},
      {"kind", GetString(l, "kind")},
      {"description", GetString(l, "description")}};
  if (GetString(l, "kind") == "dynamic") {
    fields.push_back({"sql", GetString(l, "sql")});
    fields.push_back(
        {"refresh", FormatDuration(std::chrono::seconds(GetInt(l, "refresh_seconds")))});
  }
  fields.push_back({"hosts", std::to_string(GetInt(l, "hosts"))});
  fields.push_back({"created", TimeField(c, GetInt(l, "created_us"))});
  fields.push_back({"updated", TimeField(c, GetInt(l, "updated_us"))});
  Write(c, RenderFields(fields));
  // Members by name: the hosts carrying the label; their ids when that fails.
  HostFilter filter;
  filter.label = name;
  auto members = client.ListHosts(filter, kHostsPage, 0);
  if (members) {
    auto hosts = ObjectsIn(*members, "hosts");
    if (!hosts.empty()) {
      Table t;
      t.columns = {"ID", "HOSTNAME", "PLATFORM", "STATUS"};
      for (const auto& h : hosts) {
        t.rows.push_back({GetInt(h, "id"), json::string(GetString(h, "hostname")),
                          json::string(GetString(h, "platform")), json::string(HostStatus(h))});
      }
      Write(c, "\n" + RenderText(t, TextFor(c)));
    }
  } else if (auto ids = JoinStrings(l.if_contains("host_ids"), ", "); !ids.empty()) {
    Write(c, "host ids:    " + ids + "\n");
  }
  return kExitOk;
}

int LabelDeleteCommand(OperatorClient& client, const std::string& name, const Console& c) {
  if (auto r = client.DeleteLabel(name); !r) return Report(c, r.error());
  std::fprintf(c.out, "label %s deleted\n", name.c_str());
  return kExitOk;
}

int LabelSetHostsCommand(OperatorClient& client, const std::string& name,
                         const std::vector<std::string>& hosts, const Console& c) {
  json::array refs;
  for (const auto& h : hosts) refs.push_back(HostRef(h));
  auto label = client.UpdateLabel(name, json::object{{"hosts", std::move(refs)}});
  if (!label) return Report(c, label.error());
  long long count =
      label->contains("hosts") ? GetInt(*label, "hosts") : static_cast<long long>(hosts.size());
  std::fprintf(c.out, "label %s: %lld hosts\n", name.c_str(), count);
  return kExitOk;
}

// ---------------------------------------------------------------------------
// sql

int SqlCommand(OperatorClient& client, const SqlFlags& flags, const Console& c) {
  auto format = FormatOf(c, flags.format);
  if (!format) return kExitUsage;
  auto answer = client.Search(flags.sql, flags.max_rows);
  if (!answer) return Report(c, answer.error());
  return PrintApiTable(c, *format, *answer);
}

// ---------------------------------------------------------------------------
// tokens

int TokensCommand(OperatorClient& client, const std::string& format_name, const Console& c) {
  auto format = FormatOf(c, format_name);
  if (!format) return kExitUsage;
  auto answer = client.ListTokens();
  if (!answer) return Report(c, answer.error());
  auto tokens = ObjectsIn(*answer, "tokens");
  return PrintList(
      c, *format, tokens,
      [&] {
        Table t;
        t.columns = {"ID", "NAME", "ROLE", "CREATED BY", "CREATED", "STATUS"};
        t.align = {Align::kRight};
        for (const auto& tk : tokens) {
          t.rows.push_back({json::string(GetString(tk, "id")), json::string(GetString(tk, "name")),
                            json::string(GetString(tk, "role")),
                            json::string(GetString(tk, "created_by")),
                            json::string(FormatRelative(GetInt(tk, "created_us"), c.Now())),
                            json::string(GetBool(tk, "revoked") ? "revoked" : "active")});
        }
        return t;
      },
      "no tokens");
}

int TokenCreateCommand(OperatorClient& client, const std::string& name, const std::string& role,
                       const std::string& format_name, const Console& c) {
  auto format = FormatOf(c, format_name);
  if (!format) return kExitUsage;
  auto token = client.CreateToken(name, role);
  if (!token) return Report(c, token.error());
  if (*format == Format::kTable) {
    // The token alone on stdout, so that `T=$(quarry tokens create ...)` works.
    Write(c, GetString(*token, "token") + "\n");
    std::fprintf(c.err, "token %s (%s, id %s) created; it is shown only this once\n", name.c_str(),
                 GetString(*token, "role").c_str(), GetString(*token, "id").c_str());
  } else {
    PrintObject(c, *format, *token, {});
  }
  return kExitOk;
}

int TokenRevokeCommand(OperatorClient& client, const std::string& id, const Console& c) {
  if (auto r = client.RevokeToken(id); !r) return Report(c, r.error());
  std::fprintf(c.out, "token %s revoked\n", id.c_str());
  return kExitOk;
}

}  // namespace quarry::cli
