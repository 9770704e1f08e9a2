// RunFollower: the state of one run as its event stream tells it (docs/api.md
// "Event stream"): progress, host states, rows, the latest reduce table and
// the end. Pure: it is fed (event, id, data) triples and hands back what each
// one produced, so the `query` command decides what to print and this is
// unit-tested without a server.
//
// Reconnection safety: rows are deduplicated by seq (a resumed stream may
// repeat some), and a failed host is reported once however many times its
// state is re-sent.
//
// Not thread-safe.
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "cli/operator_client.h"

namespace quarry::cli {

// {"seq","host_id","host","row":{...}} -> {"host_id","host", ...the row's columns}.
// A column of the row itself named host_id or host is kept as row_host_id /
// row_host (ours name the machine).
boost::json::object FlattenResultRow(const boost::json::object& api_row);

// "37/40 answered, 1 failed, 2 offline, 1234 rows"
std::string ProgressLine(const Progress& progress);

class RunFollower {
 public:
  struct Update {
    std::vector<boost::json::object> rows;  // new rows, flattened, in seq order
    std::vector<std::string> failures;      // "host web-3: no such table: foo"
    bool progress_changed = false;
  };

  // One event. Unknown events are ignored; malformed data is counted in
  // bad_events() and otherwise ignored.
  Update OnEvent(std::string_view event, std::string_view id, std::string_view data);

  const Progress& progress() const { return progress_; }
  bool ended() const { return end_run_.has_value(); }
  // The Run of the `end` event.
  const std::optional<boost::json::object>& end_run() const { return end_run_; }
  // The highest row seq seen (for Last-Event-ID); 0 before any row.
  int64_t last_seq() const { return last_seq_; }
  // The latest `reduce` Table.
  const std::optional<boost::json::value>& reduce() const { return reduce_; }
  // Hosts that answered: the most of the progress count and the host states seen.
  int64_t answered() const;
  size_t bad_events() const { return bad_events_; }
  // The hosts seen, by host id.
  const std::map<int64_t, RunHost>& hosts() const { return hosts_; }

 private:
  Progress progress_;
  std::map<int64_t, RunHost> hosts_;
  std::set<int64_t> failure_reported_;
  std::optional<boost::json::object> end_run_;
  std::optional<boost::json::value> reduce_;
  int64_t last_seq_ = 0;
  size_t bad_events_ = 0;
};

}  // namespace quarry::cli
