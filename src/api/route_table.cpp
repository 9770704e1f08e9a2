#include "api/route_table.h"

#include "api/http_errors.h"

namespace quarry::api {
namespace {

std::vector<std::string> Split(std::string_view path) {
  std::vector<std::string> out;
  size_t start = 1;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    out.emplace_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return out;
}

}  // namespace

std::string_view PathSegment(std::string_view path, size_t index) {
  size_t start = 1;
  for (size_t i = 0; start <= path.size(); ++i) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    if (i == index) return path.substr(start, slash - start);
    start = slash + 1;
  }
  return {};
}

RouteTable::RouteTable() {
  method_not_allowed_.handler = [](net::HttpRequest&& request, net::Reply reply) {
    reply(ErrorResponse(405, "method " + request.method + " not allowed on " + request.path));
  };
}

void RouteTable::Add(std::string method, std::string path, net::Endpoint endpoint) {
  if (path.find('*') == std::string::npos) {
    exact_[path].by_method[method] = std::move(endpoint);
    return;
  }
  for (auto& [p, route] : patterns_) {
    if (p == path) {
      route.by_method[method] = std::move(endpoint);
      return;
    }
  }
  Route route;
  route.segments = Split(path);
  route.by_method[method] = std::move(endpoint);
  patterns_.emplace_back(std::move(path), std::move(route));
}

const RouteTable::Route* RouteTable::Match(std::string_view path) const {
  if (auto it = exact_.find(path); it != exact_.end()) return &it->second;
  if (patterns_.empty()) return nullptr;
  auto segments = Split(path);
  for (const auto& [p, route] : patterns_) {
    if (route.segments.size() != segments.size()) continue;
    bool ok = true;
    for (size_t i = 0; ok && i < segments.size(); ++i) {
      ok = route.segments[i] == "*" ? !segments[i].empty() : route.segments[i] == segments[i];
    }
    if (ok) return &route;
  }
  return nullptr;
}

const net::Endpoint* RouteTable::Find(std::string_view method, std::string_view path) const {
  const Route* route = Match(path);
  if (route == nullptr) return nullptr;
  auto it = route->by_method.find(method);
  if (it == route->by_method.end()) return &method_not_allowed_;
  return &it->second;
}

std::vector<std::string> RouteTable::Paths() const {
  std::vector<std::string> out;
  for (const auto& [p, r] : exact_) out.push_back(p);
  for (const auto& [p, r] : patterns_) out.push_back(p);
  return out;
}

}  // namespace quarry::api
