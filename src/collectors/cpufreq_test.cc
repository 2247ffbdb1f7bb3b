#include "collectors/cpufreq.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "collectors/testing/kit.h"

namespace nodex::collectors {
namespace {

using testing::ExpectedLines;
using testing::KitContext;
using testing::RenderedLines;
using testing::ScopedKitDir;

namespace fs = std::filesystem;

std::unique_ptr<Collector> Make(const std::string& sysfs) {
  Context ctx;
  ctx.paths.sysfs = sysfs;
  auto c = NewCpufreqCollector(ctx);
  EXPECT_TRUE(c.ok());
  return std::move(c.value());
}

// A scratch copy of a testdata tree that a test may modify.
std::string CopyTree(const std::string& from, const std::string& name) {
  std::string dir = ::testing::TempDir() + "nodex_cpufreq_" + name + "_" + std::to_string(getpid());
  fs::remove_all(dir);
  fs::copy(from, dir, fs::copy_options::recursive);
  return dir;
}

void WriteFile(const std::string& path, const std::string& content) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << content;
}

TEST(ParseCpufreqValueTest, Values) {
  EXPECT_EQ(ParseCpufreqValue("1699981\n"), 1699981u);
  EXPECT_EQ(ParseCpufreqValue("  800000 "), 800000u);
  EXPECT_EQ(ParseCpufreqValue("18446744073709551615"), 18446744073709551615u);
  for (const char* bad : {"", "\n", "<unknown>", "-1", "1.5", "18446744073709551616", "12 34", "0x10"}) {
    EXPECT_FALSE(ParseCpufreqValue(bad).has_value()) << bad;
  }
}

TEST(ParseGovernorsTest, SplitsLikeGo) {
  std::vector<std::string_view> g;
  ParseGovernors("performance powersave\n", &g);
  EXPECT_EQ(g, (std::vector<std::string_view>{"performance", "powersave"}));
  ParseGovernors("", &g);
  EXPECT_EQ(g, (std::vector<std::string_view>{""}));
  ParseGovernors("a  b", &g);
  EXPECT_EQ(g, (std::vector<std::string_view>{"a", "", "b"}));
}

TEST(CpufreqCollectorTest, RealCaptureWithoutCpufreqDirs) {
  // This machine (a VM) has cpu0 and cpu1 but no cpufreq support: no samples,
  // but not a failure, as in node_exporter.
  auto c = Make("src/collectors/testdata/cpufreq/real");
  expo::MetricSet set;
  Status st = c->Collect(set);
  EXPECT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(set.samples().size(), 0u);
}

TEST(CpufreqCollectorTest, HandWrittenTree) {
  auto c = Make("src/collectors/testdata/cpufreq/handwritten");
  expo::MetricSet set;
  Status st = c->Collect(set);
  ASSERT_TRUE(st.ok()) << st.message();  // cpu2 is offline, so its garbage is never read.
  EXPECT_EQ(set.Find("node_cpu_frequency_hertz", {{"cpu", "0"}}), 1199998000.0);
  EXPECT_EQ(set.Count("node_cpu_frequency_hertz"), 1u);
  EXPECT_EQ(set.Count("node_cpu_frequency_max_hertz"), 3u);
  EXPECT_EQ(set.Find("node_cpu_scaling_frequency_min_hertz", {{"cpu", "10"}}), 400000000.0);
  EXPECT_EQ(set.Find("node_cpu_scaling_frequency_hertz", {{"cpu", "1"}}), 1200000000.0);
  EXPECT_EQ(set.Count("node_cpu_scaling_governor"), 18u);
  EXPECT_EQ(set.Find("node_cpu_scaling_governor", {{"cpu", "1"}, {"governor", "schedutil"}}), 1);
  EXPECT_EQ(set.Find("node_cpu_scaling_governor", {{"cpu", "1"}, {"governor", "powersave"}}), 0);
  EXPECT_EQ(set.Count("node_cpu_scaling_frequency_hertz"), 3u);
}

TEST(CpufreqCollectorTest, MalformedAndMissingFiles) {
  std::string dir = CopyTree("src/collectors/testdata/cpufreq/handwritten", "malformed");
  std::string cpu0 = dir + "/devices/system/cpu/cpu0/cpufreq/";
  auto c = Make(dir);
  expo::MetricSet set;

  WriteFile(dir + "/devices/system/cpu/offline", "");  // cpu2 comes online with garbage.
  EXPECT_EQ(c->Collect(set).code(), StatusCode::kError);
  WriteFile(dir + "/devices/system/cpu/offline", "2\n");
  set.Clear();
  ASSERT_TRUE(c->Collect(set).ok());

  WriteFile(cpu0 + "scaling_max_freq", "99999999999999999999\n");
  set.Clear();
  EXPECT_EQ(c->Collect(set).code(), StatusCode::kError);
  fs::remove(cpu0 + "scaling_max_freq");  // Optional: just absent.
  set.Clear();
  ASSERT_TRUE(c->Collect(set).ok());
  EXPECT_EQ(set.Count("node_cpu_scaling_frequency_max_hertz"), 2u);

  fs::remove(cpu0 + "scaling_driver");  // Required by procfs.
  set.Clear();
  EXPECT_EQ(c->Collect(set).code(), StatusCode::kError);

  WriteFile(dir + "/devices/system/cpu/offline", "x-y\n");
  set.Clear();
  EXPECT_EQ(c->Collect(set).code(), StatusCode::kError);
  fs::remove(dir + "/devices/system/cpu/offline");
  set.Clear();
  EXPECT_EQ(c->Collect(set).code(), StatusCode::kError);

  auto none = Make(::testing::TempDir() + "nodex_cpufreq_nonexistent");
  set.Clear();
  EXPECT_EQ(none->Collect(set).code(), StatusCode::kError);
}

TEST(CpufreqCollectorTest, MatchesNodeExporterOnConformanceFixtures) {
  NODEX_REQUIRE_KIT(kit);
  ScopedKitDir cd(kit);
  FlagValues flags;
  Logger log;
  auto ctx = KitContext(&flags, &log);
  auto c = NewCpufreqCollector(ctx);
  ASSERT_TRUE(c.ok());
  expo::MetricSet set;
  Status st = c.value()->Collect(set);
  ASSERT_TRUE(st.ok()) << st.message();
  // node_cpu_frequency_hertz in the expected file is the cpu collector's
  // cpuinfo series; the fixtures have no cpuinfo_cur_freq, so cpufreq adds none.
  EXPECT_EQ(set.Count("node_cpu_frequency_hertz"), 0u);
  const std::vector<std::string> families = {
      "node_cpu_frequency_max_hertz",         "node_cpu_frequency_min_hertz",
      "node_cpu_scaling_frequency_hertz",     "node_cpu_scaling_frequency_max_hertz",
      "node_cpu_scaling_frequency_min_hertz", "node_cpu_scaling_governor"};
  auto expected = ExpectedLines(kit, families);
  EXPECT_EQ(expected.size(), 24u);
  EXPECT_EQ(RenderedLines(set, families), expected);
}

}  // namespace
}  // namespace nodex::collectors
