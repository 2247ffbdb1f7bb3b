#include "collectors/schedstat.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "base/file_reader.h"
#include "collectors/testing/kit.h"
#include "collectors/testing/scratch.h"

namespace nodex::collectors {
namespace {

TEST(ParseSchedstatTest, HandWrittenVersion17) {
  // /proc/schedstat is absent on the capture machine (CONFIG_SCHEDSTATS off),
  // so this fixture is hand-written in the 6.x layout.
  std::string content;
  ASSERT_TRUE(ReadFileOnce("src/collectors/testdata/schedstat/schedstat_v17", &content).ok()) << "run from repo root";
  std::vector<SchedstatCpu> cpus;
  ParseSchedstat(content, &cpus);
  ASSERT_EQ(cpus.size(), 2u);
  EXPECT_EQ(cpus[0].cpu, "0");
  EXPECT_EQ(cpus[0].running_ns, 81284413921u);
  EXPECT_EQ(cpus[0].waiting_ns, 5376291012u);
  EXPECT_EQ(cpus[0].timeslices, 1224567u);
  EXPECT_EQ(cpus[1].cpu, "1");
}

TEST(ParseSchedstatTest, SkipsWhatProcfsSkips) {
  std::vector<SchedstatCpu> cpus;
  ParseSchedstat(
      "version 15\n"
      "cpu0 1 2 3 4 5 6 7 8\n"                       // Too few numbers.
      "cpu1 1 2 3 4 5 6 7 8 x\n"                     // Non-numeric.
      "cpu2  1 2 3 4 5 6 7 8 9\n"                    // Double space.
      "cpu3 1 2 3 4 5 6 99999999999999999999 8 9\n"  // Overflow.
      "cpu4 1 2 3 4 5 6 7 8 9 10 11\r\n"             // Extra numbers are fine.
      "xcpu12 0 0 0 0 0 0 1 2 3\n"                   // Unanchored, like the regexp.
      "cpu 1 cpu5 0 0 0 0 0 0 4 5 6\n"               // Later occurrence matches.
      "\n",
      &cpus);
  ASSERT_EQ(cpus.size(), 3u);
  EXPECT_EQ(cpus[0].cpu, "4");
  EXPECT_EQ(cpus[0].running_ns, 7u);
  EXPECT_EQ(cpus[0].timeslices, 9u);
  EXPECT_EQ(cpus[1].cpu, "12");
  EXPECT_EQ(cpus[2].cpu, "5");
  EXPECT_EQ(cpus[2].waiting_ns, 5u);
  ParseSchedstat("", &cpus);
  EXPECT_TRUE(cpus.empty());
}

TEST(SchedstatCollectorTest, MissingFileIsNoData) {
  testing::ScratchTree proc("schedstat_missing");
  auto c = NewSchedstatCollector(testing::ProcContext(proc.root()));
  ASSERT_TRUE(c.ok());
  expo::MetricSet set;
  EXPECT_EQ(c.value()->Collect(set).code(), StatusCode::kNoData);
}

TEST(SchedstatCollectorTest, HandWrittenThroughCollector) {
  testing::ScratchTree proc("schedstat_hw");
  std::filesystem::copy_file("src/collectors/testdata/schedstat/schedstat_v17", proc.Path("schedstat"),
                             std::filesystem::copy_options::overwrite_existing);
  auto c = NewSchedstatCollector(testing::ProcContext(proc.root()));
  ASSERT_TRUE(c.ok());
  expo::MetricSet set;
  ASSERT_TRUE(c.value()->Collect(set).ok());
  EXPECT_DOUBLE_EQ(set.Find("node_schedstat_running_seconds_total", {{"cpu", "1"}}), 79.122005551);
  EXPECT_EQ(set.Find("node_schedstat_timeslices_total", {{"cpu", "0"}}), 1224567);
}

TEST(SchedstatCollectorTest, MatchesNodeExporterOnConformanceFixtures) {
  NODEX_REQUIRE_KIT(kit);
  testing::ScopedKitDir cd(kit);
  FlagValues flags;
  Logger log;
  auto ctx = testing::KitContext(&flags, &log);
  auto c = NewSchedstatCollector(ctx);
  ASSERT_TRUE(c.ok());
  expo::MetricSet set;
  ASSERT_TRUE(c.value()->Collect(set).ok());
  const std::vector<std::string> families = {"node_schedstat_running_seconds_total", "node_schedstat_timeslices_total",
                                             "node_schedstat_waiting_seconds_total"};
  auto expected = testing::ExpectedLines(kit, families);
  EXPECT_EQ(expected.size(), 9u);
  EXPECT_EQ(testing::RenderedLines(set, families), expected);
}

}  // namespace
}  // namespace nodex::collectors
