#include "collectors/mdadm.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "collectors/testing/kit.h"
#include "collectors/testing/scratch.h"

namespace nodex::collectors {
namespace {

using testing::ScratchTree;

// This machine has no md arrays (no /proc/mdstat), so fixtures are
// hand-written in the kernel's format.
constexpr std::string_view kMdstat =
    "Personalities : [raid1] [raid10] [raid0] [linear]\n"
    "md1 : active raid1 sdb2[2](F) sdc2[3](S) sda2[0]\n"
    "      976630336 blocks super 1.2 [2/1] [U_]\n"
    "      bitmap: 2/8 pages [8KB], 65536KB chunk\n"
    "      [==>..................]  recovery = 12.4% (121106432/976630336) finish=70.3min speed=202721K/sec\n"
    "\n"
    "md0 : active (auto-read-only) raid10 sdd1[3] sdc1[2] sdb1[1] sda1[0]\n"
    "      1953260544 blocks super 1.2 512K chunks 2 near-copies [4/4] [UUUU]\n"
    "      \tresync=PENDING\n"
    "\n"
    "md2 : active raid0 sde[1] sdf[0]\n"
    "      2000 blocks super 1.2 64k chunks\n"
    "\n"
    "md3 : inactive sdg[0](S)\n"
    "      1000 blocks super external:imsm\n"
    "\n"
    "md4 : active raid1 sdh[0] sdi[1]\n"
    "      4096 blocks [2/2] [UU]\n"
    "      [===>.................]  check = 15.0% (614/4096) finish=0.1min speed=614K/sec\n"
    "\n"
    "unused devices: <none>\n";

const MdStat* Find(const std::vector<MdStat>& v, std::string_view name) {
  for (const MdStat& md : v) {
    if (md.name == name) return &md;
  }
  return nullptr;
}

TEST(ParseMdstatTest, HandWrittenArrays) {
  std::vector<MdStat> arrays;
  ASSERT_TRUE(ParseMdstat(kMdstat, &arrays).ok());
  ASSERT_EQ(arrays.size(), 5u);

  const MdStat* md1 = Find(arrays, "md1");
  ASSERT_NE(md1, nullptr);
  EXPECT_EQ(md1->state, "recovering");  // The sync line after the bitmap line counts.
  EXPECT_EQ(md1->disks_total, 2);
  EXPECT_EQ(md1->disks_active, 1);
  EXPECT_EQ(md1->disks_failed, 1);
  EXPECT_EQ(md1->disks_spare, 1);
  EXPECT_EQ(md1->disks_down, 1);
  EXPECT_EQ(md1->blocks_total, 976630336);
  EXPECT_EQ(md1->blocks_synced, 121106432);

  const MdStat* md0 = Find(arrays, "md0");
  ASSERT_NE(md0, nullptr);
  EXPECT_EQ(md0->state, "resyncing");
  EXPECT_EQ(md0->blocks_synced, 0);  // PENDING
  EXPECT_EQ(md0->disks_total, 4);

  const MdStat* md2 = Find(arrays, "md2");
  ASSERT_NE(md2, nullptr);
  EXPECT_EQ(md2->state, "active");
  EXPECT_EQ(md2->disks_active, 2);  // raid0: members counted on the device line.
  EXPECT_EQ(md2->disks_total, 2);
  EXPECT_EQ(md2->blocks_synced, 2000);

  const MdStat* md3 = Find(arrays, "md3");
  ASSERT_NE(md3, nullptr);
  EXPECT_EQ(md3->state, "inactive");
  EXPECT_EQ(md3->disks_total, 0);
  EXPECT_EQ(md3->disks_spare, 1);
  EXPECT_EQ(md3->blocks_total, 1000);

  const MdStat* md4 = Find(arrays, "md4");
  ASSERT_NE(md4, nullptr);
  EXPECT_EQ(md4->state, "checking");
  EXPECT_EQ(md4->blocks_synced, 614);
}

TEST(ParseMdstatTest, NoArrays) {
  std::vector<MdStat> arrays;
  ASSERT_TRUE(ParseMdstat("Personalities : \nunused devices: <none>\n", &arrays).ok());
  EXPECT_TRUE(arrays.empty());
  ASSERT_TRUE(ParseMdstat("", &arrays).ok());
  EXPECT_TRUE(arrays.empty());
}

TEST(ParseMdstatTest, RejectsMalformedInput) {
  const std::string head = "Personalities : [raid1]\n";
  for (const std::string& bad : {
           head + "md0 :\n      1024 blocks [2/2] [UU]\n\n\n",                       // too few fields
           head + "md0 : active raid1 sda1[0]\n      1024 blocks [2/2] [UU]\n",      // too few lines
           head + "md0 : active raid1 sda1[0]\n      many blocks [2/2] [UU]\n\n\n",  // non-numeric size
           head + "md0 : active raid1 sda1[0]\n\n\n\n",                              // empty status line
           head + "md0 : active raid1 sda1[0]\n      1024 blocks [2/2]\n\n\n",       // no [UU]
           head + "md0 : active raid1 sda1[0]\n      1024 blocks [2/99999999999999999999] [UU]\n\n\n",  // huge
           head + "md0 : active raid1 sda1[0]\n      1024 blocks [1/1] [U]\n"
                  "      [>..]  resync = x% (1/1024) finish=1min speed=1K/sec\n\n",  // bad percentage
           head + "md0 : active raid1 sda1[0]\n      1024 blocks [1/1] [U]\n"
                  "      [>..]  recovery = 1% finish=1min speed=1K/sec\n\n",                 // no block counts
           head + "md0 : active raid1 sda1[3000000000]\n      1024 blocks [1/1] [U]\n\n\n",  // index > int32
           std::string("Personalities : x\n"),  // procfs would panic on a 1-byte word
       }) {
    std::vector<MdStat> arrays;
    EXPECT_FALSE(ParseMdstat(bad, &arrays).ok()) << "input: '" << bad << "'";
  }
}

TEST(ParseMdSyncCompletedTest, ScansLikeGo) {
  EXPECT_DOUBLE_EQ(*ParseMdSyncCompleted("1569888 / 2093056"), 1569888.0 / 2093056.0);
  EXPECT_DOUBLE_EQ(*ParseMdSyncCompleted("1 / 4 trailing"), 0.25);
  EXPECT_FALSE(ParseMdSyncCompleted("1/4"));
  EXPECT_FALSE(ParseMdSyncCompleted("none"));
  EXPECT_FALSE(ParseMdSyncCompleted("1 / "));
  EXPECT_FALSE(ParseMdSyncCompleted(""));
  EXPECT_FALSE(ParseMdSyncCompleted("-1 / 4"));
}

Context TreeContext(const ScratchTree& tree) {
  Context ctx;
  ctx.paths.procfs = tree.Path("proc");
  ctx.paths.sysfs = tree.Path("sys");
  return ctx;
}

void WriteRaid1(const ScratchTree& tree, std::string_view md, std::string_view degraded) {
  std::string dir = "sys/block/" + std::string(md) + "/md/";
  tree.Write(dir + "level", "raid1\n");
  tree.Write(dir + "array_state", "clean\n");
  tree.Write(dir + "metadata_version", "1.2\n");
  tree.Write(dir + "raid_disks", "2\n");
  tree.Write(dir + "uuid", "0fbf5f2c:add2af35:6fd3e3ec:5b6b5f7f\n");
  tree.Write(dir + "dev-sda/state", "in_sync\n");
  tree.Write(dir + "degraded", std::string(degraded) + "\n");
  tree.Write(dir + "sync_action", "idle\n");
  tree.Write(dir + "sync_completed", "none\n");
}

TEST(MdadmCollectorTest, MissingMdstatIsNoData) {
  ScratchTree tree("mdadm_missing");
  auto c = testing::MustCreate(NewMdadmCollector, TreeContext(tree));
  ASSERT_NE(c, nullptr);
  expo::MetricSet set;
  EXPECT_EQ(c->Collect(set).code(), StatusCode::kNoData);
  EXPECT_EQ(set.samples().size(), 0u);
}

TEST(MdadmCollectorTest, MalformedMdstatFails) {
  ScratchTree tree("mdadm_bad");
  tree.Write("proc/mdstat", "Personalities : [raid1]\nmd0 : active raid1 sda[0]\n      x blocks [1/1] [U]\n\n\n");
  auto c = testing::MustCreate(NewMdadmCollector, TreeContext(tree));
  ASSERT_NE(c, nullptr);
  expo::MetricSet set;
  EXPECT_EQ(c->Collect(set).code(), StatusCode::kError);
  EXPECT_EQ(set.samples().size(), 0u);
}

TEST(MdadmCollectorTest, ExportsMdstatAndSysfs) {
  ScratchTree tree("mdadm_ok");
  tree.Write("proc/mdstat", kMdstat);
  WriteRaid1(tree, "md1", "1");
  tree.MakeDir("sys/block/sda");  // Not an md device.
  auto c = testing::MustCreate(NewMdadmCollector, TreeContext(tree));
  ASSERT_NE(c, nullptr);
  expo::MetricSet set;
  ASSERT_TRUE(c->Collect(set).ok());
  EXPECT_EQ(set.Count("node_md_state"), 5u * 5u);
  EXPECT_EQ(set.Find("node_md_state", {{"device", "md1"}, {"state", "recovering"}}), 1);
  EXPECT_EQ(set.Find("node_md_state", {{"device", "md0"}, {"state", "resync"}}), 1);
  EXPECT_EQ(set.Find("node_md_state", {{"device", "md4"}, {"state", "check"}}), 1);
  EXPECT_EQ(set.Find("node_md_disks", {{"device", "md1"}, {"state", "failed"}}), 1);
  EXPECT_EQ(set.Find("node_md_blocks_synced", {{"device", "md1"}}), 121106432);
  EXPECT_EQ(set.Count("node_md_raid_disks"), 1u);
  EXPECT_EQ(set.Find("node_md_degraded", {{"device", "md1"}}), 1);

  // The array is repaired: sysfs values are re-read on the next scrape.
  tree.Write("sys/block/md1/md/degraded", "0\n");
  set.Clear();
  ASSERT_TRUE(c->Collect(set).ok());
  EXPECT_EQ(set.Find("node_md_degraded", {{"device", "md1"}}), 0);
}

TEST(MdadmCollectorTest, BrokenSysfsKeepsMdstatButFails) {
  ScratchTree tree("mdadm_sysfs_bad");
  tree.Write("proc/mdstat", kMdstat);
  WriteRaid1(tree, "md1", "lots");
  auto c = testing::MustCreate(NewMdadmCollector, TreeContext(tree));
  ASSERT_NE(c, nullptr);
  expo::MetricSet set;
  EXPECT_EQ(c->Collect(set).code(), StatusCode::kError);
  EXPECT_EQ(set.Count("node_md_blocks"), 5u);
  EXPECT_EQ(set.Count("node_md_degraded"), 0u);
}

TEST(MdadmCollectorTest, MatchesNodeExporterOnConformanceFixtures) {
  NODEX_REQUIRE_KIT(kit);
  testing::ScopedKitDir in_kit(kit);
  FlagValues flags;
  Logger log;
  auto c = NewMdadmCollector(testing::KitContext(&flags, &log));
  ASSERT_TRUE(c.ok());
  expo::MetricSet set;
  Status st = (*c)->Collect(set);
  ASSERT_TRUE(st.ok()) << st.message();
  const std::vector<std::string> families = {"node_md_blocks", "node_md_blocks_synced",  "node_md_degraded",
                                             "node_md_disks",  "node_md_disks_required", "node_md_raid_disks",
                                             "node_md_state"};
  std::vector<std::string> expected = testing::ExpectedLines(kit, families);
  EXPECT_EQ(expected.size(), 7u + 199u);
  EXPECT_EQ(testing::RenderedLines(set, families), expected);
}

}  // namespace
}  // namespace nodex::collectors
