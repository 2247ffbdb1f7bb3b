#include "collectors/kernel_hung.h"

#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "collectors/testing/kit.h"
#include "collectors/testing/scratch.h"

namespace nodex::collectors {
namespace {

TEST(ParseKernelHungTest, AcceptsOneNumberWithNewline) {
  auto v = ParseKernelHung("42\n");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(*v, 42u);
  EXPECT_EQ(*ParseKernelHung("0"), 0u);
  EXPECT_EQ(*ParseKernelHung("18446744073709551615\n"), 18446744073709551615u);
}

TEST(ParseKernelHungTest, RejectsMalformed) {
  for (const char* bad : {"", "\n", "-1\n", "+1", "1 2\n", "abc", "0x10", "1.5", "18446744073709551616", "12abc\n"}) {
    EXPECT_FALSE(ParseKernelHung(bad).ok()) << "input: '" << bad << "'";
  }
}

TEST(KernelHungCollectorTest, RealCaptureFromThisMachine) {
  // Captured from /proc/sys/kernel/hung_task_detect_count ("0").
  auto collector =
      testing::MustCreate(NewKernelHungCollector, testing::ProcContext("src/collectors/testdata/kernel_hung/real"));
  expo::MetricSet set;
  Status st = collector->Collect(set);
  ASSERT_TRUE(st.ok()) << st.message() << " (run from the repository root)";
  EXPECT_EQ(set.Find("node_kernel_hung_tasks_total"), 0.0);
}

TEST(KernelHungCollectorTest, RereadsEveryScrape) {
  testing::ScratchTree dir("kernel_hung_reread");
  dir.Write("sys/kernel/hung_task_detect_count", "3\n");
  auto collector = testing::MustCreate(NewKernelHungCollector, testing::ProcContext(dir.root()));
  expo::MetricSet set;
  ASSERT_TRUE(collector->Collect(set).ok());
  EXPECT_EQ(set.Find("node_kernel_hung_tasks_total"), 3.0);
  {
    std::ofstream out(dir.Path("sys/kernel/hung_task_detect_count"), std::ios::binary | std::ios::in);
    out << "7\n";
  }
  set.Clear();
  ASSERT_TRUE(collector->Collect(set).ok());
  EXPECT_EQ(set.Find("node_kernel_hung_tasks_total"), 7.0);
}

TEST(KernelHungCollectorTest, MissingFileIsNoData) {
  testing::ScratchTree dir("kernel_hung_missing");
  auto collector = testing::MustCreate(NewKernelHungCollector, testing::ProcContext(dir.root()));
  expo::MetricSet set;
  EXPECT_EQ(collector->Collect(set).code(), StatusCode::kNoData);
  EXPECT_EQ(set.samples().size(), 0u);
}

TEST(KernelHungCollectorTest, MalformedFileIsAnError) {
  testing::ScratchTree dir("kernel_hung_malformed");
  dir.Write("sys/kernel/hung_task_detect_count", "many\n");
  auto collector = testing::MustCreate(NewKernelHungCollector, testing::ProcContext(dir.root()));
  expo::MetricSet set;
  EXPECT_EQ(collector->Collect(set).code(), StatusCode::kError);
  EXPECT_EQ(set.samples().size(), 0u);
}

TEST(KernelHungCollectorTest, MatchesNodeExporterOnConformanceFixtures) {
  NODEX_REQUIRE_KIT(kit);
  testing::ScopedKitDir cd(kit);
  FlagValues flags;
  Logger log;
  auto collector = testing::MustCreate(NewKernelHungCollector, testing::KitContext(&flags, &log));
  expo::MetricSet set;
  ASSERT_TRUE(collector->Collect(set).ok());
  const std::vector<std::string> families = {"node_kernel_hung_tasks_total"};
  auto expected = testing::ExpectedLines(kit, families);
  EXPECT_EQ(expected.size(), 2u);
  EXPECT_EQ(testing::RenderedLines(set, families), expected);
}

}  // namespace
}  // namespace nodex::collectors
