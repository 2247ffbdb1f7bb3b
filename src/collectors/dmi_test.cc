#include "collectors/dmi.h"

#include <gtest/gtest.h>

#include <string>

#include "collectors/testing/kit.h"
#include "collectors/testing/scratch.h"

namespace nodex::collectors {
namespace {

size_t Index(std::string_view label) {
  for (size_t i = 0; i < kDmiLabelCount; ++i) {
    if (kDmiLabels[i] == label) return i;
  }
  return kDmiLabelCount;
}

TEST(ParseDmiAttributeTest, MapsFilesToLabels) {
  DmiInfo info;
  ParseDmiAttribute("sys_vendor", "Dell Inc.\n", &info);
  ParseDmiAttribute("product_name", "  PowerEdge R6515  \n", &info);
  ParseDmiAttribute("chassis_type", "23\n", &info);
  ParseDmiAttribute("system_vendor", "not a real file\n", &info);
  ParseDmiAttribute("chassis_asset_tag", "\n", &info);
  EXPECT_EQ(*info.values[Index("system_vendor")], "Dell Inc.");
  EXPECT_EQ(*info.values[Index("product_name")], "PowerEdge R6515");
  EXPECT_EQ(*info.values[Index("chassis_asset_tag")], "");
  EXPECT_FALSE(info.values[Index("bios_date")].has_value());
}

TEST(ParseDmiAttributeTest, InvalidUtf8BecomesReplacementCharacter) {
  DmiInfo info;
  ParseDmiAttribute("product_version",
                    "A\xff\xfe"
                    "B\xe2\x82\n",
                    &info);
  EXPECT_EQ(*info.values[Index("product_version")],
            "A\xEF\xBF\xBD"
            "B\xEF\xBF\xBD");
}

TEST(DmiCollectorTest, HandWrittenTree) {
  auto c = NewDmiCollector(testing::SysContext("src/collectors/testdata/dmi/sys"));
  ASSERT_TRUE(c.ok());
  expo::MetricSet set;
  ASSERT_TRUE((*c)->Collect(set).ok());
  EXPECT_EQ(set.Find("node_dmi_info", {{"system_vendor", "QEMU"}, {"bios_vendor", "SeaBIOS"}}), 1);
  EXPECT_EQ(set.labels().size(), 7u);  // chassis_type, modalias and uevent are not labels.
}

TEST(DmiCollectorTest, MissingDirectoryIsNoData) {
  testing::ScratchTree dir("dmi_missing");
  auto c = NewDmiCollector(testing::SysContext(dir.root()));
  ASSERT_TRUE(c.ok());
  expo::MetricSet set;
  EXPECT_EQ((*c)->Collect(set).code(), StatusCode::kNoData);
  EXPECT_EQ(set.samples().size(), 0u);
}

TEST(DmiCollectorTest, UnreadableAttributeFailsTheFactory) {
  testing::ScratchTree dir("dmi_dirfile");
  // A readable tree builds; a sysfs root whose class/dmi/id cannot be listed
  // for a reason other than absence (ENOTDIR) fails like node_exporter.
  dir.Write("class/dmi/id/bios_vendor", "x\n");
  EXPECT_TRUE(NewDmiCollector(testing::SysContext(dir.root())).ok());
  // Not a directory: ENOTDIR.
  EXPECT_FALSE(NewDmiCollector(testing::SysContext(dir.Path("class/dmi/id/bios_vendor"))).ok());
}

TEST(DmiCollectorTest, MatchesNodeExporterOnConformanceFixtures) {
  NODEX_REQUIRE_KIT(kit);
  testing::ScopedKitDir cd(kit);
  FlagValues flags;
  Logger log;
  auto c = NewDmiCollector(testing::KitContext(&flags, &log));
  ASSERT_TRUE(c.ok());
  expo::MetricSet set;
  ASSERT_TRUE((*c)->Collect(set).ok());
  const std::vector<std::string> families = {"node_dmi_info"};
  std::vector<std::string> expected = testing::ExpectedLines(kit, families);
  EXPECT_EQ(expected.size(), 2u);
  EXPECT_EQ(testing::RenderedLines(set, families), expected);
}

}  // namespace
}  // namespace nodex::collectors
