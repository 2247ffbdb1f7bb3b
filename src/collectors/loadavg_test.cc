#include "collectors/loadavg.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "collectors/testing/kit.h"
#include "collectors/testing/scratch.h"
#include "expo/text_writer.h"

namespace nodex::collectors {
namespace {

TEST(ParseLoadavgTest, RealCaptureFromThisMachine) {
  // Captured from /proc/loadavg: "0.10 0.04 0.01 1/88 7374".
  std::ifstream in("src/collectors/testdata/loadavg/real/loadavg");
  ASSERT_TRUE(in) << "run from the repository root";
  std::stringstream ss;
  ss << in.rdbuf();
  auto loads = ParseLoadavg(ss.str());
  ASSERT_TRUE(loads.ok()) << loads.status().message();
  EXPECT_DOUBLE_EQ(loads->load1, 0.10);
  EXPECT_DOUBLE_EQ(loads->load5, 0.04);
  EXPECT_DOUBLE_EQ(loads->load15, 0.01);
}

TEST(ParseLoadavgTest, HandWrittenBusyHost) {
  auto loads = ParseLoadavg("112.50 8.03 4.00 3/1204 88123\n");
  ASSERT_TRUE(loads.ok());
  EXPECT_DOUBLE_EQ(loads->load1, 112.5);
  EXPECT_DOUBLE_EQ(loads->load5, 8.03);
  EXPECT_DOUBLE_EQ(loads->load15, 4.0);
}

TEST(ParseLoadavgTest, OnlyTheFirstThreeFieldsMatter) {
  auto loads = ParseLoadavg("1 2 3");
  ASSERT_TRUE(loads.ok());
  EXPECT_DOUBLE_EQ(loads->load15, 3);
  EXPECT_TRUE(ParseLoadavg("1 2 3 garbage more garbage").ok());
}

TEST(ParseLoadavgTest, RejectsMalformedInput) {
  for (const char* bad : {"", "\n", "0.21 0.37", "0.21", "a b c", "0.21 x 0.39 1/2 3", "0.21 0.37 0.39x 1/719 1",
                          "1e999 1 1", "nan 1 1", "inf 1 1", "0x1p3 1 1", "0,21 0,37 0,39 1/719 19737"}) {
    EXPECT_FALSE(ParseLoadavg(bad).ok()) << "input: '" << bad << "'";
  }
}

TEST(LoadavgCollectorTest, ReadsFixtureAndRereadsEveryScrape) {
  testing::ScratchTree dir("loadavg_reread");
  dir.Write("loadavg", "0.21 0.37 0.39 1/719 19737\n");
  auto collector = testing::MustCreate(NewLoadavgCollector, testing::ProcContext(dir.root()));
  expo::MetricSet set;
  ASSERT_TRUE(collector->Collect(set).ok());
  EXPECT_DOUBLE_EQ(set.Find("node_load1"), 0.21);
  EXPECT_DOUBLE_EQ(set.Find("node_load5"), 0.37);
  EXPECT_DOUBLE_EQ(set.Find("node_load15"), 0.39);

  // Rewrite in place: the kept-open fd must see the new content.
  {
    int fd = open(dir.Path("loadavg").c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
    ASSERT_GE(fd, 0);
    const char next[] = "3.00 2.00 1.00 1/1 1\n";
    ASSERT_EQ(write(fd, next, sizeof(next) - 1), static_cast<ssize_t>(sizeof(next) - 1));
    close(fd);
  }
  set.Clear();
  ASSERT_TRUE(collector->Collect(set).ok());
  EXPECT_DOUBLE_EQ(set.Find("node_load1"), 3.0);
  EXPECT_DOUBLE_EQ(set.Find("node_load15"), 1.0);
  EXPECT_EQ(set.Count("node_load5"), 1u);
}

TEST(LoadavgCollectorTest, MalformedFileFailsWithoutSamples) {
  testing::ScratchTree dir("loadavg_malformed");
  dir.Write("loadavg", "0.21 zero 0.39 1/719 19737\n");
  auto collector = testing::MustCreate(NewLoadavgCollector, testing::ProcContext(dir.root()));
  expo::MetricSet set;
  Status st = collector->Collect(set);
  EXPECT_EQ(st.code(), StatusCode::kError);
  EXPECT_EQ(set.samples().size(), 0u);
}

TEST(LoadavgCollectorTest, MissingFileIsAnErrorLikeNodeExporter) {
  testing::ScratchTree dir("loadavg_missing");
  auto collector = testing::MustCreate(NewLoadavgCollector, testing::ProcContext(dir.root()));
  expo::MetricSet set;
  EXPECT_EQ(collector->Collect(set).code(), StatusCode::kError);
}

TEST(LoadavgCollectorTest, RealCaptureThroughCollector) {
  auto collector =
      testing::MustCreate(NewLoadavgCollector, testing::ProcContext("src/collectors/testdata/loadavg/real"));
  expo::MetricSet set;
  ASSERT_TRUE(collector->Collect(set).ok());
  EXPECT_DOUBLE_EQ(set.Find("node_load5"), 0.04);
}

TEST(LoadavgCollectorTest, MatchesNodeExporterOnConformanceFixtures) {
  NODEX_REQUIRE_KIT(kit);
  testing::ScopedKitDir in_kit(kit);
  auto collector = NewLoadavgCollector(testing::KitContext(nullptr, nullptr));
  ASSERT_TRUE(collector.ok());
  expo::MetricSet set;
  ASSERT_TRUE((*collector)->Collect(set).ok());
  const std::vector<std::string> families = {"node_load1", "node_load15", "node_load5"};
  std::vector<std::string> expected = testing::ExpectedLines(kit, families);
  EXPECT_EQ(expected.size(), 6u);
  EXPECT_EQ(testing::RenderedLines(set, families), expected);
}

}  // namespace
}  // namespace nodex::collectors
