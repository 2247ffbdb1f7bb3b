#include "collectors/stat.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "base/file_reader.h"
#include "expo/metric_set.h"
#include "expo/text_writer.h"

namespace nodex::collectors {
namespace {

namespace fs = std::filesystem;

constexpr char kKit[] = "../shared/conformance/node_exporter";

Context MakeContext(std::string procfs, const FlagValues* flags) {
  Context ctx;
  ctx.paths.procfs = std::move(procfs);
  ctx.paths.sysfs = "/nonexistent/sys";
  ctx.flags = flags;
  return ctx;
}

std::unique_ptr<Collector> MustCreate(const Context& ctx) {
  auto c = NewStatCollector(ctx);
  EXPECT_TRUE(c.ok()) << c.status().message();
  if (!c.ok()) return nullptr;
  return std::move(c.value());
}

class TempProc {
 public:
  TempProc() {
    char tmpl[] = "/tmp/nodex_stat_test_XXXXXX";
    const char* dir = ::mkdtemp(tmpl);
    EXPECT_NE(dir, nullptr);
    root_ = dir;
  }
  ~TempProc() {
    std::error_code ec;
    fs::remove_all(root_, ec);
  }
  // Rewrites in place so a kept-open fd sees the new content.
  void WriteStat(std::string_view content) {
    std::ofstream out(root_ + "/stat", std::ios::binary | std::ios::trunc);
    out << content;
  }
  const std::string& dir() const { return root_; }

 private:
  std::string root_;
};

std::vector<std::string> FamilyLines(std::string_view text, const std::set<std::string, std::less<>>& families) {
  std::vector<std::string> out;
  std::istringstream in{std::string(text)};
  std::string line;
  while (std::getline(in, line)) {
    std::string_view name;
    if (line.starts_with("# HELP ")) continue;
    if (line.starts_with("# TYPE ")) {
      std::string_view rest = std::string_view(line).substr(7);
      name = rest.substr(0, rest.find(' '));
    } else {
      name = std::string_view(line).substr(0, line.find_first_of("{ "));
    }
    if (families.count(name) != 0) out.push_back(line);
  }
  return out;
}

const std::set<std::string, std::less<>> kStatFamilies = {
    "node_boot_time_seconds", "node_context_switches_total", "node_forks_total",   "node_intr_total",
    "node_procs_blocked",     "node_procs_running",          "node_softirqs_total"};

TEST(StatCollectorTest, RealCaptureFromThisMachine) {
  auto c = MustCreate(MakeContext("src/collectors/testdata/stat/real/proc", nullptr));
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
  auto c = MustCreate(MakeContext("src/collectors/testdata/stat/real/proc", &flags));
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
  TempProc proc;
  // No btime, no procs_blocked: procfs leaves them 0 and node_exporter
  // exports the zero. The huge ctxt shows float64 rounding like Go's.
  proc.WriteStat("cpu0 1 2 3\nintr 7 1 2 3 1\nctxt 18446744073709551615\nprocesses 12\nprocs_running 3\n");
  auto c = MustCreate(MakeContext(proc.dir(), nullptr));
  ASSERT_NE(c, nullptr);
  expo::MetricSet set;
  ASSERT_TRUE(c->Collect(set).ok());
  expo::TextWriter writer;
  std::string text;
  writer.Write(set, &text);
  EXPECT_EQ(FamilyLines(text, kStatFamilies), (std::vector<std::string>{
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
  TempProc proc;
  FlagValues flags;
  flags.Set("collector.stat.softirq", "true");
  auto c = MustCreate(MakeContext(proc.dir(), &flags));
  ASSERT_NE(c, nullptr);
  expo::MetricSet set;
  Status st = c->Collect(set);  // No stat file yet.
  EXPECT_FALSE(st.ok());
  EXPECT_EQ(st.code(), StatusCode::kError);

  for (const char* bad : {"btime soon\n", "ctxt 99999999999999999999\n", "softirq 1 2 3\n", "intr 1 2 x\n",
                          "cpu0 1 2 three\n", "procs_running -1\n"}) {
    proc.WriteStat(bad);
    set.Clear();
    EXPECT_FALSE(c->Collect(set).ok()) << bad;
    EXPECT_EQ(set.samples().size(), 0u) << "nothing is exported from a malformed file: " << bad;
  }

  proc.WriteStat("");
  set.Clear();
  ASSERT_TRUE(c->Collect(set).ok());
  EXPECT_EQ(set.samples().size(), 16u);  // Six zeros plus ten zero vectors.
  EXPECT_DOUBLE_EQ(set.Find("node_boot_time_seconds"), 0);
}

TEST(StatCollectorTest, ConformanceKitFixtures) {
  std::error_code ec;
  if (!fs::exists(std::string(kKit) + "/e2e-output.txt", ec)) {
    GTEST_SKIP() << "conformance kit not found at " << kKit << " (../shared is not on this machine)";
  }
  FlagValues flags;
  flags.Set("collector.stat.softirq", "true");
  auto c = MustCreate(MakeContext(std::string(kKit) + "/collector/fixtures/proc", &flags));
  ASSERT_NE(c, nullptr);
  expo::MetricSet set;
  Status st = c->Collect(set);
  ASSERT_TRUE(st.ok()) << st.message();
  expo::TextWriter writer;
  std::string text;
  writer.Write(set, &text);

  std::string expected_text;
  ASSERT_TRUE(ReadFileOnce(std::string(kKit) + "/e2e-output.txt", &expected_text).ok());
  std::vector<std::string> expected = FamilyLines(expected_text, kStatFamilies);
  ASSERT_EQ(expected.size(), 7u + 16u);  // 7 TYPE lines, 16 series.
  EXPECT_EQ(FamilyLines(text, kStatFamilies), expected);
}

}  // namespace
}  // namespace nodex::collectors
