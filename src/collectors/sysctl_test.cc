#include "collectors/sysctl.h"

#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "collectors/testing/kit.h"
#include "collectors/testing/scratch.h"

namespace nodex::collectors {
namespace {

TEST(ParseSysctlIncludeTest, NameAndKeys) {
  SysctlSpec s = ParseSysctlInclude("fs.file-nr", true);
  EXPECT_EQ(s.name, "fs.file-nr");
  EXPECT_TRUE(s.keys.empty());
  s = ParseSysctlInclude("fs.file-nr:total,current,max", true);
  EXPECT_EQ(s.name, "fs.file-nr");
  EXPECT_EQ(s.keys, (std::vector<std::string>{"total", "current", "max"}));
  s = ParseSysctlInclude("a.b:", false);
  EXPECT_EQ(s.keys, (std::vector<std::string>{""}));
  EXPECT_FALSE(s.numeric);
  s = ParseSysctlInclude("a:b:c", true);
  EXPECT_EQ(s.name, "a");
  EXPECT_EQ(s.keys, (std::vector<std::string>{"b:c"}));
}

TEST(SanitizeSysctlNameTest, LikeNodeExporter) {
  EXPECT_EQ(SanitizeSysctlName("fs.file-nr"), "fs_file_nr");
  EXPECT_EQ(SanitizeSysctlName("kernel.threads-max"), "kernel_threads_max");
  EXPECT_EQ(SanitizeSysctlName("net.ipv4.tcp_rmem"), "net_ipv4_tcp_rmem");
  EXPECT_EQ(SanitizeSysctlName("a_.b"), "a_b");
  EXPECT_EQ(SanitizeSysctlName("a._b"), "a_b");
  EXPECT_EQ(SanitizeSysctlName("a__b"), "a__b");
  EXPECT_EQ(SanitizeSysctlName("__a"), "__a");
  EXPECT_EQ(SanitizeSysctlName("a_.-._b"), "a_b");
  EXPECT_EQ(SanitizeSysctlName(".a."), "_a_");
}

TEST(ParseSysctlIntsTest, GoBaseZeroIntegers) {
  std::vector<int64_t> v;
  ASSERT_TRUE(ParseSysctlInts("1024\t0\t1631329\n", &v).ok());
  EXPECT_EQ(v, (std::vector<int64_t>{1024, 0, 1631329}));
  ASSERT_TRUE(ParseSysctlInts("-1 0x10 010 0b11 0o17 +5 -9223372036854775808 9223372036854775807", &v).ok());
  EXPECT_EQ(v, (std::vector<int64_t>{-1, 16, 8, 3, 15, 5, INT64_MIN, INT64_MAX}));
  ASSERT_TRUE(ParseSysctlInts("\n", &v).ok());
  EXPECT_TRUE(v.empty());
}

TEST(ParseSysctlIntsTest, RejectsNonIntegers) {
  std::vector<int64_t> v;
  for (const char* bad : {"abc", "1 x", "1.5", "0x", "-", "9223372036854775808", "-9223372036854775809", "08", "0b2",
                          "1_000", "18446744073709551616"}) {
    EXPECT_FALSE(ParseSysctlInts(bad, &v).ok()) << "input: '" << bad << "'";
  }
}

TEST(ParseSysctlStringsTest, Words) {
  std::vector<std::string_view> w;
  ParseSysctlStrings("kill_process kill_thread\ttrap\n", &w);
  EXPECT_EQ(w, (std::vector<std::string_view>{"kill_process", "kill_thread", "trap"}));
  ParseSysctlStrings("", &w);
  EXPECT_TRUE(w.empty());
}

TEST(SysctlCollectorTest, RealCaptureFromThisMachine) {
  // Copied from this machine's /proc/sys (fs/file-nr, kernel/threads-max, ...).
  FlagValues flags;
  flags.SetList("collector.sysctl.include",
                {"fs.file-nr", "fs.file-nr:total,current,max", "kernel.threads-max", "net.ipv4.ip_local_port_range",
                 "kernel.printk:current,default,minimum,boot"});
  flags.SetList("collector.sysctl.include-info", {"kernel.seccomp.actions_avail", "kernel.pid_max"});
  auto collector =
      testing::MustCreate(NewSysctlCollector, testing::ProcContext("src/collectors/testdata/sysctl/real", &flags));
  expo::MetricSet set;
  Status st = collector->Collect(set);
  ASSERT_TRUE(st.ok()) << st.message() << " (run from the repository root)";
  EXPECT_EQ(set.Find("node_sysctl_fs_file_nr", {{"index", "2"}}), 2466170.0);
  EXPECT_EQ(set.Find("node_sysctl_fs_file_nr_total"), 778.0);
  EXPECT_EQ(set.Find("node_sysctl_kernel_threads_max"), 192730.0);
  EXPECT_EQ(set.Find("node_sysctl_net_ipv4_ip_local_port_range", {{"index", "1"}}), 60999.0);
  EXPECT_EQ(set.Find("node_sysctl_kernel_printk_boot"), 7.0);
  EXPECT_EQ(set.Count("node_sysctl_info"), 9u);
  EXPECT_EQ(set.Find("node_sysctl_info", {{"name", "kernel.pid_max"}, {"value", "32768"}, {"index", "0"}}), 1.0);
}

TEST(SysctlCollectorTest, NoFlagsNoSamples) {
  FlagValues flags;
  testing::ScratchTree dir("sysctl_noflags");
  auto collector = testing::MustCreate(NewSysctlCollector, testing::ProcContext(dir.root(), &flags));
  expo::MetricSet set;
  EXPECT_TRUE(collector->Collect(set).ok());
  EXPECT_EQ(set.samples().size(), 0u);
}

TEST(SysctlCollectorTest, ErrorsLikeNodeExporter) {
  testing::ScratchTree dir("sysctl_errors");
  dir.Write("sys/a/one", "5\n");
  dir.Write("sys/a/two", "5 6\n");
  dir.Write("sys/a/empty", "\n");
  dir.Write("sys/a/text", "x y\n");
  struct Case {
    const char* flag;
    const char* value;
  } cases[] = {
      {"collector.sysctl.include", "a.missing"},       {"collector.sysctl.include", "a.one:k"},
      {"collector.sysctl.include", "a.two:k"},         {"collector.sysctl.include", "a.two:k,l,m"},
      {"collector.sysctl.include", "a.empty"},         {"collector.sysctl.include", "a.text"},
      {"collector.sysctl.include-info", "a.text:k,l"}, {"collector.sysctl.include-info", "a.empty"},
  };
  for (const Case& c : cases) {
    FlagValues flags;
    flags.SetList(c.flag, {c.value});
    auto collector = testing::MustCreate(NewSysctlCollector, testing::ProcContext(dir.root(), &flags));
    expo::MetricSet set;
    EXPECT_FALSE(collector->Collect(set).ok()) << c.flag << "=" << c.value;
    EXPECT_EQ(set.samples().size(), 0u);
  }
}

TEST(SysctlCollectorTest, EarlierSysctlsSurviveALaterFailureAndValuesAreReread) {
  testing::ScratchTree dir("sysctl_partial");
  dir.Write("sys/a/one", "5\n");
  dir.Write("sys/a/bad", "five\n");
  FlagValues flags;
  flags.SetList("collector.sysctl.include", {"a.one", "a.bad"});
  auto collector = testing::MustCreate(NewSysctlCollector, testing::ProcContext(dir.root(), &flags));
  expo::MetricSet set;
  EXPECT_EQ(collector->Collect(set).code(), StatusCode::kError);
  EXPECT_EQ(set.Find("node_sysctl_a_one"), 5.0);

  dir.Write("sys/a/bad", "6\n");
  {
    std::ofstream out(dir.Path("sys/a/one"), std::ios::binary | std::ios::in);
    out << "7\n";
  }
  set.Clear();
  ASSERT_TRUE(collector->Collect(set).ok());
  EXPECT_EQ(set.Find("node_sysctl_a_one"), 7.0);
  EXPECT_EQ(set.Find("node_sysctl_a_bad"), 6.0);
}

TEST(SysctlCollectorTest, LongValuesAreReadWhole) {
  testing::ScratchTree dir("sysctl_long");
  std::string text;
  for (int i = 0; i < 100; ++i) text += std::to_string(i) + " ";
  dir.Write("sys/a/long", text + "\n");
  FlagValues flags;
  flags.SetList("collector.sysctl.include", {"a.long"});
  auto collector = testing::MustCreate(NewSysctlCollector, testing::ProcContext(dir.root(), &flags));
  expo::MetricSet set;
  ASSERT_TRUE(collector->Collect(set).ok());
  EXPECT_EQ(set.Count("node_sysctl_a_long"), 100u);
}

TEST(SysctlCollectorTest, MatchesNodeExporterOnConformanceFixtures) {
  NODEX_REQUIRE_KIT(kit);
  testing::ScopedKitDir cd(kit);
  // node_exporter's e2e flags for sysctl.
  FlagValues flags;
  flags.SetList("collector.sysctl.include", {"fs.file-nr", "fs.file-nr:total,current,max", "kernel.threads-max"});
  flags.SetList("collector.sysctl.include-info", {"kernel.seccomp.actions_avail"});
  Logger log;
  Context ctx = testing::KitContext(&flags, &log);
  auto made = NewSysctlCollector(ctx);
  ASSERT_TRUE(made.ok());
  expo::MetricSet set;
  ASSERT_TRUE((*made)->Collect(set).ok());
  const std::vector<std::string> families = {"node_sysctl_fs_file_nr",     "node_sysctl_fs_file_nr_current",
                                             "node_sysctl_fs_file_nr_max", "node_sysctl_fs_file_nr_total",
                                             "node_sysctl_info",           "node_sysctl_kernel_threads_max"};
  auto expected = testing::ExpectedLines(kit, families);
  EXPECT_EQ(expected.size(), 6u + 15u);
  EXPECT_EQ(testing::RenderedLines(set, families), expected);
}

}  // namespace
}  // namespace nodex::collectors
