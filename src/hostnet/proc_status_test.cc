#include "hostnet/proc_status.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

namespace nodex::hostnet {
namespace {

using namespace std::string_view_literals;

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(ParseStatHeadTest, InitAndKthreadd) {
  // Captured from /proc/1/stat and /proc/2/stat.
  auto init = ParseStatHead("1 (process_api) S 0 0 0 0 -1 4194560 118033 60553032 0 1147 152 1013\n");
  ASSERT_TRUE(init);
  EXPECT_EQ(init->comm, "process_api");
  EXPECT_EQ(init->state, 'S');
  EXPECT_EQ(init->ppid, 0);
  auto kthreadd = ParseStatHead("2 (kthreadd) S 0 0 0 0 -1 2129984 0 0 0 0 0 0 0 0 20 0 1 0 24\n");
  ASSERT_TRUE(kthreadd);
  EXPECT_EQ(kthreadd->comm, "kthreadd");
}

TEST(ParseStatHeadTest, CommWithSpacesAndParentheses) {
  auto head = ParseStatHead("4242 (my (odd) name) R 7 4242 4242 0 -1");
  ASSERT_TRUE(head);
  EXPECT_EQ(head->comm, "my (odd) name");
  EXPECT_EQ(head->state, 'R');
  EXPECT_EQ(head->ppid, 7);
}

TEST(ParseStatHeadTest, RejectsMalformed) {
  for (std::string_view bad : {""sv, "1 systemd S 0"sv, "1 (x) S"sv, "1 (x) SS 0"sv, "1 (x) S abc"sv, "1 )x( S 0"sv}) {
    EXPECT_FALSE(ParseStatHead(bad)) << bad;
  }
}

TEST(ParseNsPidDepthTest, CountsNamespaces) {
  EXPECT_EQ(ParseNsPidDepth("Name:\tbash\nNSpid:\t22050\nNSpgid:\t22050\n"), 1u);
  EXPECT_EQ(ParseNsPidDepth("Name:\tnodex\nNStgid:\t4242\t1\nNSpid:\t4242\t1\n"), 2u);
  EXPECT_EQ(ParseNsPidDepth("NSpid:\t9\t7\t1"), 3u);
}

TEST(ParseNsPidDepthTest, AbsentOrMalformed) {
  EXPECT_FALSE(ParseNsPidDepth("Name:\tbash\nPid:\t1\n"));  // Linux < 4.1
  EXPECT_FALSE(ParseNsPidDepth("NSpid:\t\n"));
  EXPECT_FALSE(ParseNsPidDepth("NSpid:\t12 x\n"));
}

TEST(ParseCapEffTest, Masks) {
  auto root = ParseCapEff("CapInh:\t0000000000000000\nCapPrm:\t000001fffeffffff\nCapEff:\t000001fffeffffff\n");
  ASSERT_TRUE(root);
  EXPECT_TRUE((*root >> kCapNetBindService) & 1);
  EXPECT_TRUE((*root >> kCapSysTime) & 1);
  EXPECT_EQ(ParseCapEff("CapEff:\t0000000000000000\n"), 0u);
  EXPECT_EQ(ParseCapEff("CapEff:\t0000000000000400\n"), uint64_t{1} << kCapNetBindService);
  EXPECT_FALSE(ParseCapEff("CapPrm:\t0000000000000000\n"));
  EXPECT_FALSE(ParseCapEff("CapEff:\tzz\n"));
}

TEST(FormatCommandTest, JoinsArgv) {
  EXPECT_EQ(FormatCommand("python3\0-m\0http.server\0"sv, "python3"), "python3 -m http.server");
  EXPECT_EQ(FormatCommand(""sv, "kthreadd"), "[kthreadd]");
  EXPECT_EQ(FormatCommand("a\nb\0c"sv, "x"), "a b c");
  EXPECT_EQ(FormatCommand("abcdefghij"sv, "x", 4), "abcd...");
  // Cut on a character boundary: "é" is two bytes.
  EXPECT_EQ(FormatCommand("a\xc3\xa9z"sv, "x", 2), "a...");
}

TEST(ProcStatusTest, ParsesThisProcess) {
  const std::string stat = ReadAll("/proc/self/stat");
  auto head = ParseStatHead(stat);
  ASSERT_TRUE(head);
  EXPECT_EQ(head->ppid, getppid());
  std::string status = ReadAll("/proc/self/status");
  auto depth = ParseNsPidDepth(status);
  ASSERT_TRUE(depth);
  EXPECT_GE(*depth, 1u);
  EXPECT_TRUE(ParseCapEff(status));
}

}  // namespace
}  // namespace nodex::hostnet
