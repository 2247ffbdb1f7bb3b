#include "collectors/swap.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "collectors/testing/scratch.h"
#include "expo/metric_set.h"

namespace nodex::collectors {
namespace {

TEST(ParseSwapsTest, RealCaptureFromThisMachineHasOnlyTheHeader) {
  std::string content = testing::ReadTestdata("src/collectors/testdata/swap/real/swaps");
  ASSERT_FALSE(content.empty());
  std::vector<SwapArea> areas;
  ASSERT_TRUE(ParseSwaps(content, &areas).ok());
  EXPECT_TRUE(areas.empty());
}

TEST(ParseSwapsTest, HandWrittenTwoAreas) {
  std::string content = testing::ReadTestdata("src/collectors/testdata/swap/two_areas/swaps");
  std::vector<SwapArea> areas;
  ASSERT_TRUE(ParseSwaps(content, &areas).ok());
  ASSERT_EQ(areas.size(), 2u);
  EXPECT_EQ(areas[0].filename, "/dev/zram0");
  EXPECT_EQ(areas[0].type, "partition");
  EXPECT_EQ(areas[0].size_kib, 8388604);
  EXPECT_EQ(areas[0].used_kib, 76);
  EXPECT_EQ(areas[0].priority, 100);
  EXPECT_EQ(areas[1].filename, "/var/lib/swap\\040file");  // Kept escaped, as procfs does.
  EXPECT_EQ(areas[1].priority, -2);
}

TEST(ParseSwapsTest, QuirksMirroredFromProcfs) {
  std::vector<SwapArea> areas;
  EXPECT_TRUE(ParseSwaps("", &areas).ok());
  EXPECT_TRUE(ParseSwaps("anything at all, it is the header", &areas).ok());
  EXPECT_TRUE(areas.empty());
  // The first line is skipped even when it is an area.
  ASSERT_TRUE(ParseSwaps("/dev/sda2 partition 1 2 3\n/dev/sdb2 partition 4 5 +6 extra fields\n", &areas).ok());
  ASSERT_EQ(areas.size(), 1u);
  EXPECT_EQ(areas[0].filename, "/dev/sdb2");
  EXPECT_EQ(areas[0].priority, 6);
}

TEST(ParseSwapsTest, RejectsMalformedInput) {
  for (const char* bad : {
           "h\n\n",                                              // Blank line after the header.
           "h\n/dev/sda2 partition 1 2\n",                       // Truncated.
           "h\n/dev/sda2 partition x 2 3\n",                     // Non-numeric size.
           "h\n/dev/sda2 partition 1 2.5 3\n",                   // Non-integer used.
           "h\n/dev/sda2 partition 1 2 99999999999999999999\n",  // Out of int64 range.
           "h\n/dev/sda2 partition 1 2 +-3\n",
           "h\n/dev/sda2 partition 1 2 +\n",
       }) {
    std::vector<SwapArea> areas;
    EXPECT_FALSE(ParseSwaps(bad, &areas).ok()) << bad;
  }
}

TEST(SwapCollectorTest, ExportsBytesAndPriority) {
  auto collector =
      testing::MustCreate(NewSwapCollector, testing::ProcContext("src/collectors/testdata/swap/two_areas"));
  expo::MetricSet set;
  ASSERT_TRUE(collector->Collect(set).ok());
  EXPECT_EQ(set.Find("node_swap_size_bytes", {{"device", "/dev/zram0"}, {"type", "partition"}}), 8388604.0 * 1024);
  EXPECT_EQ(set.Find("node_swap_used_bytes", {{"device", "/var/lib/swap\\040file"}, {"type", "file"}}), 1024.0 * 1024);
  EXPECT_EQ(set.Find("node_swap_priority", {{"device", "/var/lib/swap\\040file"}}), -2);
  EXPECT_EQ(set.Count("node_swap_priority"), 2u);
  set.Clear();
  ASSERT_TRUE(collector->Collect(set).ok());
  EXPECT_EQ(set.samples().size(), 6u);
}

TEST(SwapCollectorTest, RealCaptureGivesNoSamples) {
  auto collector = testing::MustCreate(NewSwapCollector, testing::ProcContext("src/collectors/testdata/swap/real"));
  expo::MetricSet set;
  ASSERT_TRUE(collector->Collect(set).ok());
  EXPECT_EQ(set.samples().size(), 0u);
}

TEST(SwapCollectorTest, MissingOrMalformedFileFails) {
  testing::ScratchTree dir("swap_missing");
  auto collector = testing::MustCreate(NewSwapCollector, testing::ProcContext(dir.root()));
  expo::MetricSet set;
  EXPECT_EQ(collector->Collect(set).code(), StatusCode::kError);
  dir.Write("swaps", "Filename Type Size Used Priority\n/dev/sda2 partition 1 two 3\n");
  EXPECT_EQ(collector->Collect(set).code(), StatusCode::kError);
  EXPECT_EQ(set.samples().size(), 0u);
}

}  // namespace
}  // namespace nodex::collectors
