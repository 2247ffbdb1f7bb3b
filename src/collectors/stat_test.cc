#include "collectors/stat.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "collectors/testing/kit.h"
#include "collectors/testing/scratch.h"
#include "expo/metric_set.h"

namespace nodex::collectors {
namespace {

const std::vector<std::string> kStatFamilies = {
    "node_boot_time_seconds", "node_context_switches_total", "node_forks_total",   "node_intr_total",
    "node_procs_blocked",     "node_procs_running",          "node_softirqs_total"};

TEST(StatCollectorTest, RealCaptureFromThisMachine) {
  auto c = testing::MustCreate(NewStatCollector, testing::ProcContext("src/collectors/testdata/stat/real/proc"));
  ASSERT_NE(c, nullptr);
  expo::MetricSet set;
  Status st = c->Collect(set);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_DOUBLE_EQ(set.Find("node_boot_time_seconds"), 1795813166);
  EXPECT_DOUBLE_EQ(set.Find("node_context_switches_total"), 311837);
  EXPECT_DOUBLE_EQ(set.Find("node_forks_total"), 7056);
  EXPECT_DOUBLE_EQ(set.Find("node_intr_total"), 144380);
  EXPECT_DOUBLE_EQ(set.Find("node_procs_running"), 1);
  EXPECT_DOUBLE_EQ(set.Find("node_procs_blocked"), 0);
  // --collector.stat.softirq defaults to off.
  EXPECT_EQ(set.Count("node_softirqs_total"), 0u);
  EXPECT_EQ(set.samples().size(), 6u);
}

TEST(StatCollectorTest, SoftirqVectorsWhenEnabled) {
  FlagValues flags;
  flags.Set("collector.stat.softirq", "true");
  auto c =
      testing::MustCreate(NewStatCollector, testing::ProcContext("src/collectors/testdata/stat/real/proc", &flags));
  ASSERT_NE(c, nullptr);
  expo::MetricSet set;
  ASSERT_TRUE(c->Collect(set).ok());
  EXPECT_EQ(set.Count("node_softirqs_total"), 10u);
  // softirq 106430 0 14955 4 1506 39196 0 3 28516 0 22250
  EXPECT_DOUBLE_EQ(set.Find("node_softirqs_total", {{"vector", "hi"}}), 0);
  EXPECT_DOUBLE_EQ(set.Find("node_softirqs_total", {{"vector", "timer"}}), 14955);
  EXPECT_DOUBLE_EQ(set.Find("node_softirqs_total", {{"vector", "net_tx"}}), 4);
  EXPECT_DOUBLE_EQ(set.Find("node_softirqs_total", {{"vector", "net_rx"}}), 1506);
  EXPECT_DOUBLE_EQ(set.Find("node_softirqs_total", {{"vector", "block"}}), 39196);
  EXPECT_DOUBLE_EQ(set.Find("node_softirqs_total", {{"vector", "block_iopoll"}}), 0);
  EXPECT_DOUBLE_EQ(set.Find("node_softirqs_total", {{"vector", "tasklet"}}), 3);
  EXPECT_DOUBLE_EQ(set.Find("node_softirqs_total", {{"vector", "sched"}}), 28516);
  EXPECT_DOUBLE_EQ(set.Find("node_softirqs_total", {{"vector", "hrtimer"}}), 0);
  EXPECT_DOUBLE_EQ(set.Find("node_softirqs_total", {{"vector", "rcu"}}), 22250);
}

TEST(StatCollectorTest, HandWrittenRenderingAndMissingKeysAreZero) {
  testing::ScratchTree proc("stat_handwritten");
  // No btime, no procs_blocked: procfs leaves them 0 and node_exporter
  // exports the zero. The huge ctxt shows float64 rounding like Go's.
  proc.Write("stat", "cpu0 1 2 3\nintr 7 1 2 3 1\nctxt 18446744073709551615\nprocesses 12\nprocs_running 3\n");
  auto c = testing::MustCreate(NewStatCollector, testing::ProcContext(proc.root()));
  ASSERT_NE(c, nullptr);
  expo::MetricSet set;
  ASSERT_TRUE(c->Collect(set).ok());
  EXPECT_EQ(testing::RenderedLines(set, kStatFamilies), (std::vector<std::string>{
                                                            "# TYPE node_boot_time_seconds gauge",
                                                            "node_boot_time_seconds 0",
                                                            "# TYPE node_context_switches_total counter",
                                                            "node_context_switches_total 1.8446744073709552e+19",
                                                            "# TYPE node_forks_total counter",
                                                            "node_forks_total 12",
                                                            "# TYPE node_intr_total counter",
                                                            "node_intr_total 7",
                                                            "# TYPE node_procs_blocked gauge",
                                                            "node_procs_blocked 0",
                                                            "# TYPE node_procs_running gauge",
                                                            "node_procs_running 3",
                                                        }));
}

TEST(StatCollectorTest, MalformedMissingAndEmptyFiles) {
  // ScratchTree::Write rewrites in place, so a kept-open fd sees the new content.
  testing::ScratchTree proc("stat_malformed");
  FlagValues flags;
  flags.Set("collector.stat.softirq", "true");
  auto c = testing::MustCreate(NewStatCollector, testing::ProcContext(proc.root(), &flags));
  ASSERT_NE(c, nullptr);
  expo::MetricSet set;
  Status st = c->Collect(set);  // No stat file yet.
  EXPECT_FALSE(st.ok());
  EXPECT_EQ(st.code(), StatusCode::kError);

  for (const char* bad : {"btime soon\n", "ctxt 99999999999999999999\n", "softirq 1 2 3\n", "intr 1 2 x\n",
                          "cpu0 1 2 three\n", "procs_running -1\n"}) {
    proc.Write("stat", bad);
    set.Clear();
    EXPECT_FALSE(c->Collect(set).ok()) << bad;
    EXPECT_EQ(set.samples().size(), 0u) << "nothing is exported from a malformed file: " << bad;
  }

  proc.Write("stat", "");
  set.Clear();
  ASSERT_TRUE(c->Collect(set).ok());
  EXPECT_EQ(set.samples().size(), 16u);  // Six zeros plus ten zero vectors.
  EXPECT_DOUBLE_EQ(set.Find("node_boot_time_seconds"), 0);
}

TEST(StatCollectorTest, ConformanceKitFixtures) {
  NODEX_REQUIRE_KIT(kit);
  testing::ScopedKitDir cd(kit);
  FlagValues flags;
  flags.Set("collector.stat.softirq", "true");
  auto c = testing::MustCreate(NewStatCollector, testing::KitContext(&flags, nullptr));
  ASSERT_NE(c, nullptr);
  expo::MetricSet set;
  Status st = c->Collect(set);
  ASSERT_TRUE(st.ok()) << st.message();

  std::vector<std::string> expected = testing::ExpectedLines(kit, kStatFamilies);
  ASSERT_EQ(expected.size(), 7u + 16u);  // 7 TYPE lines, 16 series.
  EXPECT_EQ(testing::RenderedLines(set, kStatFamilies), expected);
}

}  // namespace
}  // namespace nodex::collectors
