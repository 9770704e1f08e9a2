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

}  // namespace quarry::store
