#include "api/run_streams.h"

#include <boost/json.hpp>
#include <chrono>
#include <map>

#include "api/operator_json.h"
#include "base/log.h"
#include "net/sse.h"
#include "search/reduce.h"
#include "search/table.h"

namespace quarry::api {
namespace json = boost::json;

namespace {
constexpr int64_t kTickUs = 250'000;
constexpr int64_t kReduceEveryUs = 500'000;
constexpr size_t kRowsPerEvent = 500;
constexpr size_t kRowsPerPump = 20'000;  // bounded work per pass; the rest next pass
// A stream's reducer holds every row of the run in memory: bounded.
constexpr size_t kMaxReduceRows = 5'000'000;
}  // namespace

struct RunStreams::Stream {
  store::RunId run = 0;
  int64_t cursor = 0;  // last row seq sent
  std::string reduce_sql;
  std::shared_ptr<net::ResponseStream> out;
  bool dirty = true;
  bool sent_progress = false;
  Progress last_progress;
  std::map<store::NodeId, std::pair<store::HostRunState, bool>> host_states;  // state, online
  std::unique_ptr<search::Reducer> reducer;
  bool reduce_pending = false;
  int64_t last_reduce_us = 0;
  int64_t reduce_cursor = 0;  // rows fed to the reducer
};

RunStreams::RunStreams(fleet::Fleet& fleet, store::Store& store) : fleet_(fleet), store_(store) {}

RunStreams::~RunStreams() { Stop(); }

void RunStreams::Start() { thread_ = std::thread([this] { Loop(); }); }

void RunStreams::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  std::vector<std::shared_ptr<Stream>> left;
  {
    std::lock_guard lock(mu_);
    left.swap(streams_);
  }
  for (auto& s : left) s->out->Close();
}

size_t RunStreams::active() const {
  std::lock_guard lock(mu_);
  return streams_.size();
}

void RunStreams::Subscribe(store::RunId run, int64_t after_seq, std::string reduce_sql,
                           std::shared_ptr<net::ResponseStream> out) {
  auto s = std::make_shared<Stream>();
  s->run = run;
  s->cursor = after_seq;
  s->reduce_sql = std::move(reduce_sql);
  s->out = std::move(out);
  if (!s->reduce_sql.empty()) s->reducer = std::make_unique<search::Reducer>();
  {
    std::lock_guard lock(mu_);
    if (stopping_) {
      s->out->Close();
      return;
    }
    streams_.push_back(s);
  }
  cv_.notify_one();
}

void RunStreams::OnRunChanged(store::RunId run) {
  {
    std::lock_guard lock(mu_);
    if (streams_.empty()) return;
    changed_.insert(run);
  }
  cv_.notify_one();
}

bool RunStreams::Pump(Stream& s, int64_t now_us) {
  if (s.out->closed()) return false;
  auto run = store_.GetRun(s.run);
  if (!run || !*run) {
    s.out->Write(net::FormatSseEvent("error", "", "{\"error\":\"run not found\"}"));
    s.out->Close();
    return false;
  }
  auto hosts = store_.ListRunHosts(s.run);
  if (!hosts) return true;  // try again next tick

  // Rows first, so that a client that sees `progress.rows` already has them.
  for (size_t sent = 0; sent < kRowsPerPump;) {
    auto rows = store_.ListResults(s.run, s.cursor, kRowsPerEvent);
    if (!rows || rows->empty()) break;
    s.cursor = rows->back().seq;
    sent += rows->size();
    if (!s.out->Write(net::FormatSseEvent("rows", std::to_string(s.cursor), RowsJson(*rows, fleet_))))
      return false;
    if (rows->size() < kRowsPerEvent) break;
  }

  for (const auto& h : *hosts) {
    auto node = fleet_.nodes().FindById(h.node);
    bool online = node && fleet_.IsOnline(*node);
    auto it = s.host_states.find(h.node);
    if (it != s.host_states.end() && it->second == std::make_pair(h.state, online)) continue;
    s.host_states[h.node] = {h.state, online};
    if (!s.out->Write(net::FormatSseEvent("host", "", Serialize(RunHostJson(h, fleet_)))))
      return false;
  }

  Progress p = ComputeProgress(**run, *hosts, fleet_);
  if (!s.sent_progress || !(p == s.last_progress)) {
    s.sent_progress = true;
    s.last_progress = p;
    if (!s.out->Write(net::FormatSseEvent("progress", "", Serialize(ProgressJson(p))))) return false;
  }

  if (s.reducer) {
    // Feed every row of the run (not only those after the resume cursor).
    for (size_t fed = 0; fed < kRowsPerPump;) {
      auto rows = store_.ListResults(s.run, s.reduce_cursor, 5000);
      if (!rows || rows->empty()) break;
      std::vector<search::ReduceInput> in;
      in.reserve(rows->size());
      for (const auto& r : *rows) in.push_back({r.node, HostnameOf(fleet_, r.node), r.row_json});
      s.reduce_cursor = rows->back().seq;
      fed += rows->size();
      auto added = s.reducer->rows() + in.size() > kMaxReduceRows
                       ? Result<void>(Fail(ErrorCode::kTooLarge,
                                           "more than 5,000,000 rows: live reduce stopped"))
                       : s.reducer->Add(in);
      if (!added) {
        s.out->Write(net::FormatSseEvent(
            "reduce_error", "", json::serialize(json::object{{"error", added.error().message}})));
        s.reducer.reset();
        break;
      }
      s.reduce_pending = true;
    }
    bool first = s.last_reduce_us == 0;
    if (s.reducer && (first || (s.reduce_pending && now_us - s.last_reduce_us >= kReduceEveryUs) ||
                      (s.reduce_pending && p.done))) {
      s.reduce_pending = false;
      s.last_reduce_us = now_us;
      auto table = s.reducer->Evaluate(s.reduce_sql, search::QueryLimits{});
      if (table) {
        if (!s.out->Write(net::FormatSseEvent("reduce", "", search::TableToJson(*table)))) return false;
      } else if (s.reducer->rows() > 0 || first) {
        // Before any row arrives the table has no result columns yet; say so once.
        if (!s.out->Write(net::FormatSseEvent(
                "reduce_error", "", json::serialize(json::object{{"error", table.error().message}}))))
          return false;
      }
    }
  }

  if ((*run)->status != store::RunStatus::kRunning && !s.reduce_pending) {
    s.out->Write(net::FormatSseEvent("end", "", Serialize(RunJson(**run))));
    s.out->Close();
    return false;
  }
  return true;
}

void RunStreams::Loop() {
  std::unique_lock lock(mu_);
  int64_t last_tick = 0;
  while (!stopping_) {
    cv_.wait_for(lock, std::chrono::microseconds(kTickUs),
                 [this] { return stopping_ || !changed_.empty() ||
                                 std::any_of(streams_.begin(), streams_.end(),
                                             [](auto& s) { return s->dirty; }); });
    if (stopping_) break;
    int64_t now = SystemClock::Instance().NowMicros();
    bool tick = now - last_tick >= kTickUs;
    if (tick) last_tick = now;
    std::vector<std::shared_ptr<Stream>> due;
    for (auto& s : streams_) {
      if (changed_.count(s->run)) s->dirty = true;
      if (s->dirty || tick) due.push_back(s);
    }
    changed_.clear();
    lock.unlock();
    std::vector<Stream*> finished;
    for (auto& s : due) {
      s->dirty = false;
      bool keep = true;
      try {
        keep = Pump(*s, now);
      } catch (const std::exception& e) {
        log::Warn("run stream {}: {}", s->run, e.what());
        keep = false;
        s->out->Close();
      }
      if (!keep) finished.push_back(s.get());
    }
    lock.lock();
    if (!finished.empty()) {
      std::erase_if(streams_, [&](const std::shared_ptr<Stream>& s) {
        return std::find(finished.begin(), finished.end(), s.get()) != finished.end();
      });
    }
  }
}

}  // namespace quarry::api
