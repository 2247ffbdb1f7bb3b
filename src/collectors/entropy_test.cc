#include "collectors/entropy.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "collectors/testing/kit.h"
#include "collectors/testing/scratch.h"
#include "expo/text_writer.h"

namespace nodex::collectors {
namespace {

// Makes `proc` a procfs root with the given files under sys/kernel/random; a
// null content leaves the file out.
void WriteRandom(const testing::ScratchTree& proc, const char* avail, const char* pool) {
  proc.MakeDir("sys/kernel/random");
  if (avail) proc.Write("sys/kernel/random/entropy_avail", avail);
  if (pool) proc.Write("sys/kernel/random/poolsize", pool);
}

TEST(ParseEntropyValueTest, AcceptsKernelFormat) {
  auto v = ParseEntropyValue("1337\n");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(*v, 1337u);
  EXPECT_EQ(*ParseEntropyValue("  4096  "), 4096u);
  EXPECT_EQ(*ParseEntropyValue("18446744073709551615"), UINT64_MAX);
}

TEST(ParseEntropyValueTest, RejectsMalformed) {
  for (const char* bad : {"", "\n", "-1", "12 34", "1.5", "abc", "18446744073709551616", "0x10"}) {
    EXPECT_FALSE(ParseEntropyValue(bad).ok()) << bad;
  }
}

TEST(EntropyCollectorTest, RealCaptureFromThisMachine) {
  // Captured on Linux 6.18, where both read 256.
  auto collector =
      testing::MustCreate(NewEntropyCollector, testing::ProcContext("src/collectors/testdata/entropy/real"));
  expo::MetricSet set;
  ASSERT_TRUE(collector->Collect(set).ok());
  EXPECT_DOUBLE_EQ(set.Find("node_entropy_available_bits"), 256);
  EXPECT_DOUBLE_EQ(set.Find("node_entropy_pool_size_bits"), 256);
}

TEST(EntropyCollectorTest, RereadsEveryScrape) {
  testing::ScratchTree dir("entropy_reread");
  WriteRandom(dir, "100\n", "4096\n");
  auto collector = testing::MustCreate(NewEntropyCollector, testing::ProcContext(dir.root()));
  expo::MetricSet set;
  ASSERT_TRUE(collector->Collect(set).ok());
  EXPECT_DOUBLE_EQ(set.Find("node_entropy_available_bits"), 100);
  dir.Write("sys/kernel/random/entropy_avail", "3000\n");
  set.Clear();
  ASSERT_TRUE(collector->Collect(set).ok());
  EXPECT_DOUBLE_EQ(set.Find("node_entropy_available_bits"), 3000);
  EXPECT_DOUBLE_EQ(set.Find("node_entropy_pool_size_bits"), 4096);
}

TEST(EntropyCollectorTest, MissingFilesFollowNodeExporter) {
  expo::MetricSet set;
  // No entropy_avail: error, nothing served.
  testing::ScratchTree noavail("entropy_noavail");
  WriteRandom(noavail, nullptr, "4096\n");
  EXPECT_EQ(testing::MustCreate(NewEntropyCollector, testing::ProcContext(noavail.root()))->Collect(set).code(),
            StatusCode::kError);
  EXPECT_EQ(set.samples().size(), 0u);
  // No poolsize: the available bits are still served, but the scrape fails.
  testing::ScratchTree nopool("entropy_nopool");
  WriteRandom(nopool, "42\n", nullptr);
  EXPECT_EQ(testing::MustCreate(NewEntropyCollector, testing::ProcContext(nopool.root()))->Collect(set).code(),
            StatusCode::kError);
  EXPECT_DOUBLE_EQ(set.Find("node_entropy_available_bits"), 42);
  EXPECT_EQ(set.Count("node_entropy_pool_size_bits"), 0u);
}

TEST(EntropyCollectorTest, MalformedFileFailsWithoutSamples) {
  expo::MetricSet set;
  testing::ScratchTree badpool("entropy_badpool");
  WriteRandom(badpool, "42\n", "big\n");
  EXPECT_EQ(testing::MustCreate(NewEntropyCollector, testing::ProcContext(badpool.root()))->Collect(set).code(),
            StatusCode::kError);
  testing::ScratchTree emptyavail("entropy_emptyavail");
  WriteRandom(emptyavail, "", "4096\n");
  EXPECT_EQ(testing::MustCreate(NewEntropyCollector, testing::ProcContext(emptyavail.root()))->Collect(set).code(),
            StatusCode::kError);
  EXPECT_EQ(set.samples().size(), 0u);
}

TEST(EntropyCollectorTest, MatchesNodeExporterOnConformanceFixtures) {
  NODEX_REQUIRE_KIT(kit);
  testing::ScopedKitDir in_kit(kit);
  auto collector = NewEntropyCollector(testing::KitContext(nullptr, nullptr));
  ASSERT_TRUE(collector.ok());
  expo::MetricSet set;
  ASSERT_TRUE((*collector)->Collect(set).ok());
  const std::vector<std::string> families = {"node_entropy_available_bits", "node_entropy_pool_size_bits"};
  std::vector<std::string> expected = testing::ExpectedLines(kit, families);
  EXPECT_EQ(expected.size(), 4u);
  EXPECT_EQ(testing::RenderedLines(set, families), expected);
}

}  // namespace
}  // namespace nodex::collectors
