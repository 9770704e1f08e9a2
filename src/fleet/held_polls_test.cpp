#include "fleet/held_polls.h"

#include <gtest/gtest.h>

#include <future>

namespace quarry::fleet {
namespace {

using std::chrono::seconds;

TEST(HeldPolls, WakeAnswersTheWaiterWithWork) {
  HeldPolls held(SystemClock::Instance());
  held.Start();
  std::promise<bool> answered;
  int64_t far = SystemClock::Instance().NowMicros() + 60'000'000;
  held.Hold(7, far, [&](bool woken) { answered.set_value(woken); });
  EXPECT_EQ(held.held(), 1u);
  held.Wake({8});  // someone else: nothing happens
  EXPECT_EQ(held.held(), 1u);
  held.Wake({7});
  auto f = answered.get_future();
  ASSERT_EQ(f.wait_for(seconds(5)), std::future_status::ready);
  EXPECT_TRUE(f.get());
  EXPECT_EQ(held.held(), 0u);
}

TEST(HeldPolls, ExpiredHoldIsAnsweredEmpty) {
  HeldPolls held(SystemClock::Instance());
  held.Start();
  std::promise<bool> answered;
  held.Hold(1, SystemClock::Instance().NowMicros() + 50'000,
            [&](bool woken) { answered.set_value(woken); });
  auto f = answered.get_future();
  ASSERT_EQ(f.wait_for(seconds(5)), std::future_status::ready);
  EXPECT_FALSE(f.get());
}

TEST(HeldPolls, SecondHoldForTheSameHostReleasesTheFirst) {
  HeldPolls held(SystemClock::Instance());
  held.Start();
  int64_t far = SystemClock::Instance().NowMicros() + 60'000'000;
  std::promise<bool> first, second;
  held.Hold(1, far, [&](bool w) { first.set_value(w); });
  held.Hold(1, far, [&](bool w) { second.set_value(w); });
  auto f1 = first.get_future();
  ASSERT_EQ(f1.wait_for(seconds(5)), std::future_status::ready);
  EXPECT_FALSE(f1.get());
  held.Wake({1});
  auto f2 = second.get_future();
  ASSERT_EQ(f2.wait_for(seconds(5)), std::future_status::ready);
  EXPECT_TRUE(f2.get());
}

TEST(HeldPolls, StopAnswersEveryWaiterAndLaterHoldsAtOnce) {
  HeldPolls held(SystemClock::Instance());
  held.Start();
  int64_t far = SystemClock::Instance().NowMicros() + 60'000'000;
  int answered = 0;
  for (int i = 0; i < 10; ++i) held.Hold(i, far, [&](bool) { ++answered; });
  held.Stop();
  EXPECT_EQ(answered, 10);
  bool late = true;
  held.Hold(99, far, [&](bool w) { late = w; });
  EXPECT_FALSE(late);
}

}  // namespace
}  // namespace quarry::fleet
