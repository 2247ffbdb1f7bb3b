#include "collectors/ksmd.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <string>

#include "collectors/testing/kit.h"
#include "collectors/testing/scratch.h"

namespace nodex::collectors {
namespace {

const KsmdFile& File(std::string_view name) {
  for (const KsmdFile& f : kKsmdFiles) {
    if (f.file == name) return f;
  }
  ADD_FAILURE() << "no ksmd file " << name;
  return kKsmdFiles[0];
}

// A complete hand-written ksm directory under dir/kernel/mm/ksm.
void WriteKsm(const testing::ScratchTree& dir, bool with_profit) {
  const std::string base = "kernel/mm/ksm/";
  dir.Write(base + "full_scans", "17\n");
  if (with_profit) dir.Write(base + "general_profit", "-8192\n");
  dir.Write(base + "merge_across_nodes", "0\n");
  dir.Write(base + "pages_shared", "12\n");
  dir.Write(base + "pages_sharing", "4000\n");
  dir.Write(base + "pages_to_scan", "200\n");
  dir.Write(base + "pages_unshared", "5\n");
  dir.Write(base + "pages_volatile", "6\n");
  dir.Write(base + "run", "2\n");
  dir.Write(base + "sleep_millisecs", "1500\n");
}

TEST(ParseKsmdValueTest, UnsignedFiles) {
  EXPECT_EQ(*ParseKsmdValue(File("pages_sharing"), "255\n"), 255.0);
  EXPECT_EQ(*ParseKsmdValue(File("full_scans"), "18446744073709551615"), 18446744073709551615.0);
  EXPECT_DOUBLE_EQ(*ParseKsmdValue(File("sleep_millisecs"), "20\n"), 0.02);
  EXPECT_EQ(*ParseKsmdValue(File("sleep_millisecs"), "20\n"), 20.0 / 1000);
}

TEST(ParseKsmdValueTest, GeneralProfitIsSigned) {
  EXPECT_EQ(*ParseKsmdValue(File("general_profit"), "1044480\n"), 1044480.0);
  EXPECT_EQ(*ParseKsmdValue(File("general_profit"), "-40960\n"), -40960.0);
  EXPECT_FALSE(ParseKsmdValue(File("pages_shared"), "-1\n").ok());
}

TEST(ParseKsmdValueTest, RejectsMalformed) {
  for (const KsmdFile& f : kKsmdFiles) {
    for (const char* bad : {"", "\n", "1 2", "x", "1.5", "99999999999999999999999", "0x10", "12abc"}) {
      EXPECT_FALSE(ParseKsmdValue(f, bad).ok()) << f.file << ": '" << bad << "'";
    }
  }
}

TEST(KsmdCollectorTest, RealCaptureFromThisMachine) {
  // Copied from this machine's /sys/kernel/mm/ksm (KSM idle: run 0).
  auto collector = testing::MustCreate(NewKsmdCollector, testing::SysContext("src/collectors/testdata/ksmd/real"));
  expo::MetricSet set;
  Status st = collector->Collect(set);
  ASSERT_TRUE(st.ok()) << st.message() << " (run from the repository root)";
  EXPECT_EQ(set.samples().size(), kKsmdFileCount);
  EXPECT_EQ(set.Find("node_ksmd_pages_to_scan"), 100.0);
  EXPECT_EQ(set.Find("node_ksmd_run"), 0.0);
  EXPECT_DOUBLE_EQ(set.Find("node_ksmd_sleep_seconds"), 0.02);
  EXPECT_EQ(set.Find("node_ksmd_general_profit_bytes"), 0.0);
}

TEST(KsmdCollectorTest, HandWrittenTreeAndReread) {
  testing::ScratchTree dir("ksmd_hand");
  WriteKsm(dir, true);
  auto collector = testing::MustCreate(NewKsmdCollector, testing::SysContext(dir.root()));
  expo::MetricSet set;
  ASSERT_TRUE(collector->Collect(set).ok());
  EXPECT_EQ(set.Find("node_ksmd_full_scans_total"), 17.0);
  EXPECT_EQ(set.Find("node_ksmd_general_profit_bytes"), -8192.0);
  EXPECT_EQ(set.Find("node_ksmd_run"), 2.0);
  EXPECT_DOUBLE_EQ(set.Find("node_ksmd_sleep_seconds"), 1.5);
  {
    std::ofstream out(dir.Path("kernel/mm/ksm/full_scans"), std::ios::binary | std::ios::in);
    out << "18\n";
  }
  set.Clear();
  ASSERT_TRUE(collector->Collect(set).ok());
  EXPECT_EQ(set.Find("node_ksmd_full_scans_total"), 18.0);
}

TEST(KsmdCollectorTest, OldKernelWithoutGeneralProfit) {
  testing::ScratchTree dir("ksmd_noprofit");
  WriteKsm(dir, false);
  auto collector = testing::MustCreate(NewKsmdCollector, testing::SysContext(dir.root()));
  expo::MetricSet set;
  ASSERT_TRUE(collector->Collect(set).ok());
  EXPECT_EQ(set.Count("node_ksmd_general_profit_bytes"), 0u);
  EXPECT_EQ(set.samples().size(), kKsmdFileCount - 1);
}

TEST(KsmdCollectorTest, MissingKsmDirectoryIsNoData) {
  testing::ScratchTree dir("ksmd_missing");
  auto collector = testing::MustCreate(NewKsmdCollector, testing::SysContext(dir.root()));
  expo::MetricSet set;
  EXPECT_EQ(collector->Collect(set).code(), StatusCode::kNoData);
  EXPECT_EQ(set.samples().size(), 0u);
}

TEST(KsmdCollectorTest, MalformedFileFailsWithoutSamples) {
  testing::ScratchTree dir("ksmd_malformed");
  WriteKsm(dir, true);
  dir.Write("kernel/mm/ksm/run", "yes\n");
  auto collector = testing::MustCreate(NewKsmdCollector, testing::SysContext(dir.root()));
  expo::MetricSet set;
  EXPECT_EQ(collector->Collect(set).code(), StatusCode::kError);
  EXPECT_EQ(set.samples().size(), 0u);
}

TEST(KsmdCollectorTest, MatchesNodeExporterOnConformanceFixtures) {
  NODEX_REQUIRE_KIT(kit);
  testing::ScopedKitDir cd(kit);
  FlagValues flags;
  Logger log;
  auto collector = testing::MustCreate(NewKsmdCollector, testing::KitContext(&flags, &log));
  expo::MetricSet set;
  ASSERT_TRUE(collector->Collect(set).ok());
  const std::vector<std::string> families = {
      "node_ksmd_full_scans_total", "node_ksmd_general_profit_bytes", "node_ksmd_merge_across_nodes",
      "node_ksmd_pages_shared",     "node_ksmd_pages_sharing",        "node_ksmd_pages_to_scan",
      "node_ksmd_pages_unshared",   "node_ksmd_pages_volatile",       "node_ksmd_run",
      "node_ksmd_sleep_seconds"};
  auto expected = testing::ExpectedLines(kit, families);
  EXPECT_EQ(expected.size(), 20u);
  EXPECT_EQ(testing::RenderedLines(set, families), expected);
}

}  // namespace
}  // namespace nodex::collectors
