#include "collectors/btrfs.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "base/file_reader.h"

#include "collectors/testing/kit.h"
#include "collectors/testing/scratch.h"

namespace nodex::collectors {
namespace {

TEST(ParseBtrfsCommitStatsTest, NewerKernelWithCurCommit) {
  BtrfsCommitStats s;
  ASSERT_TRUE(ParseBtrfsCommitStats("commits 258051\ncur_commit_ms 0\nlast_commit_ms 1000\nmax_commit_ms 51462\n"
                                    "total_commit_ms 47836090\n",
                                    &s)
                  .ok());
  EXPECT_EQ(s.commits, 258051u);
  EXPECT_EQ(s.last_commit_ms, 1000u);
  EXPECT_EQ(s.max_commit_ms, 51462u);
  EXPECT_EQ(s.total_commit_ms, 47836090u);
  BtrfsCommitStats empty;
  EXPECT_TRUE(ParseBtrfsCommitStats("", &empty).ok());  // Kernels before 6.0 have no commit_stats.
  EXPECT_EQ(empty.commits, 0u);
}

TEST(ParseBtrfsCommitStatsTest, RejectsMalformed) {
  for (const char* bad : {"commits", "commits 1 2", "commits x", "commits -1", "commits 18446744073709551616",
                          "max_commit_ms 1.5"}) {
    BtrfsCommitStats s;
    EXPECT_FALSE(ParseBtrfsCommitStats(bad, &s).ok()) << "input: '" << bad << "'";
  }
}

TEST(ParseBtrfsMountsTest, RealCaptureFromThisMachine) {
  std::string text = testing::ReadTestdata("src/collectors/testdata/btrfs/real/mountinfo");
  ASSERT_FALSE(text.empty());
  std::vector<BtrfsMount> mounts;
  EXPECT_TRUE(ParseBtrfsMounts(text, &mounts).ok());
}

TEST(ParseBtrfsMountsTest, HandWrittenBtrfsMounts) {
  std::vector<BtrfsMount> mounts;
  ASSERT_TRUE(ParseBtrfsMounts("24 27 0:6 / /dev rw,relatime - devtmpfs devtmpfs rw\n"
                               "36 35 98:0 /@ / rw,noatime shared:1 - btrfs /dev/sda1 rw,ssd,subvol=/@\n"
                               "37 35 98:0 /@home /home\\040dir rw,noatime shared:2 master:3 - btrfs /dev/sda1 rw\n"
                               "38 35 98:16 / /data rw - btrfs /dev/sdb rw\n",
                               &mounts)
                  .ok());
  ASSERT_EQ(mounts.size(), 3u);
  EXPECT_EQ(mounts[0].device, "/dev/sda1");
  EXPECT_EQ(mounts[0].mount_point, "/");
  EXPECT_EQ(mounts[1].mount_point, "/home dir");
  EXPECT_EQ(mounts[2].device, "/dev/sdb");
  ASSERT_TRUE(ParseBtrfsMounts("", &mounts).ok());
  EXPECT_TRUE(mounts.empty());
}

TEST(ParseBtrfsMountsTest, RejectsMalformed) {
  for (const char* bad : {"36 35 98:0 / / rw - btrfs\n", "36 35 98:0 / / rw shared:1 master:2 x y\n",
                          "1 2 3 4 5 6 7 8 9 -\n"}) {
    std::vector<BtrfsMount> mounts;
    EXPECT_FALSE(ParseBtrfsMounts(bad, &mounts).ok()) << "input: '" << bad << "'";
  }
}

void WriteFilesystem(const testing::ScratchTree& t, const std::string& uuid) {
  const std::string b = "fs/btrfs/" + uuid + "/";
  t.Write(b + "label", "home\n");
  t.Write(b + "metadata_uuid", uuid + "\n");
  t.Write(b + "features/skinny_metadata", "1\n");
  t.Write(b + "devices/sda2/size", "2048\n");
  t.Write(b + "devices/sdb2/size", "4096\n");
  t.Write(b + "devices/sdc2/size", "4096\n");
  t.Write(b + "commit_stats", "commits 10\ncur_commit_ms 0\nlast_commit_ms 20\nmax_commit_ms 1500\n"
                              "total_commit_ms 2500\n");
  t.Write(b + "allocation/global_rsv_size", "3670016\n");
  for (const char* type : {"data", "metadata", "system"}) {
    t.Write(b + "allocation/" + type + "/bytes_reserved", "7\n");
    t.Write(b + "allocation/" + type + "/total_bytes", "100\n");
  }
  t.Write(b + "allocation/data/raid5/total_bytes", "300\n");
  t.Write(b + "allocation/data/raid5/used_bytes", "150\n");
  t.Write(b + "allocation/metadata/dup/total_bytes", "64\n");
  t.Write(b + "allocation/metadata/dup/used_bytes", "not-a-number\n");  // Reads as 0, like procfs.
  t.Write(b + "allocation/system/single/total_bytes", "8\n");
}

TEST(BtrfsCollectorTest, HandWrittenFilesystem) {
  testing::ScratchTree sys("btrfs_fs");
  WriteFilesystem(sys, "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee");
  auto collector = testing::MustCreate(NewBtrfsCollector, testing::SysContext(sys.root()));
  expo::MetricSet set;
  for (int scrape = 0; scrape < 2; ++scrape) {
    set.Clear();
    ASSERT_TRUE(collector->Collect(set).ok());
    EXPECT_DOUBLE_EQ(set.Find("node_btrfs_info", {{"label", "home"}}), 1);
    EXPECT_DOUBLE_EQ(set.Find("node_btrfs_max_commit_seconds"), 1.5);
    EXPECT_DOUBLE_EQ(set.Find("node_btrfs_allocation_ratio", {{"mode", "raid5"}}), 1.5);  // 3 devices
    EXPECT_DOUBLE_EQ(set.Find("node_btrfs_used_bytes", {{"mode", "dup"}}), 0);
    EXPECT_DOUBLE_EQ(set.Find("node_btrfs_reserved_bytes", {{"block_group_type", "system"}}), 7);
    EXPECT_DOUBLE_EQ(set.Find("node_btrfs_device_size_bytes", {{"device", "sda2"}}), 2048.0 * 512);
    EXPECT_EQ(set.Count("node_btrfs_device_size_bytes"), 3u);
  }
}

TEST(BtrfsCollectorTest, MissingModuleIsNoSamplesAndBrokenFilesFail) {
  testing::ScratchTree empty("btrfs_none");
  auto none = testing::MustCreate(NewBtrfsCollector, testing::SysContext(empty.root()));
  expo::MetricSet set;
  EXPECT_TRUE(none->Collect(set).ok());
  EXPECT_EQ(set.samples().size(), 0u);

  // Without allocation/system procfs' reader fails the filesystem.
  testing::ScratchTree nosys("btrfs_nosystem");
  nosys.Write("fs/btrfs/11111111-2222/label", "x\n");
  nosys.MakeDir("fs/btrfs/11111111-2222/allocation/data");
  nosys.MakeDir("fs/btrfs/11111111-2222/allocation/metadata");
  auto broken = testing::MustCreate(NewBtrfsCollector, testing::SysContext(nosys.root()));
  EXPECT_EQ(broken->Collect(set).code(), StatusCode::kError);

  testing::ScratchTree badcommit("btrfs_badcommit");
  WriteFilesystem(badcommit, "aaaaaaaa-0000");
  badcommit.Write("fs/btrfs/aaaaaaaa-0000/commit_stats", "commits many\n");
  auto bad = testing::MustCreate(NewBtrfsCollector, testing::SysContext(badcommit.root()));
  EXPECT_EQ(bad->Collect(set).code(), StatusCode::kError);
}

// What the collector logged so far.
std::string LoggedSoFar(const std::string& path) {
  std::string text;
  EXPECT_TRUE(ReadFileOnce(path, &text).ok());
  return text;
}

TEST(BtrfsCollectorTest, MountinfoFixtureChangesAreSeenOnTheNextScrape) {
  // A regular file gives no change reports, so it is parsed every scrape;
  // a malformed table is reported (at debug level) until it is fixed.
  testing::ScratchTree t("btrfs_mountinfo");
  t.Write("proc/1/mountinfo", "1 0 0:50 / /vol1 rw - btrfs /dev/sdy rw\n");
  t.MakeDir("sys");
  const std::string log_path = t.Path("debug.log");
  const int log_fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  ASSERT_GE(log_fd, 0);
  Logger log(LogLevel::kDebug, LogFormat::kLogfmt, log_fd);
  Context ctx = testing::SysContext(t.Path("sys"), nullptr, &log);
  ctx.paths.procfs = t.Path("proc");
  ctx.paths.rootfs = t.root();
  auto c = testing::MustCreate(NewBtrfsCollector, ctx);
  expo::MetricSet set;
  // Neither mount point exists, so each is inspected and dropped.
  ASSERT_TRUE(c->Collect(set).ok());
  std::string logged = LoggedSoFar(log_path);
  EXPECT_NE(logged.find(t.Path("vol1")), std::string::npos) << logged;
  t.Write("proc/1/mountinfo", "1 0 0:51 / /vol2 rw - btrfs /dev/sdz rw\n");
  ASSERT_TRUE(c->Collect(set).ok());
  logged = LoggedSoFar(log_path);
  EXPECT_NE(logged.find(t.Path("vol2")), std::string::npos) << logged;

  t.Write("proc/1/mountinfo", "1 0 0:51 / /vol3 rw btrfs\n");
  ASSERT_TRUE(c->Collect(set).ok());
  ASSERT_TRUE(c->Collect(set).ok());
  logged = LoggedSoFar(log_path);
  size_t errors = 0;
  for (size_t at = 0; (at = logged.find("Error querying btrfs device stats", at)) != std::string::npos; ++at) ++errors;
  EXPECT_EQ(errors, 2u) << logged;
  t.Write("proc/1/mountinfo", "1 0 0:52 / /vol4 rw - btrfs /dev/sdx rw\n");
  ASSERT_TRUE(c->Collect(set).ok());
  logged = LoggedSoFar(log_path);
  EXPECT_NE(logged.find(t.Path("vol4")), std::string::npos) << logged;
  EXPECT_EQ(logged.find(t.Path("vol3")), std::string::npos) << logged;
  EXPECT_EQ(set.samples().size(), 0u);
  ::close(log_fd);
}

TEST(BtrfsCollectorTest, MatchesNodeExporterOnConformanceFixtures) {
  NODEX_REQUIRE_KIT(kit);
  testing::ScopedKitDir cd(kit);
  FlagValues flags;
  Logger log;
  auto c = NewBtrfsCollector(testing::KitContext(&flags, &log));
  ASSERT_TRUE(c.ok());
  expo::MetricSet set;
  Status st = c.value()->Collect(set);
  ASSERT_TRUE(st.ok()) << st.message();
  std::vector<std::string> families;
  for (const expo::MetricSet::Family& f : set.families()) families.push_back(f.name);
  ASSERT_EQ(families.size(), 11u);
  std::vector<std::string> expected = testing::ExpectedLines(kit, families);
  EXPECT_EQ(expected.size(), 11u + 42u);
  EXPECT_EQ(testing::RenderedLines(set, families), expected);
}

}  // namespace
}  // namespace nodex::collectors
