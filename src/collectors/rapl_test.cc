#include "collectors/rapl.h"

#include <gtest/gtest.h>

#include <string>

#include "collectors/testing/kit.h"
#include "collectors/testing/scratch.h"

namespace nodex::collectors {
namespace {

std::unique_ptr<Collector> Make(const std::string& sysfs, bool zone_label) {
  FlagValues flags;  // Read by the factory only.
  flags.Set("collector.rapl.enable-zone-label", zone_label ? "true" : "false");
  return testing::MustCreate(NewRaplCollector, testing::SysContext(sysfs, &flags));
}

TEST(ParseRaplZoneNameTest, IndexFromNameOrUsageCount) {
  std::map<std::string, int64_t, std::less<>> seen;
  auto a = ParseRaplZoneName("package-0\n", &seen);
  EXPECT_EQ(a.name, "package");
  EXPECT_EQ(a.index, 0);
  auto b = ParseRaplZoneName("package-1\n", &seen);
  EXPECT_EQ(b.index, 1);
  auto c = ParseRaplZoneName("dram\n", &seen);
  auto d = ParseRaplZoneName("dram\n", &seen);
  EXPECT_EQ(c.index, 0);
  EXPECT_EQ(d.index, 1);
  auto e = ParseRaplZoneName("a-b-c", &seen);  // Three parts: no own index.
  EXPECT_EQ(e.name, "a-b-c");
  auto f = ParseRaplZoneName("psys-x", &seen);
  EXPECT_EQ(f.name, "psys-x");
  EXPECT_EQ(f.index, 0);
}

TEST(ParseRaplMicrojoulesTest, StrictUnsigned) {
  EXPECT_EQ(*ParseRaplMicrojoules("240422366267\n"), 240422366267u);
  for (const char* bad : {"", "\n", "-1", "1.5", "18446744073709551616", "12x", "0x10"}) {
    EXPECT_FALSE(ParseRaplMicrojoules(bad).ok()) << "input: '" << bad << "'";
  }
}

TEST(AppendSanitizedMetricNameTest, LikeNodeExporter) {
  auto s = [](std::string_view in) {
    std::string out;
    AppendSanitizedMetricName(in, &out);
    return out;
  };
  EXPECT_EQ(s("package"), "package");
  EXPECT_EQ(s("a-b"), "a_b");
  EXPECT_EQ(s("a_-_b"), "a_b");
  EXPECT_EQ(s("a-_-b"), "a__b");
  EXPECT_EQ(s("a__b"), "a__b");
  EXPECT_EQ(s("x.y z"), "x_y_z");
}

TEST(RaplCollectorTest, HandWrittenTreePerZoneFamilies) {
  std::string sys = "src/collectors/testdata/rapl/sys";
  auto c = Make(sys, false);
  expo::MetricSet set;
  ASSERT_TRUE(c->Collect(set).ok());
  std::string base = sys + "/class/powercap/";
  EXPECT_DOUBLE_EQ(set.Find("node_rapl_package_joules_total", {{"index", "0"}, {"path", base + "intel-rapl:0"}}), 1.0);
  EXPECT_DOUBLE_EQ(set.Find("node_rapl_dram_joules_total", {{"index", "0"}, {"path", base + "intel-rapl:0:0"}}), 2.5);
  EXPECT_DOUBLE_EQ(set.Find("node_rapl_dram_joules_total", {{"index", "1"}}), 0.0005);
  EXPECT_EQ(set.Count("node_rapl_psys_joules_total"), 1u);
}

TEST(RaplCollectorTest, ZoneLabelFlag) {
  auto c = Make("src/collectors/testdata/rapl/sys", true);
  expo::MetricSet set;
  ASSERT_TRUE(c->Collect(set).ok());
  EXPECT_EQ(set.Count("node_rapl_joules_total"), 4u);
  EXPECT_DOUBLE_EQ(set.Find("node_rapl_joules_total", {{"rapl_zone", "psys"}}), 0.000042);
}

TEST(RaplCollectorTest, MalformedCounterFails) {
  testing::ScratchTree dir("rapl_malformed");
  dir.Write("class/powercap/intel-rapl:0/name", "package-0\n");
  dir.Write("class/powercap/intel-rapl:0/max_energy_range_uj", "100\n");
  dir.Write("class/powercap/intel-rapl:0/energy_uj", "lots\n");
  auto c = Make(dir.root(), false);
  expo::MetricSet set;
  EXPECT_EQ(c->Collect(set).code(), StatusCode::kError);
}

TEST(RaplCollectorTest, MissingEnergyFileFails) {
  testing::ScratchTree dir("rapl_noenergy");
  dir.Write("class/powercap/intel-rapl:0/name", "package-0\n");
  dir.Write("class/powercap/intel-rapl:0/max_energy_range_uj", "100\n");
  auto c = Make(dir.root(), false);
  expo::MetricSet set;
  EXPECT_EQ(c->Collect(set).code(), StatusCode::kError);
}

TEST(RaplCollectorTest, MissingPowercapIsNoData) {
  testing::ScratchTree dir("rapl_missing");
  auto c = Make(dir.root(), false);
  expo::MetricSet set;
  EXPECT_EQ(c->Collect(set).code(), StatusCode::kNoData);
  EXPECT_EQ(set.samples().size(), 0u);
}

TEST(RaplCollectorTest, MatchesNodeExporterOnConformanceFixtures) {
  NODEX_REQUIRE_KIT(kit);
  testing::ScopedKitDir cd(kit);  // rapl needs no symlinks; the path label must be kit-relative.
  FlagValues flags;
  Logger log;
  auto c = NewRaplCollector(testing::KitContext(&flags, &log));
  ASSERT_TRUE(c.ok());
  expo::MetricSet set;
  ASSERT_TRUE((*c)->Collect(set).ok());
  const std::vector<std::string> families = {"node_rapl_core_joules_total", "node_rapl_package_joules_total"};
  std::vector<std::string> expected = testing::ExpectedLines(kit, families);
  EXPECT_EQ(expected.size(), 4u);
  EXPECT_EQ(testing::RenderedLines(set, families), expected);
}

}  // namespace
}  // namespace nodex::collectors
