#include "store/model.h"

namespace quarry::store {

const char* HostRunStateName(HostRunState state) {
  switch (state) {
    case HostRunState::kPending: return "pending";
    case HostRunState::kPickedUp: return "picked_up";
    case HostRunState::kAnswered: return "answered";
    case HostRunState::kFailed: return "failed";
    case HostRunState::kExpired: return "expired";
    case HostRunState::kCancelled: return "cancelled";
  }
  return "pending";
}

const char* RunStatusName(RunStatus status) {
  switch (status) {
    case RunStatus::kRunning: return "running";
    case RunStatus::kFinished: return "finished";
    case RunStatus::kCancelled: return "cancelled";
    case RunStatus::kExpired: return "expired";
  }
  return "running";
}

std::optional<HostRunState> ParseHostRunState(std::string_view name) {
  for (HostRunState state : {HostRunState::kPending, HostRunState::kPickedUp,
                             HostRunState::kAnswered, HostRunState::kFailed,
                             HostRunState::kExpired, HostRunState::kCancelled}) {
    if (name == HostRunStateName(state)) return state;
  }
  return std::nullopt;
}

std::optional<RunStatus> ParseRunStatus(std::string_view name) {
  for (RunStatus status :
       {RunStatus::kRunning, RunStatus::kFinished, RunStatus::kCancelled, RunStatus::kExpired}) {
    if (name == RunStatusName(status)) return status;
  }
  return std::nullopt;
}

}  // namespace quarry::store
