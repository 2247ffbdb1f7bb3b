#include "collectors/dmmultipath.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "collectors/testing/kit.h"
#include "collectors/testing/scratch.h"

namespace nodex::collectors {
namespace {

TEST(ParseDmUintTest, Values) {
  EXPECT_EQ(ParseDmUint("104857600\n"), 104857600u);
  EXPECT_EQ(ParseDmUint(" 1 "), 1u);
  for (const char* bad : {"", "\n", "-1", "0x10", "1.0", "99999999999999999999", "yes"}) {
    EXPECT_FALSE(ParseDmUint(bad).has_value()) << bad;
  }
}

TEST(DmPathActiveTest, States) {
  EXPECT_TRUE(DmPathActive("running"));
  EXPECT_TRUE(DmPathActive("live"));
  for (const char* s : {"offline", "blocked", "transport-offline", "dead", "unknown", "", "Running"}) {
    EXPECT_FALSE(DmPathActive(s)) << s;
  }
}

TEST(DmmultipathCollectorTest, HandWrittenTree) {
  auto c = testing::MustCreate(NewDmmultipathCollector, testing::SysContext("src/collectors/testdata/dmmultipath/sys"));
  ASSERT_NE(c, nullptr);
  for (int scrape = 0; scrape < 2; ++scrape) {
    expo::MetricSet set;
    ASSERT_TRUE(c->Collect(set).ok());
    EXPECT_EQ(set.Count("node_dmmultipath_device_info"), 2u);  // dm-2 is an LVM volume.
    EXPECT_EQ(set.Find("node_dmmultipath_device_info",
                       {{"device", "data01"}, {"sysfs_name", "dm-0"}, {"uuid", "mpath-36000d31000abc0000000000000000042"}}),
              1);
    EXPECT_EQ(set.Find("node_dmmultipath_device_size_bytes", {{"device", "data01"}}), 20971520.0 * 512);
    EXPECT_EQ(set.Find("node_dmmultipath_device_active", {{"device", "data01"}}), 1);
    EXPECT_EQ(set.Find("node_dmmultipath_device_active", {{"device", "data02"}}), 0);
    EXPECT_EQ(set.Find("node_dmmultipath_device_paths", {{"device", "data01"}}), 2);
    EXPECT_EQ(set.Find("node_dmmultipath_device_paths_active", {{"device", "data01"}}), 1);
    EXPECT_EQ(set.Find("node_dmmultipath_device_paths_failed", {{"device", "data01"}}), 1);
    EXPECT_EQ(set.Find("node_dmmultipath_device_paths", {{"device", "data02"}}), 0);  // No slaves/.
    EXPECT_EQ(set.Find("node_dmmultipath_path_state", {{"path", "sdb"}, {"state", "transport-offline"}}), 1);
    EXPECT_EQ(set.Find("node_dmmultipath_path_state", {{"path", "nvme2n1"}, {"state", "live"}}), 1);
  }
}

TEST(DmmultipathCollectorTest, MalformedNumbersFail) {
  for (const char* file : {"dm/suspended", "size"}) {
    testing::ScratchTree dir("dm_bad");
    dir.Write("block/dm-0/dm/uuid", "mpath-1\n");
    dir.Write("block/dm-0/dm/name", "m\n");
    dir.Write("block/dm-0/dm/suspended", "0\n");
    dir.Write("block/dm-0/size", "8\n");
    dir.Write(std::string("block/dm-0/") + file, "eight\n");
    auto c = testing::MustCreate(NewDmmultipathCollector, testing::SysContext(dir.root()));
    expo::MetricSet set;
    EXPECT_EQ(c->Collect(set).code(), StatusCode::kError) << file;
    EXPECT_EQ(set.samples().size(), 0u);
  }
}

TEST(DmmultipathCollectorTest, MissingFilesAreNoData) {
  testing::ScratchTree dir("dm_missing");
  auto c = testing::MustCreate(NewDmmultipathCollector, testing::SysContext(dir.root()));
  expo::MetricSet set;
  EXPECT_EQ(c->Collect(set).code(), StatusCode::kNoData);  // No /sys/block.
  dir.MakeDir("block/dm-3");                               // No dm/uuid: not device-mapper, skipped.
  EXPECT_TRUE(c->Collect(set).ok());
  EXPECT_EQ(set.samples().size(), 0u);
  dir.Write("block/dm-0/dm/uuid", "mpath-1\n");  // A multipath map without dm/name.
  EXPECT_EQ(c->Collect(set).code(), StatusCode::kNoData);
  dir.Write("block/dm-0/dm/name", "m\n");
  dir.Write("block/dm-0/dm/suspended", "0\n");
  dir.Write("block/dm-0/size", "8\n");
  dir.MakeDir("block/dm-0/slaves/sdz");  // A path whose device/state is gone.
  EXPECT_EQ(c->Collect(set).code(), StatusCode::kNoData);
  EXPECT_EQ(set.samples().size(), 0u);
}

TEST(DmmultipathCollectorTest, MatchesNodeExporterOnConformanceFixtures) {
  NODEX_REQUIRE_KIT(kit);
  testing::ScopedKitDir cd(kit);
  FlagValues flags;
  Logger log;
  auto c = NewDmmultipathCollector(testing::KitContext(&flags, &log));
  ASSERT_TRUE(c.ok());
  expo::MetricSet set;
  ASSERT_TRUE((*c)->Collect(set).ok());
  const std::vector<std::string> families = {
      "node_dmmultipath_device_active",       "node_dmmultipath_device_info",
      "node_dmmultipath_device_paths",        "node_dmmultipath_device_paths_active",
      "node_dmmultipath_device_paths_failed", "node_dmmultipath_device_size_bytes",
      "node_dmmultipath_path_state"};
  std::vector<std::string> expected = testing::ExpectedLines(kit, families);
  EXPECT_EQ(expected.size(), 7u + 18u);
  EXPECT_EQ(testing::RenderedLines(set, families), expected);
}

}  // namespace
}  // namespace nodex::collectors
