#include "collectors/thermal_zone.h"

#include <gtest/gtest.h>

#include <string>

#include "collectors/testing/kit.h"
#include "collectors/testing/scratch.h"

namespace nodex::collectors {
namespace {

TEST(ParseThermalIntTest, AcceptsSignedDecimal) {
  EXPECT_EQ(*ParseThermalInt("45000\n"), 45000);
  EXPECT_EQ(*ParseThermalInt("-1\n"), -1);
  EXPECT_EQ(*ParseThermalInt(" 7 "), 7);
}

TEST(ParseThermalIntTest, RejectsMalformed) {
  for (const char* bad : {"", "\n", "abc", "0x10", "1.5", "99999999999999999999", "1 2", "--1"}) {
    EXPECT_FALSE(ParseThermalInt(bad).ok()) << "input: '" << bad << "'";
  }
}

TEST(ThermalZoneDisabledTest, OnlyDisabled) {
  EXPECT_TRUE(ThermalZoneDisabled("disabled\n"));
  EXPECT_FALSE(ThermalZoneDisabled("enabled\n"));
  EXPECT_FALSE(ThermalZoneDisabled(""));
}

TEST(ThermalZoneCollectorTest, HandWrittenTree) {
  auto c =
      testing::MustCreate(NewThermalZoneCollector, testing::SysContext("src/collectors/testdata/thermal_zone/sys"));
  expo::MetricSet set;
  ASSERT_TRUE(c->Collect(set).ok());
  EXPECT_DOUBLE_EQ(set.Find("node_thermal_zone_temp", {{"zone", "0"}, {"type", "x86_pkg_temp"}}), 52.0);
  EXPECT_DOUBLE_EQ(set.Find("node_thermal_zone_temp", {{"zone", "2"}}), -274.0);
  EXPECT_EQ(set.Count("node_thermal_zone_temp"), 2u);  // zone1 is disabled.
  EXPECT_EQ(set.Find("node_cooling_device_cur_state", {{"name", "1"}, {"type", "intel_powerclamp"}}), -1);
  EXPECT_EQ(set.Find("node_cooling_device_max_state", {{"name", "0"}}), 10);
  EXPECT_EQ(set.Count("node_cooling_device_cur_state"), 2u);  // device2 lacks max_state.
}

TEST(ThermalZoneCollectorTest, ZoneWithoutRequiredFileIsSkipped) {
  testing::ScratchTree dir("thermal_skip");
  dir.Write("class/thermal/thermal_zone0/temp", "1000\n");
  dir.Write("class/thermal/thermal_zone1/type", "t\n");
  dir.Write("class/thermal/thermal_zone1/policy", "p\n");
  dir.Write("class/thermal/thermal_zone1/temp", "1000\n");
  auto c = testing::MustCreate(NewThermalZoneCollector, testing::SysContext(dir.root()));
  expo::MetricSet set;
  ASSERT_TRUE(c->Collect(set).ok());
  EXPECT_EQ(set.Count("node_thermal_zone_temp"), 1u);
}

TEST(ThermalZoneCollectorTest, MalformedTemperatureFails) {
  testing::ScratchTree dir("thermal_malformed");
  dir.Write("class/thermal/thermal_zone0/type", "t\n");
  dir.Write("class/thermal/thermal_zone0/policy", "p\n");
  dir.Write("class/thermal/thermal_zone0/temp", "hot\n");
  auto c = testing::MustCreate(NewThermalZoneCollector, testing::SysContext(dir.root()));
  expo::MetricSet set;
  EXPECT_EQ(c->Collect(set).code(), StatusCode::kError);
  EXPECT_EQ(set.samples().size(), 0u);
}

TEST(ThermalZoneCollectorTest, MissingClassGivesNoSamples) {
  testing::ScratchTree dir("thermal_missing");
  auto c = testing::MustCreate(NewThermalZoneCollector, testing::SysContext(dir.root()));
  expo::MetricSet set;
  EXPECT_TRUE(c->Collect(set).ok());
  EXPECT_EQ(set.samples().size(), 0u);
}

TEST(ThermalZoneCollectorTest, MatchesNodeExporterOnConformanceFixtures) {
  NODEX_REQUIRE_KIT(kit);
  testing::ScopedKitDir cd(kit);
  FlagValues flags;
  Logger log;
  auto c = NewThermalZoneCollector(testing::KitContext(&flags, &log));
  ASSERT_TRUE(c.ok());
  expo::MetricSet set;
  ASSERT_TRUE((*c)->Collect(set).ok());
  const std::vector<std::string> families = {"node_cooling_device_cur_state", "node_cooling_device_max_state",
                                             "node_thermal_zone_temp"};
  std::vector<std::string> expected = testing::ExpectedLines(kit, families);
  EXPECT_EQ(expected.size(), 6u);
  EXPECT_EQ(testing::RenderedLines(set, families), expected);
}

}  // namespace
}  // namespace nodex::collectors
