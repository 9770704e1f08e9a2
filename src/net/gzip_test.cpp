#include "net/gzip.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace quarry::net {
namespace {

constexpr size_t kPadding = 64;

// Text with some structure: compressible, but not trivially.
std::string SampleText(size_t n) {
  std::mt19937 rng(42);
  static constexpr char kWords[][8] = {"host", "query", "name", "columns", "action", "1234"};
  std::string out;
  while (out.size() < n) {
    out += kWords[rng() % 6];
    out += (rng() % 4 == 0) ? '\n' : ' ';
  }
  out.resize(n);
  return out;
}

TEST(GzipTest, RoundTripKeepsBytesAndPadding) {
  for (size_t n : {size_t{0}, size_t{1}, size_t{1000}, size_t{300'000}}) {
    std::string data = SampleText(n);
    std::string gz = Gzip(data);
    ASSERT_GE(gz.size(), 18u);  // gzip header + trailer at least
    auto out = GunzipCapped(gz, 1 << 20, kPadding);
    ASSERT_TRUE(out.has_value()) << out.error().message;
    EXPECT_EQ(*out, data);
    EXPECT_GE(out->capacity() - out->size(), kPadding);
  }
}

TEST(GzipTest, CapAtLimitMinusOneLimitAndLimitPlusOne) {
  const size_t size = 10'000;
  std::string gz = Gzip(SampleText(size));

  auto below = GunzipCapped(gz, size - 1, kPadding);
  ASSERT_FALSE(below.has_value());
  EXPECT_EQ(below.error().code, ErrorCode::kTooLarge);

  auto at = GunzipCapped(gz, size, kPadding);
  ASSERT_TRUE(at.has_value()) << at.error().message;
  EXPECT_EQ(at->size(), size);
  // Never more than cap + padding allocated for the output.
  EXPECT_LE(at->capacity(), size + kPadding);
  EXPECT_GE(at->capacity() - at->size(), kPadding);

  auto above = GunzipCapped(gz, size + 1, kPadding);
  ASSERT_TRUE(above.has_value()) << above.error().message;
  EXPECT_EQ(above->size(), size);
}

TEST(GzipTest, BombStopsAtCap) {
  // 64 MiB of zeros compresses to ~64 KiB; the cap must stop inflation early.
  std::string gz = Gzip(std::string(64 << 20, '\0'), 9);
  auto out = GunzipCapped(gz, 1 << 20, kPadding);
  ASSERT_FALSE(out.has_value());
  EXPECT_EQ(out.error().code, ErrorCode::kTooLarge);
}

TEST(GzipTest, ZeroCapAcceptsOnlyEmpty) {
  auto empty = GunzipCapped(Gzip(""), 0, kPadding);
  ASSERT_TRUE(empty.has_value()) << empty.error().message;
  EXPECT_TRUE(empty->empty());
  auto one = GunzipCapped(Gzip("x"), 0, kPadding);
  ASSERT_FALSE(one.has_value());
  EXPECT_EQ(one.error().code, ErrorCode::kTooLarge);
}

TEST(GzipTest, TruncatedStreamsAreInvalid) {
  std::string gz = Gzip(SampleText(5000));
  for (size_t keep : {size_t{0}, size_t{5}, gz.size() / 2, gz.size() - 4, gz.size() - 1}) {
    auto out = GunzipCapped(std::string_view(gz).substr(0, keep), 1 << 20, kPadding);
    ASSERT_FALSE(out.has_value()) << "kept " << keep;
    EXPECT_EQ(out.error().code, ErrorCode::kInvalidArgument) << "kept " << keep;
  }
}

TEST(GzipTest, TrailingGarbageIsInvalid) {
  std::string gz = Gzip("hello");
  for (const std::string& tail : {std::string("x"), std::string(1, '\0'), Gzip("again")}) {
    auto out = GunzipCapped(gz + tail, 1024, kPadding);
    ASSERT_FALSE(out.has_value());
    EXPECT_EQ(out.error().code, ErrorCode::kInvalidArgument);
  }
}

TEST(GzipTest, NotGzipIsInvalid) {
  for (std::string_view input : {"hello world", "{\"json\":true}", "\x1f\x8b garbage"}) {
    auto out = GunzipCapped(input, 1024, kPadding);
    ASSERT_FALSE(out.has_value()) << input;
    EXPECT_EQ(out.error().code, ErrorCode::kInvalidArgument) << input;
  }
}

TEST(GzipTest, CorruptedChecksumIsInvalid) {
  std::string gz = Gzip(SampleText(2000));
  gz[gz.size() - 6] ^= 0x55;  // inside the CRC32 trailer
  auto out = GunzipCapped(gz, 1 << 20, kPadding);
  ASSERT_FALSE(out.has_value());
  EXPECT_EQ(out.error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace quarry::net
