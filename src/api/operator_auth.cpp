#include "api/operator_auth.h"

#include "base/secret.h"

namespace quarry::api {

std::optional<std::string_view> PresentedToken(const net::HttpRequest& request) {
  if (auto h = request.Header("Authorization")) {
    std::string_view v = *h;
    if (v.size() > 7 && (v.substr(0, 7) == "Bearer " || v.substr(0, 7) == "bearer ")) {
      v.remove_prefix(7);
      while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
      return v;
    }
    return std::nullopt;
  }
  if (auto c = request.Header("Cookie")) {
    std::string_view v = *c;
    constexpr std::string_view kName = "quarry_session=";
    size_t pos = 0;
    while (pos < v.size()) {
      while (pos < v.size() && (v[pos] == ' ' || v[pos] == ';')) ++pos;
      size_t end = v.find(';', pos);
      if (end == std::string_view::npos) end = v.size();
      std::string_view pair = v.substr(pos, end - pos);
      if (pair.substr(0, kName.size()) == kName) return pair.substr(kName.size());
      pos = end + 1;
    }
  }
  return std::nullopt;
}

void OperatorAuth::AddBootstrapToken(std::string_view token, Role role, std::string name) {
  bootstrap_.push_back(Entry{HashSecret(token), role, std::move(name)});
}

Result<Caller> OperatorAuth::Check(const net::HttpRequest& request) const {
  auto token = PresentedToken(request);
  if (!token || token->empty()) {
    return Fail(ErrorCode::kUnauthenticated,
                "missing token: send 'Authorization: Bearer <token>'");
  }
  std::string hash = HashSecret(*token);
  for (const auto& b : bootstrap_) {
    if (ConstantTimeEquals(b.hash, hash)) return Caller{b.name, b.role};
  }
  if (store_ != nullptr) {
    auto found = store_->FindToken(hash);
    if (!found) return Fail(found.error());
    if (*found) return Caller{(*found)->name, (*found)->role};
  }
  return Fail(ErrorCode::kUnauthenticated, "unknown or revoked token");
}

}  // namespace quarry::api
