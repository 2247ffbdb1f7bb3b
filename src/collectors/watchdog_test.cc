#include "collectors/watchdog.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "collectors/sysfs_kit_test_support.h"
#include "collectors/testing/kit.h"

namespace nodex::collectors {
namespace {

namespace fs = std::filesystem;

void WriteFile(const fs::path& path, const std::string& content) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary | std::ios::trunc) << content;
}

std::string ScratchDir(const std::string& name) {
  std::string dir = ::testing::TempDir() + "nodex_watchdog_" + name + "_" + std::to_string(getpid());
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

std::unique_ptr<Collector> Make(const std::string& sysfs) {
  Context ctx;
  ctx.paths.sysfs = sysfs;
  auto c = NewWatchdogCollector(ctx);
  EXPECT_TRUE(c.ok());
  return std::move(c.value());
}

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
  auto c = Make("src/collectors/testdata/watchdog/sys");
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
  std::string dir = ScratchDir("hotplug");
  WriteFile(dir + "/class/watchdog/watchdog0/timeout", "10\n");
  auto c = Make(dir);
  expo::MetricSet set;
  ASSERT_TRUE(c->Collect(set).ok());
  EXPECT_EQ(set.Count("node_watchdog_info"), 1u);
  WriteFile(dir + "/class/watchdog/watchdog1/timeout", "20\n");
  set.Clear();
  ASSERT_TRUE(c->Collect(set).ok());
  EXPECT_EQ(set.Find("node_watchdog_timeout_seconds", {{"name", "watchdog1"}}), 20);
  fs::remove_all(dir + "/class/watchdog/watchdog0");
  set.Clear();
  ASSERT_TRUE(c->Collect(set).ok());
  EXPECT_EQ(set.Count("node_watchdog_info"), 1u);
}

TEST(WatchdogCollectorTest, MalformedValueFails) {
  std::string dir = ScratchDir("malformed");
  WriteFile(dir + "/class/watchdog/watchdog0/timeout", "thirty\n");
  auto c = Make(dir);
  expo::MetricSet set;
  EXPECT_EQ(c->Collect(set).code(), StatusCode::kError);
  EXPECT_EQ(set.samples().size(), 0u);
}

TEST(WatchdogCollectorTest, MissingClassIsNoData) {
  auto c = Make(ScratchDir("missing"));
  expo::MetricSet set;
  EXPECT_EQ(c->Collect(set).code(), StatusCode::kNoData);
  EXPECT_EQ(set.samples().size(), 0u);
}

TEST(WatchdogCollectorTest, MatchesNodeExporterOnConformanceFixtures) {
  NODEX_REQUIRE_KIT(kit);
  std::string root = testing::RepairedSysfsKit(kit, "watchdog");
  testing::ScopedKitDir cd(root);
  FlagValues flags;
  Logger log;
  auto c = NewWatchdogCollector(testing::KitContext(&flags, &log));
  ASSERT_TRUE(c.ok());
  expo::MetricSet set;
  ASSERT_TRUE((*c)->Collect(set).ok());
  const std::vector<std::string> families = {
      "node_watchdog_access_cs0",        "node_watchdog_bootstatus",         "node_watchdog_fw_version",
      "node_watchdog_info",              "node_watchdog_nowayout",           "node_watchdog_pretimeout_seconds",
      "node_watchdog_timeleft_seconds",  "node_watchdog_timeout_seconds"};
  std::vector<std::string> expected = testing::ExpectedLines(kit, families);
  EXPECT_EQ(expected.size(), 17u);
  EXPECT_EQ(testing::RenderedLines(set, families), expected);
}

}  // namespace
}  // namespace nodex::collectors
