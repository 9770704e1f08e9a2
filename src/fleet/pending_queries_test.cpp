#include "fleet/pending_queries.h"

#include <gtest/gtest.h>

namespace quarry::fleet {
namespace {

store::Run MakeRun(store::RunId id, int64_t deadline) {
  store::Run r;
  r.id = id;
  r.sql = "SELECT " + std::to_string(id);
  r.deadline_us = deadline;
  return r;
}

TEST(PendingQueries, WireIds) {
  EXPECT_EQ(RunWireId(42), "q42");
  EXPECT_EQ(ParseRunWireId("q42"), 42);
  for (const char* bad : {"", "q", "42", "q-1", "q0", "q42x", "x42", "q 4"}) {
    EXPECT_EQ(ParseRunWireId(bad), 0) << bad;
  }
}

TEST(PendingQueries, TakeHandsOutOnce) {
  PendingQueries p;
  p.AddRun(MakeRun(1, 100), {10, 11});
  p.AddRun(MakeRun(2, 100), {10});
  EXPECT_TRUE(p.HasPending(10));
  auto got = p.Take(10, 50);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(*got[0].sql, "SELECT 1");
  EXPECT_EQ(got[1].run, 2);
  EXPECT_TRUE(p.Take(10, 50).empty());
  EXPECT_EQ(p.Take(11, 50).size(), 1u);
  EXPECT_EQ(p.hosts_with_work(), 0u);
}

TEST(PendingQueries, ExpiredAreDropped) {
  PendingQueries p;
  p.AddRun(MakeRun(1, 100), {10});
  EXPECT_TRUE(p.Take(10, 100).empty());
  EXPECT_FALSE(p.HasPending(10));
}

TEST(PendingQueries, RemoveHostAndRun) {
  PendingQueries p;
  p.AddRun(MakeRun(1, 100), {10, 11, 12});
  p.AddRun(MakeRun(1, 100), {10});  // duplicate notification: no double entry
  p.RemoveHost(1, 11);
  EXPECT_FALSE(p.HasPending(11));
  EXPECT_EQ(p.Take(10, 0).size(), 1u);
  p.RemoveRun(1);
  EXPECT_FALSE(p.HasPending(12));
}

TEST(PendingQueries, EndedRunIsNotAdded) {
  PendingQueries p;
  store::Run r = MakeRun(1, 100);
  r.status = store::RunStatus::kCancelled;
  p.AddRun(r, {10});
  EXPECT_FALSE(p.HasPending(10));
}

}  // namespace
}  // namespace quarry::fleet
