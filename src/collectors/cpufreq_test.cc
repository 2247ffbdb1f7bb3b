#include "collectors/cpufreq.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "collectors/testing/kit.h"
#include "collectors/testing/scratch.h"

namespace nodex::collectors {
namespace {

namespace fs = std::filesystem;

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
  auto c = testing::MustCreate(NewCpufreqCollector, testing::SysContext("src/collectors/testdata/cpufreq/real"));
  expo::MetricSet set;
  Status st = c->Collect(set);
  EXPECT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(set.samples().size(), 0u);
}

TEST(CpufreqCollectorTest, HandWrittenTree) {
  auto c = testing::MustCreate(NewCpufreqCollector, testing::SysContext("src/collectors/testdata/cpufreq/handwritten"));
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
  // A scratch copy of the testdata tree, which this test modifies.
  testing::ScratchTree dir("cpufreq_malformed");
  fs::copy("src/collectors/testdata/cpufreq/handwritten", dir.root(), fs::copy_options::recursive);
  std::string cpu0 = "devices/system/cpu/cpu0/cpufreq/";
  auto c = testing::MustCreate(NewCpufreqCollector, testing::SysContext(dir.root()));
  expo::MetricSet set;

  dir.Write("devices/system/cpu/offline", "");  // cpu2 comes online with garbage.
  EXPECT_EQ(c->Collect(set).code(), StatusCode::kError);
  dir.Write("devices/system/cpu/offline", "2\n");
  set.Clear();
  ASSERT_TRUE(c->Collect(set).ok());

  dir.Write(cpu0 + "scaling_max_freq", "99999999999999999999\n");
  set.Clear();
  EXPECT_EQ(c->Collect(set).code(), StatusCode::kError);
  fs::remove(dir.Path(cpu0 + "scaling_max_freq"));  // Optional: just absent.
  set.Clear();
  ASSERT_TRUE(c->Collect(set).ok());
  EXPECT_EQ(set.Count("node_cpu_scaling_frequency_max_hertz"), 2u);

  fs::remove(dir.Path(cpu0 + "scaling_driver"));  // Required by procfs.
  set.Clear();
  EXPECT_EQ(c->Collect(set).code(), StatusCode::kError);

  dir.Write("devices/system/cpu/offline", "x-y\n");
  set.Clear();
  EXPECT_EQ(c->Collect(set).code(), StatusCode::kError);
  fs::remove(dir.Path("devices/system/cpu/offline"));
  set.Clear();
  EXPECT_EQ(c->Collect(set).code(), StatusCode::kError);

  auto none =
      testing::MustCreate(NewCpufreqCollector, testing::SysContext(::testing::TempDir() + "nodex_cpufreq_nonexistent"));
  set.Clear();
  EXPECT_EQ(none->Collect(set).code(), StatusCode::kError);
}

TEST(CpufreqCollectorTest, MatchesNodeExporterOnConformanceFixtures) {
  NODEX_REQUIRE_KIT(kit);
  testing::ScopedKitDir cd(kit);
  FlagValues flags;
  Logger log;
  auto ctx = testing::KitContext(&flags, &log);
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
  auto expected = testing::ExpectedLines(kit, families);
  EXPECT_EQ(expected.size(), 24u);
  EXPECT_EQ(testing::RenderedLines(set, families), expected);
}

}  // namespace
}  // namespace nodex::collectors
