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

const char* LabelKindName(LabelKind kind) {
  return kind == LabelKind::kDynamic ? "dynamic" : "manual";
}

const char* TokenRoleName(TokenRole role) {
  switch (role) {
    case TokenRole::kViewer: return "viewer";
    case TokenRole::kOperator: return "operator";
    case TokenRole::kAdmin: return "admin";
  }
  return "viewer";
}

std::optional<LabelKind> ParseLabelKind(std::string_view name) {
  for (LabelKind kind : {LabelKind::kManual, LabelKind::kDynamic}) {
    if (name == LabelKindName(kind)) return kind;
  }
  return std::nullopt;
}

std::optional<TokenRole> ParseTokenRole(std::string_view name) {
  for (TokenRole role : {TokenRole::kViewer, TokenRole::kOperator, TokenRole::kAdmin}) {
    if (name == TokenRoleName(role)) return role;
  }
  return std::nullopt;
}

}  // namespace quarry::store
