#include "collectors/processes.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "base/file_reader.h"
#include "collectors/testing/kit.h"
#include "collectors/testing/scratch.h"

namespace nodex::collectors {
namespace {

constexpr char kSystemd[] =
    "1 (systemd) S 0 1 1 0 -1 4194560 9061 9416027 94 2620 36 98 54406 13885 20 0 1 0 29 109604864 2507 "
    "18446744073709551615 1 1 0 0 0 0 671173123 4096 1260 0 0 0 17 0 0 0 19 0 0 0 0 0 0 0 0 0 0\n";

TEST(ParsePidStatTest, RealCaptureFromThisMachine) {
  std::string content;
  ASSERT_TRUE(ReadFileOnce("src/collectors/testdata/processes/proc/1/stat", &content).ok()) << "run from repo root";
  auto s = ParsePidStat(content);
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->state, "S");
  EXPECT_EQ(s->num_threads, 13);
}

TEST(ParsePidStatTest, CommWithSpacesAndParens) {
  std::string stat = kSystemd;
  stat.replace(stat.find("(systemd)"), 9, "(a) b (c d))");
  auto s = ParsePidStat(stat);
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->state, "S");
  EXPECT_EQ(s->num_threads, 1);
}

TEST(ParsePidStatTest, RejectsMalformed) {
  std::string base = kSystemd;
  std::vector<std::string> bad = {
      "",
      "1 systemd S 0 1",
      "1 (systemd)",
      "1 (systemd) S 0 1 1 0 -1",                                          // Truncated.
      base.substr(0, base.find(" 17 0 0 0 19")),                           // Missing processor..cguest_time.
      std::string(base).replace(base.find(" 4194560 "), 9, " -4194560 "),  // Unsigned flags.
      std::string(base).replace(base.find(" 109604864 "), 11, " 1e8 "),
      std::string(base).replace(base.find(" 109604864 "), 11, " 99999999999999999999999 "),
      ") (x) S",
  };
  for (const auto& b : bad) EXPECT_FALSE(ParsePidStat(b).ok()) << b;
}

TEST(ProcessesCollectorTest, RealCaptureTree) {
  auto c = testing::MustCreate(NewProcessesCollector, testing::ProcContext("src/collectors/testdata/processes/proc"));
  expo::MetricSet set;
  Status st = c->Collect(set);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(set.Find("node_processes_pids"), 2);
  EXPECT_EQ(set.Find("node_processes_threads"), 14);
  EXPECT_EQ(set.Find("node_processes_state", {{"state", "S"}}), 2);
  EXPECT_EQ(set.Find("node_processes_threads_state", {{"thread_state", "S"}}), 14);
  EXPECT_EQ(set.Find("node_processes_max_processes"), 32768);
  EXPECT_EQ(set.Find("node_processes_max_threads"), 192730);
}

TEST(ProcessesCollectorTest, VanishedAndBrokenProcesses) {
  testing::ScratchTree dir("processes");
  dir.Write("sys/kernel/pid_max", "4194304\n");
  dir.Write("sys/kernel/threads-max", "1000\n");
  dir.Write("1/stat", kSystemd);
  dir.MakeDir("2");  // Vanished: no stat.
  dir.MakeDir("self");
  auto c = testing::MustCreate(NewProcessesCollector, testing::ProcContext(dir.root()));
  expo::MetricSet set;
  ASSERT_TRUE(c->Collect(set).ok());
  EXPECT_EQ(set.Find("node_processes_pids"), 1);
  EXPECT_EQ(set.Count("node_processes_threads_state"), 0u);  // No task dirs.

  dir.Write("1/task/1/stat", "ignored: the main thread uses the process state");
  dir.Write("1/task/7/stat", std::string(kSystemd).replace(12, 1, "D"));
  set.Clear();
  ASSERT_TRUE(c->Collect(set).ok());
  EXPECT_EQ(set.Find("node_processes_threads_state", {{"thread_state", "S"}}), 1);
  EXPECT_EQ(set.Find("node_processes_threads_state", {{"thread_state", "D"}}), 1);

  dir.Write("1/task/7/stat", "7 (t) R 1 2");
  set.Clear();
  EXPECT_EQ(c->Collect(set).code(), StatusCode::kError);

  std::filesystem::remove_all(dir.Path("1/task"));
  dir.Write("3/stat", "3 (x) S not numbers");
  set.Clear();
  EXPECT_EQ(c->Collect(set).code(), StatusCode::kError);
  std::filesystem::remove_all(dir.Path("3"));

  dir.Write("sys/kernel/pid_max", "lots\n");
  set.Clear();
  EXPECT_EQ(c->Collect(set).code(), StatusCode::kError);
  EXPECT_EQ(set.Count("node_processes_max_threads"), 1u);  // Emitted before the failure, as upstream.
  EXPECT_EQ(set.Count("node_processes_max_processes"), 0u);
}

TEST(ProcessesCollectorTest, MissingProcIsAnError) {
  auto c = testing::MustCreate(NewProcessesCollector,
                               testing::ProcContext(::testing::TempDir() + "nodex_processes_nonexistent_dir"));
  expo::MetricSet set;
  EXPECT_EQ(c->Collect(set).code(), StatusCode::kError);
}

TEST(ProcessesCollectorTest, MatchesNodeExporterOnConformanceFixtures) {
  NODEX_REQUIRE_KIT(kit);
  testing::ScopedKitDir cd(kit);
  FlagValues flags;
  Logger log;
  auto ctx = testing::KitContext(&flags, &log);
  auto c = NewProcessesCollector(ctx);
  ASSERT_TRUE(c.ok());
  expo::MetricSet set;
  Status st = c.value()->Collect(set);
  ASSERT_TRUE(st.ok()) << st.message();
  const std::vector<std::string> families = {"node_processes_max_processes", "node_processes_max_threads",
                                             "node_processes_pids",          "node_processes_state",
                                             "node_processes_threads",       "node_processes_threads_state"};
  auto expected = testing::ExpectedLines(kit, families);
  EXPECT_EQ(expected.size(), 11u);
  EXPECT_EQ(testing::RenderedLines(set, families), expected);
}

}  // namespace
}  // namespace nodex::collectors
