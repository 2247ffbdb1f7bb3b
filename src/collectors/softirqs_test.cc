#include "collectors/softirqs.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "base/file_reader.h"
#include "collectors/testing/kit.h"
#include "collectors/testing/scratch.h"

namespace nodex::collectors {
namespace {

TEST(ParseSoftirqsTest, RealCaptureFromThisMachine) {
  std::string content;
  ASSERT_TRUE(ReadFileOnce("src/collectors/testdata/softirqs/real_softirqs", &content).ok()) << "run from repo root";
  Softirqs s;
  ASSERT_TRUE(ParseSoftirqs(content, &s).ok());
  for (size_t t = 0; t < kSoftirqTypes.size(); ++t) EXPECT_EQ(s.counts[t].size(), 2u) << kSoftirqTypes[t];
  EXPECT_EQ(s.counts[1][0], 52186u);  // TIMER, CPU0.
}

TEST(ParseSoftirqsTest, HandWritten) {
  Softirqs s;
  ASSERT_TRUE(ParseSoftirqs("  CPU0 CPU1 CPU2\n"
                            "  HI: 1 2 3\n"
                            "  BLOCK_IOPOLL: 9 9 9\n"
                            "  NET_RX:\n"
                            "  RCU 5 5 5\n"
                            "  SCHED: 18446744073709551615 0\n"
                            "  HI: 4\n",
                            &s)
                  .ok());
  ASSERT_EQ(s.counts[0].size(), 1u);  // Repeated HI replaces the first.
  EXPECT_EQ(s.counts[0][0], 4u);
  EXPECT_TRUE(s.counts[3].empty());  // NET_RX with no columns is skipped.
  EXPECT_TRUE(s.counts[9].empty());  // "RCU" without ':' is not a known row.
  ASSERT_EQ(s.counts[7].size(), 2u);
  EXPECT_EQ(s.counts[7][0], 18446744073709551615u);
  ASSERT_TRUE(ParseSoftirqs("header only\n", &s).ok());
  EXPECT_TRUE(s.counts[0].empty());
}

TEST(ParseSoftirqsTest, RejectsMalformed) {
  Softirqs s;
  for (const char* bad :
       {"", "CPU0\nHI: x\n", "CPU0\nTIMER: 1 -2\n", "CPU0\nRCU: 99999999999999999999\n", "CPU0\nHI: 1.5\n"}) {
    EXPECT_FALSE(ParseSoftirqs(bad, &s).ok()) << bad;
  }
}

TEST(SoftirqsCollectorTest, MissingFileFails) {
  testing::ScratchTree proc("softirqs_missing");
  auto c = NewSoftirqsCollector(testing::ProcContext(proc.root()));
  ASSERT_TRUE(c.ok());
  expo::MetricSet set;
  EXPECT_EQ(c.value()->Collect(set).code(), StatusCode::kError);
}

TEST(SoftirqsCollectorTest, MatchesNodeExporterOnConformanceFixtures) {
  NODEX_REQUIRE_KIT(kit);
  testing::ScopedKitDir cd(kit);
  FlagValues flags;
  Logger log;
  auto ctx = testing::KitContext(&flags, &log);
  auto c = NewSoftirqsCollector(ctx);
  ASSERT_TRUE(c.ok());
  expo::MetricSet set;
  ASSERT_TRUE(c.value()->Collect(set).ok());
  set.Clear();
  ASSERT_TRUE(c.value()->Collect(set).ok());  // Second scrape reuses labels.
  const std::vector<std::string> families = {"node_softirqs_functions_total"};
  auto expected = testing::ExpectedLines(kit, families);
  EXPECT_EQ(expected.size(), 21u);
  EXPECT_EQ(testing::RenderedLines(set, families), expected);
}

}  // namespace
}  // namespace nodex::collectors
