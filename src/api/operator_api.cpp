#include "api/operator_api.h"

#include <boost/json.hpp>
#include <algorithm>
#include <charconv>
#include <future>
#include <map>
#include <set>

#include "api/http_errors.h"
#include "api/operator_json.h"
#include "base/log.h"
#include "base/secret.h"
#include "search/reduce.h"
#include "search/table.h"

namespace quarry::api {
namespace json = boost::json;
namespace {

using net::HttpRequest;
using net::HttpResponse;
using net::Reply;

// ---- small helpers ----

std::optional<int64_t> ParsePositive(std::string_view text) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v <= 0) return std::nullopt;
  return v;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string UrlDecode(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '+') {
      out += ' ';
    } else if (in[i] == '%' && i + 2 < in.size() && HexValue(in[i + 1]) >= 0 &&
               HexValue(in[i + 2]) >= 0) {
      out += static_cast<char>(HexValue(in[i + 1]) * 16 + HexValue(in[i + 2]));
      i += 2;
    } else {
      out += in[i];
    }
  }
  return out;
}

std::optional<std::string> QueryParam(std::string_view query, std::string_view name) {
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    size_t eq = pair.find('=');
    if (UrlDecode(pair.substr(0, eq)) == name)
      return eq == std::string_view::npos ? std::string() : UrlDecode(pair.substr(eq + 1));
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return std::nullopt;
}

Result<int64_t> IntParam(const HttpRequest& r, std::string_view name, int64_t def, int64_t min,
                         int64_t max) {
  auto v = QueryParam(r.query, name);
  if (!v || v->empty()) return def;
  int64_t out = 0;
  auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), out);
  if (ec != std::errc() || end != v->data() + v->size() || out < min || out > max)
    return Fail(ErrorCode::kInvalidArgument, std::string(name) + ": expected an integer in " +
                                                 std::to_string(min) + " .. " + std::to_string(max));
  return out;
}

Result<json::object> ParseBody(const HttpRequest& r) {
  json::error_code ec;
  json::value v = json::parse(r.body, ec);
  if (ec || !v.is_object()) return Fail(ErrorCode::kInvalidArgument, "body: expected a JSON object");
  return std::move(v.as_object());
}

Result<std::string> OptString(const json::object& o, const char* key, std::string def = "") {
  auto* v = o.if_contains(key);
  if (!v || v->is_null()) return def;
  if (!v->is_string()) return Fail(ErrorCode::kInvalidArgument, std::string(key) + ": expected a string");
  return std::string(v->as_string());
}

Result<std::vector<std::string>> StringList(const json::object& o, const char* key) {
  std::vector<std::string> out;
  auto* v = o.if_contains(key);
  if (!v || v->is_null()) return out;
  if (!v->is_array()) return Fail(ErrorCode::kInvalidArgument, std::string(key) + ": expected an array of strings");
  for (const auto& e : v->as_array()) {
    if (!e.is_string()) return Fail(ErrorCode::kInvalidArgument, std::string(key) + ": expected an array of strings");
    out.emplace_back(e.as_string());
  }
  return out;
}

// {"all", "hosts": [id | identifier | hostname], "platforms", "labels"}
Result<fleet::TargetSelector> ParseSelector(const json::object& o) {
  fleet::TargetSelector sel;
  if (auto* all = o.if_contains("all")) {
    if (!all->is_bool()) return Fail(ErrorCode::kInvalidArgument, "targets.all: expected a boolean");
    sel.all = all->as_bool();
  }
  if (auto* hosts = o.if_contains("hosts")) {
    if (!hosts->is_array()) return Fail(ErrorCode::kInvalidArgument, "targets.hosts: expected an array");
    for (const auto& h : hosts->as_array()) {
      if (h.is_int64() && h.as_int64() > 0) {
        sel.host_ids.push_back(h.as_int64());
      } else if (h.is_string() && !h.as_string().empty()) {
        sel.hosts.emplace_back(h.as_string());
      } else {
        return Fail(ErrorCode::kInvalidArgument,
                    "targets.hosts: expected host ids, host identifiers or hostnames");
      }
    }
  }
  auto platforms = StringList(o, "platforms");
  if (!platforms) return Fail(platforms.error());
  sel.platforms = std::move(*platforms);
  auto labels = StringList(o, "labels");
  if (!labels) return Fail(labels.error());
  sel.labels = std::move(*labels);
  if (sel.empty()) {
    return Fail(ErrorCode::kInvalidArgument,
                "targets: give \"all\": true, or \"hosts\", \"platforms\" or \"labels\"");
  }
  return sel;
}

json::object SelectorJson(const fleet::TargetSelector& sel) {
  json::array hosts;
  for (auto id : sel.host_ids) hosts.emplace_back(id);
  for (const auto& h : sel.hosts) hosts.emplace_back(h);
  return json::object{{"all", sel.all},
                      {"hosts", std::move(hosts)},
                      {"platforms", json::array(sel.platforms.begin(), sel.platforms.end())},
                      {"labels", json::array(sel.labels.begin(), sel.labels.end())}};
}

// Runs `start(done)` and waits for done (bounded). For store writes from a
// pool thread, where the caller must answer only after the commit.
template <class T, class F>
Result<T> Await(F&& start) {
  auto p = std::make_shared<std::promise<Result<T>>>();
  auto f = p->get_future();
  start([p](Result<T> r) { p->set_value(std::move(r)); });
  if (f.wait_for(std::chrono::seconds(30)) != std::future_status::ready)
    return Fail(ErrorCode::kDeadlineExceeded, "the store did not answer within 30 s");
  return f.get();
}

Result<store::TokenRole> ParseRole(std::string_view s) {
  if (s == "viewer") return store::TokenRole::kViewer;
  if (s == "operator") return store::TokenRole::kOperator;
  if (s == "admin") return store::TokenRole::kAdmin;
  return Fail(ErrorCode::kInvalidArgument, "role: expected viewer, operator or admin");
}

// ---- handlers ----

class Handlers {
 public:
  explicit Handlers(const OperatorApiDeps& d)
      : fleet_(d.fleet), store_(d.store), auth_(d.auth), pool_(d.pool), streams_(d.streams) {}

  using Method = void (Handlers::*)(HttpRequest&, Reply&, const Caller&);

  // Authenticates on the pool (the token may need a store read), checks the
  // role, then runs the handler there.
  net::Handler Guarded(Role needed, Method method) {
    return [this, needed, method](HttpRequest&& request, Reply reply) {
      auto task = [this, needed, method, request = std::move(request), reply]() mutable {
        auto caller = auth_.Check(request);
        if (!caller) {
          HttpResponse r = ErrorResponse(caller.error());
          r.headers.emplace_back("WWW-Authenticate", "Bearer");
          return reply(std::move(r));
        }
        if (static_cast<int>(caller->role) < static_cast<int>(needed)) {
          return reply(ErrorResponse(403, std::string("this needs the ") +
                                              store::TokenRoleName(needed) + " role"));
        }
        try {
          (this->*method)(request, reply, *caller);
        } catch (const std::exception& e) {
          log::Error("operator API {} {}: {}", request.method, request.path, e.what());
          reply(ErrorResponse(500, "internal error"));
        }
      };
      if (!pool_.Submit(std::move(task))) reply(ErrorResponse(503, "server busy; try again"));
    };
  }

  void Audit(const Caller& who, std::string action, json::object detail) {
    store::AuditEvent e;
    e.at_us = SystemClock::Instance().NowMicros();
    e.actor = who.name;
    e.action = std::move(action);
    e.detail_json = json::serialize(detail);
    // Committed before the caller is answered, so the log never misses an
    // acknowledged action (the writer batches it with everything else).
    auto written = Await<void>([&](auto done) { store_.AppendAudit(std::move(e), std::move(done)); });
    if (!written) log::Warn("audit write failed: {}", written.error().message);
  }

  void Health(HttpRequest&&, Reply reply) {
    auto q = store_.QueueStats();
    int64_t online = 0;
    auto all = fleet_.nodes().All();
    for (const auto& n : all) online += fleet_.IsOnline(*n) ? 1 : 0;
    reply(JsonResponse(Serialize(json::object{{"status", "ok"},
                                              {"hosts", static_cast<int64_t>(all.size())},
                                              {"online", online},
                                              {"held_polls", static_cast<int64_t>(fleet_.held_polls())},
                                              {"streams", static_cast<int64_t>(streams_.active())},
                                              {"write_queue", q.queued},
                                              {"writes_committed", q.committed},
                                              {"writes_rejected", q.rejected}})));
  }

  void WhoAmI(HttpRequest&, Reply& reply, const Caller& who) {
    reply(JsonResponse(Serialize(json::object{{"name", who.name}, {"role", store::TokenRoleName(who.role)}})));
  }

  // -- hosts --

  void ListHosts(HttpRequest& r, Reply& reply, const Caller&) {
    auto limit = IntParam(r, "limit", 1000, 1, 100000);
    auto offset = IntParam(r, "offset", 0, 0, INT64_MAX);
    if (!limit) return reply(ErrorResponse(limit.error()));
    if (!offset) return reply(ErrorResponse(offset.error()));
    auto platform = QueryParam(r.query, "platform");
    auto label = QueryParam(r.query, "label");
    auto status = QueryParam(r.query, "status");
    auto q = QueryParam(r.query, "q");
    if (status && *status != "online" && *status != "offline" && !status->empty())
      return reply(ErrorResponse(400, "status: expected online or offline"));
    std::optional<std::unordered_set<store::NodeId>> label_members;
    if (label && !label->empty()) {
      label_members = fleet_.labels().Members(*label, fleet_.nodes());
      if (!label_members) return reply(ErrorResponse(404, "no label '" + *label + "'"));
    }
    auto nodes = store_.ListNodes();
    if (!nodes) return reply(ErrorResponse(nodes.error()));
    json::array out;
    int64_t total = 0;
    for (const auto& n : *nodes) {
      auto live = fleet_.nodes().FindById(n.id);
      if (platform && !platform->empty() && !(live && fleet::MatchesPlatform(*live, *platform)))
        continue;
      if (label_members && !label_members->count(n.id)) continue;
      bool online = !n.revoked && live && fleet_.IsOnline(*live);
      if (status && *status == "online" && !online) continue;
      if (status && *status == "offline" && online) continue;
      if (q && !q->empty() && n.identity.hostname.find(*q) == std::string::npos &&
          n.identity.host_identifier.find(*q) == std::string::npos &&
          n.identity.os_name.find(*q) == std::string::npos)
        continue;
      ++total;
      if (total <= *offset || static_cast<int64_t>(out.size()) >= *limit) continue;
      out.emplace_back(NodeJson(n, fleet_));
    }
    reply(JsonResponse(Serialize(json::object{{"hosts", std::move(out)}, {"total", total}})));
  }

  void GetHost(HttpRequest& r, Reply& reply, const Caller&) {
    auto id = ParsePositive(PathSegment(r.path, 3));
    if (!id) return reply(ErrorResponse(400, "host id must be a positive integer"));
    auto node = store_.GetNode(*id);
    if (!node) return reply(ErrorResponse(node.error()));
    if (!*node) return reply(ErrorResponse(404, "no host " + std::to_string(*id)));
    json::object o = NodeJson(**node, fleet_);
    json::error_code ec;
    json::value details = json::parse((*node)->identity.host_details_json, ec);
    o["host_details"] = ec ? json::value(json::object()) : details;
    auto recent = store_.Search(
        "SELECT r.id AS run_id, r.sql, r.created_us, h.state, h.picked_up_us, h.finished_us, "
        "h.row_count AS rows, h.message FROM run_hosts h JOIN runs r ON r.id = h.run_id "
        "WHERE h.host_id = " + std::to_string(*id) + " ORDER BY r.id DESC LIMIT 20",
        search::QueryLimits{});
    json::error_code ec2;
    o["recent_runs"] = recent ? json::parse(search::TableToJson(*recent), ec2) : json::value(nullptr);
    reply(JsonResponse(Serialize(o)));
  }

  void RevokeHost(HttpRequest& r, Reply& reply, const Caller& who) {
    auto id = ParsePositive(PathSegment(r.path, 3));
    if (!id) return reply(ErrorResponse(400, "host id must be a positive integer"));
    auto node = Await<store::Node>([&](auto done) { fleet_.RevokeNode(*id, std::move(done)); });
    if (!node) return reply(ErrorResponse(node.error()));
    Audit(who, "host.revoke", {{"host_id", *id}, {"hostname", node->identity.hostname}});
    reply(JsonResponse(Serialize(NodeJson(*node, fleet_))));
  }

  // -- targets and runs --

  void ResolveTargets(HttpRequest& r, Reply& reply, const Caller&) {
    auto body = ParseBody(r);
    if (!body) return reply(ErrorResponse(body.error()));
    const json::object* targets = body->if_contains("targets") && body->at("targets").is_object()
                                      ? &body->at("targets").as_object()
                                      : &*body;
    auto sel = ParseSelector(*targets);
    if (!sel) return reply(ErrorResponse(sel.error()));
    auto ids = fleet_.Resolve(*sel);
    if (!ids) return reply(ErrorResponse(ids.error()));
    int64_t online = 0;
    json::array arr;
    for (auto id : *ids) {
      arr.emplace_back(id);
      auto n = fleet_.nodes().FindById(id);
      if (n && fleet_.IsOnline(*n)) ++online;
    }
    reply(JsonResponse(Serialize(json::object{
        {"hosts", static_cast<int64_t>(ids->size())}, {"online", online}, {"host_ids", std::move(arr)}})));
  }

  void CreateRun(HttpRequest& r, Reply& reply, const Caller& who) {
    auto body = ParseBody(r);
    if (!body) return reply(ErrorResponse(body.error()));
    fleet::RunRequest run;
    run.submitted_by = who.name;
    auto sql = OptString(*body, "sql");
    if (!sql) return reply(ErrorResponse(sql.error()));
    run.sql = std::move(*sql);
    // Targets under "targets", or (shorthand) at the top level.
    const json::object* targets = body->if_contains("targets") && body->at("targets").is_object()
                                      ? &body->at("targets").as_object()
                                      : &*body;
    auto sel = ParseSelector(*targets);
    if (!sel) return reply(ErrorResponse(sel.error()));
    run.selector = std::move(*sel);
    run.selector_json = json::serialize(SelectorJson(run.selector));
    if (auto* t = body->if_contains("timeout_seconds")) {
      if (!t->is_int64() || t->as_int64() <= 0 || t->as_int64() > 7 * 86400)
        return reply(ErrorResponse(400, "timeout_seconds: expected 1 .. 604800"));
      run.deadline_us = SystemClock::Instance().NowMicros() + t->as_int64() * 1'000'000;
    }
    auto reduce = OptString(*body, "reduce");
    if (!reduce) return reply(ErrorResponse(reduce.error()));
    run.reduce_sql = std::move(*reduce);
    auto created = Await<store::Run>([&](auto done) { fleet_.CreateRun(run, std::move(done)); });
    if (!created) return reply(ErrorResponse(created.error()));
    auto hosts = store_.ListRunHosts(created->id);
    json::array target_ids;
    if (hosts) for (const auto& h : *hosts) target_ids.emplace_back(h.node);
    Audit(who, "run.create",
          {{"run_id", created->id}, {"sql", created->sql}, {"selector", SelectorJson(run.selector)},
           {"reduce", created->reduce_sql}, {"targets", std::move(target_ids)}});
    json::object o = RunJson(*created);
    if (hosts) o["progress"] = ProgressJson(ComputeProgress(*created, *hosts, fleet_));
    reply(JsonResponse(Serialize(o), 201));
  }

  void ListRuns(HttpRequest& r, Reply& reply, const Caller&) {
    store::RunFilter filter;
    auto before = IntParam(r, "before", 0, 0, INT64_MAX);
    auto limit = IntParam(r, "limit", 50, 1, 1000);
    if (!before) return reply(ErrorResponse(before.error()));
    if (!limit) return reply(ErrorResponse(limit.error()));
    filter.before_id = *before;
    filter.limit = static_cast<size_t>(*limit);
    if (auto s = QueryParam(r.query, "status"); s && !s->empty()) {
      auto status = store::ParseRunStatus(*s);
      if (!status) return reply(ErrorResponse(400, "status: expected running, finished, cancelled or expired"));
      filter.status = *status;
    }
    auto runs = store_.ListRuns(filter);
    if (!runs) return reply(ErrorResponse(runs.error()));
    json::array arr;
    for (const auto& run : *runs) arr.emplace_back(RunJson(run));
    reply(JsonResponse(Serialize(json::object{{"runs", std::move(arr)}})));
  }

  Result<store::Run> LoadRun(const HttpRequest& r) {
    auto id = ParsePositive(PathSegment(r.path, 3));
    if (!id) return Fail(ErrorCode::kInvalidArgument, "run id must be a positive integer");
    auto run = store_.GetRun(*id);
    if (!run) return Fail(run.error());
    if (!*run) return Fail(ErrorCode::kNotFound, "no run " + std::to_string(*id));
    return **run;
  }

  void GetRun(HttpRequest& r, Reply& reply, const Caller&) {
    auto run = LoadRun(r);
    if (!run) return reply(ErrorResponse(run.error()));
    auto hosts = store_.ListRunHosts(run->id);
    if (!hosts) return reply(ErrorResponse(hosts.error()));
    json::object o = RunJson(*run);
    o["progress"] = ProgressJson(ComputeProgress(*run, *hosts, fleet_));
    if (QueryParam(r.query, "hosts").value_or("1") != "0") {
      json::array arr;
      for (const auto& h : *hosts) arr.emplace_back(RunHostJson(h, fleet_));
      o["hosts"] = std::move(arr);
    }
    reply(JsonResponse(Serialize(o)));
  }

  void CancelRun(HttpRequest& r, Reply& reply, const Caller& who) {
    auto id = ParsePositive(PathSegment(r.path, 3));
    if (!id) return reply(ErrorResponse(400, "run id must be a positive integer"));
    auto run = Await<store::Run>([&](auto done) { fleet_.CancelRun(*id, std::move(done)); });
    if (!run) return reply(ErrorResponse(run.error()));
    Audit(who, "run.cancel", {{"run_id", *id}});
    reply(JsonResponse(Serialize(RunJson(*run))));
  }

  void Results(HttpRequest& r, Reply& reply, const Caller&) {
    auto run = LoadRun(r);
    if (!run) return reply(ErrorResponse(run.error()));
    auto after = IntParam(r, "after", 0, 0, INT64_MAX);
    auto limit = IntParam(r, "limit", 10000, 1, 100000);
    if (!after) return reply(ErrorResponse(after.error()));
    if (!limit) return reply(ErrorResponse(limit.error()));
    std::string format = QueryParam(r.query, "format").value_or("json");
    auto rows = store_.ListResults(run->id, *after, static_cast<size_t>(*limit));
    if (!rows) return reply(ErrorResponse(rows.error()));
    int64_t next = rows->empty() ? *after : rows->back().seq;
    if (format == "json") {
      std::string body = RowsJson(*rows, fleet_);
      body.pop_back();  // '}'
      body += ",\"next_after\":" + std::to_string(next) + "}";
      return reply(JsonResponse(std::move(body)));
    }
    if (format != "jsonl" && format != "csv")
      return reply(ErrorResponse(400, "format: expected json, jsonl or csv"));
    // Flatten: host_id and host first, then the row's own columns.
    std::vector<json::object> flat;
    std::vector<std::string> columns = {"host_id", "host"};
    std::set<std::string> seen(columns.begin(), columns.end());
    for (const auto& row : *rows) {
      json::object o{{"host_id", row.node}, {"host", HostnameOf(fleet_, row.node)}};
      json::error_code ec;
      json::value v = json::parse(row.row_json, ec);
      if (!ec && v.is_object()) {
        for (auto& kv : v.as_object()) {
          std::string key(kv.key());
          if (seen.insert(key).second) columns.push_back(key);
          o[kv.key()] = kv.value();
        }
      }
      flat.push_back(std::move(o));
    }
    HttpResponse resp;
    resp.headers.emplace_back("X-Next-After", std::to_string(next));
    if (format == "jsonl") {
      resp.content_type = "application/x-ndjson";
      for (const auto& o : flat) resp.body += json::serialize(o) + "\n";
    } else {
      search::Table t;
      t.columns = columns;
      for (const auto& o : flat) {
        std::vector<search::Cell> cells;
        for (const auto& c : columns) {
          auto* v = o.if_contains(c);
          if (!v) cells.emplace_back(std::monostate{});
          else if (v->is_string()) cells.emplace_back(std::string(v->as_string()));
          else if (v->is_int64()) cells.emplace_back(v->as_int64());
          else cells.emplace_back(json::serialize(*v));
        }
        t.rows.push_back(std::move(cells));
      }
      resp.content_type = "text/csv; charset=utf-8";
      resp.body = search::TableToCsv(t);
    }
    reply(std::move(resp));
  }

  // All rows of a run, as reduce input. Bounded: the rows are held in memory
  // twice (here and in the reducer), so a run larger than kMaxReduceRows gets a
  // clear error rather than exhausting the server's memory.
  static constexpr size_t kMaxReduceRows = 5'000'000;
  Result<std::vector<search::ReduceInput>> ReduceInputs(store::RunId run) {
    std::vector<search::ReduceInput> in;
    int64_t cursor = 0;
    for (;;) {
      auto rows = store_.ListResults(run, cursor, 10000);
      if (!rows) return Fail(rows.error());
      if (rows->empty()) break;
      if (in.size() + rows->size() > kMaxReduceRows) {
        return Fail(ErrorCode::kTooLarge,
                    "run has more than 5,000,000 rows: reduce it with search (POST /api/v1/search "
                    "over the results table) instead");
      }
      for (auto& r : *rows) in.push_back({r.node, HostnameOf(fleet_, r.node), std::move(r.row_json)});
      cursor = rows->back().seq;
    }
    return in;
  }

  void Reduce(HttpRequest& r, Reply& reply, const Caller&) {
    auto run = LoadRun(r);
    if (!run) return reply(ErrorResponse(run.error()));
    auto body = ParseBody(r);
    if (!body) return reply(ErrorResponse(body.error()));
    auto sql = OptString(*body, "sql", run->reduce_sql);
    if (!sql) return reply(ErrorResponse(sql.error()));
    if (sql->empty()) return reply(ErrorResponse(400, "sql: expected a reduce statement over `results`"));
    auto in = ReduceInputs(run->id);
    if (!in) return reply(ErrorResponse(in.error()));
    auto table = search::Reduce(*in, *sql, search::QueryLimits{});
    if (!table) return reply(ErrorResponse(table.error()));
    reply(JsonResponse(search::TableToJson(*table)));
  }

  void Events(HttpRequest& r, Reply& reply, const Caller&) {
    auto run = LoadRun(r);
    if (!run) return reply(ErrorResponse(run.error()));
    int64_t after = 0;
    if (auto last = r.Header("Last-Event-ID")) {
      auto v = ParsePositive(*last);
      if (v) after = *v;
    }
    std::string reduce = QueryParam(r.query, "reduce").value_or(run->reduce_sql);
    HttpResponse resp;
    resp.content_type = "text/event-stream";
    resp.headers.emplace_back("Cache-Control", "no-cache");
    resp.headers.emplace_back("X-Accel-Buffering", "no");
    RunStreams* streams = &streams_;
    store::RunId id = run->id;
    resp.stream = [streams, id, after, reduce](std::shared_ptr<net::ResponseStream> out) {
      streams->Subscribe(id, after, reduce, std::move(out));
    };
    reply(std::move(resp));
  }

  // -- labels --

  int64_t LabelSize(const store::Label& l) {
    auto m = fleet_.labels().Members(l.name, fleet_.nodes());
    return m ? static_cast<int64_t>(m->size()) : 0;
  }

  Result<std::vector<store::NodeId>> HostRefs(const json::object& o) {
    fleet::TargetSelector sel;
    auto* hosts = o.if_contains("hosts");
    if (!hosts || hosts->is_null()) return std::vector<store::NodeId>{};
    if (!hosts->is_array()) return Fail(ErrorCode::kInvalidArgument, "hosts: expected an array");
    for (const auto& h : hosts->as_array()) {
      if (h.is_int64() && h.as_int64() > 0) sel.host_ids.push_back(h.as_int64());
      else if (h.is_string() && !h.as_string().empty()) sel.hosts.emplace_back(h.as_string());
      else return Fail(ErrorCode::kInvalidArgument, "hosts: expected host ids or names");
    }
    if (sel.empty()) return std::vector<store::NodeId>{};
    return fleet_.Resolve(sel);
  }

  void ListLabels(HttpRequest&, Reply& reply, const Caller&) {
    auto labels = store_.ListLabels();
    if (!labels) return reply(ErrorResponse(labels.error()));
    json::array arr;
    for (const auto& l : *labels) arr.emplace_back(LabelJson(l, LabelSize(l)));
    reply(JsonResponse(Serialize(json::object{{"labels", std::move(arr)}})));
  }

  Result<store::Label> FindLabel(const HttpRequest& r) {
    std::string name = UrlDecode(PathSegment(r.path, 3));
    auto labels = store_.ListLabels();
    if (!labels) return Fail(labels.error());
    for (const auto& l : *labels)
      if (l.name == name) return l;
    return Fail(ErrorCode::kNotFound, "no label '" + name + "'");
  }

  void GetLabel(HttpRequest& r, Reply& reply, const Caller&) {
    auto label = FindLabel(r);
    if (!label) return reply(ErrorResponse(label.error()));
    json::object o = LabelJson(*label, LabelSize(*label));
    json::array ids;
    if (auto m = fleet_.labels().Members(label->name, fleet_.nodes())) {
      std::vector<store::NodeId> sorted(m->begin(), m->end());
      std::sort(sorted.begin(), sorted.end());
      for (auto id : sorted) ids.emplace_back(id);
    }
    o["host_ids"] = std::move(ids);
    reply(JsonResponse(Serialize(o)));
  }

  void CreateLabel(HttpRequest& r, Reply& reply, const Caller& who) {
    auto body = ParseBody(r);
    if (!body) return reply(ErrorResponse(body.error()));
    store::Label label;
    auto name = OptString(*body, "name");
    auto desc = OptString(*body, "description");
    auto kind = OptString(*body, "kind", "manual");
    auto sql = OptString(*body, "sql");
    for (auto* f : {&name, &desc, &kind, &sql})
      if (!*f) return reply(ErrorResponse(f->error()));
    if (name->empty() || name->find('/') != std::string::npos)
      return reply(ErrorResponse(400, "name: expected a non-empty name without '/'"));
    label.name = *name;
    label.description = *desc;
    if (*kind == "manual") label.kind = store::LabelKind::kManual;
    else if (*kind == "dynamic") label.kind = store::LabelKind::kDynamic;
    else return reply(ErrorResponse(400, "kind: expected manual or dynamic"));
    label.sql = *sql;
    if (auto* rs = body->if_contains("refresh_seconds")) {
      if (!rs->is_int64() || rs->as_int64() < 0) return reply(ErrorResponse(400, "refresh_seconds: expected a non-negative integer"));
      label.refresh_seconds = rs->as_int64();
    }
    auto members = HostRefs(*body);
    if (!members) return reply(ErrorResponse(members.error()));
    label.created_us = label.updated_us = SystemClock::Instance().NowMicros();
    auto created = Await<store::Label>(
        [&](auto done) { store_.CreateLabel(label, *members, std::move(done)); });
    if (!created) return reply(ErrorResponse(created.error()));
    Audit(who, "label.create", {{"name", created->name}, {"kind", store::LabelKindName(created->kind)}, {"sql", created->sql}});
    reply(JsonResponse(Serialize(LabelJson(*created, LabelSize(*created))), 201));
  }

  void UpdateLabel(HttpRequest& r, Reply& reply, const Caller& who) {
    auto label = FindLabel(r);
    if (!label) return reply(ErrorResponse(label.error()));
    auto body = ParseBody(r);
    if (!body) return reply(ErrorResponse(body.error()));
    store::Label updated = *label;
    auto desc = OptString(*body, "description", label->description);
    auto sql = OptString(*body, "sql", label->sql);
    if (!desc) return reply(ErrorResponse(desc.error()));
    if (!sql) return reply(ErrorResponse(sql.error()));
    updated.description = *desc;
    updated.sql = *sql;
    if (auto* rs = body->if_contains("refresh_seconds")) {
      if (!rs->is_int64() || rs->as_int64() < 0) return reply(ErrorResponse(400, "refresh_seconds: expected a non-negative integer"));
      updated.refresh_seconds = rs->as_int64();
    }
    updated.updated_us = SystemClock::Instance().NowMicros();
    auto saved = Await<store::Label>([&](auto done) { store_.UpdateLabel(updated, std::move(done)); });
    if (!saved) return reply(ErrorResponse(saved.error()));
    if (body->if_contains("hosts")) {
      auto members = HostRefs(*body);
      if (!members) return reply(ErrorResponse(members.error()));
      auto set = Await<void>([&](auto done) { store_.SetLabelMembers(label->id, *members, std::move(done)); });
      if (!set) return reply(ErrorResponse(set.error()));
    }
    Audit(who, "label.update", {{"name", label->name}, {"body", *body}});
    reply(JsonResponse(Serialize(LabelJson(*saved, LabelSize(*saved)))));
  }

  void DeleteLabel(HttpRequest& r, Reply& reply, const Caller& who) {
    auto label = FindLabel(r);
    if (!label) return reply(ErrorResponse(label.error()));
    auto deleted = Await<void>([&](auto done) { store_.DeleteLabel(label->id, std::move(done)); });
    if (!deleted) return reply(ErrorResponse(deleted.error()));
    Audit(who, "label.delete", {{"name", label->name}});
    reply(JsonResponse("{}"));
  }

  // -- search --

  void Search(HttpRequest& r, Reply& reply, const Caller&) {
    auto body = ParseBody(r);
    if (!body) return reply(ErrorResponse(body.error()));
    auto sql = OptString(*body, "sql");
    if (!sql) return reply(ErrorResponse(sql.error()));
    if (sql->empty()) return reply(ErrorResponse(400, "sql: expected a SELECT statement"));
    search::QueryLimits limits;
    if (auto* m = body->if_contains("max_rows")) {
      if (!m->is_int64() || m->as_int64() < 1 || m->as_int64() > 100000)
        return reply(ErrorResponse(400, "max_rows: expected 1 .. 100000"));
      limits.max_rows = static_cast<size_t>(m->as_int64());
    }
    auto table = store_.Search(*sql, limits);
    if (!table) return reply(ErrorResponse(table.error()));
    if (QueryParam(r.query, "format").value_or("json") == "csv") {
      HttpResponse resp;
      resp.content_type = "text/csv; charset=utf-8";
      resp.body = search::TableToCsv(*table);
      return reply(std::move(resp));
    }
    reply(JsonResponse(search::TableToJson(*table)));
  }

  // -- tokens and audit --

  void ListTokens(HttpRequest&, Reply& reply, const Caller&) {
    auto tokens = store_.ListTokens();
    if (!tokens) return reply(ErrorResponse(tokens.error()));
    json::array arr;
    for (const auto& t : *tokens) {
      arr.emplace_back(json::object{{"id", t.id}, {"name", t.name}, {"role", store::TokenRoleName(t.role)},
                                    {"created_by", t.created_by}, {"created_us", t.created_us},
                                    {"revoked", t.revoked}});
    }
    reply(JsonResponse(Serialize(json::object{{"tokens", std::move(arr)}})));
  }

  void CreateToken(HttpRequest& r, Reply& reply, const Caller& who) {
    auto body = ParseBody(r);
    if (!body) return reply(ErrorResponse(body.error()));
    auto name = OptString(*body, "name");
    auto role_text = OptString(*body, "role", "viewer");
    if (!name) return reply(ErrorResponse(name.error()));
    if (!role_text) return reply(ErrorResponse(role_text.error()));
    if (name->empty()) return reply(ErrorResponse(400, "name: must not be empty"));
    auto role = ParseRole(*role_text);
    if (!role) return reply(ErrorResponse(role.error()));
    std::string token = RandomHex(32);
    store::ApiToken t;
    t.name = *name;
    t.token_hash = HashSecret(token);
    t.role = *role;
    t.created_by = who.name;
    t.created_us = SystemClock::Instance().NowMicros();
    auto created = Await<store::ApiToken>([&](auto done) { store_.CreateToken(t, std::move(done)); });
    if (!created) return reply(ErrorResponse(created.error()));
    Audit(who, "token.create", {{"name", created->name}, {"role", store::TokenRoleName(created->role)}});
    reply(JsonResponse(Serialize(json::object{{"id", created->id}, {"name", created->name},
                                              {"role", store::TokenRoleName(created->role)},
                                              {"token", token}}),
                       201));
  }

  void RevokeToken(HttpRequest& r, Reply& reply, const Caller& who) {
    auto id = ParsePositive(PathSegment(r.path, 3));
    if (!id) return reply(ErrorResponse(400, "token id must be a positive integer"));
    auto t = Await<store::ApiToken>([&](auto done) { store_.RevokeToken(*id, std::move(done)); });
    if (!t) return reply(ErrorResponse(t.error()));
    Audit(who, "token.revoke", {{"id", *id}, {"name", t->name}});
    reply(JsonResponse(Serialize(json::object{{"id", t->id}, {"name", t->name}, {"revoked", true}})));
  }

  void ListAudit(HttpRequest& r, Reply& reply, const Caller&) {
    auto before = IntParam(r, "before", 0, 0, INT64_MAX);
    auto limit = IntParam(r, "limit", 100, 1, 10000);
    if (!before) return reply(ErrorResponse(before.error()));
    if (!limit) return reply(ErrorResponse(limit.error()));
    auto events = store_.ListAudit(*before, static_cast<size_t>(*limit));
    if (!events) return reply(ErrorResponse(events.error()));
    json::array arr;
    for (const auto& e : *events) {
      json::error_code ec;
      json::value detail = json::parse(e.detail_json, ec);
      arr.emplace_back(json::object{{"id", e.id}, {"at_us", e.at_us}, {"actor", e.actor},
                                    {"action", e.action}, {"detail", ec ? json::value(nullptr) : detail}});
    }
    reply(JsonResponse(Serialize(json::object{{"events", std::move(arr)}})));
  }

 private:
  fleet::Fleet& fleet_;
  store::Store& store_;
  const OperatorAuth& auth_;
  BlockingPool& pool_;
  RunStreams& streams_;
};

}  // namespace

void AddOperatorRoutes(RouteTable& routes, const OperatorApiDeps& deps,
                       const config::Limits& limits) {
  auto h = std::make_shared<Handlers>(deps);
  auto ep = [&](net::Handler handler) {
    net::Endpoint e;
    e.handler = std::move(handler);
    e.body_limit = limits.admin_body_bytes;
    e.inflated_limit = limits.admin_body_bytes;
    return e;
  };
  using R = Role;
  auto add = [&](const char* method, const char* path, R role, Handlers::Method m) {
    routes.Add(method, path, ep(h->Guarded(role, m)));
  };
  routes.Add("GET", "/healthz", ep([h](HttpRequest&& r, Reply reply) { h->Health(std::move(r), std::move(reply)); }));
  add("GET", "/api/v1/whoami", R::kViewer, &Handlers::WhoAmI);
  add("GET", "/api/v1/hosts", R::kViewer, &Handlers::ListHosts);
  add("GET", "/api/v1/hosts/*", R::kViewer, &Handlers::GetHost);
  add("POST", "/api/v1/hosts/*/revoke", R::kAdmin, &Handlers::RevokeHost);
  add("DELETE", "/api/v1/hosts/*", R::kAdmin, &Handlers::RevokeHost);
  add("POST", "/api/v1/targets", R::kViewer, &Handlers::ResolveTargets);
  add("POST", "/api/v1/runs", R::kOperator, &Handlers::CreateRun);
  add("GET", "/api/v1/runs", R::kViewer, &Handlers::ListRuns);
  add("GET", "/api/v1/runs/*", R::kViewer, &Handlers::GetRun);
  add("POST", "/api/v1/runs/*/cancel", R::kOperator, &Handlers::CancelRun);
  add("GET", "/api/v1/runs/*/results", R::kViewer, &Handlers::Results);
  add("POST", "/api/v1/runs/*/reduce", R::kViewer, &Handlers::Reduce);
  add("GET", "/api/v1/runs/*/events", R::kViewer, &Handlers::Events);
  add("GET", "/api/v1/labels", R::kViewer, &Handlers::ListLabels);
  add("POST", "/api/v1/labels", R::kOperator, &Handlers::CreateLabel);
  add("GET", "/api/v1/labels/*", R::kViewer, &Handlers::GetLabel);
  add("PUT", "/api/v1/labels/*", R::kOperator, &Handlers::UpdateLabel);
  add("DELETE", "/api/v1/labels/*", R::kOperator, &Handlers::DeleteLabel);
  add("POST", "/api/v1/search", R::kViewer, &Handlers::Search);
  add("GET", "/api/v1/tokens", R::kAdmin, &Handlers::ListTokens);
  add("POST", "/api/v1/tokens", R::kAdmin, &Handlers::CreateToken);
  add("POST", "/api/v1/tokens/*/revoke", R::kAdmin, &Handlers::RevokeToken);
  add("GET", "/api/v1/audit", R::kViewer, &Handlers::ListAudit);
}

}  // namespace quarry::api
