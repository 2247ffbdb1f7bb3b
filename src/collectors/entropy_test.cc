#include "collectors/entropy.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "collectors/testing/kit.h"
#include "expo/text_writer.h"

namespace nodex::collectors {
namespace {

std::unique_ptr<Collector> Make(const std::string& procfs) {
  Context ctx;
  ctx.paths.procfs = procfs;
  auto c = NewEntropyCollector(ctx);
  EXPECT_TRUE(c.ok());
  return std::move(c.value());
}

// A procfs root with the given files under sys/kernel/random; a null
// content leaves the file out.
std::string ScratchProc(const std::string& name, const char* avail, const char* pool) {
  std::string dir = ::testing::TempDir() + "nodex_entropy_" + name + "_" + std::to_string(getpid());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir + "/sys/kernel/random");
  if (avail) std::ofstream(dir + "/sys/kernel/random/entropy_avail") << avail;
  if (pool) std::ofstream(dir + "/sys/kernel/random/poolsize") << pool;
  return dir;
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
  auto collector = Make("src/collectors/testdata/entropy/real");
  expo::MetricSet set;
  ASSERT_TRUE(collector->Collect(set).ok());
  EXPECT_DOUBLE_EQ(set.Find("node_entropy_available_bits"), 256);
  EXPECT_DOUBLE_EQ(set.Find("node_entropy_pool_size_bits"), 256);
}

TEST(EntropyCollectorTest, RereadsEveryScrape) {
  std::string dir = ScratchProc("reread", "100\n", "4096\n");
  auto collector = Make(dir);
  expo::MetricSet set;
  ASSERT_TRUE(collector->Collect(set).ok());
  EXPECT_DOUBLE_EQ(set.Find("node_entropy_available_bits"), 100);
  { std::ofstream(dir + "/sys/kernel/random/entropy_avail", std::ios::trunc) << "3000\n"; }
  set.Clear();
  ASSERT_TRUE(collector->Collect(set).ok());
  EXPECT_DOUBLE_EQ(set.Find("node_entropy_available_bits"), 3000);
  EXPECT_DOUBLE_EQ(set.Find("node_entropy_pool_size_bits"), 4096);
}

TEST(EntropyCollectorTest, MissingFilesFollowNodeExporter) {
  expo::MetricSet set;
  // No entropy_avail: error, nothing served.
  EXPECT_EQ(Make(ScratchProc("noavail", nullptr, "4096\n"))->Collect(set).code(), StatusCode::kError);
  EXPECT_EQ(set.samples().size(), 0u);
  // No poolsize: the available bits are still served, but the scrape fails.
  EXPECT_EQ(Make(ScratchProc("nopool", "42\n", nullptr))->Collect(set).code(), StatusCode::kError);
  EXPECT_DOUBLE_EQ(set.Find("node_entropy_available_bits"), 42);
  EXPECT_EQ(set.Count("node_entropy_pool_size_bits"), 0u);
}

TEST(EntropyCollectorTest, MalformedFileFailsWithoutSamples) {
  expo::MetricSet set;
  EXPECT_EQ(Make(ScratchProc("badpool", "42\n", "big\n"))->Collect(set).code(), StatusCode::kError);
  EXPECT_EQ(Make(ScratchProc("emptyavail", "", "4096\n"))->Collect(set).code(), StatusCode::kError);
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
