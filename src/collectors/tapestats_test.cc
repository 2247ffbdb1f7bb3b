#include "collectors/tapestats.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "collectors/testing/kit.h"
#include "collectors/testing/scratch.h"

namespace nodex::collectors {
namespace {

TEST(ParseTapeCounterTest, Values) {
  EXPECT_EQ(ParseTapeCounter("3741\n"), 3741u);
  EXPECT_EQ(ParseTapeCounter("0x10"), 16u);  // Go's base 0.
  EXPECT_EQ(ParseTapeCounter("18446744073709551615"), ~uint64_t{0});
  for (const char* bad : {"", "\n", "-1", "1.5", "18446744073709551616", "12 13", "abc"}) {
    EXPECT_FALSE(ParseTapeCounter(bad).has_value()) << bad;
  }
}

TEST(IsTapeDeviceNameTest, OnlyPrimaryNames) {
  EXPECT_TRUE(IsTapeDeviceName("st0"));
  EXPECT_TRUE(IsTapeDeviceName("st12"));
  for (const char* name : {"st", "nst0", "st0a", "st0l", "st0m", "sta", "xst0"}) {
    EXPECT_FALSE(IsTapeDeviceName(name)) << name;
  }
}

TEST(TapestatsCollectorTest, HandWrittenTree) {
  auto c = testing::MustCreate(NewTapestatsCollector, testing::SysContext("src/collectors/testdata/tapestats/sys"));
  ASSERT_NE(c, nullptr);
  for (int scrape = 0; scrape < 2; ++scrape) {
    expo::MetricSet set;
    ASSERT_TRUE(c->Collect(set).ok());
    EXPECT_EQ(set.Count("node_tape_io_now"), 2u);  // st0 and st1; nst0 is the same drive as st0.
    EXPECT_EQ(set.Find("node_tape_io_time_seconds_total", {{"device", "st0"}}), 1500000000 * 0.000000001);
    EXPECT_EQ(set.Find("node_tape_written_bytes_total", {{"device", "st0"}}), 1048576);
    EXPECT_EQ(set.Find("node_tape_residual_total", {{"device", "st1"}}), 7);
  }
}

TEST(TapestatsCollectorTest, IgnoredDevicesFlag) {
  FlagValues flags;
  flags.Set("collector.tapestats.ignored-devices", "^st1$");
  auto c = testing::MustCreate(NewTapestatsCollector,
                               testing::SysContext("src/collectors/testdata/tapestats/sys", &flags));
  expo::MetricSet set;
  ASSERT_TRUE(c->Collect(set).ok());
  EXPECT_EQ(set.Count("node_tape_io_now"), 1u);
  EXPECT_EQ(set.Find("node_tape_io_now", {{"device", "st0"}}), 0);
}

TEST(TapestatsCollectorTest, BadPatternNamesTheFlag) {
  FlagValues flags;
  flags.Set("collector.tapestats.ignored-devices", "(st");
  Context ctx = testing::SysContext("src/collectors/testdata/tapestats/sys", &flags);
  auto c = NewTapestatsCollector(ctx);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("collector.tapestats.ignored-devices"), std::string::npos);
}

TEST(TapestatsCollectorTest, MalformedValueFails) {
  for (const char* bad : {"", "x\n", "-5\n", "99999999999999999999999\n"}) {
    testing::ScratchTree dir("tape_bad");
    dir.Write("class/scsi_tape/st0/stats/read_cnt", bad);
    auto c = testing::MustCreate(NewTapestatsCollector, testing::SysContext(dir.root()));
    expo::MetricSet set;
    EXPECT_EQ(c->Collect(set).code(), StatusCode::kError) << bad;
    EXPECT_EQ(set.samples().size(), 0u);
  }
}

TEST(TapestatsCollectorTest, MissingClassOrStatsIsNoData) {
  testing::ScratchTree dir("tape_missing");
  auto c = testing::MustCreate(NewTapestatsCollector, testing::SysContext(dir.root()));
  expo::MetricSet set;
  EXPECT_EQ(c->Collect(set).code(), StatusCode::kNoData);
  dir.MakeDir("class/scsi_tape/st0");  // A kernel before 4.19: no stats/.
  EXPECT_EQ(c->Collect(set).code(), StatusCode::kNoData);
  EXPECT_EQ(set.samples().size(), 0u);
}

TEST(TapestatsCollectorTest, MatchesNodeExporterOnConformanceFixtures) {
  NODEX_REQUIRE_KIT(kit);
  testing::ScopedKitDir cd(kit);
  FlagValues flags;
  Logger log;
  auto c = NewTapestatsCollector(testing::KitContext(&flags, &log));
  ASSERT_TRUE(c.ok());
  expo::MetricSet set;
  ASSERT_TRUE((*c)->Collect(set).ok());
  const std::vector<std::string> families = {
      "node_tape_io_now",           "node_tape_io_others_total",         "node_tape_io_time_seconds_total",
      "node_tape_read_bytes_total", "node_tape_read_time_seconds_total", "node_tape_reads_completed_total",
      "node_tape_residual_total",   "node_tape_write_time_seconds_total", "node_tape_writes_completed_total",
      "node_tape_written_bytes_total"};
  std::vector<std::string> expected = testing::ExpectedLines(kit, families);
  EXPECT_EQ(expected.size(), 20u);
  EXPECT_EQ(testing::RenderedLines(set, families), expected);
}

}  // namespace
}  // namespace nodex::collectors
