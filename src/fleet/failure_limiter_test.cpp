#include "fleet/failure_limiter.h"

#include <gtest/gtest.h>

namespace quarry::fleet {
namespace {

TEST(FailureLimiter, BlocksAtTheLimitUntilTheWindowTurns) {
  FailureLimiter f(3, 1000);
  for (int i = 0; i < 2; ++i) f.RecordFailure("a", 10);
  EXPECT_FALSE(f.Blocked("a", 10));  // limit - 1
  f.RecordFailure("a", 10);
  EXPECT_TRUE(f.Blocked("a", 10));  // limit
  EXPECT_FALSE(f.Blocked("b", 10));  // other addresses unaffected
  EXPECT_TRUE(f.Blocked("a", 1009));
  EXPECT_FALSE(f.Blocked("a", 1010));  // next window
}

TEST(FailureLimiter, ZeroLimitNeverBlocks) {
  FailureLimiter f(0, 1000);
  for (int i = 0; i < 100; ++i) f.RecordFailure("a", 1);
  EXPECT_FALSE(f.Blocked("a", 1));
}

TEST(FailureLimiter, BoundedMemoryFailsClosedThenRecovers) {
  FailureLimiter f(5, 1000, /*max_keys=*/2);
  f.RecordFailure("a", 0);
  f.RecordFailure("b", 0);
  f.RecordFailure("c", 0);  // table full: new addresses blocked
  EXPECT_TRUE(f.Blocked("d", 1));
  EXPECT_FALSE(f.Blocked("d", 2000));  // old entries pruned after the window
}

}  // namespace
}  // namespace quarry::fleet
