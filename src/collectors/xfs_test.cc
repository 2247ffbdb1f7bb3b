#include "collectors/xfs.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "collectors/testing/kit.h"
#include "collectors/testing/scratch.h"

namespace nodex::collectors {
namespace {

TEST(ParseXfsStatsTest, RealCapturesFromThisMachine) {
  for (const char* path : {"src/collectors/testdata/xfs/real/proc_fs_xfs_stat",
                           "src/collectors/testdata/xfs/real/sys_fs_xfs_stats_stats"}) {
    std::string text = testing::ReadTestdata(path);
    ASSERT_FALSE(text.empty()) << path;
    XfsStats stats;
    EXPECT_TRUE(ParseXfsStats(text, &stats).ok()) << path;
  }
}

TEST(ParseXfsStatsTest, HandWrittenFilesystem) {
  XfsStats s;
  ASSERT_TRUE(ParseXfsStats(testing::ReadTestdata("src/collectors/testdata/xfs/sda1_stats"), &s).ok());
  EXPECT_EQ(s.extent_alloc[1], 97589u);
  EXPECT_EQ(s.blk_map[5], 2140766u);
  EXPECT_EQ(s.ig[6], 22u);
  EXPECT_EQ(s.rw[0], 107739u);  // write calls come first.
  EXPECT_EQ(s.rw[1], 94045u);
  EXPECT_EQ(s.vnodes[6], 92444u);
  EXPECT_EQ(s.buf[8], 7085u);
  EXPECT_EQ(s.xpc[0], 399724544u);
}

TEST(ParseXfsStatsTest, OldVnodesLineWithSevenValues) {
  XfsStats s;
  ASSERT_TRUE(ParseXfsStats("vnodes 1 2 3 4 5 6 7\n", &s).ok());
  EXPECT_EQ(s.vnodes[6], 7u);
  EXPECT_EQ(s.vnodes[7], 0u);
}

TEST(ParseXfsStatsTest, EmptyAndBareLabelsAreFine) {
  XfsStats s;
  EXPECT_TRUE(ParseXfsStats("", &s).ok());
  EXPECT_TRUE(ParseXfsStats("\n\ndebug\n", &s).ok());
  EXPECT_TRUE(ParseXfsStats("xpc 18446744073709551615 0 0\n", &s).ok());
  EXPECT_EQ(s.xpc[0], 18446744073709551615u);
}

TEST(ParseXfsStatsTest, RejectsMalformedInput) {
  for (const char* bad : {"extent_alloc 1 2 3", "rw 1", "rw 1 2 3", "vnodes 1 2 3 4 5 6", "vnodes 1 2 3 4 5 6 7 8 9",
                          "abt 1 2 x 4", "dir 1 2 3 4294967296", "xpc 1 2", "xpc 1 2 18446744073709551616",
                          "push_ail 1 two", "debug -1", "buf 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 "
                          "21 22 23 24 25 26 27 28 29 30 31 32 33 34"}) {
    XfsStats s;
    EXPECT_FALSE(ParseXfsStats(bad, &s).ok()) << "input: '" << bad << "'";
  }
}

TEST(XfsCollectorTest, OneSeriesSetPerFilesystem) {
  testing::ScratchTree sys("xfs_two");
  std::string content = testing::ReadTestdata("src/collectors/testdata/xfs/sda1_stats");
  sys.Write("fs/xfs/sda1/stats/stats", content);
  sys.Write("fs/xfs/dm-0/stats/stats", "rw 5 6\n");
  sys.Write("fs/xfs/stats/stats", "rw 9 9\n");  // The global file is not a filesystem.
  auto collector = testing::MustCreate(NewXfsCollector, testing::SysContext(sys.root()));
  expo::MetricSet set;
  for (int scrape = 0; scrape < 2; ++scrape) {
    set.Clear();
    ASSERT_TRUE(collector->Collect(set).ok());
    EXPECT_EQ(set.Count("node_xfs_read_calls_total"), 2u);
    EXPECT_DOUBLE_EQ(set.Find("node_xfs_read_calls_total", {{"device", "dm-0"}}), 6);
    EXPECT_DOUBLE_EQ(set.Find("node_xfs_write_calls_total", {{"device", "sda1"}}), 107739);
  }
}

TEST(XfsCollectorTest, MissingDirectoryIsNoSamplesAndMalformedFails) {
  testing::ScratchTree empty("xfs_missing");
  auto missing = testing::MustCreate(NewXfsCollector, testing::SysContext(empty.root()));
  expo::MetricSet set;
  EXPECT_TRUE(missing->Collect(set).ok());
  EXPECT_EQ(set.samples().size(), 0u);

  testing::ScratchTree bad("xfs_bad");
  bad.Write("fs/xfs/sdb/stats/stats", "rw 1 x\n");
  auto malformed = testing::MustCreate(NewXfsCollector, testing::SysContext(bad.root()));
  EXPECT_EQ(malformed->Collect(set).code(), StatusCode::kError);
}

TEST(XfsCollectorTest, MatchesNodeExporterOnConformanceFixtures) {
  NODEX_REQUIRE_KIT(kit);
  testing::ScopedKitDir cd(kit);
  FlagValues flags;
  Logger log;
  auto c = NewXfsCollector(testing::KitContext(&flags, &log));
  ASSERT_TRUE(c.ok());
  expo::MetricSet set;
  ASSERT_TRUE(c.value()->Collect(set).ok());
  std::vector<std::string> families;
  for (const expo::MetricSet::Family& f : set.families()) families.push_back(f.name);
  ASSERT_EQ(families.size(), 39u);
  std::vector<std::string> expected = testing::ExpectedLines(kit, families);
  EXPECT_EQ(expected.size(), 78u);
  EXPECT_EQ(testing::RenderedLines(set, families), expected);
}

}  // namespace
}  // namespace nodex::collectors
