#include "base/secret.h"

#include <gtest/gtest.h>

#include "base/result.h"

namespace quarry {
namespace {

TEST(Secret, RandomHexHasRequestedLengthAndDiffers) {
  InitSecrets();
  std::string a = RandomHex(32), b = RandomHex(32);
  EXPECT_EQ(a.size(), 64u);
  EXPECT_NE(a, b);
  EXPECT_EQ(a.find_first_not_of("0123456789abcdef"), std::string::npos);
}

TEST(Secret, HashIsStableAndKeyed) {
  InitSecrets();
  EXPECT_EQ(HashSecret("abc"), HashSecret("abc"));
  EXPECT_NE(HashSecret("abc"), HashSecret("abd"));
  EXPECT_EQ(HashSecret("abc").size(), 64u);
}

TEST(Secret, ConstantTimeEquals) {
  EXPECT_TRUE(ConstantTimeEquals("secret", "secret"));
  EXPECT_FALSE(ConstantTimeEquals("secret", "secreT"));
  EXPECT_FALSE(ConstantTimeEquals("secret", "secret2"));
  EXPECT_TRUE(ConstantTimeEquals("", ""));
}

TEST(Result, FailCarriesCodeAndMessage) {
  Result<int> r = Fail(ErrorCode::kTooLarge, "body over 10 bytes");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kTooLarge);
  EXPECT_STREQ(ErrorCodeName(r.error().code), "too_large");
}

}  // namespace
}  // namespace quarry

#include "base/json_text.h"

namespace quarry {
namespace {

TEST(JsonText, EscapesQuotesBackslashesAndControls) {
  std::string out;
  AppendJsonString(out, "a\"b\\c\n\x01\xc3\xa9");
  EXPECT_EQ(out, "\"a\\\"b\\\\c\\n\\u0001\xc3\xa9\"");
}

}  // namespace
}  // namespace quarry
