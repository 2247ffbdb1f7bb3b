#include "collectors/meminfo.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "collectors/testing/kit.h"
#include "collectors/testing/scratch.h"
#include "expo/text_writer.h"

namespace nodex::collectors {
namespace {

TEST(MeminfoFieldsTest, NamesFollowNodeExporter) {
  std::set<std::string_view> names;
  for (const MeminfoField& f : kMeminfoFields) {
    EXPECT_TRUE(names.insert(f.desc.name).second) << "duplicate " << f.desc.name;
    EXPECT_EQ(f.desc.type, expo::MetricType::kGauge);
    EXPECT_EQ(f.desc.name.find_first_of("()"), std::string_view::npos) << f.desc.name;
    EXPECT_EQ(f.raw, f.key.rfind("HugePages_", 0) == 0) << f.key;
  }
  EXPECT_TRUE(names.count("node_memory_Active_anon_bytes"));
  EXPECT_TRUE(names.count("node_memory_Inactive_file_bytes"));
  EXPECT_TRUE(names.count("node_memory_NFS_Unstable_bytes"));
  EXPECT_TRUE(names.count("node_memory_Committed_AS_bytes"));
  EXPECT_TRUE(names.count("node_memory_HugePages_Total"));
  EXPECT_TRUE(names.count("node_memory_Hugepagesize_bytes"));
  EXPECT_TRUE(names.count("node_memory_Zswapped_bytes"));
  // node_exporter does not export these even though the kernel prints them.
  EXPECT_FALSE(names.count("node_memory_KReclaimable_bytes"));
  EXPECT_FALSE(names.count("node_memory_FilePmdMapped_bytes"));
}

TEST(ParseMeminfoTest, RealCaptureFromThisMachine) {
  MeminfoValues v;
  ASSERT_TRUE(ParseMeminfo(testing::ReadTestdata("src/collectors/testdata/meminfo/real/meminfo"), &v).ok());
  expo::MetricSet set;
  for (size_t i = 0; i < kMeminfoFields.size(); ++i) {
    if (v.present[i]) set.Add(kMeminfoFields[i].desc, v.value[i]);
  }
  // Capture: "MemTotal:       24684084 kB", "VmallocTotal:   34359738367 kB".
  EXPECT_DOUBLE_EQ(set.Find("node_memory_MemTotal_bytes"), 24684084.0 * 1024);
  EXPECT_DOUBLE_EQ(set.Find("node_memory_VmallocTotal_bytes"), 34359738367.0 * 1024);
  EXPECT_DOUBLE_EQ(set.Find("node_memory_DirectMap1G_bytes"), 25165824.0 * 1024);
  EXPECT_DOUBLE_EQ(set.Find("node_memory_HugePages_Total"), 0);
  EXPECT_EQ(set.Count("node_memory_Zswap_bytes"), 1u);
  // This 6.18 kernel prints every field node_exporter knows except CmaTotal,
  // CmaFree (no CMA) and HardwareCorrupted (no memory-failure support).
  EXPECT_EQ(v.present.count(), kMeminfoFieldCount - 3);
}

TEST(ParseMeminfoTest, HandWrittenScalesKbButNotHugePageCounts) {
  MeminfoValues v;
  ASSERT_TRUE(ParseMeminfo(testing::ReadTestdata("src/collectors/testdata/meminfo/handwritten/meminfo"), &v).ok());
  expo::MetricSet set;
  for (size_t i = 0; i < kMeminfoFields.size(); ++i) {
    if (v.present[i]) set.Add(kMeminfoFields[i].desc, v.value[i]);
  }
  EXPECT_DOUBLE_EQ(set.Find("node_memory_MemTotal_bytes"), 2048000.0 * 1024);
  EXPECT_DOUBLE_EQ(set.Find("node_memory_Active_anon_bytes"), 4096.0 * 1024);
  EXPECT_DOUBLE_EQ(set.Find("node_memory_Inactive_file_bytes"), 8192.0 * 1024);
  EXPECT_DOUBLE_EQ(set.Find("node_memory_Zswapped_bytes"), 2048.0 * 1024);
  EXPECT_DOUBLE_EQ(set.Find("node_memory_HugePages_Total"), 16);
  EXPECT_DOUBLE_EQ(set.Find("node_memory_HugePages_Rsvd"), 2);
  EXPECT_DOUBLE_EQ(set.Find("node_memory_Hugepagesize_bytes"), 2048.0 * 1024);
  // Absent from the file, so absent from the output.
  EXPECT_EQ(set.Count("node_memory_MemAvailable_bytes"), 0u);
  EXPECT_EQ(v.present.count(), 14u);  // KReclaimable is parsed but not exported.
}

TEST(ParseMeminfoTest, ValueWithoutUnitIsBytesAndLastDuplicateWins) {
  MeminfoValues v;
  ASSERT_TRUE(ParseMeminfo("MemTotal: 1000\nMemTotal: 7 kB\nHugePages_Free: 3 kB\n", &v).ok());
  expo::MetricSet set;
  for (size_t i = 0; i < kMeminfoFields.size(); ++i) {
    if (v.present[i]) set.Add(kMeminfoFields[i].desc, v.value[i]);
  }
  EXPECT_DOUBLE_EQ(set.Find("node_memory_MemTotal_bytes"), 7168);
  EXPECT_DOUBLE_EQ(set.Find("node_memory_HugePages_Free"), 3);  // Never scaled.
  ASSERT_TRUE(ParseMeminfo("MemFree: 1000", &v).ok());
  EXPECT_EQ(v.present.count(), 1u);  // Reset between parses.
}

TEST(ParseMeminfoTest, HugeValues) {
  MeminfoValues v;
  ASSERT_TRUE(ParseMeminfo("MemTotal: 18446744073709551615\n", &v).ok());
  size_t total = 0;
  for (size_t i = 0; i < kMeminfoFields.size(); ++i) {
    if (kMeminfoFields[i].key == "MemTotal") total = i;
  }
  EXPECT_DOUBLE_EQ(v.value[total], 18446744073709551615.0);
  // Does not wrap around like Go's uint64 multiplication would.
  ASSERT_TRUE(ParseMeminfo("MemTotal: 18446744073709551615 kB\n", &v).ok());
  EXPECT_DOUBLE_EQ(v.value[total], 18446744073709551615.0 * 1024);
  EXPECT_FALSE(ParseMeminfo("MemTotal: 18446744073709551616 kB\n", &v).ok());
}

TEST(ParseMeminfoTest, EmptyFileGivesNoValues) {
  MeminfoValues v;
  ASSERT_TRUE(ParseMeminfo("", &v).ok());
  EXPECT_EQ(v.present.count(), 0u);
}

TEST(ParseMeminfoTest, RejectsMalformedLinesEvenForUnknownKeys) {
  MeminfoValues v;
  for (const char* bad : {
           "MemTotal:\n",                        // truncated: no value
           "MemTotal: 12 kB extra\n",            // too many fields
           "MemTotal: twelve kB\n",              // non-numeric
           "MemTotal: -12 kB\n",                 // negative
           "MemTotal: 12.5 kB\n",                // not an integer
           "MemTotal: 12 MB\n",                  // unknown unit
           "SomethingNew: x kB\n",               // unknown key, still must parse
           "MemTotal: 1 kB\n\nMemFree: 2 kB\n",  // blank line
           "MemTotal: 99999999999999999999 kB\n",
       }) {
    EXPECT_FALSE(ParseMeminfo(bad, &v).ok()) << bad;
  }
}

TEST(MeminfoCollectorTest, CollectsRealCapture) {
  auto collector =
      testing::MustCreate(NewMeminfoCollector, testing::ProcContext("src/collectors/testdata/meminfo/real"));
  expo::MetricSet set;
  ASSERT_TRUE(collector->Collect(set).ok());
  EXPECT_EQ(set.samples().size(), kMeminfoFieldCount - 3);
  EXPECT_DOUBLE_EQ(set.Find("node_memory_Mlocked_bytes"), 14932.0 * 1024);
}

TEST(MeminfoCollectorTest, MissingOrMalformedFileIsAnError) {
  testing::ScratchTree dir("meminfo_bad");
  expo::MetricSet set;
  EXPECT_EQ(testing::MustCreate(NewMeminfoCollector, testing::ProcContext(dir.root()))->Collect(set).code(),
            StatusCode::kError);
  dir.Write("meminfo", "MemTotal: 1 kB\nMemFree: lots kB\n");
  EXPECT_EQ(testing::MustCreate(NewMeminfoCollector, testing::ProcContext(dir.root()))->Collect(set).code(),
            StatusCode::kError);
  EXPECT_EQ(set.samples().size(), 0u);
}

TEST(MeminfoCollectorTest, MatchesNodeExporterOnConformanceFixtures) {
  NODEX_REQUIRE_KIT(kit);
  testing::ScopedKitDir in_kit(kit);
  auto collector = NewMeminfoCollector(testing::KitContext(nullptr, nullptr));
  ASSERT_TRUE(collector.ok());
  expo::MetricSet set;
  ASSERT_TRUE((*collector)->Collect(set).ok());
  std::vector<std::string> families;
  for (const MeminfoField& f : kMeminfoFields) families.emplace_back(f.desc.name);
  std::vector<std::string> expected = testing::ExpectedLines(kit, families);
  EXPECT_EQ(expected.size(), 2u * 42);  // The fixture has 42 of the fields.
  EXPECT_EQ(testing::RenderedLines(set, families), expected);
}

}  // namespace
}  // namespace nodex::collectors
