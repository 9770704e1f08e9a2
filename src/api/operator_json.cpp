#include "api/operator_json.h"

#include <boost/json.hpp>

namespace quarry::api {
namespace json = boost::json;

std::string HostnameOf(const fleet::Fleet& fleet, store::NodeId node) {
  auto entry = fleet.nodes().FindById(node);
  return entry ? entry->hostname : std::string();
}

Progress ComputeProgress(const store::Run& run, const std::vector<store::RunHost>& hosts,
                         const fleet::Fleet& fleet) {
  Progress p;
  p.targeted = static_cast<int64_t>(hosts.size());
  bool waiting = false;  // an online target that has not finished
  for (const auto& h : hosts) {
    auto node = fleet.nodes().FindById(h.node);
    bool online = node && fleet.IsOnline(*node);
    online ? ++p.online : ++p.offline;
    p.rows += h.rows;
    switch (h.state) {
      case store::HostRunState::kPending:
        ++p.pending;
        if (online) waiting = true;
        break;
      case store::HostRunState::kPickedUp:
        ++p.picked_up;
        waiting = true;  // it is running the query
        break;
      case store::HostRunState::kAnswered: ++p.answered; break;
      case store::HostRunState::kFailed: ++p.failed; break;
      case store::HostRunState::kExpired: ++p.expired; break;
      case store::HostRunState::kCancelled: ++p.cancelled; break;
    }
  }
  p.done = run.status != store::RunStatus::kRunning || !waiting;
  return p;
}

json::object ProgressJson(const Progress& p) {
  return json::object{{"targeted", p.targeted}, {"online", p.online},     {"offline", p.offline},
                      {"pending", p.pending},   {"picked_up", p.picked_up}, {"answered", p.answered},
                      {"failed", p.failed},     {"expired", p.expired},   {"cancelled", p.cancelled},
                      {"rows", p.rows},         {"done", p.done}};
}

json::object RunJson(const store::Run& r) {
  json::error_code ec;
  json::value selector = json::parse(r.selector_json, ec);
  if (ec) selector = json::object();
  return json::object{{"id", r.id},
                      {"sql", r.sql},
                      {"submitted_by", r.submitted_by},
                      {"selector", std::move(selector)},
                      {"reduce", r.reduce_sql},
                      {"created_us", r.created_us},
                      {"deadline_us", r.deadline_us},
                      {"ended_us", r.ended_us},
                      {"status", store::RunStatusName(r.status)}};
}

json::object RunHostJson(const store::RunHost& h, const fleet::Fleet& fleet) {
  auto node = fleet.nodes().FindById(h.node);
  json::object o{{"host_id", h.node},
                 {"hostname", node ? node->hostname : std::string()},
                 {"state", store::HostRunStateName(h.state)},
                 {"picked_up_us", h.picked_up_us},
                 {"finished_us", h.finished_us},
                 {"status", h.status},
                 {"message", h.message},
                 {"rows", h.rows},
                 {"online", node != nullptr && fleet.IsOnline(*node)}};
  if (h.stats.present) {
    o["stats"] = json::object{{"wall_time_ms", h.stats.wall_time_ms},
                              {"user_time", h.stats.user_time},
                              {"system_time", h.stats.system_time},
                              {"memory", h.stats.memory}};
  }
  return o;
}

json::object NodeJson(const store::Node& n, const fleet::Fleet& fleet) {
  auto live = fleet.nodes().FindById(n.id);
  json::array labels;
  for (const auto& l : n.secret_labels) labels.emplace_back(l);
  for (const auto& l : fleet.labels().LabelsOf(n.id)) labels.emplace_back(l);
  auto newest = [&](int64_t stored, const std::atomic<int64_t>* mem) {
    return mem ? std::max(stored, mem->load()) : stored;
  };
  return json::object{
      {"id", n.id},
      {"host_identifier", n.identity.host_identifier},
      {"hostname", n.identity.hostname},
      {"platform", n.identity.platform},
      {"platform_type", n.identity.platform_type},
      {"os_name", n.identity.os_name},
      {"os_version", n.identity.os_version},
      {"osquery_version", n.identity.osquery_version},
      {"hardware_uuid", n.identity.hardware_uuid},
      {"hardware_serial", n.identity.hardware_serial},
      {"enroll_secret_name", n.enroll_secret_name},
      {"labels", std::move(labels)},
      {"first_enrolled_us", n.first_enrolled_us},
      {"enrolled_us", n.enrolled_us},
      {"last_seen_us", newest(n.last_seen_us, live ? &live->last_seen_us : nullptr)},
      {"last_config_us", newest(n.last_config_us, live ? &live->last_config_us : nullptr)},
      {"last_log_us", newest(n.last_log_us, live ? &live->last_log_us : nullptr)},
      {"last_distributed_us",
       newest(n.last_distributed_us, live ? &live->last_distributed_us : nullptr)},
      {"online", !n.revoked && live != nullptr && fleet.IsOnline(*live)},
      {"revoked", n.revoked}};
}

json::object LabelJson(const store::Label& l, int64_t hosts) {
  return json::object{{"id", l.id},
                      {"name", l.name},
                      {"description", l.description},
                      {"kind", store::LabelKindName(l.kind)},
                      {"sql", l.sql},
                      {"refresh_seconds", l.refresh_seconds},
                      {"hosts", hosts},
                      {"created_us", l.created_us},
                      {"updated_us", l.updated_us}};
}

std::string RowsJson(const std::vector<store::ResultRow>& rows, const fleet::Fleet& fleet) {
  std::string out = "{\"rows\":[";
  for (size_t i = 0; i < rows.size(); ++i) {
    const auto& r = rows[i];
    if (i) out += ',';
    out += "{\"seq\":" + std::to_string(r.seq) + ",\"host_id\":" + std::to_string(r.node) +
           ",\"host\":" + json::serialize(json::value(HostnameOf(fleet, r.node))) +
           ",\"row\":" + r.row_json + "}";
  }
  out += "]}";
  return out;
}

std::string Serialize(const json::object& o) { return json::serialize(o); }

}  // namespace quarry::api
