#include "api/route_table.h"

#include <gtest/gtest.h>

namespace quarry::api {
namespace {

net::Endpoint Tagged(size_t tag) {
  net::Endpoint e;
  e.body_limit = tag;
  return e;
}

TEST(RouteTable, ExactAndPatternPaths) {
  RouteTable t;
  t.Add("POST", "/api/v1/runs", Tagged(1));
  t.Add("GET", "/api/v1/runs/*", Tagged(2));
  t.Add("GET", "/api/v1/runs/*/results", Tagged(3));
  ASSERT_NE(t.Find("POST", "/api/v1/runs"), nullptr);
  EXPECT_EQ(t.Find("POST", "/api/v1/runs")->body_limit, 1u);
  EXPECT_EQ(t.Find("GET", "/api/v1/runs/12")->body_limit, 2u);
  EXPECT_EQ(t.Find("GET", "/api/v1/runs/12/results")->body_limit, 3u);
  EXPECT_EQ(t.Find("GET", "/api/v1/runs/"), nullptr);  // empty segment
  EXPECT_EQ(t.Find("GET", "/api/v1/runs/1/2/3"), nullptr);
  EXPECT_EQ(t.Find("GET", "/nope"), nullptr);
}

TEST(RouteTable, KnownPathWrongMethodIs405) {
  RouteTable t;
  t.Add("POST", "/x", Tagged(1));
  const net::Endpoint* e = t.Find("GET", "/x");
  ASSERT_NE(e, nullptr);
  net::HttpResponse got;
  net::HttpRequest req;
  req.method = "GET";
  req.path = "/x";
  e->handler(std::move(req), [&](net::HttpResponse r) { got = std::move(r); });
  EXPECT_EQ(got.status, 405);
  EXPECT_NE(got.body.find("\"error\""), std::string::npos);
}

TEST(RouteTable, PathSegment) {
  EXPECT_EQ(PathSegment("/api/v1/runs/42/results", 3), "42");
  EXPECT_EQ(PathSegment("/api/v1/runs/42/results", 4), "results");
  EXPECT_EQ(PathSegment("/api", 3), "");
}

}  // namespace
}  // namespace quarry::api
