#include "collectors/ksmd.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>

#include "collectors/testing/kit.h"

namespace nodex::collectors {
namespace {

void WriteFile(const std::string& path, const std::string& content) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path, std::ios::binary | std::ios::trunc) << content;
}

std::string ScratchDir(const std::string& name) {
  std::string dir = ::testing::TempDir() + "nodex_ksmd_" + name + "_" + std::to_string(getpid());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

Context SysContext(const std::string& sysfs) {
  Context ctx;
  ctx.paths.sysfs = sysfs;
  return ctx;
}

std::unique_ptr<Collector> Make(const Context& ctx) {
  auto c = NewKsmdCollector(ctx);
  EXPECT_TRUE(c.ok());
  return std::move(c.value());
}

const KsmdFile& File(std::string_view name) {
  for (const KsmdFile& f : kKsmdFiles) {
    if (f.file == name) return f;
  }
  ADD_FAILURE() << "no ksmd file " << name;
  return kKsmdFiles[0];
}

// A complete hand-written ksm directory under dir/kernel/mm/ksm.
void WriteKsm(const std::string& dir, bool with_profit) {
  const std::string base = dir + "/kernel/mm/ksm/";
  WriteFile(base + "full_scans", "17\n");
  if (with_profit) WriteFile(base + "general_profit", "-8192\n");
  WriteFile(base + "merge_across_nodes", "0\n");
  WriteFile(base + "pages_shared", "12\n");
  WriteFile(base + "pages_sharing", "4000\n");
  WriteFile(base + "pages_to_scan", "200\n");
  WriteFile(base + "pages_unshared", "5\n");
  WriteFile(base + "pages_volatile", "6\n");
  WriteFile(base + "run", "2\n");
  WriteFile(base + "sleep_millisecs", "1500\n");
}

TEST(ParseKsmdValueTest, UnsignedFiles) {
  EXPECT_EQ(*ParseKsmdValue(File("pages_sharing"), "255\n"), 255.0);
  EXPECT_EQ(*ParseKsmdValue(File("full_scans"), "18446744073709551615"), 18446744073709551615.0);
  EXPECT_DOUBLE_EQ(*ParseKsmdValue(File("sleep_millisecs"), "20\n"), 0.02);
  EXPECT_EQ(*ParseKsmdValue(File("sleep_millisecs"), "20\n"), 20.0 / 1000);
}

TEST(ParseKsmdValueTest, GeneralProfitIsSigned) {
  EXPECT_EQ(*ParseKsmdValue(File("general_profit"), "1044480\n"), 1044480.0);
  EXPECT_EQ(*ParseKsmdValue(File("general_profit"), "-40960\n"), -40960.0);
  EXPECT_FALSE(ParseKsmdValue(File("pages_shared"), "-1\n").ok());
}

TEST(ParseKsmdValueTest, RejectsMalformed) {
  for (const KsmdFile& f : kKsmdFiles) {
    for (const char* bad : {"", "\n", "1 2", "x", "1.5", "99999999999999999999999", "0x10", "12abc"}) {
      EXPECT_FALSE(ParseKsmdValue(f, bad).ok()) << f.file << ": '" << bad << "'";
    }
  }
}

TEST(KsmdCollectorTest, RealCaptureFromThisMachine) {
  // Copied from this machine's /sys/kernel/mm/ksm (KSM idle: run 0).
  auto collector = Make(SysContext("src/collectors/testdata/ksmd/real"));
  expo::MetricSet set;
  Status st = collector->Collect(set);
  ASSERT_TRUE(st.ok()) << st.message() << " (run from the repository root)";
  EXPECT_EQ(set.samples().size(), kKsmdFileCount);
  EXPECT_EQ(set.Find("node_ksmd_pages_to_scan"), 100.0);
  EXPECT_EQ(set.Find("node_ksmd_run"), 0.0);
  EXPECT_DOUBLE_EQ(set.Find("node_ksmd_sleep_seconds"), 0.02);
  EXPECT_EQ(set.Find("node_ksmd_general_profit_bytes"), 0.0);
}

TEST(KsmdCollectorTest, HandWrittenTreeAndReread) {
  std::string dir = ScratchDir("hand");
  WriteKsm(dir, true);
  auto collector = Make(SysContext(dir));
  expo::MetricSet set;
  ASSERT_TRUE(collector->Collect(set).ok());
  EXPECT_EQ(set.Find("node_ksmd_full_scans_total"), 17.0);
  EXPECT_EQ(set.Find("node_ksmd_general_profit_bytes"), -8192.0);
  EXPECT_EQ(set.Find("node_ksmd_run"), 2.0);
  EXPECT_DOUBLE_EQ(set.Find("node_ksmd_sleep_seconds"), 1.5);
  {
    std::ofstream out(dir + "/kernel/mm/ksm/full_scans", std::ios::binary | std::ios::in);
    out << "18\n";
  }
  set.Clear();
  ASSERT_TRUE(collector->Collect(set).ok());
  EXPECT_EQ(set.Find("node_ksmd_full_scans_total"), 18.0);
}

TEST(KsmdCollectorTest, OldKernelWithoutGeneralProfit) {
  std::string dir = ScratchDir("noprofit");
  WriteKsm(dir, false);
  auto collector = Make(SysContext(dir));
  expo::MetricSet set;
  ASSERT_TRUE(collector->Collect(set).ok());
  EXPECT_EQ(set.Count("node_ksmd_general_profit_bytes"), 0u);
  EXPECT_EQ(set.samples().size(), kKsmdFileCount - 1);
}

TEST(KsmdCollectorTest, MissingKsmDirectoryIsNoData) {
  auto collector = Make(SysContext(ScratchDir("missing")));
  expo::MetricSet set;
  EXPECT_EQ(collector->Collect(set).code(), StatusCode::kNoData);
  EXPECT_EQ(set.samples().size(), 0u);
}

TEST(KsmdCollectorTest, MalformedFileFailsWithoutSamples) {
  std::string dir = ScratchDir("malformed");
  WriteKsm(dir, true);
  WriteFile(dir + "/kernel/mm/ksm/run", "yes\n");
  auto collector = Make(SysContext(dir));
  expo::MetricSet set;
  EXPECT_EQ(collector->Collect(set).code(), StatusCode::kError);
  EXPECT_EQ(set.samples().size(), 0u);
}

TEST(KsmdCollectorTest, MatchesNodeExporterOnConformanceFixtures) {
  NODEX_REQUIRE_KIT(kit);
  testing::ScopedKitDir cd(kit);
  FlagValues flags;
  Logger log;
  auto collector = Make(testing::KitContext(&flags, &log));
  expo::MetricSet set;
  ASSERT_TRUE(collector->Collect(set).ok());
  const std::vector<std::string> families = {
      "node_ksmd_full_scans_total", "node_ksmd_general_profit_bytes", "node_ksmd_merge_across_nodes",
      "node_ksmd_pages_shared",     "node_ksmd_pages_sharing",        "node_ksmd_pages_to_scan",
      "node_ksmd_pages_unshared",   "node_ksmd_pages_volatile",       "node_ksmd_run",
      "node_ksmd_sleep_seconds"};
  auto expected = testing::ExpectedLines(kit, families);
  EXPECT_EQ(expected.size(), 20u);
  EXPECT_EQ(testing::RenderedLines(set, families), expected);
}

}  // namespace
}  // namespace nodex::collectors
