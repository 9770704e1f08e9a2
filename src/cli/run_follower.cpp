#include "cli/run_follower.h"

#include <algorithm>

namespace quarry::cli {
namespace json = boost::json;

json::object FlattenResultRow(const json::object& api_row) {
  json::object out;
  out["host_id"] = GetInt(api_row, "host_id");
  out["host"] = GetString(api_row, "host");
  if (const auto* row = api_row.if_contains("row"); row && row->is_object()) {
    for (const auto& kv : row->as_object()) {
      if (kv.key() == "host" || kv.key() == "host_id") {
        out["row_" + std::string(kv.key())] = kv.value();
      } else {
        out[kv.key()] = kv.value();
      }
    }
  }
  return out;
}

std::string ProgressLine(const Progress& p) {
  return std::to_string(p.answered) + "/" + std::to_string(p.targeted) + " answered, " +
         std::to_string(p.failed) + " failed, " + std::to_string(p.offline) + " offline, " +
         std::to_string(p.rows) + (p.rows == 1 ? " row" : " rows");
}

int64_t RunFollower::answered() const {
  int64_t seen = 0;
  for (const auto& [id, h] : hosts_) seen += h.state == "answered" ? 1 : 0;
  return std::max(seen, progress_.answered);
}

RunFollower::Update RunFollower::OnEvent(std::string_view event, std::string_view id,
                                         std::string_view data) {
  Update update;
  json::error_code ec;
  json::value v = json::parse(data, ec);
  if (ec || !v.is_object()) {
    if (event == "progress" || event == "host" || event == "rows" || event == "reduce" ||
        event == "end")
      ++bad_events_;
    return update;
  }
  const json::object& o = v.as_object();
  if (event == "progress") {
    progress_ = ProgressFromJson(o);
    update.progress_changed = true;
  } else if (event == "host") {
    RunHost h = RunHostFromJson(o);
    if (h.host_id == 0) {
      ++bad_events_;
      return update;
    }
    if (h.hostname.empty()) {
      if (auto it = hosts_.find(h.host_id); it != hosts_.end()) h.hostname = it->second.hostname;
    }
    if (h.state == "failed" && failure_reported_.insert(h.host_id).second) {
      std::string name = h.hostname.empty() ? "#" + std::to_string(h.host_id) : h.hostname;
      std::string message =
          h.message.empty() ? "failed (status " + GetString(o, "status") + ")" : h.message;
      update.failures.push_back("host " + name + ": " + message);
    }
    hosts_[h.host_id] = std::move(h);
  } else if (event == "rows") {
    const json::value* rows = o.if_contains("rows");
    if (!rows || !rows->is_array()) {
      ++bad_events_;
      return update;
    }
    for (const auto& r : rows->as_array()) {
      if (!r.is_object()) continue;
      int64_t seq = GetInt(r.as_object(), "seq");
      // A resumed stream starts after Last-Event-ID, but be safe against repeats.
      if (seq > 0 && seq <= last_seq_) continue;
      if (seq > last_seq_) last_seq_ = seq;
      update.rows.push_back(FlattenResultRow(r.as_object()));
    }
    (void)id;  // the SSE id is the last seq of the batch: the rows already say it
  } else if (event == "reduce") {
    reduce_ = std::move(v);
  } else if (event == "end") {
    end_run_ = o;
    if (const auto* p = o.if_contains("progress"); p && p->is_object()) {
      progress_ = ProgressFromJson(p->as_object());
      update.progress_changed = true;
    }
  }
  return update;
}

}  // namespace quarry::cli
