#include "collectors/zoneinfo.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "base/file_reader.h"
#include "collectors/testing/kit.h"
#include "collectors/testing/scratch.h"

namespace nodex::collectors {
namespace {

int FieldIndex(std::string_view key) {
  for (size_t i = 0; i < kZoneinfoFields.size(); ++i) {
    if (kZoneinfoFields[i].key == key) return static_cast<int>(i);
  }
  ADD_FAILURE() << "unknown key " << key;
  return 0;
}

int64_t Value(const ZoneinfoZone& z, std::string_view key) {
  int i = FieldIndex(key);
  EXPECT_TRUE(z.present[i]) << key << " not present in zone " << z.zone;
  return z.value[i];
}

TEST(ParseZoneinfoTest, RealCaptureFromThisMachine) {
  std::string text;
  ASSERT_TRUE(ReadFileOnce("src/collectors/testdata/zoneinfo/real/zoneinfo", &text).ok())
      << "run from the repository root";
  Zoneinfo info;
  Status st = ParseZoneinfo(text, &info);
  ASSERT_TRUE(st.ok()) << st.message();
  ASSERT_EQ(info.zones.size(), 5u);
  const char* names[] = {"DMA", "DMA32", "Normal", "Movable", "Device"};
  for (size_t i = 0; i < 5; ++i) {
    EXPECT_EQ(info.zones[i].node, "0");
    EXPECT_EQ(info.zones[i].zone, names[i]);
    EXPECT_EQ(info.zones[i].protection_count, 5u);
  }
  const ZoneinfoZone& dma = info.zones[0];
  // Per-node stats land in the node's first zone, as in procfs.
  EXPECT_EQ(Value(dma, "nr_dirtied"), 1025745);
  EXPECT_EQ(Value(dma, "nr_kernel_stack"), 1956);
  EXPECT_EQ(info.protection[dma.protection_begin + 1], 3019);
  const ZoneinfoZone& normal = info.zones[2];
  EXPECT_EQ(Value(normal, "min"), 9296);
  EXPECT_EQ(Value(normal, "high"), 13944);
  EXPECT_EQ(Value(normal, "managed"), 950272);
  EXPECT_EQ(Value(normal, "numa_hit"), 30536854);
  EXPECT_FALSE(normal.present[FieldIndex("nr_dirtied")]);
}

TEST(ParseZoneinfoTest, HandWrittenTwoNodesOldKernelLayout) {
  // Pre-4.8 layout: no per-node section, "scanned" still present, counters
  // in each zone; plus base-0 and repeated keys.
  Zoneinfo info;
  Status st = ParseZoneinfo(
      "Node 0, zone   Normal\n"
      "  pages free     100\n"
      "        min      0x10\n"
      "        min      17\n"
      "        scanned  3\n"
      "        protection: (0, 0)\n"
      "    nr_free_pages 100\n"
      "    nr_dirtied   5\n"
      "Node 12, zone  Movable\n"
      "  pages free     0\n"
      "        protection: ( 1, 2 )\n"
      "    nr_free_pages 0\n",
      &info);
  ASSERT_TRUE(st.ok()) << st.message();
  ASSERT_EQ(info.zones.size(), 2u);
  EXPECT_EQ(Value(info.zones[0], "min"), 17);
  EXPECT_EQ(Value(info.zones[0], "scanned"), 3);
  EXPECT_EQ(Value(info.zones[0], "nr_dirtied"), 5);
  EXPECT_EQ(info.zones[1].node, "12");
  EXPECT_EQ(info.zones[1].zone, "Movable");
  EXPECT_EQ(info.zones[1].protection_count, 2u);
  EXPECT_EQ(info.protection[info.zones[1].protection_begin + 1], 2);
}

TEST(ParseZoneinfoTest, EmptyFileHasNoZones) {
  Zoneinfo info;
  ASSERT_TRUE(ParseZoneinfo("", &info).ok());
  EXPECT_TRUE(info.zones.empty());
  ASSERT_TRUE(ParseZoneinfo("\n\nsomething unrelated\n", &info).ok());
  EXPECT_TRUE(info.zones.empty());
}

TEST(ParseZoneinfoTest, RejectsMalformedInput) {
  for (const char* bad : {
           "Node 0, zone DMA\n  min x\n", "Node 0, zone DMA\n  nr_free_pages 99999999999999999999\n",
           "Node 0, zone DMA\n  nr_free_pages 1.5\n", "Node 0, zone DMA\n  protection: (0, x, 2)\n",
           "Node 0, zone DMA\n  protection: ()\n",
           "Node 0, zone DMA\n  protection: (1,2)\n",  // procfs splits on ", " only
           "  min 1\n  high 2\n",                      // values without a zone header
           "Node 0, zo\n  nr_free_pages 7\n",          // truncated header
       }) {
    Zoneinfo info;
    EXPECT_FALSE(ParseZoneinfo(bad, &info).ok()) << "input: '" << bad << "'";
  }
}

TEST(ZoneinfoCollectorTest, EmitsGaugesCountersAndProtection) {
  std::string content =
      "Node 0, zone   Normal\n        min      5\n        protection: (0, 7, 9)\n      numa_hit     42\n";
  testing::ScratchTree proc("zoneinfo_emit");
  proc.Write("zoneinfo", content);
  auto collector = testing::MustCreate(NewZoneinfoCollector, testing::ProcContext(proc.root()));
  expo::MetricSet set;
  ASSERT_TRUE(collector->Collect(set).ok());
  EXPECT_DOUBLE_EQ(set.Find("node_zoneinfo_min_pages", {{"node", "0"}, {"zone", "Normal"}}), 5);
  EXPECT_DOUBLE_EQ(set.Find("node_zoneinfo_numa_hit_total", {{"zone", "Normal"}}), 42);
  EXPECT_DOUBLE_EQ(set.Find("node_zoneinfo_protection_2", {{"zone", "Normal"}}), 9);
  EXPECT_EQ(set.Count("node_zoneinfo_protection_3"), 0u);
  EXPECT_EQ(set.samples().size(), 5u);
}

TEST(ZoneinfoCollectorTest, MissingAndMalformedFilesFail) {
  expo::MetricSet set;
  testing::ScratchTree missing("zoneinfo_missing");
  EXPECT_EQ(testing::MustCreate(NewZoneinfoCollector, testing::ProcContext(missing.root()))->Collect(set).code(),
            StatusCode::kError);
  std::string bad = "Node 0, zone DMA\n  managed lots\n";
  testing::ScratchTree malformed("zoneinfo_malformed");
  malformed.Write("zoneinfo", bad);
  EXPECT_EQ(testing::MustCreate(NewZoneinfoCollector, testing::ProcContext(malformed.root()))->Collect(set).code(),
            StatusCode::kError);
  EXPECT_EQ(set.samples().size(), 0u);
}

TEST(ZoneinfoCollectorTest, MatchesNodeExporterOnConformanceFixtures) {
  NODEX_REQUIRE_KIT(kit);
  testing::ScopedKitDir cd(kit);
  FlagValues flags;
  Logger log;
  auto c = NewZoneinfoCollector(testing::KitContext(&flags, &log));
  ASSERT_TRUE(c.ok());
  expo::MetricSet set;
  ASSERT_TRUE(c.value()->Collect(set).ok());
  std::vector<std::string> families;
  for (const auto& f : kZoneinfoFields) families.emplace_back(f.desc.name);
  for (int i = 0; i < 5; ++i) families.push_back("node_zoneinfo_protection_" + std::to_string(i));
  std::vector<std::string> expected = testing::ExpectedLines(kit, families);
  EXPECT_EQ(expected.size(), 37u + 97u);  // 37 TYPE lines, 97 samples.
  EXPECT_EQ(testing::RenderedLines(set, families), expected);
}

}  // namespace
}  // namespace nodex::collectors
