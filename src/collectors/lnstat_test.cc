#include "collectors/lnstat.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "collectors/testing/kit.h"
#include "collectors/testing/scratch.h"

namespace nodex::collectors {
namespace {

using testing::MustCreate;
using testing::ReadTestdata;
using testing::ScratchTree;

TEST(ParseLnstatTest, RealCapturesFromThisMachine) {
  for (std::string_view f : {"arp_cache", "ndisc_cache", "rt_cache", "nf_conntrack"}) {
    std::string content = ReadTestdata("src/collectors/testdata/lnstat/" + std::string(f) + "_real");
    std::vector<LnstatSample> samples;
    Status st = ParseLnstat(content, &samples);
    ASSERT_TRUE(st.ok()) << f << ": " << st.message();
    EXPECT_FALSE(samples.empty()) << f;
    EXPECT_EQ(samples[0].column, "entries") << f;
    EXPECT_EQ(samples[0].cpu, 0u);
  }
}

TEST(ParseLnstatTest, CpuIndexPerColumnAndSharedNames) {
  std::vector<LnstatSample> s;
  ASSERT_TRUE(ParseLnstat("a a b\n1 2 ff\n3\n\nFFFFFFFFFFFFFFFF 5\n", &s).ok());
  ASSERT_EQ(s.size(), 6u);
  // Row 1: a=1 (cpu0), a=2 (cpu1: same name), b=255 (cpu0).
  EXPECT_EQ(s[0].column, "a");
  EXPECT_EQ(s[0].cpu, 0u);
  EXPECT_EQ(s[1].cpu, 1u);
  EXPECT_EQ(s[2].column, "b");
  EXPECT_EQ(s[2].value, 255u);
  // Row 2 (short): a=3 becomes cpu 2.
  EXPECT_EQ(s[3].cpu, 2u);
  EXPECT_EQ(s[4].value, UINT64_MAX);
  EXPECT_EQ(s[4].cpu, 3u);
  EXPECT_EQ(s[5].column, "a");  // second column is also "a"
  EXPECT_EQ(s[5].cpu, 4u);
}

TEST(ParseLnstatTest, EmptyAndMalformed) {
  std::vector<LnstatSample> s;
  EXPECT_TRUE(ParseLnstat("", &s).ok());
  EXPECT_TRUE(ParseLnstat("entries allocs\n", &s).ok());
  EXPECT_TRUE(s.empty());
  EXPECT_FALSE(ParseLnstat("a b\n1 2 3\n", &s).ok());                      // more values than columns
  EXPECT_FALSE(ParseLnstat("a b\n1 zz\n", &s).ok());                       // not hex
  EXPECT_FALSE(ParseLnstat("a\n-1\n", &s).ok());                           // sign
  EXPECT_FALSE(ParseLnstat("a\n0x1\n", &s).ok());                          // prefix
  EXPECT_FALSE(ParseLnstat("a\n10000000000000000\n", &s).ok());            // > 64 bits
  EXPECT_FALSE(ParseLnstat("\n1\n", &s).ok());                             // values, no header
}

TEST(LnstatCollectorTest, ReadsDirectory) {
  ScratchTree tree("lnstat");
  tree.Write("net/stat/arp_cache", ReadTestdata("src/collectors/testdata/lnstat/arp_cache_real"));
  tree.Write("net/stat/zz", "entries hits\n00000001 00000002\n00000003 00000004\n");
  auto c = MustCreate(NewLnstatCollector, testing::ProcContext(tree.root()));
  ASSERT_NE(c, nullptr);
  expo::MetricSet set;
  Status st = c->Collect(set);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(set.Find("node_lnstat_hits_total", {{"subsystem", "zz"}, {"cpu", "1"}}), 4);
  EXPECT_EQ(set.Find("node_lnstat_entries_total", {{"subsystem", "zz"}, {"cpu", "0"}}), 1);
  EXPECT_GE(set.Count("node_lnstat_table_fulls_total"), 1u);
  // A new file appears; a malformed one then fails the whole scrape.
  tree.Write("net/stat/new", "x\n1\n");
  set.Clear();
  ASSERT_TRUE(c->Collect(set).ok());
  EXPECT_EQ(set.Find("node_lnstat_x_total", {{"subsystem", "new"}, {"cpu", "0"}}), 1);
  tree.Write("net/stat/bad", "x\nnope\n");
  set.Clear();
  EXPECT_EQ(c->Collect(set).code(), StatusCode::kError);
  EXPECT_EQ(set.samples().size(), 0u);
}

TEST(LnstatCollectorTest, MissingDirectoryIsEmptySuccess) {
  ScratchTree tree("lnstat_missing");
  tree.MakeDir("net");
  auto c = MustCreate(NewLnstatCollector, testing::ProcContext(tree.root()));
  ASSERT_NE(c, nullptr);
  expo::MetricSet set;
  EXPECT_TRUE(c->Collect(set).ok());
  EXPECT_EQ(set.samples().size(), 0u);
}

TEST(LnstatCollectorTest, InvalidColumnNameFails) {
  ScratchTree tree("lnstat_badname");
  tree.Write("net/stat/x", "bad-name\n1\n");
  auto c = MustCreate(NewLnstatCollector, testing::ProcContext(tree.root()));
  ASSERT_NE(c, nullptr);
  expo::MetricSet set;
  EXPECT_EQ(c->Collect(set).code(), StatusCode::kError);
}

TEST(LnstatCollectorTest, MatchesNodeExporterOnConformanceFixtures) {
  NODEX_REQUIRE_KIT(kit);
  testing::ScopedKitDir cd(kit);
  FlagValues flags;
  Logger log;
  auto c = NewLnstatCollector(testing::KitContext(&flags, &log));
  ASSERT_TRUE(c.ok());
  expo::MetricSet set;
  Status st = c.value()->Collect(set);
  ASSERT_TRUE(st.ok()) << st.message();
  std::vector<std::string> families;
  for (const auto& f : set.families()) families.push_back(f.name);
  std::sort(families.begin(), families.end());
  EXPECT_EQ(families.size(), 29u);
  std::vector<std::string> expected = testing::ExpectedLines(kit, families);
  EXPECT_EQ(expected.size(), 120u + 29u);
  EXPECT_EQ(testing::RenderedLines(set, families), expected);
}

}  // namespace
}  // namespace nodex::collectors
