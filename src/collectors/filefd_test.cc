#include "collectors/filefd.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "collectors/testing/kit.h"
#include "collectors/testing/scratch.h"
#include "expo/text_writer.h"

namespace nodex::collectors {
namespace {

TEST(ParseFileNrTest, RealCaptureFromThisMachine) {
  std::ifstream in("src/collectors/testdata/filefd/real/sys/fs/file-nr");
  ASSERT_TRUE(in) << "run from the repository root";
  std::stringstream ss;
  ss << in.rdbuf();
  auto stats = ParseFileNr(ss.str());  // "490\t0\t2466170\n"
  ASSERT_TRUE(stats.ok()) << stats.status().message();
  EXPECT_DOUBLE_EQ(stats->allocated, 490);
  EXPECT_DOUBLE_EQ(stats->maximum, 2466170);
}

TEST(ParseFileNrTest, HandWrittenHugeMaximum) {
  // fs.file-max defaults to LONG_MAX on some kernels; it rounds to a double.
  auto stats = ParseFileNr("512\t0\t9223372036854775807\n");
  ASSERT_TRUE(stats.ok());
  EXPECT_DOUBLE_EQ(stats->allocated, 512);
  EXPECT_DOUBLE_EQ(stats->maximum, 9223372036854775807.0);
}

TEST(ParseFileNrTest, ExtraTabFieldsAreIgnored) {
  auto stats = ParseFileNr("1\t0\t3\t4\n");
  ASSERT_TRUE(stats.ok());
  EXPECT_DOUBLE_EQ(stats->maximum, 3);
}

TEST(ParseFileNrTest, RejectsMalformedInput) {
  for (const char* bad : {"", "\n", "1024\t0", "1024", "1024 0 1631329\n" /* spaces, not tabs */, "x\t0\t1\n",
                          "1\t0\tmax\n", "1\t0\t\n", "1\t0\t1e999\n", "\t\t\n"}) {
    EXPECT_FALSE(ParseFileNr(bad).ok()) << "input: '" << bad << "'";
  }
}

TEST(FilefdCollectorTest, CollectsAndRereads) {
  testing::ScratchTree dir("filefd_reread");
  dir.Write("sys/fs/file-nr", "1024\t0\t1631329\n");
  auto collector = testing::MustCreate(NewFilefdCollector, testing::ProcContext(dir.root()));
  expo::MetricSet set;
  ASSERT_TRUE(collector->Collect(set).ok());
  EXPECT_DOUBLE_EQ(set.Find("node_filefd_allocated"), 1024);
  EXPECT_DOUBLE_EQ(set.Find("node_filefd_maximum"), 1631329);
  // Overwrite the same inode; the kept-open fd must see it.
  dir.Write("sys/fs/file-nr", "2048\t0\t1631329\n");
  set.Clear();
  ASSERT_TRUE(collector->Collect(set).ok());
  EXPECT_DOUBLE_EQ(set.Find("node_filefd_allocated"), 2048);
}

TEST(FilefdCollectorTest, MalformedOrMissingIsAnError) {
  expo::MetricSet set;
  testing::ScratchTree bad("filefd_bad");
  bad.Write("sys/fs/file-nr", "1024 0 1631329\n");
  EXPECT_EQ(testing::MustCreate(NewFilefdCollector, testing::ProcContext(bad.root()))->Collect(set).code(),
            StatusCode::kError);
  EXPECT_EQ(set.samples().size(), 0u);
  testing::ScratchTree empty("filefd_missing");
  empty.MakeDir("sys/fs");
  EXPECT_EQ(testing::MustCreate(NewFilefdCollector, testing::ProcContext(empty.root()))->Collect(set).code(),
            StatusCode::kError);
}

TEST(FilefdCollectorTest, MatchesNodeExporterOnConformanceFixtures) {
  NODEX_REQUIRE_KIT(kit);
  testing::ScopedKitDir in_kit(kit);
  auto collector = NewFilefdCollector(testing::KitContext(nullptr, nullptr));
  ASSERT_TRUE(collector.ok());
  expo::MetricSet set;
  ASSERT_TRUE((*collector)->Collect(set).ok());
  const std::vector<std::string> families = {"node_filefd_allocated", "node_filefd_maximum"};
  std::vector<std::string> expected = testing::ExpectedLines(kit, families);
  EXPECT_EQ(expected.size(), 4u);
  EXPECT_EQ(testing::RenderedLines(set, families), expected);
}

}  // namespace
}  // namespace nodex::collectors
