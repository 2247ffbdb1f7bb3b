#include "collectors/nvme.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "collectors/testing/kit.h"
#include "collectors/testing/scratch.h"

namespace nodex::collectors {
namespace {

TEST(NvmeNamespaceIdTest, Names) {
  EXPECT_EQ(NvmeNamespaceId("nvme0n1"), "1");
  EXPECT_EQ(NvmeNamespaceId("nvme0c0n1"), "1");
  EXPECT_EQ(NvmeNamespaceId("nvme12c3n45"), "45");
  EXPECT_EQ(NvmeNamespaceId("ng0n1"), "");
  for (const char* name : {"nvme0", "power", "device", "nvmen1", "nvme0c1", "nvme0cn1x", "subsysnqn", ""}) {
    EXPECT_EQ(NvmeNamespaceId(name), "") << name;
  }
}

TEST(ParseNvmeNamespaceNumberTest, GarbageIsZero) {
  EXPECT_EQ(ParseNvmeNamespaceNumber("3906250000\n"), 3906250000u);
  EXPECT_EQ(ParseNvmeNamespaceNumber(" 4096 "), 4096u);
  for (const char* bad : {"", "n/a", "-1", "0x10", "99999999999999999999999"}) {
    EXPECT_EQ(ParseNvmeNamespaceNumber(bad), 0u) << bad;
  }
}

TEST(NvmeCollectorTest, HandWrittenTree) {
  auto c = testing::MustCreate(NewNvmeCollector, testing::SysContext("src/collectors/testdata/nvme/sys"));
  ASSERT_NE(c, nullptr);
  for (int scrape = 0; scrape < 2; ++scrape) {
    expo::MetricSet set;
    ASSERT_TRUE(c->Collect(set).ok());
    EXPECT_EQ(set.Find("node_nvme_info", {{"device", "nvme0"},
                                          {"model", "KINGSTON SNV2S1000G"},
                                          {"serial", "50026B7785A1B2C3"},
                                          {"firmware_revision", "SBM02103"},
                                          {"state", "live"},
                                          {"cntlid", "1"}}),
              1);
    EXPECT_EQ(set.Find("node_nvme_info", {{"device", "nvme1"}, {"state", "connecting"}}), 1);
    EXPECT_EQ(set.Count("node_nvme_namespace_info"), 3u);
    EXPECT_EQ(set.Find("node_nvme_namespace_info", {{"device", "nvme0"}, {"nsid", "1"}, {"ana_state", "unknown"}}), 1);
    EXPECT_EQ(set.Find("node_nvme_namespace_size_bytes", {{"device", "nvme0"}, {"nsid", "1"}}), 1953525168.0 * 512);
    EXPECT_EQ(set.Find("node_nvme_namespace_used_bytes", {{"device", "nvme0"}, {"nsid", "1"}}), 976762584.0 * 512);
    EXPECT_EQ(set.Find("node_nvme_namespace_used_bytes", {{"device", "nvme0"}, {"nsid", "2"}}), 0);  // "n/a"
    EXPECT_EQ(set.Find("node_nvme_namespace_capacity_bytes", {{"device", "nvme0"}, {"nsid", "2"}}), 409600);
    EXPECT_EQ(set.Find("node_nvme_namespace_info", {{"device", "nvme1"}, {"ana_state", "non-optimized"}}), 1);
    EXPECT_EQ(set.Find("node_nvme_namespace_logical_block_size_bytes", {{"device", "nvme1"}}), 4096);
  }
}

TEST(NvmeCollectorTest, MissingAttributeIsNoData) {
  testing::ScratchTree dir("nvme_sparse");
  for (const char* f : {"firmware_rev", "model", "serial", "state"}) dir.Write(std::string("class/nvme/nvme0/") + f, "x\n");
  auto c = testing::MustCreate(NewNvmeCollector, testing::SysContext(dir.root()));
  expo::MetricSet set;
  EXPECT_EQ(c->Collect(set).code(), StatusCode::kNoData);  // No cntlid.
  dir.Write("class/nvme/nvme0/cntlid", "7\n");
  dir.Write("class/nvme/nvme0/nvme0n1/size", "8\n");
  EXPECT_EQ(c->Collect(set).code(), StatusCode::kNoData);  // Namespace without nuse.
  EXPECT_EQ(set.samples().size(), 0u);
}

TEST(NvmeCollectorTest, MissingClassIsNoData) {
  testing::ScratchTree dir("nvme_missing");
  auto c = testing::MustCreate(NewNvmeCollector, testing::SysContext(dir.root()));
  expo::MetricSet set;
  EXPECT_EQ(c->Collect(set).code(), StatusCode::kNoData);
  dir.MakeDir("class/nvme");
  EXPECT_TRUE(c->Collect(set).ok());
  EXPECT_EQ(set.samples().size(), 0u);
}

TEST(NvmeCollectorTest, UnreadableAttributeFails) {
  testing::ScratchTree dir("nvme_unreadable");
  dir.MakeDir("class/nvme/nvme0/model");  // A directory where a file belongs: read(2) gives EISDIR.
  auto c = testing::MustCreate(NewNvmeCollector, testing::SysContext(dir.root()));
  for (const char* f : {"firmware_rev", "serial", "state", "cntlid"}) dir.Write(std::string("class/nvme/nvme0/") + f, "x\n");
  expo::MetricSet set;
  EXPECT_EQ(c->Collect(set).code(), StatusCode::kError);
  EXPECT_EQ(set.samples().size(), 0u);
}

TEST(NvmeCollectorTest, MatchesNodeExporterOnConformanceFixtures) {
  NODEX_REQUIRE_KIT(kit);
  testing::ScopedKitDir cd(kit);
  FlagValues flags;
  Logger log;
  auto c = NewNvmeCollector(testing::KitContext(&flags, &log));
  ASSERT_TRUE(c.ok());
  expo::MetricSet set;
  ASSERT_TRUE((*c)->Collect(set).ok());
  const std::vector<std::string> families = {
      "node_nvme_info", "node_nvme_namespace_capacity_bytes", "node_nvme_namespace_info",
      "node_nvme_namespace_logical_block_size_bytes", "node_nvme_namespace_size_bytes",
      "node_nvme_namespace_used_bytes"};
  std::vector<std::string> expected = testing::ExpectedLines(kit, families);
  EXPECT_EQ(expected.size(), 12u);
  EXPECT_EQ(testing::RenderedLines(set, families), expected);
}

}  // namespace
}  // namespace nodex::collectors
