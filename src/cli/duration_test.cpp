#include "cli/duration.h"

#include <gtest/gtest.h>

namespace quarry::cli {
namespace {

using std::chrono::seconds;

TEST(ParseDurationTest, AcceptsSecondsAndUnits) {
  EXPECT_EQ(*ParseDuration("90"), seconds(90));
  EXPECT_EQ(*ParseDuration("90s"), seconds(90));
  EXPECT_EQ(*ParseDuration("5m"), seconds(300));
  EXPECT_EQ(*ParseDuration("1h"), seconds(3600));
  EXPECT_EQ(*ParseDuration("2d"), seconds(2 * 86400));
  EXPECT_EQ(*ParseDuration("1h30m"), seconds(5400));
  EXPECT_EQ(*ParseDuration("1m30s"), seconds(90));
}

TEST(ParseDurationTest, RejectsMalformed) {
  for (const char* bad : {"", "0", "0s", "5x", "m", "-5", "1.5m", "1h30", " 5", "5 m", "s5"}) {
    auto d = ParseDuration(bad);
    EXPECT_FALSE(d) << "'" << bad << "'";
    if (!d) {
      EXPECT_EQ(d.error().code, ErrorCode::kInvalidArgument);
    }
  }
  EXPECT_NE(ParseDuration("5x").error().message.find("unknown unit 'x'"), std::string::npos);
}

TEST(ParseDurationTest, LimitMinusOneLimitPlusOne) {
  const seconds max(100);
  EXPECT_EQ(*ParseDuration("99", max), seconds(99));
  EXPECT_EQ(*ParseDuration("100", max), seconds(100));
  EXPECT_FALSE(ParseDuration("101", max));
  EXPECT_FALSE(ParseDuration("1m41s", max));
  // The default is the server's run limit, 7 days.
  EXPECT_TRUE(ParseDuration("7d"));
  EXPECT_FALSE(ParseDuration("604801"));
  // Huge numbers fail instead of overflowing.
  EXPECT_FALSE(ParseDuration("99999999999999999999999"));
}

TEST(FormatDurationTest, Compact) {
  EXPECT_EQ(FormatDuration(seconds(0)), "0s");
  EXPECT_EQ(FormatDuration(seconds(45)), "45s");
  EXPECT_EQ(FormatDuration(seconds(90)), "1m30s");
  EXPECT_EQ(FormatDuration(seconds(3600)), "1h");
  EXPECT_EQ(FormatDuration(seconds(7 * 86400)), "7d");
  EXPECT_EQ(FormatDuration(seconds(90061)), "1d1h1m1s");
}

}  // namespace
}  // namespace quarry::cli
