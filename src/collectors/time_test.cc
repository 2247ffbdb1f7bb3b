#include "collectors/time.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <time.h>

#include <filesystem>
#include <string>
#include <vector>

#include "collectors/testing/kit.h"
#include "collectors/testing/scratch.h"
#include "expo/text_writer.h"

namespace nodex::collectors {
namespace {

std::string Render(const expo::MetricSet& set) {
  std::string text;
  expo::TextWriter().Write(set, &text);
  return text;
}

double Now() {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

TEST(AddClocksourceInfoTest, OneSeriesPerAvailableNameAndOneCurrent) {
  expo::MetricSet set;
  AddClocksourceInfo("0", "tsc hpet acpi_pm \n", "tsc\n", set);
  EXPECT_EQ(set.Count("node_time_clocksource_available_info"), 3u);
  EXPECT_EQ(set.Find("node_time_clocksource_available_info", {{"device", "0"}, {"clocksource", "hpet"}}), 1);
  EXPECT_EQ(set.Find("node_time_clocksource_current_info", {{"device", "0"}, {"clocksource", "tsc"}}), 1);
}

TEST(AddClocksourceInfoTest, EmptyFiles) {
  expo::MetricSet set;
  AddClocksourceInfo("3", "", "", set);
  EXPECT_EQ(set.Count("node_time_clocksource_available_info"), 0u);
  // node_exporter emits the current series even when the file is empty.
  EXPECT_EQ(set.Find("node_time_clocksource_current_info", {{"device", "3"}, {"clocksource", ""}}), 1);
}

TEST(TimeCollectorTest, RealCaptureFromThisMachine) {
  auto collector = testing::MustCreate(NewTimeCollector, testing::SysContext("src/collectors/testdata/time/real"));
  expo::MetricSet set;
  double before = Now();
  ASSERT_TRUE(collector->Collect(set).ok());
  double after = Now();
  double now = set.Find("node_time_seconds");
  EXPECT_GE(now, before - 1e-6);
  EXPECT_LE(now, after + 1e-6);
  EXPECT_EQ(set.Count("node_time_zone_offset_seconds"), 1u);
  // Captured from a KVM guest: "tsc kvm-clock " and "tsc".
  EXPECT_EQ(set.Find("node_time_clocksource_available_info", {{"device", "0"}, {"clocksource", "kvm-clock"}}), 1);
  EXPECT_EQ(set.Find("node_time_clocksource_available_info", {{"device", "0"}, {"clocksource", "tsc"}}), 1);
  EXPECT_EQ(set.Count("node_time_clocksource_available_info"), 2u);
  EXPECT_EQ(set.Find("node_time_clocksource_current_info", {{"device", "0"}, {"clocksource", "tsc"}}), 1);
}

TEST(TimeCollectorTest, DevicesAreNumberedInSortedGlobOrder) {
  // clocksource0, clocksource1, clocksource10, clocksource2 sort as bytes, so
  // clocksource10 is device 2; "clocksourcex" does not match clocksource[0-9]*.
  auto collector = testing::MustCreate(NewTimeCollector, testing::SysContext("src/collectors/testdata/time/multi"));
  expo::MetricSet set;
  ASSERT_TRUE(collector->Collect(set).ok());
  EXPECT_EQ(set.Find("node_time_clocksource_current_info", {{"device", "0"}, {"clocksource", "tsc"}}), 1);
  EXPECT_EQ(set.Find("node_time_clocksource_current_info", {{"device", "1"}, {"clocksource", "arch_sys_counter"}}), 1);
  EXPECT_EQ(set.Find("node_time_clocksource_current_info", {{"device", "2"}, {"clocksource", "kvm-clock"}}), 1);
  EXPECT_EQ(set.Find("node_time_clocksource_current_info", {{"device", "3"}, {"clocksource", "jiffies"}}), 1);
  EXPECT_EQ(set.Count("node_time_clocksource_current_info"), 4u);
  EXPECT_EQ(set.Count("node_time_clocksource_available_info"), 5u);
  EXPECT_EQ(Render(set).find("bogus"), std::string::npos);
}

TEST(TimeCollectorTest, MissingClocksourceDirectoryIsNotAnError) {
  auto collector =
      testing::MustCreate(NewTimeCollector, testing::SysContext("src/collectors/testdata/time/does-not-exist"));
  expo::MetricSet set;
  ASSERT_TRUE(collector->Collect(set).ok());
  EXPECT_EQ(set.Count("node_time_seconds"), 1u);
  EXPECT_EQ(set.Count("node_time_clocksource_current_info"), 0u);
}

TEST(TimeCollectorTest, UnreadableDeviceFailsTheCollector) {
  testing::ScratchTree dir("time");
  const std::string dev = "devices/system/clocksource/clocksource0";
  dir.Write(dev + "/available_clocksource", "tsc\n");
  dir.Write(dev + "/current_clocksource", "tsc\n");
  auto collector = testing::MustCreate(NewTimeCollector, testing::SysContext(dir.root()));
  std::filesystem::remove(dir.Path(dev + "/current_clocksource"));
  expo::MetricSet set;
  EXPECT_EQ(collector->Collect(set).code(), StatusCode::kError);
  EXPECT_EQ(set.Count("node_time_clocksource_available_info"), 0u);
  // The device comes back: the directory is listed again and it works.
  dir.Write(dev + "/current_clocksource", "hpet\n");
  set.Clear();
  ASSERT_TRUE(collector->Collect(set).ok());
  EXPECT_EQ(set.Find("node_time_clocksource_current_info", {{"device", "0"}, {"clocksource", "hpet"}}), 1);
}

TEST(TimeCollectorTest, ZoneFromTz) {
  const char* old = getenv("TZ");
  std::string saved = old ? old : "";
  // POSIX TZ: zone "XYZ", 3 hours east of UTC.
  setenv("TZ", "XYZ-3", 1);
  auto collector = testing::MustCreate(NewTimeCollector, testing::SysContext("src/collectors/testdata/time/real"));
  expo::MetricSet set;
  ASSERT_TRUE(collector->Collect(set).ok());
  if (old) {
    setenv("TZ", saved.c_str(), 1);
  } else {
    unsetenv("TZ");
  }
  tzset();
  EXPECT_EQ(set.Find("node_time_zone_offset_seconds", {{"time_zone", "XYZ"}}), 10800);
}

TEST(TimeCollectorTest, MatchesNodeExporterOnConformanceFixtures) {
  NODEX_REQUIRE_KIT(kit);
  testing::ScopedKitDir in_kit(kit);
  auto collector = NewTimeCollector(testing::KitContext(nullptr, nullptr));
  ASSERT_TRUE(collector.ok());
  expo::MetricSet set;
  ASSERT_TRUE((*collector)->Collect(set).ok());
  const std::vector<std::string> clocksource = {"node_time_clocksource_available_info",
                                                "node_time_clocksource_current_info"};
  std::vector<std::string> expected = testing::ExpectedLines(kit, clocksource);
  EXPECT_EQ(expected.size(), 6u);
  EXPECT_EQ(testing::RenderedLines(set, clocksource), expected);
  // The live families: the expected file has only their TYPE lines.
  const std::vector<std::string> live = {"node_time_seconds", "node_time_zone_offset_seconds"};
  std::vector<std::string> rendered = testing::RenderedLines(set, live);
  ASSERT_EQ(rendered.size(), 4u);
  EXPECT_EQ(testing::ExpectedLines(kit, live), (std::vector<std::string>{rendered[0], rendered[2]}));
  EXPECT_EQ(rendered[1].rfind("node_time_seconds ", 0), 0u);
  EXPECT_EQ(rendered[3].rfind("node_time_zone_offset_seconds{time_zone=\"", 0), 0u);
}

}  // namespace
}  // namespace nodex::collectors
