#include "fleet/fleet.h"

#include <algorithm>
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
      enroll_failures_(options_.enroll_failures_per_minute, kMinute) {}

Fleet::~Fleet() { Stop(); }

Result<void> Fleet::Start() {
  auto nodes = store_.ListNodes();
  if (!nodes) return Fail(nodes.error());
  for (const auto& node : *nodes) nodes_.Apply(node);
  auto runs = store_.ListOpenRuns();
  if (!runs) return Fail(runs.error());
  for (const auto& open : *runs) pending_.AddRun(open.run, open.pending_nodes);
  last_flush_us_ = clock_.NowMicros();
  started_ = true;
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
  Maintain(/*final_pass=*/true);
}

void Fleet::MaintenanceLoop() {
  std::unique_lock lock(loop_mu_);
  while (!stopping_) {
    loop_cv_.wait_for(lock, options_.expiry_check, [this] { return stopping_; });
    if (stopping_) break;
    lock.unlock();
    Maintain(/*final_pass=*/false);
    lock.lock();
  }
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
        std::promise<void> flushed;
        store_.TouchNodes(std::move(seen), [&flushed](Result<void> r) {
          if (!r) log::Warn("fleet: last-seen flush failed: {}", r.error().message);
          flushed.set_value();
        });
        flushed.get_future().wait();
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

DistributedWork Fleet::ReadDistributed(const NodeEntry& node) {
  DistributedWork work;
  int64_t now = clock_.NowMicros();
  auto taken = pending_.Take(node.id, now);
  if (taken.empty()) return work;
  std::vector<store::Pickup> pickups;
  pickups.reserve(taken.size());
  work.queries.reserve(taken.size());
  for (const auto& q : taken) {
    work.queries.push_back(proto::PendingQuery{RunWireId(q.run), *q.sql});
    pickups.push_back(store::Pickup{q.run, node.id, now});
  }
  work.accelerate_seconds = options_.accelerate_seconds;
  // The host's answer does not depend on this record, so the read does not
  // wait for it; the writer batches it with everyone else's.
  store_.RecordPickups(std::move(pickups), [](Result<void> r) {
    if (!r) log::Warn("fleet: recording pickups failed: {}", r.error().message);
  });
  return work;
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
  write.answers = std::move(request.answers);
  for (auto& answer : write.answers) answer.run = ParseRunWireId(answer.query_id);
  store_.RecordAnswers(std::move(write), std::move(done));
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
  spec.created_us = now;
  spec.deadline_us = request.deadline_us > 0 ? request.deadline_us
                                             : now + options_.default_run_deadline_us;
  if (spec.deadline_us <= now) {
    done(Fail(ErrorCode::kInvalidArgument, "deadline: must be in the future"));
    return;
  }
  if (request.all_hosts) {
    for (const auto& node : nodes_.All()) spec.targets.push_back(node->id);
  }
  for (store::NodeId id : request.targets) {
    NodeRef node = nodes_.FindById(id);
    if (!node) {
      done(Fail(ErrorCode::kInvalidArgument, "targets: unknown host id " + std::to_string(id)));
      return;
    }
    spec.targets.push_back(id);
  }
  std::sort(spec.targets.begin(), spec.targets.end());
  spec.targets.erase(std::unique(spec.targets.begin(), spec.targets.end()), spec.targets.end());
  if (spec.targets.empty()) {
    done(Fail(ErrorCode::kInvalidArgument, "targets: no enrolled host matches"));
    return;
  }
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
}

void Fleet::OnRunHostChanged(const store::RunHost& host) {
  if (host.state != store::HostRunState::kPending) pending_.RemoveHost(host.run, host.node);
}

void Fleet::OnRunEnded(const store::Run& run) { pending_.RemoveRun(run.id); }

}  // namespace quarry::fleet
