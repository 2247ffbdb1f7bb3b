#include "collectors/cgroups.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "base/file_reader.h"
#include "collectors/testing/kit.h"
#include "collectors/testing/scratch.h"

namespace nodex::collectors {
namespace {

TEST(ParseCgroupsTest, RealCaptureFromThisMachine) {
  std::string text;
  ASSERT_TRUE(ReadFileOnce("src/collectors/testdata/cgroups/real/cgroups", &text).ok())
      << "run from the repository root";
  std::vector<CgroupSummary> out;
  ASSERT_TRUE(ParseCgroups(text, &out).ok());
  ASSERT_EQ(out.size(), 12u);
  EXPECT_EQ(out[0].subsys_name, "cpuset");
  EXPECT_EQ(out[4].subsys_name, "memory");
  EXPECT_EQ(out[4].cgroups, 40);  // "memory\t4\t40\t1" at capture time.
  EXPECT_EQ(out[4].hierarchy, 4);
  EXPECT_EQ(out[4].enabled, 1);
}

TEST(ParseCgroupsTest, HandWrittenWithExtraFieldsSignsAndComments) {
  std::vector<CgroupSummary> out;
  ASSERT_TRUE(ParseCgroups("#subsys_name\thierarchy\tnum_cgroups\tenabled\n"
                           "# another comment\n"
                           "misc\t0\t+7\t0\textra\n"
                           "rdma -1 1 1",
                           &out)
                  .ok());
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].subsys_name, "misc");
  EXPECT_EQ(out[0].cgroups, 7);
  EXPECT_EQ(out[0].enabled, 0);
  EXPECT_EQ(out[1].hierarchy, -1);
  ASSERT_TRUE(ParseCgroups("", &out).ok());
  EXPECT_TRUE(out.empty());
}

TEST(ParseCgroupsTest, RejectsMalformedInput) {
  for (const char* bad : {"\n\n", "cpu 1 2", "cpu\t1\tx\t1", "cpu 1 2 1.0", "cpu 1 99999999999999999999 1",
                          "cpu 1 2 1\n\nmemory 1 2 1", "cpu 0x1 2 1", " # not a comment 1 2 3"}) {
    std::vector<CgroupSummary> out;
    EXPECT_FALSE(ParseCgroups(bad, &out).ok()) << "input: '" << bad << "'";
  }
}

TEST(CgroupsCollectorTest, EmitsCountAndEnabledPerController) {
  std::string content = "#subsys_name\thierarchy\tnum_cgroups\tenabled\ncpu\t1\t12\t1\nnet_cls\t0\t1\t0\n";
  testing::ScratchTree proc("cgroups_emit");
  proc.Write("cgroups", content);
  auto collector = testing::MustCreate(NewCgroupsCollector, testing::ProcContext(proc.root()));
  expo::MetricSet set;
  ASSERT_TRUE(collector->Collect(set).ok());
  EXPECT_DOUBLE_EQ(set.Find("node_cgroups_cgroups", {{"subsys_name", "cpu"}}), 12);
  EXPECT_DOUBLE_EQ(set.Find("node_cgroups_enabled", {{"subsys_name", "net_cls"}}), 0);
  EXPECT_EQ(set.Count("node_cgroups_cgroups"), 2u);
}

TEST(CgroupsCollectorTest, MissingAndMalformedFilesFail) {
  expo::MetricSet set;
  testing::ScratchTree missing("cgroups_missing");
  EXPECT_EQ(testing::MustCreate(NewCgroupsCollector, testing::ProcContext(missing.root()))->Collect(set).code(),
            StatusCode::kError);
  std::string bad = "cpu 1 two 1\n";
  testing::ScratchTree malformed("cgroups_malformed");
  malformed.Write("cgroups", bad);
  EXPECT_EQ(testing::MustCreate(NewCgroupsCollector, testing::ProcContext(malformed.root()))->Collect(set).code(),
            StatusCode::kError);
  EXPECT_EQ(set.samples().size(), 0u);
}

TEST(CgroupsCollectorTest, MatchesNodeExporterOnConformanceFixtures) {
  NODEX_REQUIRE_KIT(kit);
  testing::ScopedKitDir cd(kit);
  FlagValues flags;
  Logger log;
  auto c = NewCgroupsCollector(testing::KitContext(&flags, &log));
  ASSERT_TRUE(c.ok());
  expo::MetricSet set;
  ASSERT_TRUE(c.value()->Collect(set).ok());
  const std::vector<std::string> families = {"node_cgroups_cgroups", "node_cgroups_enabled"};
  std::vector<std::string> expected = testing::ExpectedLines(kit, families);
  EXPECT_EQ(expected.size(), 26u);
  EXPECT_EQ(testing::RenderedLines(set, families), expected);
}

}  // namespace
}  // namespace nodex::collectors
