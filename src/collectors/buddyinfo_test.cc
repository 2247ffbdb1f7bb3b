#include "collectors/buddyinfo.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "base/file_reader.h"
#include "collectors/testing/kit.h"
#include "collectors/testing/scratch.h"

namespace nodex::collectors {
namespace {

TEST(ParseBuddyinfoTest, RealCaptureFromThisMachine) {
  std::string text;
  ASSERT_TRUE(ReadFileOnce("src/collectors/testdata/buddyinfo/real/buddyinfo", &text).ok())
      << "run from the repository root";
  Buddyinfo info;
  ASSERT_TRUE(ParseBuddyinfo(text, &info).ok());
  ASSERT_EQ(info.zones.size(), 3u);
  EXPECT_EQ(info.zones[0].node, "0");
  EXPECT_EQ(info.zones[0].zone, "DMA");
  EXPECT_EQ(info.zones[2].zone, "Normal");
  EXPECT_EQ(info.zones[1].sizes_count, 11u);
  EXPECT_EQ(info.sizes.size(), 33u);
}

TEST(ParseBuddyinfoTest, HandWrittenTwoNodesThirteenOrders) {
  Buddyinfo info;
  ASSERT_TRUE(ParseBuddyinfo("Node 0, zone   Normal 1 2 3 4 5 6 7 8 9 10 11 12 13\n"
                             "Node 1, zone   Normal 13 12 11 10 9 8 7 6 5 4 3 2 18446744073709551615\n",
                             &info)
                  .ok());
  ASSERT_EQ(info.zones.size(), 2u);
  EXPECT_EQ(info.zones[1].node, "1");
  EXPECT_EQ(info.zones[1].sizes_count, 13u);
  EXPECT_DOUBLE_EQ(info.sizes[info.zones[1].sizes_begin + 12], 18446744073709551615.0);
  // Reparsing reuses the same object and forgets the previous content.
  ASSERT_TRUE(ParseBuddyinfo("Node 2, zone DMA 1", &info).ok());
  ASSERT_EQ(info.zones.size(), 1u);
  EXPECT_EQ(info.zones[0].node, "2");
  EXPECT_EQ(info.sizes.size(), 1u);
}

TEST(ParseBuddyinfoTest, EmptyFileHasNoZones) {
  Buddyinfo info;
  ASSERT_TRUE(ParseBuddyinfo("", &info).ok());
  EXPECT_TRUE(info.zones.empty());
}

TEST(ParseBuddyinfoTest, RejectsMalformedInput) {
  for (const char* bad : {"\n\n", "Node 0, zone", "Node 0, zone DMA 1 2\n\nNode 0, zone DMA32 1 2",
                          "Node 0, zone DMA 1 x 3", "Node 0, zone DMA 1 2 3\nNode 0, zone DMA32 1 2",
                          "Node 0, zone DMA 1e999", "Node 0, zone DMA nan", "Node 0, zone DMA 0x10"}) {
    Buddyinfo info;
    EXPECT_FALSE(ParseBuddyinfo(bad, &info).ok()) << "input: '" << bad << "'";
  }
}

TEST(BuddyinfoCollectorTest, EmitsOneSamplePerOrder) {
  std::string content = "Node 0, zone      DMA      1      0      3\nNode 0, zone    DMA32    759    572    791\n";
  testing::ScratchTree proc("buddyinfo_emit");
  proc.Write("buddyinfo", content);
  auto collector = testing::MustCreate(NewBuddyinfoCollector, testing::ProcContext(proc.root()));
  expo::MetricSet set;
  ASSERT_TRUE(collector->Collect(set).ok());
  EXPECT_EQ(set.Count("node_buddyinfo_blocks"), 6u);
  EXPECT_DOUBLE_EQ(set.Find("node_buddyinfo_blocks", {{"zone", "DMA"}, {"size", "2"}}), 3);
  EXPECT_DOUBLE_EQ(set.Find("node_buddyinfo_blocks", {{"zone", "DMA32"}, {"size", "1"}, {"node", "0"}}), 572);
}

TEST(BuddyinfoCollectorTest, MissingAndMalformedFilesFail) {
  testing::ScratchTree missing_proc("buddyinfo_missing");
  auto missing = testing::MustCreate(NewBuddyinfoCollector, testing::ProcContext(missing_proc.root()));
  expo::MetricSet set;
  EXPECT_EQ(missing->Collect(set).code(), StatusCode::kError);

  std::string bad = "Node 0, zone DMA 1 2 3\nNode 0, zone DMA32 1 2\n";
  testing::ScratchTree malformed_proc("buddyinfo_malformed");
  malformed_proc.Write("buddyinfo", bad);
  auto malformed = testing::MustCreate(NewBuddyinfoCollector, testing::ProcContext(malformed_proc.root()));
  EXPECT_EQ(malformed->Collect(set).code(), StatusCode::kError);
  EXPECT_EQ(set.samples().size(), 0u);
}

TEST(BuddyinfoCollectorTest, MatchesNodeExporterOnConformanceFixtures) {
  NODEX_REQUIRE_KIT(kit);
  testing::ScopedKitDir cd(kit);
  FlagValues flags;
  Logger log;
  auto c = NewBuddyinfoCollector(testing::KitContext(&flags, &log));
  ASSERT_TRUE(c.ok());
  expo::MetricSet set;
  ASSERT_TRUE(c.value()->Collect(set).ok());
  const std::vector<std::string> families = {"node_buddyinfo_blocks"};
  std::vector<std::string> expected = testing::ExpectedLines(kit, families);
  EXPECT_EQ(expected.size(), 34u);
  EXPECT_EQ(testing::RenderedLines(set, families), expected);
}

}  // namespace
}  // namespace nodex::collectors
