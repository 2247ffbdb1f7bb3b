#include "collectors/slabinfo.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "base/file_reader.h"
#include "collectors/testing/kit.h"
#include "collectors/testing/scratch.h"

namespace nodex::collectors {
namespace {

constexpr char kHeader[] =
    "slabinfo - version: 2.1\n"
    "# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab> : tunables <limit> "
    "<batchcount> <sharedfactor> : slabdata <active_slabs> <num_slabs> <sharedavail>\n";

TEST(ParseSlabinfoTest, RealCaptureFromThisMachine) {
  std::string text;
  ASSERT_TRUE(ReadFileOnce("src/collectors/testdata/slabinfo/real/slabinfo", &text).ok())
      << "run from the repository root";
  std::vector<SlabinfoEntry> out;
  Status st = ParseSlabinfo(text, &out);
  ASSERT_TRUE(st.ok()) << st.message();
  ASSERT_EQ(out.size(), 235u);
  EXPECT_EQ(out[2].name, "bio-312");
  EXPECT_EQ(out[2].active_objs, 12);
  EXPECT_EQ(out[2].objsize, 320);
  EXPECT_EQ(out[2].objperslab, 12);
  EXPECT_EQ(out[2].pagesperslab, 1);
  EXPECT_EQ(out[2].num_slabs, 1);
}

TEST(ParseSlabinfoTest, HandWrittenSlabWithTunables) {
  std::vector<SlabinfoEntry> out;
  std::string text =
      std::string(kHeader) +
      "ext4_inode_cache  48810  49140   1088   30    8 : tunables  120   60    8 : slabdata   1638   1638    -3\r\n";
  ASSERT_TRUE(ParseSlabinfo(text, &out).ok());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].name, "ext4_inode_cache");
  EXPECT_EQ(out[0].num_objs, 49140);
  EXPECT_EQ(out[0].limit, 120);
  EXPECT_EQ(out[0].batchcount, 60);
  EXPECT_EQ(out[0].sharedfactor, 8);
  EXPECT_EQ(out[0].active_slabs, 1638);
  EXPECT_EQ(out[0].sharedavail, -3);
  ASSERT_TRUE(ParseSlabinfo("", &out).ok());
  EXPECT_TRUE(out.empty());
  ASSERT_TRUE(ParseSlabinfo(kHeader, &out).ok());
  EXPECT_TRUE(out.empty());
}

TEST(ParseSlabinfoTest, RejectsMalformedInput) {
  const char* bad_lines[] = {
      "\n",                                                                                  // blank line
      "kmem_cache 320 320 256 32 2 : tunables 0 0 0 : slabdata 10 10",                       // 15 fields
      "kmem_cache 320 320 256 32 2 : tunables 0 0 0 : slabdata 10 10 0 7",                   // 17 fields
      "kmem_cache 320 320 256 32 2 : tunables 0 0 0 : slabdata 10 10 0 ",                    // trailing space
      " kmem_cache 320 320 256 32 2 : tunables 0 0 0 : slabdata 10 10 0",                    // leading space
      "kmem_cache 320 x 256 32 2 : tunables 0 0 0 : slabdata 10 10 0",                       // non-numeric
      "kmem_cache 320 320 256 32 2 : tunables 0 0 0 : slabdata 10 10 99999999999999999999",  // overflow
      "kmem_cache 320 320 256 32 2.5 : tunables 0 0 0 : slabdata 10 10 0",                   // float
      "kmem_cache 320 320 256 32 2 : tunables 0 0 0 : slabd",                                // truncated
  };
  for (const char* line : bad_lines) {
    std::vector<SlabinfoEntry> out;
    EXPECT_FALSE(ParseSlabinfo(std::string(kHeader) + line, &out).ok()) << "line: '" << line << "'";
  }
}

TEST(SlabinfoCollectorTest, IncludeAndExcludeFilters) {
  std::string content = std::string(kHeader) +
                        "kmalloc-64  100 128 64 64 1 : tunables 0 0 0 : slabdata 2 2 0\n"
                        "kmalloc-128 50  64 128 32 1 : tunables 0 0 0 : slabdata 2 2 0\n"
                        "dentry      10  21 192 21 1 : tunables 0 0 0 : slabdata 1 1 0\n";
  testing::ScratchTree dir("slabinfo_filters");
  dir.Write("slabinfo", content);
  {
    auto c = NewSlabinfoCollector(testing::ProcContext(dir.root()));
    ASSERT_TRUE(c.ok());
    expo::MetricSet set;
    ASSERT_TRUE(c.value()->Collect(set).ok());
    EXPECT_EQ(set.Count("node_slabinfo_objects"), 3u);
    EXPECT_DOUBLE_EQ(set.Find("node_slabinfo_object_size_bytes", {{"slab", "kmalloc-128"}}), 128);
    EXPECT_DOUBLE_EQ(set.Find("node_slabinfo_pages_per_slab", {{"slab", "dentry"}}), 1);
  }
  {
    FlagValues flags;
    flags.Set("collector.slabinfo.slabs-include", "^kmalloc");
    flags.Set("collector.slabinfo.slabs-exclude", "128");
    auto c = NewSlabinfoCollector(testing::ProcContext(dir.root(), &flags));
    ASSERT_TRUE(c.ok());
    expo::MetricSet set;
    ASSERT_TRUE(c.value()->Collect(set).ok());
    EXPECT_EQ(set.Count("node_slabinfo_active_objects"), 1u);
    EXPECT_DOUBLE_EQ(set.Find("node_slabinfo_active_objects", {{"slab", "kmalloc-64"}}), 100);
  }
}

TEST(SlabinfoCollectorTest, BadPatternNamesTheFlag) {
  FlagValues flags;
  flags.Set("collector.slabinfo.slabs-exclude", "(unclosed");
  testing::ScratchTree dir("slabinfo_badflag");
  auto c = NewSlabinfoCollector(testing::ProcContext(dir.root(), &flags));
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("collector.slabinfo.slabs-exclude"), std::string::npos);
}

TEST(SlabinfoCollectorTest, MissingAndMalformedFilesFail) {
  expo::MetricSet set;
  testing::ScratchTree missing_proc("slabinfo_missing");
  auto missing = NewSlabinfoCollector(testing::ProcContext(missing_proc.root()));
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(missing.value()->Collect(set).code(), StatusCode::kError);
  std::string bad = std::string(kHeader) + "dentry 10 21 192\n";
  testing::ScratchTree malformed_proc("slabinfo_malformed");
  malformed_proc.Write("slabinfo", bad);
  auto malformed = NewSlabinfoCollector(testing::ProcContext(malformed_proc.root()));
  ASSERT_TRUE(malformed.ok());
  EXPECT_EQ(malformed.value()->Collect(set).code(), StatusCode::kError);
  EXPECT_EQ(set.samples().size(), 0u);
}

TEST(SlabinfoCollectorTest, MatchesNodeExporterOnConformanceFixtures) {
  NODEX_REQUIRE_KIT(kit);
  testing::ScopedKitDir cd(kit);
  FlagValues flags;
  Logger log;
  auto c = NewSlabinfoCollector(testing::KitContext(&flags, &log));
  ASSERT_TRUE(c.ok());
  expo::MetricSet set;
  ASSERT_TRUE(c.value()->Collect(set).ok());
  const std::vector<std::string> families = {"node_slabinfo_active_objects", "node_slabinfo_object_size_bytes",
                                             "node_slabinfo_objects", "node_slabinfo_objects_per_slab",
                                             "node_slabinfo_pages_per_slab"};
  std::vector<std::string> expected = testing::ExpectedLines(kit, families);
  EXPECT_EQ(expected.size(), 25u);
  EXPECT_EQ(testing::RenderedLines(set, families), expected);
}

}  // namespace
}  // namespace nodex::collectors
