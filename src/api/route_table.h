// RouteTable: the net::Router used by both listeners. Paths are literal, or
// contain `*` segments that match any one non-empty segment ("/api/v1/runs/*").
// A known path with an unknown method answers 405 with a JSON body.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "net/http.h"

namespace quarry::api {

class RouteTable final : public net::Router {
 public:
  RouteTable();
  // REQUIRES: called before the table is handed to a server.
  void Add(std::string method, std::string path, net::Endpoint endpoint);
  const net::Endpoint* Find(std::string_view method, std::string_view path) const override;
  std::vector<std::string> Paths() const;

 private:
  struct Route {
    std::vector<std::string> segments;  // for patterns
    std::map<std::string, net::Endpoint, std::less<>> by_method;
  };
  const Route* Match(std::string_view path) const;

  std::map<std::string, Route, std::less<>> exact_;
  std::vector<std::pair<std::string, Route>> patterns_;
  net::Endpoint method_not_allowed_;
};

// Splits the path segment at `index` (0-based, after the leading '/').
std::string_view PathSegment(std::string_view path, size_t index);

}  // namespace quarry::api
