#include "collectors/proc_stat.h"

#include <gtest/gtest.h>

#include <string>

#include "collectors/testing/scratch.h"

namespace nodex::collectors {
namespace {

TEST(ParseProcStatTest, RealCaptureFromThisMachine) {
  // Captured from /proc/stat of a 2-vCPU x86_64 VM (kernel 6.x).
  std::string content = testing::ReadTestdata("src/collectors/testdata/proc_stat/real_x86_64_2cpu.txt");
  ProcStat stat;
  Status st = ParseProcStat(content, &stat);
  ASSERT_TRUE(st.ok()) << st.message();
  ASSERT_EQ(stat.cpus.size(), 2u);
  EXPECT_EQ(stat.cpus[0].id, 0);
  EXPECT_EQ(stat.cpus[1].id, 1);
  EXPECT_DOUBLE_EQ(stat.cpus[0].times.user, 7.37);
  EXPECT_DOUBLE_EQ(stat.cpus[0].times.system, 7.25);
  EXPECT_DOUBLE_EQ(stat.cpus[0].times.idle, 863.65);
  EXPECT_DOUBLE_EQ(stat.cpus[1].times.iowait, 2.57);
  EXPECT_DOUBLE_EQ(stat.cpus[1].times.steal, 0.06);
  EXPECT_DOUBLE_EQ(stat.cpu_total.user, 19.32);
  EXPECT_EQ(stat.irq_total, 144380u);
  EXPECT_EQ(stat.context_switches, 311837u);
  EXPECT_EQ(stat.boot_time, 1795813166u);
  EXPECT_EQ(stat.processes_created, 7056u);
  EXPECT_EQ(stat.procs_running, 1u);
  EXPECT_EQ(stat.procs_blocked, 0u);
  EXPECT_EQ(stat.softirq_total, 106430u);
  EXPECT_EQ(stat.softirq[1], 14955u);  // timer
  EXPECT_EQ(stat.softirq[9], 22250u);  // rcu
}

TEST(ParseProcStatTest, HandWrittenEveryField) {
  constexpr std::string_view kContent =
      "cpu  10 20 30 40 50 60 70 80 90 100\n"
      "cpu0 1 2 3 4 5 6 7 8 9 10\n"
      "cpu7\t100 200 300 400 500 600 700 800 900 1000\n"
      "intr 12345 1 2 3\n"
      "ctxt 18446744073709551615\n"
      "btime 1418183276\n"
      "processes 26442\n"
      "procs_running 2\n"
      "procs_blocked 3\n"
      "softirq 55 1 2 3 4 5 6 7 8 9 10\n";
  ProcStat stat;
  ASSERT_TRUE(ParseProcStat(kContent, &stat).ok());
  ASSERT_EQ(stat.cpus.size(), 2u);
  EXPECT_EQ(stat.cpus[1].id, 7);
  const CpuTimes& t = stat.cpus[1].times;
  EXPECT_DOUBLE_EQ(t.user, 1);
  EXPECT_DOUBLE_EQ(t.nice, 2);
  EXPECT_DOUBLE_EQ(t.system, 3);
  EXPECT_DOUBLE_EQ(t.idle, 4);
  EXPECT_DOUBLE_EQ(t.iowait, 5);
  EXPECT_DOUBLE_EQ(t.irq, 6);
  EXPECT_DOUBLE_EQ(t.softirq, 7);
  EXPECT_DOUBLE_EQ(t.steal, 8);
  EXPECT_DOUBLE_EQ(t.guest, 9);
  EXPECT_DOUBLE_EQ(t.guest_nice, 10);
  EXPECT_DOUBLE_EQ(stat.cpu_total.guest_nice, 1);
  EXPECT_EQ(stat.irq_total, 12345u);
  EXPECT_EQ(stat.context_switches, 18446744073709551615u);
  EXPECT_EQ(stat.boot_time, 1418183276u);
  EXPECT_EQ(stat.processes_created, 26442u);
  EXPECT_EQ(stat.procs_running, 2u);
  EXPECT_EQ(stat.procs_blocked, 3u);
  EXPECT_EQ(stat.softirq_total, 55u);
  for (size_t i = 0; i < kSoftirqVectors.size(); ++i) EXPECT_EQ(stat.softirq[i], i + 1) << kSoftirqVectors[i];
}

TEST(ParseProcStatTest, OldKernelShortCpuLinesReadMissingColumnsAsZero) {
  ProcStat stat;
  ASSERT_TRUE(ParseProcStat("cpu0 100 200 300 400 500 600 700 800\ncpu1 5\n", &stat).ok());
  ASSERT_EQ(stat.cpus.size(), 2u);
  EXPECT_DOUBLE_EQ(stat.cpus[0].times.steal, 8);
  EXPECT_DOUBLE_EQ(stat.cpus[0].times.guest, 0);
  EXPECT_DOUBLE_EQ(stat.cpus[0].times.guest_nice, 0);
  EXPECT_DOUBLE_EQ(stat.cpus[1].times.user, 0.05);
  EXPECT_DOUBLE_EQ(stat.cpus[1].times.nice, 0);
}

TEST(ParseProcStatTest, ExtraColumnsUnknownKeysAndLoneKeysAreIgnored) {
  ProcStat stat;
  Status st = ParseProcStat(
      "cpu3 1 2 3 4 5 6 7 8 9 10 11 junk\n"
      "newkey 1 2 3\n"
      "ctxt\n"
      "\n"
      "   \n"
      "softirq 1 2 3 4 5 6 7 8 9 10 11 12\n",
      &stat);
  ASSERT_TRUE(st.ok()) << st.message();
  ASSERT_EQ(stat.cpus.size(), 1u);
  EXPECT_DOUBLE_EQ(stat.cpus[0].times.guest_nice, 0.1);
  EXPECT_EQ(stat.context_switches, 0u);
  EXPECT_EQ(stat.softirq[9], 11u);
}

TEST(ParseProcStatTest, EmptyFileGivesZeroesLikeProcfs) {
  ProcStat stat;
  stat.boot_time = 99;
  stat.cpus.push_back({});
  ASSERT_TRUE(ParseProcStat("", &stat).ok());
  EXPECT_TRUE(stat.cpus.empty());
  EXPECT_EQ(stat.boot_time, 0u);
}

TEST(ParseProcStatTest, ReuseResetsPreviousValues) {
  ProcStat stat;
  ASSERT_TRUE(ParseProcStat("cpu0 1\ncpu1 2\nbtime 5\nsoftirq 1 1 1 1 1 1 1 1 1 1 1\n", &stat).ok());
  ASSERT_TRUE(ParseProcStat("cpu4 1\n", &stat).ok());
  ASSERT_EQ(stat.cpus.size(), 1u);
  EXPECT_EQ(stat.cpus[0].id, 4);
  EXPECT_EQ(stat.boot_time, 0u);
  EXPECT_EQ(stat.softirq[0], 0u);
}

TEST(ParseProcStatTest, MissingTrailingNewline) {
  ProcStat stat;
  ASSERT_TRUE(ParseProcStat("btime 42", &stat).ok());
  EXPECT_EQ(stat.boot_time, 42u);
}

struct MalformedCase {
  const char* name;
  const char* content;
};

class ParseProcStatMalformedTest : public ::testing::TestWithParam<MalformedCase> {};

TEST_P(ParseProcStatMalformedTest, IsAnError) {
  ProcStat stat;
  Status st = ParseProcStat(GetParam().content, &stat);
  EXPECT_FALSE(st.ok());
  EXPECT_EQ(st.code(), StatusCode::kError);
  EXPECT_NE(st.message().find("/proc/stat"), std::string::npos) << st.message();
}

INSTANTIATE_TEST_SUITE_P(
    All, ParseProcStatMalformedTest,
    ::testing::Values(MalformedCase{"NonNumericBtime", "btime abc\n"}, MalformedCase{"NegativeCtxt", "ctxt -1\n"},
                      MalformedCase{"OverflowingProcesses", "processes 18446744073709551616\n"},
                      MalformedCase{"TrailingGarbage", "procs_running 2x\n"},
                      MalformedCase{"FloatProcsBlocked", "procs_blocked 1.5\n"},
                      MalformedCase{"BadIntrTotal", "intr x 1 2\n"},
                      MalformedCase{"BadIntrColumn", "intr 10 1 two 3\n"},
                      MalformedCase{"TruncatedSoftirq", "softirq 5057579 250191 1481983\n"},
                      MalformedCase{"BadSoftirqVector", "softirq 1 2 3 4 5 6 7 8 9 10 eleven\n"},
                      MalformedCase{"BadCpuValue", "cpu0 1 2 three 4\n"}, MalformedCase{"CpuHexValue", "cpu0 0x10\n"},
                      MalformedCase{"CpuIdNotNumber", "cpuX 1 2 3\n"}, MalformedCase{"CpuIdNegative", "cpu-1 1 2 3\n"},
                      MalformedCase{"CpuIdHuge", "cpu99999999999999999999 1 2\n"},
                      MalformedCase{"BinaryGarbage", "cpu0 \x01\x02\x03\n"}),
    [](const ::testing::TestParamInfo<MalformedCase>& info) { return info.param.name; });

TEST(ParseProcStatTest, HugeCpuTicksStayFinite) {
  ProcStat stat;
  ASSERT_TRUE(ParseProcStat("cpu0 18446744073709551615 1e300\n", &stat).ok());
  EXPECT_DOUBLE_EQ(stat.cpus[0].times.user, 18446744073709551615.0 / 100);
  EXPECT_DOUBLE_EQ(stat.cpus[0].times.nice, 1e298);
}

}  // namespace
}  // namespace nodex::collectors
