#include "base/parse.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

namespace nodex {
namespace {

TEST(ParseU64Test, Valid) {
  EXPECT_EQ(ParseU64("0"), 0u);
  EXPECT_EQ(ParseU64("42"), 42u);
  EXPECT_EQ(ParseU64("007"), 7u);
  EXPECT_EQ(ParseU64("18446744073709551615"), std::numeric_limits<uint64_t>::max());
}

TEST(ParseU64Test, Rejects) {
  EXPECT_FALSE(ParseU64(""));
  EXPECT_FALSE(ParseU64(" "));
  EXPECT_FALSE(ParseU64(" 12"));
  EXPECT_FALSE(ParseU64("12 "));
  EXPECT_FALSE(ParseU64("12\n"));
  EXPECT_FALSE(ParseU64("12abc"));
  EXPECT_FALSE(ParseU64("abc"));
  EXPECT_FALSE(ParseU64("-1"));
  EXPECT_FALSE(ParseU64("+1"));
  EXPECT_FALSE(ParseU64("1.5"));
  EXPECT_FALSE(ParseU64("0x10"));
  EXPECT_FALSE(ParseU64("18446744073709551616"));  // 2^64 overflows.
  EXPECT_FALSE(ParseU64("99999999999999999999999"));
}

TEST(ParseI64Test, ValidAndRejects) {
  EXPECT_EQ(ParseI64("-1"), -1);
  EXPECT_EQ(ParseI64("9223372036854775807"), std::numeric_limits<int64_t>::max());
  EXPECT_EQ(ParseI64("-9223372036854775808"), std::numeric_limits<int64_t>::min());
  EXPECT_FALSE(ParseI64("9223372036854775808"));
  EXPECT_FALSE(ParseI64("-9223372036854775809"));
  EXPECT_FALSE(ParseI64("-"));
  EXPECT_FALSE(ParseI64(""));
  EXPECT_FALSE(ParseI64("--1"));
  EXPECT_FALSE(ParseI64("12abc"));
}

TEST(ParseIntTest, OtherBases) {
  EXPECT_EQ(ParseInt<uint32_t>("ff", 16), 255u);
  EXPECT_EQ(ParseInt<uint32_t>("FF", 16), 255u);
  EXPECT_FALSE(ParseInt<uint32_t>("0xff", 16));
  EXPECT_EQ(ParseInt<uint32_t>("755", 8), 493u);
  EXPECT_FALSE(ParseInt<uint32_t>("8", 8));
  EXPECT_FALSE(ParseInt<uint8_t>("256"));
  EXPECT_EQ(ParseInt<uint8_t>("255"), 255);
}

TEST(ParseDoubleTest, Valid) {
  EXPECT_EQ(ParseDouble("1.5"), 1.5);
  EXPECT_EQ(ParseDouble("-3"), -3.0);
  EXPECT_EQ(ParseDouble("1e9"), 1e9);
  EXPECT_EQ(ParseDouble("0.000001"), 1e-6);
  EXPECT_EQ(ParseDouble(".5"), 0.5);
  EXPECT_EQ(ParseDouble("18446744073709551616"), 18446744073709551616.0);
}

TEST(ParseDoubleTest, Rejects) {
  EXPECT_FALSE(ParseDouble(""));
  EXPECT_FALSE(ParseDouble(" 1"));
  EXPECT_FALSE(ParseDouble("1 "));
  EXPECT_FALSE(ParseDouble("12abc"));
  EXPECT_FALSE(ParseDouble("1.5.2"));
  EXPECT_FALSE(ParseDouble("inf"));
  EXPECT_FALSE(ParseDouble("-inf"));
  EXPECT_FALSE(ParseDouble("nan"));
  EXPECT_FALSE(ParseDouble("NaN"));
  EXPECT_FALSE(ParseDouble("0x1p3"));
  EXPECT_FALSE(ParseDouble("+1"));
  EXPECT_FALSE(ParseDouble("1e999"));  // Out of range.
}

TEST(ParseU64AsDoubleTest, LosesPrecisionLikeGo) {
  EXPECT_EQ(ParseU64AsDouble("12"), 12.0);
  EXPECT_EQ(ParseU64AsDouble("9007199254740993"), 9007199254740992.0);
  EXPECT_EQ(ParseU64AsDouble("18446744073709551615"), 18446744073709551616.0);
  EXPECT_FALSE(ParseU64AsDouble("18446744073709551616"));
  EXPECT_FALSE(ParseU64AsDouble("12abc"));
  EXPECT_FALSE(ParseU64AsDouble(""));
}

}  // namespace
}  // namespace nodex
