#include "collectors/watchdog.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "collectors/testing/kit.h"
#include "collectors/testing/scratch.h"

namespace nodex::collectors {
namespace {

namespace fs = std::filesystem;

TEST(ParseWatchdogAttributeTest, NumbersAndStrings) {
  WatchdogStats s;
  ASSERT_TRUE(ParseWatchdogAttribute("timeout", "30\n", &s).ok());
  ASSERT_TRUE(ParseWatchdogAttribute("bootstatus", "0x20\n", &s).ok());  // Go base 0: hex.
  ASSERT_TRUE(ParseWatchdogAttribute("options", "0x8380\n", &s).ok());
  ASSERT_TRUE(ParseWatchdogAttribute("identity", "  Software Watchdog \n", &s).ok());
  ASSERT_TRUE(ParseWatchdogAttribute("unknown_attr", "garbage", &s).ok());
  EXPECT_EQ(*s.timeout, 30);
  EXPECT_EQ(*s.bootstatus, 32);
  EXPECT_EQ(s.options, "0x8380");
  EXPECT_EQ(s.identity, "Software Watchdog");
  EXPECT_FALSE(s.timeleft.has_value());
}

TEST(ParseWatchdogAttributeTest, RejectsMalformedNumbers) {
  for (const char* bad : {"", "\n", "abc", "12x", "0xZZ", "99999999999999999999999", "1 2", "--1"}) {
    WatchdogStats s;
    EXPECT_FALSE(ParseWatchdogAttribute("timeleft", bad, &s).ok()) << "input: '" << bad << "'";
  }
}

TEST(WatchdogCollectorTest, HandWrittenTree) {
  auto c = testing::MustCreate(NewWatchdogCollector, testing::SysContext("src/collectors/testdata/watchdog/sys"));
  expo::MetricSet set;
  ASSERT_TRUE(c->Collect(set).ok());
  EXPECT_EQ(set.Find("node_watchdog_timeout_seconds", {{"name", "watchdog0"}}), 30);
  EXPECT_EQ(set.Find("node_watchdog_timeleft_seconds", {{"name", "watchdog0"}}), 27);
  EXPECT_EQ(set.Find("node_watchdog_info", {{"identity", "iTCO_wdt"}, {"pretimeout_governor", ""}}), 1);
  EXPECT_EQ(set.Count("node_watchdog_pretimeout_seconds"), 0u);
  // Re-scrape through the kept-open fds.
  set.Clear();
  ASSERT_TRUE(c->Collect(set).ok());
  EXPECT_EQ(set.Count("node_watchdog_info"), 1u);
}

TEST(WatchdogCollectorTest, DevicesComeAndGo) {
  testing::ScratchTree dir("watchdog_hotplug");
  dir.Write("class/watchdog/watchdog0/timeout", "10\n");
  auto c = testing::MustCreate(NewWatchdogCollector, testing::SysContext(dir.root()));
  expo::MetricSet set;
  ASSERT_TRUE(c->Collect(set).ok());
  EXPECT_EQ(set.Count("node_watchdog_info"), 1u);
  dir.Write("class/watchdog/watchdog1/timeout", "20\n");
  set.Clear();
  ASSERT_TRUE(c->Collect(set).ok());
  EXPECT_EQ(set.Find("node_watchdog_timeout_seconds", {{"name", "watchdog1"}}), 20);
  fs::remove_all(dir.Path("class/watchdog/watchdog0"));
  set.Clear();
  ASSERT_TRUE(c->Collect(set).ok());
  EXPECT_EQ(set.Count("node_watchdog_info"), 1u);
}

TEST(WatchdogCollectorTest, MalformedValueFails) {
  testing::ScratchTree dir("watchdog_malformed");
  dir.Write("class/watchdog/watchdog0/timeout", "thirty\n");
  auto c = testing::MustCreate(NewWatchdogCollector, testing::SysContext(dir.root()));
  expo::MetricSet set;
  EXPECT_EQ(c->Collect(set).code(), StatusCode::kError);
  EXPECT_EQ(set.samples().size(), 0u);
}

TEST(WatchdogCollectorTest, MissingClassIsNoData) {
  testing::ScratchTree dir("watchdog_missing");
  auto c = testing::MustCreate(NewWatchdogCollector, testing::SysContext(dir.root()));
  expo::MetricSet set;
  EXPECT_EQ(c->Collect(set).code(), StatusCode::kNoData);
  EXPECT_EQ(set.samples().size(), 0u);
}

TEST(WatchdogCollectorTest, MatchesNodeExporterOnConformanceFixtures) {
  NODEX_REQUIRE_KIT(kit);
  testing::ScopedKitDir cd(kit);
  FlagValues flags;
  Logger log;
  auto c = NewWatchdogCollector(testing::KitContext(&flags, &log));
  ASSERT_TRUE(c.ok());
  expo::MetricSet set;
  ASSERT_TRUE((*c)->Collect(set).ok());
  const std::vector<std::string> families = {"node_watchdog_access_cs0",       "node_watchdog_bootstatus",
                                             "node_watchdog_fw_version",       "node_watchdog_info",
                                             "node_watchdog_nowayout",         "node_watchdog_pretimeout_seconds",
                                             "node_watchdog_timeleft_seconds", "node_watchdog_timeout_seconds"};
  std::vector<std::string> expected = testing::ExpectedLines(kit, families);
  EXPECT_EQ(expected.size(), 17u);
  EXPECT_EQ(testing::RenderedLines(set, families), expected);
}

}  // namespace
}  // namespace nodex::collectors
