#include "collectors/cpu.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "base/file_reader.h"
#include "base/log.h"
#include "collectors/testing/kit.h"
#include "collectors/testing/scratch.h"
#include "expo/metric_set.h"

namespace nodex::collectors {
namespace {

constexpr char kTestdata[] = "src/collectors/testdata/cpu";

// procfs and sysfs under one root, as root/proc and root/sys. In a ScratchTree,
// Write rewrites files in place (same inode), so a collector's kept-open fd
// sees the new content like a real /proc file.
Context TreeContext(const std::string& root, const FlagValues* flags, Logger* log = nullptr) {
  Context ctx = testing::ProcContext(root + "/proc", flags, log);
  ctx.paths.sysfs = root + "/sys";
  return ctx;
}

// ---------------------------------------------------------------- parsers

TEST(ParseCpuInfoTest, RealCaptureFromThisMachine) {
  std::string content = testing::ReadTestdata(std::string(kTestdata) + "/real/proc/cpuinfo");
  std::vector<CpuInfo> info;
  Status st = ParseCpuInfo(content, &info);
  ASSERT_TRUE(st.ok()) << st.message();
  ASSERT_EQ(info.size(), 2u);
  EXPECT_EQ(info[0].processor, 0u);
  EXPECT_EQ(info[1].processor, 1u);
  EXPECT_EQ(info[0].vendor_id, "AuthenticAMD");
  EXPECT_EQ(info[0].cpu_family, "26");
  EXPECT_EQ(info[0].model, "2");
  EXPECT_EQ(info[0].model_name, "AMD EPYC");
  EXPECT_EQ(info[0].stepping, "1");
  EXPECT_EQ(info[0].microcode, "0x1000065");
  EXPECT_EQ(info[0].cache_size, "1024 KB");
  EXPECT_EQ(info[1].physical_id, "0");
  EXPECT_EQ(info[1].core_id, "1");
  EXPECT_DOUBLE_EQ(info[0].cpu_mhz, 2596.120);
  EXPECT_TRUE(info[0].flags.starts_with("fpu vme de pse"));
  EXPECT_NE(info[0].flags.find(" aes "), std::string_view::npos);
  EXPECT_EQ(info[0].bugs, "sysret_ss_attrs null_seg spectre_v1 spectre_v2 spec_store_bypass srso spectre_v2_user");
}

TEST(ParseCpuInfoTest, HandWrittenCrLfLeadingBlankLinesAndOddLines) {
  std::vector<CpuInfo> info;
  Status st = ParseCpuInfo(
      "\n  \nprocessor\t: 0x10\r\n"
      "vendor\t: Vendor With Trailing Space \r\n"
      "no colon here\n"
      "model name:no-space-after-colon\n"
      "power management:\n"
      "flags\t\t:\n"
      "cpu MHz\t\t: 1e3\n"
      "processor : 017\n"
      "core id : 5\n",
      &info);
  ASSERT_TRUE(st.ok()) << st.message();
  ASSERT_EQ(info.size(), 2u);
  EXPECT_EQ(info[0].processor, 16u);                            // Go base prefix: hex.
  EXPECT_EQ(info[0].vendor_id, "Vendor With Trailing Space ");  // Untrimmed, CR dropped.
  EXPECT_EQ(info[0].model_name, "");                            // "key:value" has no ": ".
  EXPECT_EQ(info[0].flags, "");
  EXPECT_DOUBLE_EQ(info[0].cpu_mhz, 1000);
  EXPECT_EQ(info[1].processor, 15u);  // Leading 0: octal, as Go.
  EXPECT_EQ(info[1].core_id, "5");
}

TEST(ParseCpuInfoTest, ReuseClearsPreviousEntries) {
  std::vector<CpuInfo> info;
  ASSERT_TRUE(ParseCpuInfo("processor : 0\nprocessor : 1\n", &info).ok());
  ASSERT_TRUE(ParseCpuInfo("processor : 7\n", &info).ok());
  ASSERT_EQ(info.size(), 1u);
  EXPECT_EQ(info[0].processor, 7u);
}

class ParseCpuInfoMalformedTest : public ::testing::TestWithParam<const char*> {};

TEST_P(ParseCpuInfoMalformedTest, IsAnError) {
  std::vector<CpuInfo> info;
  Status st = ParseCpuInfo(GetParam(), &info);
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("cpuinfo"), std::string::npos) << st.message();
}

INSTANTIATE_TEST_SUITE_P(All, ParseCpuInfoMalformedTest,
                         ::testing::Values("",                                   // empty file
                                           "\n\n  \n",                           // only blank lines
                                           "vendor_id : GenuineIntel\n",         // not a processor line first
                                           " processor : 0\n",                   // indented first line
                                           "processor:0\n",                      // no ": "
                                           "processor : zero\n",                 // non-numeric
                                           "processor : -1\n",                   // negative
                                           "processor : 4294967296\n",           // > uint32
                                           "processor : 0\ncpu MHz : fast\n",    // bad float
                                           "processor : 0\ncpu MHz : 1.5GHz\n",  // trailing garbage
                                           "processor : 0\nsiblings : many\n",   // bad integer field
                                           "processor : 0\nbogomips : \n",       // empty float
                                           "processor : 0\nprocessor : 1x\n",    // bad later processor
                                           "processor : 0\ncpu MHz : nan\n"));   // NaN spelled out

TEST(ParseCpuListTest, RangesAndSingles) {
  std::vector<uint16_t> cpus;
  ASSERT_TRUE(ParseCpuList("1,3-5,9\n", &cpus).ok());
  EXPECT_EQ(cpus, (std::vector<uint16_t>{1, 3, 4, 5, 9}));
  ASSERT_TRUE(ParseCpuList("0-2,,7", &cpus).ok());
  EXPECT_EQ(cpus, (std::vector<uint16_t>{0, 1, 2, 7}));
  ASSERT_TRUE(ParseCpuList("5-3", &cpus).ok());  // Inverted range: empty, as procfs.
  EXPECT_TRUE(cpus.empty());
  ASSERT_TRUE(ParseCpuList("0-65535", &cpus).ok());
  EXPECT_EQ(cpus.size(), 65536u);
}

TEST(ParseCpuListTest, EmptyMeansNone) {
  std::vector<uint16_t> cpus{1};
  ASSERT_TRUE(ParseCpuList("\n", &cpus).ok());
  EXPECT_TRUE(cpus.empty());
  ASSERT_TRUE(ParseCpuList("", &cpus).ok());
  EXPECT_TRUE(cpus.empty());
}

TEST(ParseCpuListTest, Malformed) {
  std::vector<uint16_t> cpus;
  for (const char* bad : {"a", "1-", "-1", "1-2-3", "1,x", "70000", "0-4294967296", " 1", "1\n\n"}) {
    EXPECT_FALSE(ParseCpuList(bad, &cpus).ok()) << bad;
  }
}

// ---------------------------------------------------------- MergeCpuTimes

TEST(MergeCpuTimesTest, FirstReadingIsTakenAsIs) {
  CpuTimes kept;
  CpuTimes fresh{1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  CpuMergeResult r = MergeCpuTimes(fresh, &kept);
  EXPECT_FALSE(r.reset);
  EXPECT_EQ(r.backwards, 0);
  EXPECT_DOUBLE_EQ(kept.guest_nice, 10);
  EXPECT_DOUBLE_EQ(kept.idle, 4);
}

TEST(MergeCpuTimesTest, FieldThatGoesBackwardsKeepsOldValue) {
  CpuTimes kept{10, 10, 10, 100, 10, 10, 10, 10, 10, 10};
  CpuTimes fresh{11, 9, 12, 99, 10, 10, 10, 10, 8, 10};
  CpuMergeResult r = MergeCpuTimes(fresh, &kept);
  EXPECT_FALSE(r.reset);
  EXPECT_EQ(r.backwards, (1 << 1) | (1 << 3) | (1 << 8));  // nice, idle, guest.
  EXPECT_DOUBLE_EQ(kept.user, 11);
  EXPECT_DOUBLE_EQ(kept.nice, 10);
  EXPECT_DOUBLE_EQ(kept.system, 12);
  EXPECT_DOUBLE_EQ(kept.idle, 100);
  EXPECT_DOUBLE_EQ(kept.guest, 10);
}

TEST(MergeCpuTimesTest, IdleDropOfThreeSecondsResetsCpu) {
  CpuTimes kept{50, 50, 50, 1000, 50, 50, 50, 50, 50, 50};
  CpuTimes fresh{1, 2, 3, 997, 5, 6, 7, 8, 9, 10};
  CpuMergeResult r = MergeCpuTimes(fresh, &kept);
  EXPECT_TRUE(r.reset);
  EXPECT_EQ(r.backwards, 0);
  EXPECT_DOUBLE_EQ(kept.user, 1);
  EXPECT_DOUBLE_EQ(kept.idle, 997);
  EXPECT_DOUBLE_EQ(kept.guest_nice, 10);
}

TEST(MergeCpuTimesTest, IdleDropJustUnderThreeSecondsIsHeld) {
  CpuTimes kept{50, 0, 0, 1000, 0, 0, 0, 0, 0, 0};
  CpuTimes fresh{1, 0, 0, 997.01, 0, 0, 0, 0, 0, 0};
  CpuMergeResult r = MergeCpuTimes(fresh, &kept);
  EXPECT_FALSE(r.reset);
  EXPECT_EQ(r.backwards, (1 << 0) | (1 << 3));
  EXPECT_DOUBLE_EQ(kept.user, 50);
  EXPECT_DOUBLE_EQ(kept.idle, 1000);
}

// -------------------------------------------------------------- collector

TEST(CpuCollectorTest, HandWrittenTreeAllFamilies) {
  FlagValues flags;
  flags.Set("collector.cpu.info", "true");
  flags.Set("collector.cpu.info.flags-include", "^(aes|avx.?|constant_tsc)$");
  flags.Set("collector.cpu.info.bugs-include", "^(cpu_meltdown|spectre_.*|mds)$");
  std::string base = std::string(kTestdata) + "/handwritten";
  auto c = testing::MustCreate(NewCpuCollector, TreeContext(base, &flags));
  ASSERT_NE(c, nullptr);
  expo::MetricSet set;
  Status st = c->Collect(set);
  ASSERT_TRUE(st.ok()) << st.message();

  // /proc/stat: 3 CPUs, 8 modes + 2 guest modes each.
  EXPECT_EQ(set.Count("node_cpu_seconds_total"), 24u);
  EXPECT_EQ(set.Count("node_cpu_guest_seconds_total"), 6u);
  EXPECT_DOUBLE_EQ(set.Find("node_cpu_seconds_total", {{"cpu", "0"}, {"mode", "user"}}), 5);
  EXPECT_DOUBLE_EQ(set.Find("node_cpu_seconds_total", {{"cpu", "1"}, {"mode", "idle"}}), 200);
  EXPECT_DOUBLE_EQ(set.Find("node_cpu_seconds_total", {{"cpu", "10"}, {"mode", "steal"}}), 0.08);
  EXPECT_DOUBLE_EQ(set.Find("node_cpu_guest_seconds_total", {{"cpu", "0"}, {"mode", "user"}}), 0.05);
  EXPECT_DOUBLE_EQ(set.Find("node_cpu_guest_seconds_total", {{"cpu", "0"}, {"mode", "nice"}}), 0.06);
  EXPECT_DOUBLE_EQ(set.Find("node_cpu_guest_seconds_total", {{"cpu", "10"}, {"mode", "nice"}}), 0);

  // /proc/cpuinfo.
  EXPECT_EQ(set.Count("node_cpu_info"), 2u);
  EXPECT_DOUBLE_EQ(set.Find("node_cpu_info", {{"cpu", "1"},
                                              {"package", "0"},
                                              {"core", "0"},
                                              {"vendor", "GenuineIntel"},
                                              {"family", "6"},
                                              {"model", "85"},
                                              {"model_name", "Intel(R) Xeon(R) Test CPU @ 2.00GHz"},
                                              {"microcode", "0x5003604"},
                                              {"stepping", "7"},
                                              {"cachesize", "36608 KB"}}),
                   1);
  EXPECT_DOUBLE_EQ(set.Find("node_cpu_frequency_hertz", {{"cpu", "0"}, {"package", "0"}, {"core", "0"}}),
                   1999.999 * 1e6);
  EXPECT_DOUBLE_EQ(set.Find("node_cpu_frequency_hertz", {{"cpu", "1"}}), 2500.5e6);
  // Only the first CPU's flags and bugs, filtered.
  EXPECT_EQ(set.Count("node_cpu_flag_info"), 4u);
  EXPECT_DOUBLE_EQ(set.Find("node_cpu_flag_info", {{"flag", "avx2"}}), 1);
  EXPECT_TRUE(std::isnan(set.Find("node_cpu_flag_info", {{"flag", "avx512f"}})));
  EXPECT_TRUE(std::isnan(set.Find("node_cpu_flag_info", {{"flag", "fpu"}})));
  EXPECT_EQ(set.Count("node_cpu_bug_info"), 4u);
  EXPECT_TRUE(std::isnan(set.Find("node_cpu_bug_info", {{"bug", "swapgs"}})));

  // sysfs.
  EXPECT_EQ(set.Count("node_cpu_isolated"), 2u);
  EXPECT_DOUBLE_EQ(set.Find("node_cpu_isolated", {{"cpu", "10"}}), 1);
  // cpu1 is cpu0's sibling: its (bogus) 999 counts are never read.
  EXPECT_EQ(set.Count("node_cpu_core_throttles_total"), 2u);
  EXPECT_DOUBLE_EQ(set.Find("node_cpu_core_throttles_total", {{"package", "0"}, {"core", "0"}}), 3);
  EXPECT_DOUBLE_EQ(set.Find("node_cpu_core_throttles_total", {{"package", "1"}, {"core", "2"}}), 11);
  // Package 1's count is missing on cpu10 and is found on cpu11.
  EXPECT_EQ(set.Count("node_cpu_package_throttles_total"), 2u);
  EXPECT_DOUBLE_EQ(set.Find("node_cpu_package_throttles_total", {{"package", "0"}}), 7);
  EXPECT_DOUBLE_EQ(set.Find("node_cpu_package_throttles_total", {{"package", "1"}}), 13);
  // cpu0 has an online file, so every cpu[0-9]* directory is reported.
  EXPECT_EQ(set.Count("node_cpu_online"), 4u);
  EXPECT_DOUBLE_EQ(set.Find("node_cpu_online", {{"cpu", "0"}}), 1);
  EXPECT_DOUBLE_EQ(set.Find("node_cpu_online", {{"cpu", "1"}}), 0);
  EXPECT_DOUBLE_EQ(set.Find("node_cpu_online", {{"cpu", "11"}}), 0);
}

TEST(CpuCollectorTest, RealTreeFromThisMachine) {
  // proc/stat, proc/cpuinfo and the topology/online/isolated files copied
  // from this 2-vCPU VM: no thermal_throttle, cpu0 without "online", and an
  // empty isolated list.
  FlagValues flags;
  flags.Set("collector.cpu.info.flags-include", "^(aes|avx.?|constant_tsc)$");
  flags.Set("collector.cpu.info.bugs-include", "^(cpu_meltdown|spectre_.*|mds)$");
  std::string base = std::string(kTestdata) + "/real";
  auto c = testing::MustCreate(NewCpuCollector, TreeContext(base, &flags));
  ASSERT_NE(c, nullptr);
  expo::MetricSet set;
  Status st = c->Collect(set);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(set.Count("node_cpu_seconds_total"), 16u);
  EXPECT_DOUBLE_EQ(set.Find("node_cpu_seconds_total", {{"cpu", "0"}, {"mode", "idle"}}), 863.65);
  EXPECT_DOUBLE_EQ(set.Find("node_cpu_seconds_total", {{"cpu", "1"}, {"mode", "user"}}), 11.94);
  // Include filters alone switch cpuinfo on.
  EXPECT_EQ(set.Count("node_cpu_info"), 2u);
  EXPECT_DOUBLE_EQ(set.Find("node_cpu_frequency_hertz", {{"cpu", "1"}, {"core", "1"}}), 2596.120 * 1e6);
  std::vector<std::string> flags_lines = testing::RenderedLines(set, {"node_cpu_flag_info", "node_cpu_bug_info"});
  EXPECT_EQ(flags_lines, (std::vector<std::string>{
                             "# TYPE node_cpu_bug_info gauge",
                             "node_cpu_bug_info{bug=\"spectre_v1\"} 1",
                             "node_cpu_bug_info{bug=\"spectre_v2\"} 1",
                             "node_cpu_bug_info{bug=\"spectre_v2_user\"} 1",
                             "# TYPE node_cpu_flag_info gauge",
                             "node_cpu_flag_info{flag=\"aes\"} 1",
                             "node_cpu_flag_info{flag=\"avx\"} 1",
                             "node_cpu_flag_info{flag=\"avx2\"} 1",
                             "node_cpu_flag_info{flag=\"constant_tsc\"} 1",
                         }));
  EXPECT_EQ(set.Count("node_cpu_isolated"), 0u);
  EXPECT_EQ(set.Count("node_cpu_online"), 0u);
  EXPECT_EQ(set.Count("node_cpu_core_throttles_total"), 0u);
  EXPECT_EQ(set.Count("node_cpu_package_throttles_total"), 0u);
}

TEST(CpuCollectorTest, DefaultsWithoutFlagsExportGuestButNoInfo) {
  std::string base = std::string(kTestdata) + "/handwritten";
  auto c = testing::MustCreate(NewCpuCollector, TreeContext(base, nullptr));
  ASSERT_NE(c, nullptr);
  expo::MetricSet set;
  ASSERT_TRUE(c->Collect(set).ok());
  EXPECT_EQ(set.Count("node_cpu_guest_seconds_total"), 6u);
  EXPECT_EQ(set.Count("node_cpu_info"), 0u);
  EXPECT_EQ(set.Count("node_cpu_frequency_hertz"), 0u);
  EXPECT_EQ(set.Count("node_cpu_flag_info"), 0u);
}

TEST(CpuCollectorTest, GuestOffAndCpufreqOff) {
  FlagValues flags;
  flags.Set("collector.cpu.guest", "false");
  flags.Set("collector.cpu.info", "true");
  flags.Set("collector.cpufreq", "false");
  std::string base = std::string(kTestdata) + "/handwritten";
  auto c = testing::MustCreate(NewCpuCollector, TreeContext(base, &flags));
  ASSERT_NE(c, nullptr);
  expo::MetricSet set;
  ASSERT_TRUE(c->Collect(set).ok());
  EXPECT_EQ(set.Count("node_cpu_seconds_total"), 24u);
  EXPECT_EQ(set.Count("node_cpu_guest_seconds_total"), 0u);
  EXPECT_EQ(set.Count("node_cpu_info"), 2u);
  EXPECT_EQ(set.Count("node_cpu_frequency_hertz"), 0u);
  // Info without include filters exports no flag/bug series.
  EXPECT_EQ(set.Count("node_cpu_flag_info"), 0u);
  EXPECT_EQ(set.Count("node_cpu_bug_info"), 0u);
}

TEST(CpuCollectorTest, BadIncludePatternFailsNamingTheFlag) {
  for (const char* flag : {"collector.cpu.info.flags-include", "collector.cpu.info.bugs-include"}) {
    FlagValues flags;
    flags.Set(flag, "(unclosed");
    auto c = NewCpuCollector(TreeContext("/nonexistent", &flags));
    ASSERT_FALSE(c.ok());
    EXPECT_NE(c.status().message().find(flag), std::string::npos) << c.status().message();
  }
}

TEST(CpuCollectorTest, MalformedIsolatedFileFailsCreation) {
  testing::ScratchTree tree("cpu_isolated");
  tree.Write("sys/devices/system/cpu/isolated", "1,x\n");
  auto c = NewCpuCollector(TreeContext(tree.root(), nullptr));
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("isolated"), std::string::npos);
}

TEST(CpuCollectorTest, MissingSysfsIsNotAnError) {
  testing::ScratchTree tree("cpu_nosysfs");
  tree.Write("proc/stat", "cpu0 1 2 3 4 5 6 7 8 9 10\n");
  auto c = testing::MustCreate(NewCpuCollector, TreeContext(tree.root(), nullptr));
  ASSERT_NE(c, nullptr);
  expo::MetricSet set;
  Status st = c->Collect(set);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(set.Count("node_cpu_seconds_total"), 8u);
  EXPECT_EQ(set.Count("node_cpu_isolated"), 0u);
  EXPECT_EQ(set.Count("node_cpu_online"), 0u);
}

TEST(CpuCollectorTest, MissingOrMalformedProcFilesFailTheScrape) {
  testing::ScratchTree tree("cpu_malformed");
  auto c = testing::MustCreate(NewCpuCollector, TreeContext(tree.root(), nullptr));
  ASSERT_NE(c, nullptr);
  expo::MetricSet set;
  Status st = c->Collect(set);
  EXPECT_FALSE(st.ok());
  EXPECT_EQ(st.code(), StatusCode::kError);

  for (const char* bad : {"cpu0 1 2 x\n", "cpuZ 1\n", "softirq 1 2\n", "btime -5\n", "cpu0 \xff\xfe\n"}) {
    tree.Write("proc/stat", bad);
    set.Clear();
    EXPECT_FALSE(c->Collect(set).ok()) << bad;
  }
  // The collector recovers once the file is sane again.
  tree.Write("proc/stat", "cpu0 1 2 3 4 5 6 7 8 9 10\n");
  set.Clear();
  EXPECT_TRUE(c->Collect(set).ok());

  FlagValues flags;
  flags.Set("collector.cpu.info", "true");
  auto info = testing::MustCreate(NewCpuCollector, TreeContext(tree.root(), &flags));
  ASSERT_NE(info, nullptr);
  set.Clear();
  EXPECT_FALSE(info->Collect(set).ok());  // No cpuinfo.
  tree.Write("proc/cpuinfo", "processor : 0\ncpu MHz : ???\n");
  set.Clear();
  EXPECT_FALSE(info->Collect(set).ok());
}

TEST(CpuCollectorTest, CountersNeverGoBackwardsAndHotplugResets) {
  testing::ScratchTree tree("cpu_backwards");
  std::string log_path = tree.Path("log.txt");
  tree.Write("log.txt", "");
  int log_fd = ::open(log_path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  ASSERT_GE(log_fd, 0);
  Logger log(LogLevel::kDebug, LogFormat::kLogfmt, log_fd);

  tree.Write("proc/stat", "cpu0 1000 0 0 50000 0 0 0 0 0 0\ncpu1 1000 0 0 50000 0 0 0 0 0 0\n");
  auto c = testing::MustCreate(NewCpuCollector, TreeContext(tree.root(), nullptr, &log));
  ASSERT_NE(c, nullptr);
  expo::MetricSet set;
  ASSERT_TRUE(c->Collect(set).ok());
  EXPECT_DOUBLE_EQ(set.Find("node_cpu_seconds_total", {{"cpu", "0"}, {"mode", "user"}}), 10);

  // cpu0's user ticks glitch backwards; idle barely moves back (< 3 s).
  // cpu1's idle falls by 400 s: it was hot-replugged and restarts.
  tree.Write("proc/stat", "cpu0 900 0 0 49900 0 0 0 0 0 0\ncpu1 5 0 0 10000 0 0 0 0 0 0\n");
  set.Clear();
  ASSERT_TRUE(c->Collect(set).ok());
  EXPECT_DOUBLE_EQ(set.Find("node_cpu_seconds_total", {{"cpu", "0"}, {"mode", "user"}}), 10);
  EXPECT_DOUBLE_EQ(set.Find("node_cpu_seconds_total", {{"cpu", "0"}, {"mode", "idle"}}), 500);
  EXPECT_DOUBLE_EQ(set.Find("node_cpu_seconds_total", {{"cpu", "1"}, {"mode", "user"}}), 0.05);
  EXPECT_DOUBLE_EQ(set.Find("node_cpu_seconds_total", {{"cpu", "1"}, {"mode", "idle"}}), 100);

  // Forward again: new values are taken.
  tree.Write("proc/stat", "cpu0 1100 0 0 50100 0 0 0 0 0 0\ncpu1 6 0 0 10001 0 0 0 0 0 0\n");
  set.Clear();
  ASSERT_TRUE(c->Collect(set).ok());
  EXPECT_DOUBLE_EQ(set.Find("node_cpu_seconds_total", {{"cpu", "0"}, {"mode", "user"}}), 11);
  EXPECT_DOUBLE_EQ(set.Find("node_cpu_seconds_total", {{"cpu", "1"}, {"mode", "idle"}}), 100.01);
  ::close(log_fd);

  std::string logged;
  ASSERT_TRUE(ReadFileOnce(log_path, &logged).ok());
  EXPECT_NE(logged.find("CPU User counter jumped backwards"), std::string::npos) << logged;
  EXPECT_NE(logged.find("resetting CPU stats"), std::string::npos) << logged;
}

TEST(CpuCollectorTest, OfflineCpuSeriesDisappearAndComeBack) {
  testing::ScratchTree tree("cpu_offline");
  tree.Write("proc/stat", "cpu0 1 1 1 1 1 1 1 1 1 1\ncpu1 2 2 2 2 2 2 2 2 2 2\ncpu2 3 3 3 3 3 3 3 3 3 3\n");
  auto c = testing::MustCreate(NewCpuCollector, TreeContext(tree.root(), nullptr));
  ASSERT_NE(c, nullptr);
  expo::MetricSet set;
  ASSERT_TRUE(c->Collect(set).ok());
  EXPECT_EQ(set.Count("node_cpu_seconds_total"), 24u);

  tree.Write("proc/stat", "cpu0 1 1 1 1 1 1 1 1 1 1\ncpu2 3 3 3 3 3 3 3 3 3 3\n");
  set.Clear();
  ASSERT_TRUE(c->Collect(set).ok());
  EXPECT_EQ(set.Count("node_cpu_seconds_total"), 16u);
  EXPECT_TRUE(std::isnan(set.Find("node_cpu_seconds_total", {{"cpu", "1"}})));
  EXPECT_DOUBLE_EQ(set.Find("node_cpu_seconds_total", {{"cpu", "2"}, {"mode", "user"}}), 0.03);

  // Back online with lower counters: a fresh start, not held values.
  tree.Write("proc/stat", "cpu0 1 1 1 1 1 1 1 1 1 1\ncpu1 1 1 1 1 1 1 1 1 1 1\ncpu2 3 3 3 3 3 3 3 3 3 3\n");
  set.Clear();
  ASSERT_TRUE(c->Collect(set).ok());
  EXPECT_DOUBLE_EQ(set.Find("node_cpu_seconds_total", {{"cpu", "1"}, {"mode", "user"}}), 0.01);
}

// The per-CPU sysfs attributes are read through fds kept open across
// scrapes: changed values must show, and a CPU directory that goes away and
// comes back must be read afresh, not through its old fds.
TEST(CpuCollectorTest, SysfsAttributesAreReadAfreshEachScrape) {
  testing::ScratchTree tree("cpu_kept_attrs");
  tree.Write("proc/stat", "cpu0 1 1 1 1 1 1 1 1 1 1\ncpu1 2 2 2 2 2 2 2 2 2 2\n");
  auto write_cpu = [&](const std::string& cpu, const std::string& online, const std::string& core,
                       const std::string& throttles) {
    const std::string dir = "sys/devices/system/cpu/" + cpu;
    tree.Write(dir + "/online", online + "\n");
    tree.Write(dir + "/topology/physical_package_id", "0\n");
    tree.Write(dir + "/topology/core_id", core + "\n");
    tree.Write(dir + "/thermal_throttle/core_throttle_count", throttles + "\n");
    tree.Write(dir + "/thermal_throttle/package_throttle_count", "7\n");
  };
  write_cpu("cpu0", "1", "0", "10");
  write_cpu("cpu1", "1", "1", "20");
  auto c = testing::MustCreate(NewCpuCollector, TreeContext(tree.root(), nullptr));
  ASSERT_NE(c, nullptr);
  expo::MetricSet set;
  ASSERT_TRUE(c->Collect(set).ok());
  EXPECT_EQ(set.Find("node_cpu_online", {{"cpu", "1"}}), 1);
  EXPECT_EQ(set.Find("node_cpu_core_throttles_total", {{"package", "0"}, {"core", "1"}}), 20);
  EXPECT_EQ(set.Find("node_cpu_package_throttles_total", {{"package", "0"}}), 7);

  write_cpu("cpu1", "0", "1", "21");
  set.Clear();
  ASSERT_TRUE(c->Collect(set).ok());
  EXPECT_EQ(set.Find("node_cpu_online", {{"cpu", "1"}}), 0);
  EXPECT_EQ(set.Find("node_cpu_core_throttles_total", {{"package", "0"}, {"core", "1"}}), 21);

  // cpu1 disappears, then comes back (new files) as another core.
  std::filesystem::remove_all(tree.Path("sys/devices/system/cpu/cpu1"));
  set.Clear();
  ASSERT_TRUE(c->Collect(set).ok());
  EXPECT_EQ(set.Count("node_cpu_online"), 1u);
  EXPECT_EQ(set.Count("node_cpu_core_throttles_total"), 1u);
  write_cpu("cpu1", "1", "5", "50");
  set.Clear();
  ASSERT_TRUE(c->Collect(set).ok());
  EXPECT_EQ(set.Find("node_cpu_online", {{"cpu", "1"}}), 1);
  EXPECT_EQ(set.Find("node_cpu_core_throttles_total", {{"package", "0"}, {"core", "5"}}), 50);
  EXPECT_TRUE(std::isnan(set.Find("node_cpu_core_throttles_total", {{"package", "0"}, {"core", "1"}})));
}

TEST(CpuCollectorTest, SteadyStateScrapesReuseBuffers) {
  // Scraping many times must not grow the collector's output (no stale
  // series, no duplicated samples).
  std::string base = std::string(kTestdata) + "/handwritten";
  FlagValues flags;
  flags.Set("collector.cpu.info", "true");
  auto c = testing::MustCreate(NewCpuCollector, TreeContext(base, &flags));
  ASSERT_NE(c, nullptr);
  expo::MetricSet set;
  size_t first = 0;
  for (int i = 0; i < 50; ++i) {
    set.Clear();
    ASSERT_TRUE(c->Collect(set).ok());
    if (i == 0) first = set.samples().size();
    EXPECT_EQ(set.samples().size(), first);
  }
}

// The kit's fixture tree, rendered, must equal node_exporter 1.12.1's
// expected output for the cpu collector's families.
TEST(CpuCollectorTest, ConformanceKitFixtures) {
  NODEX_REQUIRE_KIT(kit);
  testing::ScopedKitDir cd(kit);
  FlagValues flags;
  flags.Set("collector.cpu.info", "true");
  flags.Set("collector.cpu.info.bugs-include", "^(cpu_meltdown|spectre_.*|mds)$");
  flags.Set("collector.cpu.info.flags-include", "^(aes|avx.?|constant_tsc)$");
  auto c = testing::MustCreate(NewCpuCollector, testing::KitContext(&flags, nullptr));
  ASSERT_NE(c, nullptr);
  expo::MetricSet set;
  Status st = c->Collect(set);
  ASSERT_TRUE(st.ok()) << st.message();

  const std::vector<std::string> families = {
      "node_cpu_bug_info",        "node_cpu_core_throttles_total",    "node_cpu_flag_info",
      "node_cpu_frequency_hertz", "node_cpu_guest_seconds_total",     "node_cpu_info",
      "node_cpu_isolated",        "node_cpu_package_throttles_total", "node_cpu_seconds_total",
      "node_cpu_online"};
  std::vector<std::string> expected = testing::ExpectedLines(kit, families);
  ASSERT_EQ(expected.size(), 9u + 116u - 1u);  // 9 TYPE lines, 115 series.
  EXPECT_EQ(testing::RenderedLines(set, families), expected);
}

}  // namespace
}  // namespace nodex::collectors
