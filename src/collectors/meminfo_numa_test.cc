#include "collectors/meminfo_numa.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "collectors/testing/kit.h"
#include "collectors/testing/scratch.h"

namespace nodex::collectors {
namespace {

void WriteNode(const testing::ScratchTree& sysfs, int n, const std::string& meminfo, const std::string& numastat) {
  const std::string dir = "devices/system/node/node" + std::to_string(n);
  sysfs.Write(dir + "/meminfo", meminfo);
  sysfs.Write(dir + "/numastat", numastat);
}

TEST(ParseMeminfoNumaTest, UnitsKeysAndBlankLines) {
  std::vector<NumaField> fields;
  ASSERT_TRUE(ParseMeminfoNuma("Node 1 MemTotal:       100 kB\n\n"
                               "Node 1 Active(anon):     2 kB\n"
                               "Node 1 HugePages_Total:     7\n",
                               &fields)
                  .ok());
  ASSERT_EQ(fields.size(), 3u);
  EXPECT_EQ(fields[0].node, "1");
  EXPECT_EQ(fields[0].key, "MemTotal");
  EXPECT_EQ(fields[0].value, 102400.0);
  EXPECT_EQ(fields[1].key, "Active(anon)");
  EXPECT_EQ(fields[1].value, 2048.0);
  EXPECT_EQ(fields[2].value, 7.0);
  ASSERT_TRUE(ParseMeminfoNuma("", &fields).ok());
  EXPECT_TRUE(fields.empty());
}

TEST(ParseMeminfoNumaTest, RejectsMalformed) {
  std::vector<NumaField> fields;
  for (const char* bad : {"Node 0 MemTotal:\n", "Node 0\n", "Node 0 MemTotal: x kB\n", "Node 0 MemTotal: 1 MB\n",
                          "Node 0 MemTotal: 1 kB extra\n", "Node 0 MemTotal: 1e999 kB\n", "Node 0 MemTotal: nan\n"}) {
    EXPECT_FALSE(ParseMeminfoNuma(bad, &fields).ok()) << "input: '" << bad << "'";
  }
}

TEST(ParseNumastatTest, ParsesAndRejects) {
  std::vector<NumaField> fields;
  ASSERT_TRUE(ParseNumastat("numa_hit 193460335812\n\nother_node 0\n", &fields).ok());
  ASSERT_EQ(fields.size(), 2u);
  EXPECT_EQ(fields[0].key, "numa_hit");
  EXPECT_EQ(fields[0].value, 193460335812.0);
  for (const char* bad : {"numa_hit\n", "numa_hit 1 2\n", "numa_hit x\n", "numa_hit -\n"}) {
    EXPECT_FALSE(ParseNumastat(bad, &fields).ok()) << "input: '" << bad << "'";
  }
}

TEST(MeminfoNumaMetricNameTest, LikeNodeExporter) {
  EXPECT_EQ(MeminfoNumaMetricName("MemTotal"), "node_memory_numa_MemTotal");
  EXPECT_EQ(MeminfoNumaMetricName("Active(anon):"), "node_memory_numa_Active_anon");
  EXPECT_EQ(MeminfoNumaMetricName("A(b)c(d)"), "node_memory_numa_A_b)c(d");
  EXPECT_EQ(MeminfoNumaMetricName("A)b(c"), "node_memory_numa_A)b(c");
}

TEST(MeminfoNumaCollectorTest, RealCaptureFromThisMachine) {
  // Copied from this machine's /sys/devices/system/node/node0.
  auto collector =
      testing::MustCreate(NewMeminfoNumaCollector, testing::SysContext("src/collectors/testdata/meminfo_numa/real"));
  expo::MetricSet set;
  Status st = collector->Collect(set);
  ASSERT_TRUE(st.ok()) << st.message() << " (run from the repository root)";
  EXPECT_EQ(set.Find("node_memory_numa_MemTotal", {{"node", "0"}}), 6908108.0 * 1024);
  EXPECT_EQ(set.Find("node_memory_numa_Inactive_file", {{"node", "0"}}), 739740.0 * 1024);
  EXPECT_EQ(set.Find("node_memory_numa_SecPageTables", {{"node", "0"}}), 0.0);
  EXPECT_EQ(set.Find("node_memory_numa_interleave_hit_total", {{"node", "0"}}), 1134.0);
  EXPECT_EQ(set.samples().size(), 36u + 6u);
}

TEST(MeminfoNumaCollectorTest, NodesAppearAndDisappear) {
  testing::ScratchTree dir("meminfo_numa_hotplug");
  WriteNode(dir, 0, "Node 0 MemFree: 1 kB\n", "numa_hit 5\n");
  auto collector = testing::MustCreate(NewMeminfoNumaCollector, testing::SysContext(dir.root()));
  expo::MetricSet set;
  ASSERT_TRUE(collector->Collect(set).ok());
  EXPECT_EQ(set.samples().size(), 2u);

  WriteNode(dir, 10, "Node 10 MemFree: 2 kB\n", "numa_hit 6\n");
  set.Clear();
  ASSERT_TRUE(collector->Collect(set).ok());
  EXPECT_EQ(set.Find("node_memory_numa_MemFree", {{"node", "10"}}), 2048.0);
  EXPECT_EQ(set.Find("node_memory_numa_numa_hit_total", {{"node", "10"}}), 6.0);
  EXPECT_EQ(set.samples().size(), 4u);

  std::filesystem::remove_all(dir.Path("devices/system/node/node0"));
  set.Clear();
  ASSERT_TRUE(collector->Collect(set).ok());
  EXPECT_EQ(set.samples().size(), 2u);
  EXPECT_EQ(set.Count("node_memory_numa_MemFree"), 1u);
}

TEST(MeminfoNumaCollectorTest, NoNodeDirectoryGivesNoSamples) {
  testing::ScratchTree dir("meminfo_numa_none");
  auto collector = testing::MustCreate(NewMeminfoNumaCollector, testing::SysContext(dir.root()));
  expo::MetricSet set;
  EXPECT_TRUE(collector->Collect(set).ok());
  EXPECT_EQ(set.samples().size(), 0u);
}

TEST(MeminfoNumaCollectorTest, MissingNumastatIsAnError) {
  testing::ScratchTree dir("meminfo_numa_nonumastat");
  dir.Write("devices/system/node/node0/meminfo", "Node 0 MemFree: 1 kB\n");
  auto collector = testing::MustCreate(NewMeminfoNumaCollector, testing::SysContext(dir.root()));
  expo::MetricSet set;
  EXPECT_FALSE(collector->Collect(set).ok());
}

TEST(MeminfoNumaCollectorTest, MalformedMeminfoIsAnError) {
  testing::ScratchTree dir("meminfo_numa_malformed");
  WriteNode(dir, 0, "Node 0 MemFree:\n", "numa_hit 5\n");
  auto collector = testing::MustCreate(NewMeminfoNumaCollector, testing::SysContext(dir.root()));
  expo::MetricSet set;
  EXPECT_EQ(collector->Collect(set).code(), StatusCode::kError);
  EXPECT_EQ(set.samples().size(), 0u);
}

TEST(MeminfoNumaCollectorTest, MatchesNodeExporterOnConformanceFixtures) {
  NODEX_REQUIRE_KIT(kit);
  testing::ScopedKitDir cd(kit);
  FlagValues flags;
  Logger log;
  auto collector = testing::MustCreate(NewMeminfoNumaCollector, testing::KitContext(&flags, &log));
  expo::MetricSet set;
  ASSERT_TRUE(collector->Collect(set).ok());
  const std::vector<std::string> families = {"node_memory_numa_Active",
                                             "node_memory_numa_Active_anon",
                                             "node_memory_numa_Active_file",
                                             "node_memory_numa_AnonHugePages",
                                             "node_memory_numa_AnonPages",
                                             "node_memory_numa_Bounce",
                                             "node_memory_numa_Dirty",
                                             "node_memory_numa_FilePages",
                                             "node_memory_numa_HugePages_Free",
                                             "node_memory_numa_HugePages_Surp",
                                             "node_memory_numa_HugePages_Total",
                                             "node_memory_numa_Inactive",
                                             "node_memory_numa_Inactive_anon",
                                             "node_memory_numa_Inactive_file",
                                             "node_memory_numa_KernelStack",
                                             "node_memory_numa_Mapped",
                                             "node_memory_numa_MemFree",
                                             "node_memory_numa_MemTotal",
                                             "node_memory_numa_MemUsed",
                                             "node_memory_numa_Mlocked",
                                             "node_memory_numa_NFS_Unstable",
                                             "node_memory_numa_PageTables",
                                             "node_memory_numa_SReclaimable",
                                             "node_memory_numa_SUnreclaim",
                                             "node_memory_numa_Shmem",
                                             "node_memory_numa_Slab",
                                             "node_memory_numa_Unevictable",
                                             "node_memory_numa_Writeback",
                                             "node_memory_numa_WritebackTmp",
                                             "node_memory_numa_interleave_hit_total",
                                             "node_memory_numa_local_node_total",
                                             "node_memory_numa_numa_foreign_total",
                                             "node_memory_numa_numa_hit_total",
                                             "node_memory_numa_numa_miss_total",
                                             "node_memory_numa_other_node_total"};
  auto expected = testing::ExpectedLines(kit, families);
  EXPECT_EQ(expected.size(), 35u + 105u);
  EXPECT_EQ(testing::RenderedLines(set, families), expected);
}

}  // namespace
}  // namespace nodex::collectors
