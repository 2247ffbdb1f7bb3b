#include "collectors/zfs.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "collectors/testing/kit.h"
#include "collectors/testing/scratch.h"

namespace nodex::collectors {
namespace {

using Values = std::vector<std::pair<std::string, double>>;

Values Kstat(std::string_view text, Status* st) {
  Values v;
  *st = ParseZfsKstat(text, [&](std::string_view n, double x) { v.emplace_back(n, x); });
  return v;
}

TEST(ParseZfsKstatTest, HandWrittenArcstats) {
  Status st;
  Values v = Kstat(testing::ReadTestdata("src/collectors/testdata/zfs/arcstats"), &st);
  ASSERT_TRUE(st.ok()) << st.message();
  ASSERT_EQ(v.size(), 7u);
  EXPECT_EQ(v[0], (std::pair<std::string, double>{"hits", 182635}));
  EXPECT_EQ(v[3].second, 8316596224.0);
  EXPECT_EQ(v[5].first, "memory_available_bytes");  // Type 3 (int64) is read too.
  v = Kstat("name type data\nmemory_available_bytes 3 -1055903232\n", &st);
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(v[0].second, -1055903232.0);
}

TEST(ParseZfsKstatTest, SkipsOtherTypesAndShortRows) {
  Status st;
  Values v = Kstat("1 1 0x01\nname type data\nlabel 7 some string\nshort 4\nx 4 18446744073709551615\n", &st);
  ASSERT_TRUE(st.ok());
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].second, 18446744073709551615.0);
}

TEST(ParseZfsKstatTest, RejectsMalformed) {
  for (const char* bad : {"", "1 1 0x01 4 192\n", "name type data\nhits 4 x\n", "name type data\nneg 4 -5\n", "name type data\nbig 3 9223372036854775808\n",
                          "name type data\nbig 4 18446744073709551616\n", "name type data\nf 4 1.5\n"}) {
    Status st;
    Kstat(bad, &st);
    EXPECT_FALSE(st.ok()) << "input: '" << bad << "'";
  }
}

TEST(ParseZfsPoolIoTest, HeaderAndRow) {
  Values v;
  ASSERT_TRUE(ParseZfsPoolIo(testing::ReadTestdata("src/collectors/testdata/zfs/tank/io"),
                             [&](std::string_view n, double x) { v.emplace_back(n, x); })
                  .ok());
  ASSERT_EQ(v.size(), 12u);
  EXPECT_EQ(v[0], (std::pair<std::string, double>{"nread", 2985472}));
  EXPECT_EQ(v[11].first, "rcnt");
  v.clear();
  EXPECT_TRUE(ParseZfsPoolIo("", [&](std::string_view n, double x) { v.emplace_back(n, x); }).ok());
  EXPECT_TRUE(v.empty());
}

TEST(ParseZfsPoolIoTest, RejectsMalformed) {
  const std::string header = "nread nwritten reads writes wtime wlentime wupdate rtime rlentime rupdate wcnt rcnt\n";
  for (std::string bad : {header + "1 2 3\n", header + "1 2 3 4 5 6 7 8 9 10 11 x\n", header + "\n",
                          header + "1 2 3 4 5 6 7 8 9 10 11 -1\n"}) {
    EXPECT_FALSE(ParseZfsPoolIo(bad, [](std::string_view, double) {}).ok()) << "input: '" << bad << "'";
  }
}

TEST(ParseZfsObjsetTest, DatasetNameKeepsSpaces) {
  std::vector<std::string> seen;
  ASSERT_TRUE(ParseZfsObjset(testing::ReadTestdata("src/collectors/testdata/zfs/tank/objset-0x36"),
                             [&](std::string_view d, std::string_view n, double x) {
                               seen.push_back(std::string(d) + "|" + std::string(n) + "=" + std::to_string(static_cast<uint64_t>(x)));
                             })
                  .ok());
  ASSERT_EQ(seen.size(), 6u);
  EXPECT_EQ(seen[0], "tank/home  docs|writes=38");
  EXPECT_EQ(seen[5], "tank/home  docs|nunlinked=1");
}

TEST(ParseZfsObjsetTest, RejectsMalformed) {
  for (const char* bad : {"", "dataset_name 7 x\n", "name type data\nwrites 4 many\n"}) {
    EXPECT_FALSE(ParseZfsObjset(bad, [](std::string_view, std::string_view, double) {}).ok()) << bad;
  }
}

TEST(ParseZfsPoolStateTest, FirstLineLowerCased) {
  std::string s;
  ParseZfsPoolState("SUSPENDED\nignored\n", &s);
  EXPECT_EQ(s, "suspended");
  ParseZfsPoolState("", &s);
  EXPECT_EQ(s, "");
}

TEST(ZfsCollectorTest, HandWrittenTree) {
  testing::ScratchTree proc("zfs_tree");
  for (const char* f : {"arcstats", "zil", "fm", "tank/io", "tank/objset-0x36", "tank/state"}) {
    proc.Write(std::string("spl/kstat/zfs/") + f, testing::ReadTestdata(std::string("src/collectors/testdata/zfs/") + f));
  }
  auto collector = testing::MustCreate(NewZfsCollector, testing::ProcContext(proc.root()));
  expo::MetricSet set;
  for (int scrape = 0; scrape < 2; ++scrape) {
    set.Clear();
    ASSERT_TRUE(collector->Collect(set).ok());
    EXPECT_DOUBLE_EQ(set.Find("node_zfs_arc_hits"), 182635);
    EXPECT_DOUBLE_EQ(set.Find("node_zfs_fm_erpt_dropped"), 3);
    EXPECT_DOUBLE_EQ(set.Find("node_zfs_zil_zil_itx_metaslab_slog_bytes"), 18446744073709551615.0);
    EXPECT_DOUBLE_EQ(set.Find("node_zfs_zpool_nread", {{"zpool", "tank"}}), 2985472);
    EXPECT_DOUBLE_EQ(set.Find("node_zfs_zpool_dataset_nwritten", {{"zpool", "tank"}, {"dataset", "tank/home  docs"}}),
                     159744);
    EXPECT_DOUBLE_EQ(set.Find("node_zfs_zpool_state", {{"zpool", "tank"}, {"state", "online"}}), 1);
    EXPECT_EQ(set.Count("node_zfs_zpool_state"), 7u);
  }
}

TEST(ZfsCollectorTest, MissingIsNoDataAndMalformedFails) {
  testing::ScratchTree empty("zfs_none");
  auto none = testing::MustCreate(NewZfsCollector, testing::ProcContext(empty.root()));
  expo::MetricSet set;
  EXPECT_EQ(none->Collect(set).code(), StatusCode::kNoData);
  EXPECT_EQ(set.samples().size(), 0u);

  testing::ScratchTree bad("zfs_bad");
  bad.Write("spl/kstat/zfs/arcstats", "name type data\nhits 4 x\n");
  auto malformed = testing::MustCreate(NewZfsCollector, testing::ProcContext(bad.root()));
  EXPECT_EQ(malformed->Collect(set).code(), StatusCode::kError);
}

TEST(ZfsCollectorTest, MatchesNodeExporterOnConformanceFixtures) {
  NODEX_REQUIRE_KIT(kit);
  testing::ScopedKitDir cd(kit);
  FlagValues flags;
  Logger log;
  auto c = NewZfsCollector(testing::KitContext(&flags, &log));
  ASSERT_TRUE(c.ok());
  expo::MetricSet set;
  Status st = c.value()->Collect(set);
  ASSERT_TRUE(st.ok()) << st.message();
  std::vector<std::string> families;
  for (const expo::MetricSet::Family& f : set.families()) families.push_back(f.name);
  ASSERT_EQ(families.size(), 278u);
  std::vector<std::string> expected = testing::ExpectedLines(kit, families);
  EXPECT_EQ(expected.size(), 278u + 359u);
  EXPECT_EQ(testing::RenderedLines(set, families), expected);
}

}  // namespace
}  // namespace nodex::collectors
