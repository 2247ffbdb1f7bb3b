#include "base/split.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

namespace nodex {
namespace {

std::vector<std::string> Lines(std::string_view s) {
  std::vector<std::string> out;
  std::string_view line;
  while (NextLine(&s, &line)) out.emplace_back(line);
  return out;
}

std::vector<std::string> Fields(std::string_view s) {
  std::vector<std::string> out;
  std::string_view field;
  while (NextField(&s, &field)) out.emplace_back(field);
  return out;
}

TEST(TrimSpaceTest, EdgeCases) {
  EXPECT_EQ(TrimSpace(""), "");
  EXPECT_EQ(TrimSpace("   "), "");
  EXPECT_EQ(TrimSpace(" \t\r\n\v\fx\n"), "x");
  EXPECT_EQ(TrimSpace("a b"), "a b");
  EXPECT_EQ(TrimSpace("  a b  "), "a b");
}

TEST(NextLineTest, EdgeCases) {
  EXPECT_TRUE(Lines("").empty());
  EXPECT_EQ(Lines("a"), (std::vector<std::string>{"a"}));
  EXPECT_EQ(Lines("a\n"), (std::vector<std::string>{"a"}));
  EXPECT_EQ(Lines("a\nb"), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(Lines("\n\n"), (std::vector<std::string>{"", ""}));
  EXPECT_EQ(Lines("a\n\nb\n"), (std::vector<std::string>{"a", "", "b"}));
  EXPECT_EQ(Lines("cr\r\n"), (std::vector<std::string>{"cr\r"}));  // Only '\n' ends a line.
}

TEST(NextLineTest, ViewsPointIntoInput) {
  const std::string text = "first\nsecond\n";
  std::string_view rest = text;
  std::string_view line;
  ASSERT_TRUE(NextLine(&rest, &line));
  EXPECT_EQ(line.data(), text.data());
  ASSERT_TRUE(NextLine(&rest, &line));
  EXPECT_EQ(line.data(), text.data() + 6);
  EXPECT_FALSE(NextLine(&rest, &line));
}

TEST(NextFieldTest, EdgeCases) {
  EXPECT_TRUE(Fields("").empty());
  EXPECT_TRUE(Fields(" \t\n ").empty());
  EXPECT_EQ(Fields("a"), (std::vector<std::string>{"a"}));
  EXPECT_EQ(Fields("  cpu0  12\t34 \n"), (std::vector<std::string>{"cpu0", "12", "34"}));
  EXPECT_EQ(Fields("a\t\tb"), (std::vector<std::string>{"a", "b"}));
}

TEST(NextFieldTest, TrailingWhitespaceLeavesRestEmpty) {
  std::string_view rest = "x   ";
  std::string_view field;
  ASSERT_TRUE(NextField(&rest, &field));
  EXPECT_EQ(field, "x");
  EXPECT_FALSE(NextField(&rest, &field));
  EXPECT_TRUE(rest.empty());
}

TEST(SplitFieldsTest, CountsBeyondMax) {
  std::string_view out[3];
  EXPECT_EQ(SplitFields("", out, 3), 0u);
  EXPECT_EQ(SplitFields("   ", out, 3), 0u);
  EXPECT_EQ(SplitFields("a b", out, 3), 2u);
  EXPECT_EQ(out[0], "a");
  EXPECT_EQ(out[1], "b");
  out[2] = "untouched";
  EXPECT_EQ(SplitFields("1 2 3 4 5", out, 2), 5u);  // Counted, only two stored.
  EXPECT_EQ(out[0], "1");
  EXPECT_EQ(out[1], "2");
  EXPECT_EQ(out[2], "untouched");
  EXPECT_EQ(SplitFields("x y z", out, 0), 3u);
}

TEST(SplitOnceTest, EdgeCases) {
  std::string_view k;
  std::string_view v;
  ASSERT_TRUE(SplitOnce("MemTotal: 1 kB", ':', &k, &v));
  EXPECT_EQ(k, "MemTotal");
  EXPECT_EQ(v, " 1 kB");
  ASSERT_TRUE(SplitOnce("a=b=c", '=', &k, &v));  // First separator only.
  EXPECT_EQ(k, "a");
  EXPECT_EQ(v, "b=c");
  ASSERT_TRUE(SplitOnce("=", '=', &k, &v));
  EXPECT_EQ(k, "");
  EXPECT_EQ(v, "");
  ASSERT_TRUE(SplitOnce("key:", ':', &k, &v));
  EXPECT_EQ(k, "key");
  EXPECT_EQ(v, "");
  EXPECT_FALSE(SplitOnce("", ':', &k, &v));
  EXPECT_FALSE(SplitOnce("no separator", ':', &k, &v));
}

}  // namespace
}  // namespace nodex
