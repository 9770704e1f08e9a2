// The embedded SQLite backend of Store: one file, no server.
//
// Shape (see store.h for the contract):
//  * One writer thread owns the only read-write connection. Writes are queued
//    (at most `write_queue_limit`); the writer takes up to `max_batch_items`
//    queued operations, runs each inside its own SAVEPOINT of ONE transaction,
//    commits, and only then reports: observer notifications first, then `done`,
//    operation by operation in commit order. A failing operation rolls back to
//    its savepoint and fails alone; a failing COMMIT fails the whole batch.
//    Group commit is what makes synchronous=FULL affordable: one fsync covers
//    everything that queued up during the previous one.
//  * Reads use a pool of `read_connections` read-only connections; in WAL mode
//    they run concurrently with the writer and see committed data only.
//  * The schema is created and upgraded at open by numbered migrations
//    (migrations.cpp); the table layout is user-facing, documented there.
//
// Behaviour this backend pins down where store.h leaves room (the conformance
// suite checks the same for every backend):
//  * An answer that arrives for a host already expired or cancelled in its run
//    is stored (its rows replace earlier late rows of that host and are listed
//    by ListResults) but changes no state: the host stays expired/cancelled and
//    no OnRunHostChanged is sent.
//  * An answer re-sent by a host that already answered or failed replaces the
//    earlier rows (which get new, higher seq numbers) and the host's status.
//  * A run created with no targets ends at once as finished.
//  * CancelRun of a run that has already ended: kConflict. Unknown run: kNotFound.
//  * Writes naming an unknown node (logs, answers) fail with kNotFound; unknown
//    nodes in TouchNodes and unknown (run, node) pairs in RecordPickups are
//    skipped. CreateRun with an unknown target fails with kNotFound.
//  * An empty `done` is allowed (fire and forget).
//  * Labels. Times are the caller's: CreateLabel stamps created_us and
//    updated_us (and the memberships it creates) with label.created_us;
//    UpdateLabel stamps updated_us with label.updated_us. SetLabelMembers,
//    whose call carries no time, stamps memberships with the time of the call.
//    kInvalidArgument for: an empty name; negative refresh_seconds; a dynamic
//    label without SQL; a manual label with SQL or refresh_seconds; members
//    given for a dynamic label. A member listed twice joins once.
//    Notifications: CreateLabel sends OnLabelChanged, then one
//    OnLabelMembershipChanged (member = true) per member in the order given.
//    UpdateLabel sends OnLabelChanged; DeleteLabel sends OnLabelChanged(label as
//    it was, deleted = true) and no membership calls. SetLabelMembers sends no
//    OnLabelChanged (the definition is unchanged): joins in the order given,
//    then leaves in host id order; unknown label kNotFound, dynamic label
//    kConflict, unknown member kNotFound (nothing changes). UpdateLabel of a
//    dynamic label's SQL keeps its memberships until hosts report again.
//  * RecordLabelResults skips, silently, results naming an unknown label, a
//    manual label or an unknown host (one stray row must not fail a host's whole
//    batch), and results older (updated_us) than the one stored for that
//    (label, host). A host first reported as not a member is stored (member = 0)
//    but not notified: it was not a member before either.
//  * Tokens: kInvalidArgument for an empty name or hash; kConflict for a live
//    token of the same name or any token with the same hash. RevokeToken of an
//    already revoked token: kConflict (like CancelRun of an ended run); unknown:
//    kNotFound. No observer calls: FindToken reads the store every time.
//  * AppendAudit: kInvalidArgument without an action; empty detail_json is
//    stored as "{}".
//  * ListTokens, ListAudit and ListRuns are newest first by id (creation order,
//    whatever the caller's clock said). A cursor (before_id) of 0 or less starts
//    at the newest; a limit of 0 returns nothing.
//  * Search also refuses, with kPermissionDenied, SQL that reads
//    api_tokens.token_hash (see stored_search.h). hosts.node_key_hash is not
//    hidden: refusing it would refuse every `SELECT * FROM hosts`.
//
// REQUIRES: the store is not destroyed from one of its own `done` callbacks or
// observer calls (they run on the writer thread, which the destructor joins).
// Close() may be called from them: it then stops intake without waiting.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "base/result.h"
#include "store/store.h"

namespace quarry::store {

struct SqliteOptions {
  // Database file. Created with its schema when missing.
  std::string path;
  // Writes waiting for the writer beyond this are refused with kUnavailable.
  size_t write_queue_limit = 4096;
  // At most this many queued writes share one transaction (one fsync).
  size_t max_batch_items = 1024;
  // FULL makes every acknowledged write survive power loss; NORMAL (false) may
  // lose the latest commits on power loss (never corrupts). Keep FULL.
  bool synchronous_full = true;
  // Read-only connections for synchronous reads; callers beyond this wait.
  int read_connections = 4;
  // Name of a registered SQLite VFS, empty for the default. The seam through
  // which tests inject disk faults.
  std::string vfs;
};

// Opens (creating or migrating as needed) the database and starts the writer.
Result<std::unique_ptr<Store>> OpenSqliteStore(const SqliteOptions& options);

}  // namespace quarry::store
