#include "collectors/conntrack.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "collectors/testing/kit.h"
#include "collectors/testing/scratch.h"

namespace nodex::collectors {
namespace {

using testing::MustCreate;
using testing::ReadTestdata;
using testing::ScratchTree;

constexpr std::string_view kHeader =
    "entries  searched found new invalid ignore delete delete_list insert insert_failed drop early_drop icmp_error  "
    "expect_new expect_create expect_delete search_restart\n";

TEST(ParseConntrackStatTest, SumsCpuRows) {
  std::string content(kHeader);
  content +=
      "00000021  00000001 00000002 00000003 00000004 00000005 00000006 00000007 00000008 00000009 0000000a 0000000b "
      "0000000c  0000000d 0000000e 0000000f 00000010\n"
      "00000021  00000001 00000002 00000003 00000004 00000005 00000006 00000007 00000008 00000009 0000000a 0000000b "
      "0000000c  0000000d 0000000e 0000000f 000000FF\n";
  StatusOr<ConntrackStats> s = ParseConntrackStat(content);
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->cpus, 2u);
  EXPECT_EQ(s->found, 4u);
  EXPECT_EQ(s->invalid, 8u);
  EXPECT_EQ(s->ignore, 10u);
  EXPECT_EQ(s->insert, 16u);
  EXPECT_EQ(s->insert_failed, 18u);
  EXPECT_EQ(s->drop, 20u);
  EXPECT_EQ(s->early_drop, 22u);
  EXPECT_EQ(s->search_restart, 0x10u + 0xffu);
}

TEST(ParseConntrackStatTest, OldKernelWithoutSearchRestart) {
  std::string content(kHeader);
  content += "1 2 3 4 5 6 7 8 9 a b c d e f 10\n";
  StatusOr<ConntrackStats> s = ParseConntrackStat(content);
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->early_drop, 0xcu);
  EXPECT_EQ(s->search_restart, 0u);
}

TEST(ParseConntrackStatTest, RealCaptureFromThisMachine) {
  // Kernel 6.x names: "clashres" and "chainlength"; positions are unchanged.
  std::string content = ReadTestdata("src/collectors/testdata/conntrack/nf_conntrack_real");
  StatusOr<ConntrackStats> s = ParseConntrackStat(content);
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_GE(s->cpus, 1u);
}

TEST(ParseConntrackStatTest, RejectsMalformed) {
  EXPECT_TRUE(ParseConntrackStat("").ok());  // no rows at all: nothing to sum
  EXPECT_TRUE(ParseConntrackStat(kHeader).ok());
  for (std::string_view row : {
           "1 2 3 4 5 6 7 8 9 a b c d e f\n",                       // 15 fields
           "1 2 3 4 5 6 7 8 9 a b c d e f 10 11 12\n",              // 18 fields
           "1 2 3 4 5 6 7 8 9 a b c d e f 10 zz\n",                 // not hex
           "1 2 3 4 5 6 7 8 9 a b c d e f 10 0x11\n",               // prefix not allowed
           "1 2 3 4 5 6 7 8 9 a b c d e f 10 10000000000000000\n",  // > 64 bits
           "\n",                                                    // empty row
       }) {
    std::string content(kHeader);
    content += row;
    EXPECT_FALSE(ParseConntrackStat(content).ok()) << row;
  }
}

TEST(ParseConntrackValueTest, Values) {
  EXPECT_EQ(*ParseConntrackValue("123\n"), 123u);
  EXPECT_EQ(*ParseConntrackValue("18446744073709551615"), UINT64_MAX);
  EXPECT_FALSE(ParseConntrackValue("").ok());
  EXPECT_FALSE(ParseConntrackValue("-1\n").ok());
  EXPECT_FALSE(ParseConntrackValue("12 13\n").ok());
  EXPECT_FALSE(ParseConntrackValue("18446744073709551616").ok());
  EXPECT_FALSE(ParseConntrackValue("0x10").ok());
}

TEST(ConntrackCollectorTest, ReadsTree) {
  ScratchTree tree("conntrack");
  tree.Write("sys/net/netfilter/nf_conntrack_count", "7\n");
  tree.Write("sys/net/netfilter/nf_conntrack_max", "262144\n");
  tree.Write("net/stat/nf_conntrack", std::string(kHeader) + "1 2 3 4 5 6 7 8 9 a b c d e f 10 11\n");
  auto c = MustCreate(NewConntrackCollector, testing::ProcContext(tree.root()));
  ASSERT_NE(c, nullptr);
  expo::MetricSet set;
  ASSERT_TRUE(c->Collect(set).ok());
  EXPECT_EQ(set.Find("node_nf_conntrack_entries"), 7);
  EXPECT_EQ(set.Find("node_nf_conntrack_entries_limit"), 262144);
  EXPECT_EQ(set.Find("node_nf_conntrack_stat_search_restart"), 0x11);
  EXPECT_EQ(set.Find("node_nf_conntrack_stat_drop"), 0xb);
  // Re-read through the kept-open fds after a change.
  tree.Write("sys/net/netfilter/nf_conntrack_count", "8\n");
  set.Clear();
  ASSERT_TRUE(c->Collect(set).ok());
  EXPECT_EQ(set.Find("node_nf_conntrack_entries"), 8);
}

TEST(ConntrackCollectorTest, MissingModuleIsNoData) {
  ScratchTree tree("conntrack_missing");
  tree.MakeDir("sys/net");
  auto c = MustCreate(NewConntrackCollector, testing::ProcContext(tree.root()));
  ASSERT_NE(c, nullptr);
  expo::MetricSet set;
  Status st = c->Collect(set);
  EXPECT_EQ(st.code(), StatusCode::kNoData);
  EXPECT_EQ(set.samples().size(), 0u);
}

TEST(ConntrackCollectorTest, MalformedFails) {
  ScratchTree tree("conntrack_bad");
  tree.Write("sys/net/netfilter/nf_conntrack_count", "seven\n");
  tree.Write("sys/net/netfilter/nf_conntrack_max", "262144\n");
  tree.Write("net/stat/nf_conntrack", std::string(kHeader));
  auto c = MustCreate(NewConntrackCollector, testing::ProcContext(tree.root()));
  ASSERT_NE(c, nullptr);
  expo::MetricSet set;
  EXPECT_EQ(c->Collect(set).code(), StatusCode::kError);
}

TEST(ConntrackCollectorTest, MatchesNodeExporterOnConformanceFixtures) {
  NODEX_REQUIRE_KIT(kit);
  testing::ScopedKitDir cd(kit);
  FlagValues flags;
  Logger log;
  auto c = NewConntrackCollector(testing::KitContext(&flags, &log));
  ASSERT_TRUE(c.ok());
  expo::MetricSet set;
  ASSERT_TRUE(c.value()->Collect(set).ok());
  const std::vector<std::string> families = {"node_nf_conntrack_entries",      "node_nf_conntrack_entries_limit",
                                             "node_nf_conntrack_stat_drop",    "node_nf_conntrack_stat_early_drop",
                                             "node_nf_conntrack_stat_found",   "node_nf_conntrack_stat_ignore",
                                             "node_nf_conntrack_stat_insert",  "node_nf_conntrack_stat_insert_failed",
                                             "node_nf_conntrack_stat_invalid", "node_nf_conntrack_stat_search_restart"};
  std::vector<std::string> expected = testing::ExpectedLines(kit, families);
  EXPECT_EQ(expected.size(), 20u);
  EXPECT_EQ(testing::RenderedLines(set, families), expected);
}

}  // namespace
}  // namespace nodex::collectors
