#include "fleet/fleet.h"

#include <algorithm>
#include <charconv>
#include <future>

#include "base/log.h"
#include "base/secret.h"

namespace quarry::fleet {

namespace {
constexpr int64_t kMinute = 60LL * 1'000'000;
constexpr size_t kMaxSqlBytes = 100 * 1024;
}  // namespace

Fleet::Fleet(store::Store& store, const Clock& clock, FleetOptions options)
    : store_(store),
      clock_(clock),
      options_(std::move(options)),
      enroll_failures_(options_.enroll_failures_per_minute, kMinute),
      held_(clock),
      dynamic_labels_(std::make_shared<const std::vector<store::Label>>()) {}

Fleet::~Fleet() { Stop(); }

Result<void> Fleet::Start() {
  auto nodes = store_.ListNodes();
  if (!nodes) return Fail(nodes.error());
  for (const auto& node : *nodes) nodes_.Apply(node);
  auto runs = store_.ListOpenRuns();
  if (!runs) return Fail(runs.error());
  for (const auto& open : *runs) pending_.AddRun(open.run, open.pending_nodes);
  auto labels = store_.ListLabels();
  if (!labels) return Fail(labels.error());
  for (const auto& label : *labels) labels_.ApplyLabel(label, false);
  auto members = store_.ListLabelMemberships();
  if (!members) return Fail(members.error());
  for (const auto& m : *members) labels_.ApplyMembership(m);
  RefreshDynamicLabels();
  last_flush_us_ = clock_.NowMicros();
  started_ = true;
  held_.Start();
  loop_ = std::thread([this] { MaintenanceLoop(); });
  log::Info("fleet: {} hosts, {} open runs loaded", nodes->size(), runs->size());
  return Ok();
}

void Fleet::Stop() {
  if (!started_) return;
  {
    std::lock_guard lock(loop_mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  loop_cv_.notify_all();
  if (loop_.joinable()) loop_.join();
  held_.Stop();
  FlushPickups();
  Maintain(/*final_pass=*/true);
}

void Fleet::MaintenanceLoop() {
  constexpr auto kPickupDelay = std::chrono::milliseconds(20);
  std::unique_lock lock(loop_mu_);
  while (!stopping_) {
    loop_cv_.wait_for(lock, options_.expiry_check,
                      [this] { return stopping_ || !pickups_.empty(); });
    if (stopping_) break;
    if (!pickups_.empty()) {
      // Let the burst that woke us gather for a moment, then write it as one.
      loop_cv_.wait_for(lock, kPickupDelay, [this] { return stopping_; });
      lock.unlock();
      FlushPickups();
      lock.lock();
    }
    int64_t now = clock_.NowMicros();
    if (now - last_expiry_us_ < options_.expiry_check.count() * 1000) continue;
    last_expiry_us_ = now;
    lock.unlock();
    Maintain(/*final_pass=*/false);
    lock.lock();
  }
}

void Fleet::FlushPickups() {
  std::vector<store::Pickup> batch;
  {
    std::lock_guard lock(loop_mu_);
    batch.swap(pickups_);
  }
  if (batch.empty()) return;
  store_.RecordPickups(std::move(batch), [](Result<void> r) {
    if (!r) log::Warn("fleet: recording pickups failed: {}", r.error().message);
  });
}

void Fleet::Maintain(bool final_pass) {
  int64_t now = clock_.NowMicros();
  bool flush_due = final_pass ||
                   now - last_flush_us_ >= options_.last_seen_flush.count() * 1000;
  if (flush_due) {
    last_flush_us_ = now;
    auto seen = nodes_.TakeDirtyLastSeen();
    if (!seen.empty()) {
      if (final_pass) {
        // On shutdown wait for the flush, so a restart shows the latest times.
        auto flushed = std::make_shared<std::promise<void>>();
        store_.TouchNodes(std::move(seen), [flushed](Result<void> r) {
          if (!r) log::Warn("fleet: last-seen flush failed: {}", r.error().message);
          flushed->set_value();
        });
        // Bounded: a store that no longer answers must not hang shutdown.
        if (flushed->get_future().wait_for(std::chrono::seconds(10)) != std::future_status::ready)
          log::Warn("fleet: last-seen flush did not finish within 10 s");
      } else {
        store_.TouchNodes(std::move(seen), [](Result<void> r) {
          if (!r) log::Warn("fleet: last-seen flush failed: {}", r.error().message);
        });
      }
    }
  }
  if (!final_pass) {
    store_.ExpireRuns(now, [](Result<std::vector<store::Run>> r) {
      if (!r) {
        log::Warn("fleet: expiring runs failed: {}", r.error().message);
      } else {
        for (const auto& run : *r) log::Info("run {} expired", run.id);
      }
    });
  }
}

// ---- Agent side ----

const EnrollSecret* Fleet::MatchSecret(std::string_view presented) const {
  // Compare against every secret, so the time taken does not tell which one
  // (or whether any) matched.
  const EnrollSecret* match = nullptr;
  for (const auto& s : options_.enroll_secrets) {
    bool equal = ConstantTimeEquals(HashSecret(s.secret), HashSecret(presented));
    if (equal && match == nullptr) match = &s;
  }
  return match;
}

void Fleet::Enroll(proto::EnrollRequest request, const std::string& remote_address,
                   store::Done<std::string> done) {
  int64_t now = clock_.NowMicros();
  if (enroll_failures_.Blocked(remote_address, now)) {
    done(Fail(ErrorCode::kUnavailable,
              "too many failed enrollments from this address; try again later"));
    return;
  }
  const EnrollSecret* secret = MatchSecret(request.enroll_secret);
  if (secret == nullptr) {
    enroll_failures_.RecordFailure(remote_address, now);
    log::Warn("enroll refused for '{}' from {}: {} enroll secret",
              request.identity.host_identifier, remote_address,
              request.enroll_secret.empty() ? "missing" : "wrong");
    done(Fail(ErrorCode::kUnauthenticated, "invalid enroll secret"));
    return;
  }
  std::string node_key = RandomHex(32);
  store::Enrollment enrollment;
  enrollment.identity = std::move(request.identity);
  enrollment.node_key_hash = HashSecret(node_key);
  enrollment.enroll_secret_name = secret->name;
  enrollment.secret_labels = secret->labels;
  enrollment.remote_address = remote_address;
  enrollment.at_us = now;
  store_.EnrollNode(std::move(enrollment),
                    [done = std::move(done), node_key = std::move(node_key)](
                        Result<store::Node> node) mutable {
                      if (!node) {
                        done(Fail(node.error()));
                        return;
                      }
                      log::Debug("enrolled host {} ({})", node->id,
                                 node->identity.host_identifier);
                      done(std::move(node_key));
                    });
}

NodeRef Fleet::Authenticate(std::string_view node_key, store::SeenVia via) {
  NodeRef node = nodes_.FindByKey(node_key);
  if (node) node->Touch(via, clock_.NowMicros());
  return node;
}

std::string Fleet::ConfigFor(const NodeEntry& node) {
  std::string key = node.platform + '\x1f' + node.platform_type;
  {
    std::lock_guard lock(config_mu_);
    auto it = config_cache_.find(key);
    if (it != config_cache_.end()) return *it->second;
  }
  auto doc = std::make_shared<const std::string>(
      options_.config_assembler ? options_.config_assembler(node.platform, node.platform_type)
                                : std::string("{}"));
  std::lock_guard lock(config_mu_);
  config_cache_.emplace(key, doc);
  return *doc;
}

void Fleet::IngestLogs(const NodeEntry& node, proto::LogRequest request, store::Done<void> done) {
  if (request.lines.empty()) {
    done(Ok());
    return;
  }
  store::LogBatch batch;
  batch.node = node.id;
  batch.type = request.type;
  batch.received_us = clock_.NowMicros();
  batch.lines = std::move(request.lines);
  store_.AppendLogs(std::move(batch), std::move(done));
}

namespace {
constexpr char kLabelWirePrefix = 'l';

std::string LabelWireId(int64_t label) { return kLabelWirePrefix + std::to_string(label); }

int64_t ParseLabelWireId(std::string_view id) {
  if (id.size() < 2 || id[0] != kLabelWirePrefix) return 0;
  int64_t label = 0;
  auto [end, ec] = std::from_chars(id.data() + 1, id.data() + id.size(), label);
  return ec == std::errc() && end == id.data() + id.size() && label > 0 ? label : 0;
}
}  // namespace

void Fleet::RefreshDynamicLabels() {
  auto dynamic = std::make_shared<const std::vector<store::Label>>(labels_.Dynamic());
  dynamic_labels_.store(std::move(dynamic));
}

DistributedWork Fleet::TakeWork(NodeEntry& node, int64_t now) {
  DistributedWork work;
  auto taken = pending_.Take(node.id, now);
  std::vector<store::Pickup> pickups;
  pickups.reserve(taken.size());
  for (const auto& q : taken) {
    work.queries.push_back(proto::PendingQuery{RunWireId(q.run), *q.sql});
    pickups.push_back(store::Pickup{q.run, node.id, now});
  }
  std::shared_ptr<const std::vector<store::Label>> dynamic = dynamic_labels_.load();
  if (!dynamic->empty()) {
    std::lock_guard lock(node.label_mu);
    for (const auto& label : *dynamic) {
      int64_t& due = node.label_due_us[label.id];
      if (due > now) continue;
      int64_t refresh = label.refresh_seconds > 0 ? label.refresh_seconds
                                                  : options_.default_label_refresh_seconds;
      due = now + refresh * 1'000'000;
      work.queries.push_back(proto::PendingQuery{LabelWireId(label.id), label.sql});
    }
  }
  if (!pickups.empty()) {
    work.accelerate_seconds = options_.accelerate_seconds;
    // The host's answer does not depend on this record, so the read does not
    // wait for it: the maintenance thread writes every host's pickups together.
    bool was_empty;
    {
      std::lock_guard lock(loop_mu_);
      was_empty = pickups_.empty();
      pickups_.insert(pickups_.end(), pickups.begin(), pickups.end());
    }
    if (was_empty) loop_cv_.notify_one();
  }
  return work;
}

void Fleet::ReadDistributed(const NodeRef& node, std::function<void(DistributedWork)> reply) {
  int64_t now = clock_.NowMicros();
  DistributedWork work = TakeWork(*node, now);
  if (!work.queries.empty() || options_.hold_poll.count() <= 0) {
    reply(std::move(work));
    return;
  }
  held_.Hold(node->id, now + options_.hold_poll.count() * 1000,
             [this, node, reply = std::move(reply)](bool woken) {
               if (!woken) return reply(DistributedWork{});
               reply(TakeWork(*node, clock_.NowMicros()));
             });
}

bool Fleet::IsOnline(const NodeEntry& node) const {
  int64_t now = clock_.NowMicros();
  return now - node.last_distributed_us.load(std::memory_order_relaxed) <=
         options_.online_window.count() * 1000;
}

void Fleet::WriteDistributed(const NodeEntry& node, proto::DistributedWriteRequest request,
                             store::Done<void> done) {
  if (request.answers.empty()) {
    done(Ok());
    return;
  }
  store::DistributedWrite write;
  write.node = node.id;
  write.received_us = clock_.NowMicros();
  std::vector<store::LabelMembership> label_results;
  for (auto& answer : request.answers) {
    if (int64_t label = ParseLabelWireId(answer.query_id)) {
      // A host is a member while its label query succeeds with rows.
      label_results.push_back(store::LabelMembership{
          label, node.id, answer.status == 0 && !answer.rows_json.empty(), write.received_us});
      continue;
    }
    answer.run = ParseRunWireId(answer.query_id);
    write.answers.push_back(std::move(answer));
  }
  // The host is acknowledged once everything it sent is committed: label
  // results and run answers may be two writes, so join their completions.
  struct Join {
    std::mutex mu;
    int left = 0;
    Result<void> result = Ok();
    store::Done<void> done;
  };
  auto join = std::make_shared<Join>();
  join->left = (label_results.empty() ? 0 : 1) + (write.answers.empty() ? 0 : 1);
  join->done = std::move(done);
  if (join->left == 0) return join->done(Ok());
  auto part = [join](Result<void> r) {
    bool last = false;
    {
      std::lock_guard lock(join->mu);
      if (!r && join->result) join->result = r;
      last = --join->left == 0;
    }
    if (last) join->done(join->result);
  };
  if (!label_results.empty()) store_.RecordLabelResults(std::move(label_results), part);
  if (!write.answers.empty()) {
    // Pickups waiting for their batch go first, so an answer never commits
    // before the pickup it follows (the writer keeps submission order).
    FlushPickups();
    store_.RecordAnswers(std::move(write), part);
  }
}

// ---- Operator side ----

void Fleet::CreateRun(RunRequest request, store::Done<store::Run> done) {
  if (request.sql.find_first_not_of(" \t\r\n;") == std::string::npos) {
    done(Fail(ErrorCode::kInvalidArgument, "sql: must not be empty"));
    return;
  }
  if (request.sql.size() > kMaxSqlBytes) {
    done(Fail(ErrorCode::kInvalidArgument, "sql: longer than 100 KiB"));
    return;
  }
  int64_t now = clock_.NowMicros();
  store::RunSpec spec;
  spec.sql = std::move(request.sql);
  spec.submitted_by = std::move(request.submitted_by);
  spec.selector_json = std::move(request.selector_json);
  spec.reduce_sql = std::move(request.reduce_sql);
  spec.created_us = now;
  spec.deadline_us = request.deadline_us > 0 ? request.deadline_us
                                             : now + options_.default_run_deadline_us;
  if (spec.deadline_us <= now) {
    done(Fail(ErrorCode::kInvalidArgument, "deadline: must be in the future"));
    return;
  }
  auto targets = ResolveTargets(request.selector, nodes_, labels_);
  if (!targets) {
    done(Fail(targets.error()));
    return;
  }
  spec.targets = std::move(*targets);
  store_.CreateRun(std::move(spec), std::move(done));
}

void Fleet::CancelRun(store::RunId run, store::Done<store::Run> done) {
  store_.CancelRun(run, clock_.NowMicros(), std::move(done));
}

void Fleet::RevokeNode(store::NodeId node, store::Done<store::Node> done) {
  store_.RevokeNode(node, std::move(done));
}

// ---- StoreObserver ----

void Fleet::OnNodeChanged(const store::Node& node) { nodes_.Apply(node); }

void Fleet::OnRunCreated(const store::Run& run, const std::vector<store::NodeId>& targets) {
  pending_.AddRun(run, targets);
  held_.Wake(targets);
  if (run_listener_) run_listener_(run.id);
}

void Fleet::OnLabelChanged(const store::Label& label, bool deleted) {
  labels_.ApplyLabel(label, deleted);
  if (label.kind == store::LabelKind::kDynamic) RefreshDynamicLabels();
}

void Fleet::OnLabelMembershipChanged(const store::LabelMembership& membership) {
  labels_.ApplyMembership(membership);
}

void Fleet::OnRunHostChanged(const store::RunHost& host) {
  if (host.state != store::HostRunState::kPending) pending_.RemoveHost(host.run, host.node);
  if (run_listener_) run_listener_(host.run);
}

void Fleet::OnRunEnded(const store::Run& run) {
  pending_.RemoveRun(run.id);
  if (run_listener_) run_listener_(run.id);
}

}  // namespace quarry::fleet
