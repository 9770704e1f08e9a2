// OperatorAuth: who is calling the operator API. Tokens are bearer secrets; only
// their hashes are kept. The bootstrap admin token (from the data directory) is
// held in memory; the rest live in the store, so a token revoked on one
// instance stops working on every instance at once.
//
// Check() may read the store: call it off the I/O threads. Thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "net/http.h"
#include "store/store.h"

namespace quarry::api {

using Role = store::TokenRole;

struct Caller {
  std::string name;
  Role role = Role::kViewer;
};

class OperatorAuth {
 public:
  explicit OperatorAuth(store::Store* store = nullptr) : store_(store) {}
  // REQUIRES: called before the API serves requests.
  void AddBootstrapToken(std::string_view token, Role role, std::string name);

  // The caller behind `Authorization: Bearer <token>` (or the session cookie).
  // kUnauthenticated when missing or unknown.
  Result<Caller> Check(const net::HttpRequest& request) const;

 private:
  struct Entry {
    std::string hash;
    Role role;
    std::string name;
  };
  store::Store* store_;
  std::vector<Entry> bootstrap_;
};

// The bearer token of a request: from `Authorization: Bearer`, else from the
// `quarry_session` cookie (browsers' EventSource cannot set headers).
std::optional<std::string_view> PresentedToken(const net::HttpRequest& request);

}  // namespace quarry::api
