// The SQL behind each Store operation, as plain functions on a connection.
//
// Write functions (Apply*) run inside a transaction the caller owns (the store's
// writer wraps each one in a savepoint); they never commit. They record the
// observer notifications their changes imply in `events`, for the caller to
// deliver after COMMIT — and to drop if the work is rolled back.
//
// Read functions (Select*) run on any connection, read-only ones included.
//
// Thread-safety: as for Db — one connection, one thread at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "store/model.h"
#include "store/sqlite/sqlite_db.h"
#include "store/store.h"

namespace quarry::store::sqlite {

// One StoreObserver call, recorded with copies of its arguments; replaying it
// makes the call.
using Event = std::function<void(StoreObserver&)>;
using Events = std::vector<Event>;

// ---- Writes (see store.h and sqlite_store.h for the semantics) ----

Result<Node> ApplyEnrollNode(Db& db, const Enrollment& enrollment, Events& events);
Result<Node> ApplyRevokeNode(Db& db, NodeId node, Events& events);
Result<void> ApplyAppendLogs(Db& db, const LogBatch& batch);
Result<void> ApplyRecordAnswers(Db& db, const DistributedWrite& write, Events& events);
Result<void> ApplyRecordPickups(Db& db, const std::vector<Pickup>& pickups, Events& events);
Result<void> ApplyTouchNodes(Db& db, const std::vector<LastSeen>& seen);
Result<Run> ApplyCreateRun(Db& db, const RunSpec& spec, Events& events);
Result<Run> ApplyCancelRun(Db& db, RunId run, int64_t at_us, Events& events);
Result<std::vector<Run>> ApplyExpireRuns(Db& db, int64_t now_us, Events& events);
Result<Label> ApplyCreateLabel(Db& db, const Label& label, const std::vector<NodeId>& members,
                               Events& events);
Result<Label> ApplyUpdateLabel(Db& db, const Label& label, Events& events);
Result<void> ApplyDeleteLabel(Db& db, int64_t label, Events& events);
// `now_us` stamps the memberships: the Store call carries no time of its own.
Result<void> ApplySetLabelMembers(Db& db, int64_t label, const std::vector<NodeId>& members,
                                  int64_t now_us, Events& events);
Result<void> ApplyRecordLabelResults(Db& db, const std::vector<LabelMembership>& results,
                                     Events& events);
Result<ApiToken> ApplyCreateToken(Db& db, const ApiToken& token);
Result<ApiToken> ApplyRevokeToken(Db& db, int64_t token);
Result<void> ApplyAppendAudit(Db& db, const AuditEvent& event);

// ---- Reads ----

Result<std::vector<Node>> SelectNodes(Db& db);
Result<std::optional<Node>> SelectNode(Db& db, NodeId node);
// Opens its own read transaction so that runs and pending hosts agree.
// REQUIRES: no transaction open on `db`.
Result<std::vector<OpenRun>> SelectOpenRuns(Db& db);
Result<std::optional<Run>> SelectRun(Db& db, RunId run);
Result<std::vector<RunHost>> SelectRunHosts(Db& db, RunId run);
Result<std::vector<ResultRow>> SelectResults(Db& db, RunId run, int64_t after_seq, size_t limit);
Result<std::vector<Run>> SelectRuns(Db& db, const RunFilter& filter);
Result<std::vector<Label>> SelectLabels(Db& db);
Result<std::vector<LabelMembership>> SelectLabelMemberships(Db& db);
Result<std::optional<ApiToken>> SelectLiveToken(Db& db, const std::string& token_hash);
Result<std::vector<ApiToken>> SelectTokens(Db& db);
Result<std::vector<AuditEvent>> SelectAudit(Db& db, int64_t before_id, size_t limit);

}  // namespace quarry::store::sqlite
