#include "collectors/softnet.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "base/file_reader.h"
#include "collectors/testing/kit.h"
#include "collectors/testing/scratch.h"

namespace nodex::collectors {
namespace {

using testing::MustCreate;
using testing::ProcContext;
using testing::ScratchTree;

TEST(ParseSoftnetStatTest, RealCaptureFromThisMachine) {
  // Linux 6.18 prints 15 columns; the CPU index is column 13.
  std::string text;
  ASSERT_TRUE(ReadFileOnce("src/collectors/testdata/softnet/real/net/softnet_stat", &text).ok())
      << "run from the repository root";
  std::vector<SoftnetCpuStats> stats;
  ASSERT_TRUE(ParseSoftnetStat(text, &stats).ok());
  ASSERT_EQ(stats.size(), 2u);
  EXPECT_EQ(stats[0].index, 0u);
  EXPECT_EQ(stats[1].index, 1u);
  EXPECT_GT(stats[0].processed, 0u);
}

TEST(ParseSoftnetStatTest, ColumnCountsOfOlderKernels) {
  std::vector<SoftnetCpuStats> stats;
  // 9 columns (2.6.23): index comes from the line number.
  ASSERT_TRUE(ParseSoftnetStat("00000010 00000001 00000002 0 0 0 0 0 00000003\n"
                               "00000020 00000000 00000000 0 0 0 0 0 00000000\n",
                               &stats)
                  .ok());
  ASSERT_EQ(stats.size(), 2u);
  EXPECT_EQ(stats[0].processed, 16u);
  EXPECT_EQ(stats[0].dropped, 1u);
  EXPECT_EQ(stats[0].time_squeezed, 2u);
  EXPECT_EQ(stats[0].cpu_collision, 3u);
  EXPECT_EQ(stats[1].index, 1u);
  // 11 columns (4.18).
  ASSERT_TRUE(ParseSoftnetStat("1 2 3 0 0 0 0 0 4 5 6", &stats).ok());
  ASSERT_EQ(stats.size(), 1u);
  EXPECT_EQ(stats[0].received_rps, 5u);
  EXPECT_EQ(stats[0].flow_limit_count, 6u);
  EXPECT_EQ(stats[0].index, 0u);
  // 13 columns (5.10+): the index column wins over the line number, so
  // offline CPUs leave gaps.
  ASSERT_TRUE(ParseSoftnetStat("1 2 3 0 0 0 0 0 4 5 6 7 0000000a\n", &stats).ok());
  EXPECT_EQ(stats[0].backlog_len, 7u);
  EXPECT_EQ(stats[0].index, 10u);
  // A 12-column line is treated like an 11-column one.
  ASSERT_TRUE(ParseSoftnetStat("1 2 3 0 0 0 0 0 4 5 6 zz\n", &stats).ok());
  EXPECT_EQ(stats[0].backlog_len, 0u);
  EXPECT_TRUE(ParseSoftnetStat("", &stats).ok());
  EXPECT_TRUE(stats.empty());
}

TEST(ParseSoftnetStatTest, RejectsMalformedInput) {
  std::vector<SoftnetCpuStats> stats;
  for (const char* bad : {
           "00000001 00000002\n",                                 // truncated
           "1 2 3 0 0 0 0 0\n",                                   // 8 columns
           "1 2 3 0 0 0 0 0 4\n\n1 2 3 0 0 0 0 0 4\n",            // empty line
           "1 2 x 0 0 0 0 0 4\n",                                 // non-hex
           "1 2 3 0 0 0 0 0 4 5 6 7 -1\n",                        // sign
           "100000000 0 0 0 0 0 0 0 0\n",                         // above uint32
           "0x1 0 0 0 0 0 0 0 0\n",                               // prefix
           "ffffffffffffffffffffffffffffffff 0 0 0 0 0 0 0 0\n",  // huge
       }) {
    EXPECT_FALSE(ParseSoftnetStat(bad, &stats).ok()) << "input: " << bad;
  }
}

TEST(SoftnetCollectorTest, MissingFileFails) {
  ScratchTree tree("softnet_missing");
  auto c = MustCreate(NewSoftnetCollector, ProcContext(tree.root()));
  expo::MetricSet set;
  EXPECT_FALSE(c->Collect(set).ok());
  EXPECT_EQ(set.samples().size(), 0u);
}

TEST(SoftnetCollectorTest, MalformedFileFails) {
  ScratchTree tree("softnet_bad");
  tree.Write("net/softnet_stat", "garbage\n");
  auto c = MustCreate(NewSoftnetCollector, ProcContext(tree.root()));
  expo::MetricSet set;
  EXPECT_EQ(c->Collect(set).code(), StatusCode::kError);
}

TEST(SoftnetCollectorTest, RealCaptureThroughCollector) {
  auto c = MustCreate(NewSoftnetCollector, ProcContext("src/collectors/testdata/softnet/real"));
  expo::MetricSet set;
  ASSERT_TRUE(c->Collect(set).ok());
  EXPECT_EQ(set.Count("node_softnet_processed_total"), 2u);
  EXPECT_EQ(set.Count("node_softnet_backlog_len"), 2u);
  EXPECT_DOUBLE_EQ(set.Find("node_softnet_backlog_len", {{"cpu", "1"}}), 0);
}

TEST(SoftnetCollectorTest, MatchesNodeExporterOnConformanceFixtures) {
  NODEX_REQUIRE_KIT(kit);
  testing::ScopedKitDir in_kit(kit);
  FlagValues flags;
  Logger log;
  auto c = MustCreate(NewSoftnetCollector, testing::KitContext(&flags, &log));
  expo::MetricSet set;
  ASSERT_TRUE(c->Collect(set).ok());
  const std::vector<std::string> families = {"node_softnet_backlog_len",         "node_softnet_cpu_collision_total",
                                             "node_softnet_dropped_total",       "node_softnet_flow_limit_count_total",
                                             "node_softnet_processed_total",     "node_softnet_received_rps_total",
                                             "node_softnet_times_squeezed_total"};
  std::vector<std::string> expected = testing::ExpectedLines(kit, families);
  EXPECT_EQ(expected.size(), 35u);
  EXPECT_EQ(testing::RenderedLines(set, families), expected);
}

}  // namespace
}  // namespace nodex::collectors
