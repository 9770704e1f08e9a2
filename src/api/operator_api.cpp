#include "api/operator_api.h"

#include <boost/json.hpp>
#include <charconv>

#include "api/http_errors.h"
#include "base/secret.h"

namespace quarry::api {
namespace json = boost::json;
namespace {

using net::HttpRequest;
using net::HttpResponse;
using net::Reply;

json::object NodeJson(const store::Node& n) {
  json::object o;
  o["id"] = n.id;
  o["host_identifier"] = n.identity.host_identifier;
  o["hostname"] = n.identity.hostname;
  o["platform"] = n.identity.platform;
  o["os_name"] = n.identity.os_name;
  o["os_version"] = n.identity.os_version;
  o["osquery_version"] = n.identity.osquery_version;
  o["hardware_uuid"] = n.identity.hardware_uuid;
  o["enroll_secret_name"] = n.enroll_secret_name;
  json::array labels;
  for (const auto& l : n.secret_labels) labels.emplace_back(l);
  o["labels"] = std::move(labels);
  o["first_enrolled_us"] = n.first_enrolled_us;
  o["enrolled_us"] = n.enrolled_us;
  o["last_seen_us"] = n.last_seen_us;
  o["revoked"] = n.revoked;
  return o;
}

json::object RunJson(const store::Run& r) {
  json::object o;
  o["id"] = r.id;
  o["sql"] = r.sql;
  o["submitted_by"] = r.submitted_by;
  o["created_us"] = r.created_us;
  o["deadline_us"] = r.deadline_us;
  o["ended_us"] = r.ended_us;
  o["status"] = store::RunStatusName(r.status);
  return o;
}

json::object RunHostJson(const store::RunHost& h) {
  json::object o;
  o["host_id"] = h.node;
  o["state"] = store::HostRunStateName(h.state);
  o["picked_up_us"] = h.picked_up_us;
  o["finished_us"] = h.finished_us;
  o["status"] = h.status;
  o["message"] = h.message;
  o["rows"] = h.rows;
  if (h.stats.present) {
    o["stats"] = json::object{{"wall_time_ms", h.stats.wall_time_ms},
                              {"user_time", h.stats.user_time},
                              {"system_time", h.stats.system_time},
                              {"memory", h.stats.memory}};
  }
  return o;
}

std::optional<int64_t> ParseId(std::string_view text) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v <= 0) return std::nullopt;
  return v;
}

std::string QueryParam(std::string_view query, std::string_view name) {
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    size_t eq = pair.find('=');
    if (pair.substr(0, eq) == name) return eq == std::string_view::npos ? "" : std::string(pair.substr(eq + 1));
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return {};
}

Result<std::vector<std::string>> StringList(const json::object& o, const char* key) {
  std::vector<std::string> out;
  auto* v = o.if_contains(key);
  if (!v) return out;
  if (!v->is_array()) return Fail(ErrorCode::kInvalidArgument, std::string(key) + ": expected an array of strings");
  for (const auto& e : v->as_array()) {
    if (!e.is_string()) return Fail(ErrorCode::kInvalidArgument, std::string(key) + ": expected an array of strings");
    out.emplace_back(e.as_string());
  }
  return out;
}

// {"all": bool, "hosts": [id or identifier/hostname ...], "platforms": [...], "labels": [...]}
Result<fleet::TargetSelector> ParseSelector(const json::object& o) {
  fleet::TargetSelector sel;
  if (auto* all = o.if_contains("all")) {
    if (!all->is_bool()) return Fail(ErrorCode::kInvalidArgument, "all: expected a boolean");
    sel.all = all->as_bool();
  }
  if (auto* hosts = o.if_contains("hosts")) {
    if (!hosts->is_array()) return Fail(ErrorCode::kInvalidArgument, "hosts: expected an array");
    for (const auto& h : hosts->as_array()) {
      if (h.is_int64() && h.as_int64() > 0) {
        sel.host_ids.push_back(h.as_int64());
      } else if (h.is_string() && !h.as_string().empty()) {
        sel.hosts.emplace_back(h.as_string());
      } else {
        return Fail(ErrorCode::kInvalidArgument,
                    "hosts: expected host ids, host identifiers or hostnames");
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
                "give \"all\": true, or \"hosts\", \"platforms\" or \"labels\"");
  }
  return sel;
}

std::string SelectorJson(const fleet::TargetSelector& sel) {
  json::object o;
  o["all"] = sel.all;
  json::array hosts;
  for (auto id : sel.host_ids) hosts.emplace_back(id);
  for (const auto& h : sel.hosts) hosts.emplace_back(h);
  o["hosts"] = std::move(hosts);
  json::array platforms(sel.platforms.begin(), sel.platforms.end());
  o["platforms"] = std::move(platforms);
  json::array labels(sel.labels.begin(), sel.labels.end());
  o["labels"] = std::move(labels);
  return json::serialize(o);
}

class OperatorHandlers {
 public:
  OperatorHandlers(fleet::Fleet& fleet, const OperatorAuth& auth, BlockingPool& pool)
      : fleet_(fleet), auth_(auth), pool_(pool) {}

  void Health(HttpRequest&&, Reply reply) {
    auto q = fleet_.store().QueueStats();
    json::object o{{"status", "ok"},
                   {"hosts", fleet_.nodes().size()},
                   {"hosts_with_pending_queries", fleet_.pending().hosts_with_work()},
                   {"write_queue", q.queued},
                   {"writes_committed", q.committed},
                   {"writes_rejected", q.rejected}};
    reply(JsonResponse(json::serialize(o)));
  }

  // Wraps a handler with the bearer-token check and runs it on the pool.
  template <class F>
  net::Handler Guarded(Role needed, F f) {
    return [this, needed, f](HttpRequest&& request, Reply reply) {
      auto who = auth_.Check(request.Header("Authorization"));
      if (!who) {
        HttpResponse r = ErrorResponse(who.error());
        r.headers.emplace_back("WWW-Authenticate", "Bearer");
        reply(std::move(r));
        return;
      }
      if (static_cast<int>(who->first) < static_cast<int>(needed)) {
        reply(ErrorResponse(403, "this token's role may not do that"));
        return;
      }
      auto task = [this, f, request = std::move(request), reply, name = who->second]() mutable {
        (this->*f)(std::move(request), std::move(reply), name);
      };
      if (!pool_.Submit(std::move(task))) reply(ErrorResponse(503, "server busy; try again"));
    };
  }

  void ListHosts(HttpRequest&&, Reply reply, const std::string&) {
    auto nodes = fleet_.store().ListNodes();
    if (!nodes) return reply(ErrorResponse(nodes.error()));
    json::array arr;
    for (const auto& n : *nodes) {
      json::object o = NodeJson(n);
      if (auto live = fleet_.nodes().FindById(n.id)) o["last_seen_us"] = live->last_seen_us.load();
      arr.emplace_back(std::move(o));
    }
    reply(JsonResponse(json::serialize(json::object{{"hosts", std::move(arr)}})));
  }

  void RevokeHost(HttpRequest&& request, Reply reply, const std::string&) {
    auto id = ParseId(PathSegment(request.path, 3));
    if (!id) return reply(ErrorResponse(400, "host id must be a positive integer"));
    fleet_.RevokeNode(*id, [reply](Result<store::Node> n) {
      if (!n) return reply(ErrorResponse(n.error()));
      reply(JsonResponse(json::serialize(NodeJson(*n))));
    });
  }

  void CreateRun(HttpRequest&& request, Reply reply, const std::string& who) {
    json::error_code ec;
    json::value body = json::parse(request.body, ec);
    if (ec || !body.is_object()) return reply(ErrorResponse(400, "body: expected a JSON object"));
    const json::object& o = body.as_object();
    fleet::RunRequest run;
    run.submitted_by = who;
    if (auto* sql = o.if_contains("sql"); sql && sql->is_string()) {
      run.sql = std::string(sql->as_string());
    } else {
      return reply(ErrorResponse(400, "sql: expected a string"));
    }
    auto selector = ParseSelector(o);
    if (!selector) return reply(ErrorResponse(selector.error()));
    run.selector = std::move(*selector);
    if (auto* t = o.if_contains("timeout_seconds")) {
      if (!t->is_int64() || t->as_int64() <= 0 || t->as_int64() > 7 * 86400)
        return reply(ErrorResponse(400, "timeout_seconds: expected 1 .. 604800"));
      run.deadline_us = SystemClock::Instance().NowMicros() + t->as_int64() * 1'000'000;
    }
    run.selector_json = SelectorJson(run.selector);
    fleet_.CreateRun(std::move(run), [reply](Result<store::Run> r) {
      if (!r) return reply(ErrorResponse(r.error()));
      reply(JsonResponse(json::serialize(RunJson(*r)), 201));
    });
  }

  void GetRun(HttpRequest&& request, Reply reply, const std::string&) {
    auto id = ParseId(PathSegment(request.path, 3));
    if (!id) return reply(ErrorResponse(400, "run id must be a positive integer"));
    auto run = fleet_.store().GetRun(*id);
    if (!run) return reply(ErrorResponse(run.error()));
    if (!*run) return reply(ErrorResponse(404, "no run " + std::to_string(*id)));
    auto hosts = fleet_.store().ListRunHosts(*id);
    if (!hosts) return reply(ErrorResponse(hosts.error()));
    json::object o = RunJson(**run);
    json::array arr;
    std::map<std::string, int64_t> counts;
    int64_t rows = 0;
    for (const auto& h : *hosts) {
      counts[store::HostRunStateName(h.state)]++;
      rows += h.rows;
      arr.emplace_back(RunHostJson(h));
    }
    json::object progress{{"targeted", static_cast<int64_t>(hosts->size())}, {"rows", rows}};
    for (const char* s : {"pending", "picked_up", "answered", "failed", "expired", "cancelled"})
      progress[s] = counts[s];
    o["progress"] = std::move(progress);
    o["hosts"] = std::move(arr);
    reply(JsonResponse(json::serialize(o)));
  }

  void RunResults(HttpRequest&& request, Reply reply, const std::string&) {
    auto id = ParseId(PathSegment(request.path, 3));
    if (!id) return reply(ErrorResponse(400, "run id must be a positive integer"));
    int64_t after = 0;
    size_t limit = 1000;
    if (auto a = QueryParam(request.query, "after"); !a.empty()) {
      auto [end, ec] = std::from_chars(a.data(), a.data() + a.size(), after);
      if (ec != std::errc() || end != a.data() + a.size() || after < 0)
        return reply(ErrorResponse(400, "after: expected a non-negative integer"));
    }
    if (auto l = QueryParam(request.query, "limit"); !l.empty()) {
      auto [end, ec] = std::from_chars(l.data(), l.data() + l.size(), limit);
      if (ec != std::errc() || end != l.data() + l.size() || limit == 0 || limit > 100000)
        return reply(ErrorResponse(400, "limit: expected 1 .. 100000"));
    }
    auto rows = fleet_.store().ListResults(*id, after, limit);
    if (!rows) return reply(ErrorResponse(rows.error()));
    // Rows are stored verbatim as JSON objects: splice them in, no re-parse.
    std::string out = "{\"rows\":[";
    int64_t last = after;
    for (size_t i = 0; i < rows->size(); ++i) {
      const auto& r = (*rows)[i];
      if (i) out += ',';
      out += "{\"seq\":" + std::to_string(r.seq) + ",\"host_id\":" + std::to_string(r.node) +
             ",\"row\":" + r.row_json + "}";
      last = r.seq;
    }
    out += "],\"next_after\":" + std::to_string(last) + "}";
    reply(JsonResponse(std::move(out)));
  }

  void CancelRun(HttpRequest&& request, Reply reply, const std::string&) {
    auto id = ParseId(PathSegment(request.path, 3));
    if (!id) return reply(ErrorResponse(400, "run id must be a positive integer"));
    fleet_.CancelRun(*id, [reply](Result<store::Run> r) {
      if (!r) return reply(ErrorResponse(r.error()));
      reply(JsonResponse(json::serialize(RunJson(*r))));
    });
  }

 private:
  fleet::Fleet& fleet_;
  const OperatorAuth& auth_;
  BlockingPool& pool_;
};

}  // namespace

void OperatorAuth::AddToken(std::string_view token, Role role, std::string name) {
  tokens_.push_back(Entry{HashSecret(token), role, std::move(name)});
}

Result<std::pair<Role, std::string>> OperatorAuth::Check(
    std::optional<std::string_view> authorization) const {
  if (!authorization) return Fail(ErrorCode::kUnauthenticated, "missing bearer token");
  std::string_view h = *authorization;
  if (h.size() < 7 || (h.substr(0, 7) != "Bearer " && h.substr(0, 7) != "bearer "))
    return Fail(ErrorCode::kUnauthenticated, "expected 'Authorization: Bearer <token>'");
  std::string hash = HashSecret(h.substr(7));
  for (const auto& t : tokens_) {
    if (ConstantTimeEquals(t.hash, hash)) return std::make_pair(t.role, t.name);
  }
  return Fail(ErrorCode::kUnauthenticated, "unknown or revoked token");
}

void AddOperatorRoutes(RouteTable& routes, fleet::Fleet& fleet, const OperatorAuth& auth,
                       BlockingPool& pool, const config::Limits& limits) {
  auto h = std::make_shared<OperatorHandlers>(fleet, auth, pool);
  auto ep = [&](net::Handler handler) {
    net::Endpoint e;
    e.handler = std::move(handler);
    e.body_limit = limits.admin_body_bytes;
    e.inflated_limit = limits.admin_body_bytes;
    return e;
  };
  auto keep = [h](auto method) {
    return [h, method](HttpRequest&& r, Reply reply) { ((*h).*method)(std::move(r), std::move(reply)); };
  };
  routes.Add("GET", "/healthz", ep(keep(&OperatorHandlers::Health)));
  routes.Add("GET", "/api/v1/hosts", ep(h->Guarded(Role::kViewer, &OperatorHandlers::ListHosts)));
  routes.Add("POST", "/api/v1/hosts/*/revoke",
             ep(h->Guarded(Role::kAdmin, &OperatorHandlers::RevokeHost)));
  routes.Add("POST", "/api/v1/runs", ep(h->Guarded(Role::kOperator, &OperatorHandlers::CreateRun)));
  routes.Add("GET", "/api/v1/runs/*", ep(h->Guarded(Role::kViewer, &OperatorHandlers::GetRun)));
  routes.Add("GET", "/api/v1/runs/*/results",
             ep(h->Guarded(Role::kViewer, &OperatorHandlers::RunResults)));
  routes.Add("POST", "/api/v1/runs/*/cancel",
             ep(h->Guarded(Role::kOperator, &OperatorHandlers::CancelRun)));
}

}  // namespace quarry::api
