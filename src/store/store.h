// Store: everything Quarry persists, spoken in domain terms.
//
// Start here. Backends (sqlite/, later postgres/) implement this interface; the
// same conformance suite (store_conformance_test.h) runs against each of them.
//
// Writes are asynchronous and group-committed: each call enqueues its work and
// returns at once; the backend's writer commits many callers' work in one
// transaction and then runs each `done` callback. A `done` that reports success
// means the data is durable. When the write queue is full, `done` is called at
// once with kUnavailable (back-pressure: the agent is told to try later).
// `done` runs on a store thread and must not block.
//
// Reads are synchronous, run on the caller's thread on their own connection, and
// are not for the agent hot path (that is served from memory, see fleet/).
//
// Caches elsewhere learn about changes only through the StoreObserver, so that a
// backend shared by several Quarry instances can feed them the same way.
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "search/query_limits.h"
#include "search/table.h"
#include "store/model.h"

namespace quarry::store {

template <class T>
using Done = std::function<void(Result<T>)>;

// Change notifications. Called after the change is committed, from a store
// thread, in commit order. Implementations must be quick and must not call back
// into the Store's write methods synchronously.
class StoreObserver {
 public:
  virtual ~StoreObserver() = default;
  // A node was enrolled, re-enrolled (new key hash) or revoked.
  virtual void OnNodeChanged(const Node& node) = 0;
  // A run was created; `targets` are its resolved hosts, all pending.
  virtual void OnRunCreated(const Run& run, const std::vector<NodeId>& targets) = 0;
  // A host's state in a run changed (picked up, answered, failed, expired, cancelled).
  virtual void OnRunHostChanged(const RunHost& host) = 0;
  // A run ended (finished, cancelled or expired).
  virtual void OnRunEnded(const Run& run) = 0;
  // A label was created or changed (deleted = false), or deleted (deleted = true).
  // A manual label's new member list comes as OnLabelMembershipChanged calls.
  virtual void OnLabelChanged(const Label& label, bool deleted) {}
  // A host joined or left a label.
  virtual void OnLabelMembershipChanged(const LabelMembership& membership) {}
};

struct WriteQueueStats {
  size_t queued = 0;        // writes waiting now
  uint64_t committed = 0;   // writes committed since start
  uint64_t transactions = 0;
  uint64_t rejected = 0;    // refused because the queue was full
};

class Store {
 public:
  virtual ~Store() = default;

  // Must be called before the first write. The observer outlives the store.
  virtual void SetObserver(StoreObserver* observer) = 0;

  // ---- Writes (asynchronous, durable on success) ----

  // Creates the node or, when a node with the same host_identifier exists,
  // updates it in place (same id) with the new identity and key hash. The old
  // key hash stops matching. Also records an enrollment event.
  virtual void EnrollNode(Enrollment enrollment, Done<Node> done) = 0;

  // Clears the node's key hash and marks it revoked. kNotFound if unknown.
  virtual void RevokeNode(NodeId node, Done<Node> done) = 0;

  // Appends every line of the batch.
  virtual void AppendLogs(LogBatch batch, Done<void> done) = 0;

  // Stores each answer. For answers to a known run and a targeted node, replaces
  // any earlier rows of that (run, node), so a re-sent write is harmless, and
  // moves the host to answered (status 0) or failed. Answers for unknown runs are
  // kept as orphans and change no state. A run whose targets all finished ends.
  // A late answer from a host already expired or cancelled in that run keeps its
  // rows (listed by ListResults) but leaves the host expired/cancelled.
  // kNotFound when `write.node` is unknown.
  virtual void RecordAnswers(DistributedWrite write, Done<void> done) = 0;

  // Moves pending hosts to picked_up. Hosts not pending are left alone.
  virtual void RecordPickups(std::vector<Pickup> pickups, Done<void> done) = 0;

  // Raises stored last-seen times (never lowers them).
  virtual void TouchNodes(std::vector<LastSeen> seen, Done<void> done) = 0;

  // Creates a run with every target pending (a target listed twice counts once).
  // kNotFound if a target is unknown. A run without targets ends at once, finished.
  virtual void CreateRun(RunSpec spec, Done<Run> done) = 0;

  // Ends a running run as cancelled; its unfinished hosts become cancelled.
  // kNotFound for an unknown run, kConflict for one that already ended.
  virtual void CancelRun(RunId run, int64_t at_us, Done<Run> done) = 0;

  // Ends every running run whose deadline is <= now_us as expired; unfinished
  // hosts become expired. Returns the runs that ended.
  virtual void ExpireRuns(int64_t now_us, Done<std::vector<Run>> done) = 0;

  // Creates a label. kConflict when the name is taken; kNotFound for an unknown
  // member. Manual labels get `members`; dynamic labels start empty.
  virtual void CreateLabel(Label label, std::vector<NodeId> members, Done<Label> done) = 0;
  // Changes description, sql and refresh_seconds (not kind or name) of label.id.
  virtual void UpdateLabel(Label label, Done<Label> done) = 0;
  // Deletes a label and its memberships. kNotFound when unknown.
  virtual void DeleteLabel(int64_t label, Done<void> done) = 0;
  // Replaces a manual label's members (notifying joins and leaves).
  // kConflict for a dynamic label.
  virtual void SetLabelMembers(int64_t label, std::vector<NodeId> members, Done<void> done) = 0;
  // Records dynamic-label results; notifies only memberships that changed.
  virtual void RecordLabelResults(std::vector<LabelMembership> results, Done<void> done) = 0;

  // Creates a token record (the caller generated the token and hashed it).
  // kConflict when a live token has the same name.
  virtual void CreateToken(ApiToken token, Done<ApiToken> done) = 0;
  virtual void RevokeToken(int64_t token, Done<ApiToken> done) = 0;

  virtual void AppendAudit(AuditEvent event, Done<void> done) = 0;

  // ---- Reads (synchronous) ----

  virtual Result<std::vector<Label>> ListLabels() = 0;
  // Every current membership (member = true), for warming caches.
  virtual Result<std::vector<LabelMembership>> ListLabelMemberships() = 0;
  // A live (not revoked) token with this hash, or nullopt.
  virtual Result<std::optional<ApiToken>> FindToken(const std::string& token_hash) = 0;
  virtual Result<std::vector<ApiToken>> ListTokens() = 0;
  virtual Result<std::vector<AuditEvent>> ListAudit(int64_t before_id, size_t limit) = 0;
  // Runs, newest first.
  virtual Result<std::vector<Run>> ListRuns(const RunFilter& filter) = 0;

  // Search: one read-only SQL statement over everything stored (the tables
  // hosts, runs, run_hosts, results, result_logs, status_logs, enrollments,
  // labels, label_members, audit), within `limits`. Anything that is not a read is
  // refused with kInvalidArgument/kPermissionDenied; over time: kDeadlineExceeded.
  virtual Result<search::Table> Search(std::string_view sql, const search::QueryLimits& limits) = 0;

  virtual Result<std::vector<Node>> ListNodes() = 0;
  virtual Result<std::optional<Node>> GetNode(NodeId node) = 0;
  virtual Result<std::vector<OpenRun>> ListOpenRuns() = 0;
  virtual Result<std::optional<Run>> GetRun(RunId run) = 0;
  virtual Result<std::vector<RunHost>> ListRunHosts(RunId run) = 0;
  // Rows of a run with seq > after_seq, in seq order, at most `limit`.
  virtual Result<std::vector<ResultRow>> ListResults(RunId run, int64_t after_seq,
                                                     size_t limit) = 0;

  virtual WriteQueueStats QueueStats() const = 0;

  // Stops accepting writes, commits what is queued, and joins store threads.
  virtual void Close() = 0;
};

}  // namespace quarry::store
