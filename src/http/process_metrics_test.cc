#include "http/process_metrics.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cmath>
#include <ctime>
#include <string>

#include "base/file_reader.h"
#include "gtest/gtest.h"

namespace nodex::http {
namespace {

// Captured on this machine from a python3 process that had busy-looped for
// 0.7 s (utime 73 ticks).
constexpr char kFixtureRoot[] = "src/http/testdata/process/proc";

std::string ReadFixture(const std::string& path) {
  std::string content;
  EXPECT_TRUE(ReadFileOnce(path, &content).ok()) << path;
  return content;
}

TEST(ParsePidStatTest, CapturedFile) {
  auto stat = ParsePidStat(ReadFixture(std::string(kFixtureRoot) + "/self/stat"));
  ASSERT_TRUE(stat.has_value());
  EXPECT_EQ(stat->utime_ticks, 73u);
  EXPECT_EQ(stat->stime_ticks, 0u);
  EXPECT_EQ(stat->start_ticks, 102247u);
  EXPECT_EQ(stat->vsize_bytes, 16965632u);
  EXPECT_EQ(stat->rss_pages, 3347);
}

TEST(ParsePidStatTest, CommandWithSpacesAndParentheses) {
  // A process may name itself "x) S 1 2 (y"; only the last ')' ends the name.
  auto stat =
      ParsePidStat("42 (x) S 1 2 (y)) S 1 1 1 0 -1 0 0 0 0 0 500 250 0 0 20 0 1 0 900 4096 10 18446744073709551615\n");
  ASSERT_TRUE(stat.has_value());
  EXPECT_EQ(stat->utime_ticks, 500u);
  EXPECT_EQ(stat->stime_ticks, 250u);
  EXPECT_EQ(stat->start_ticks, 900u);
  EXPECT_EQ(stat->vsize_bytes, 4096u);
  EXPECT_EQ(stat->rss_pages, 10);
}

TEST(ParsePidStatTest, ExactlyTheNeededFields) {
  auto stat = ParsePidStat("1 (init) S 0 1 1 0 -1 0 0 0 0 0 7 8 0 0 20 0 1 0 9 10 11");
  ASSERT_TRUE(stat.has_value());
  EXPECT_EQ(stat->utime_ticks, 7u);
  EXPECT_EQ(stat->rss_pages, 11);
}

TEST(ParsePidStatTest, Malformed) {
  EXPECT_FALSE(ParsePidStat(""));
  EXPECT_FALSE(ParsePidStat("\n"));
  // No parentheses at all.
  EXPECT_FALSE(ParsePidStat("1 init S 0 1 1 0 -1 0 0 0 0 0 7 8 0 0 20 0 1 0 9 10 11"));
  // ')' before '('.
  EXPECT_FALSE(ParsePidStat("1 )init( S 0 1 1 0 -1 0 0 0 0 0 7 8 0 0 20 0 1 0 9 10 11"));
  // pid not a number.
  EXPECT_FALSE(ParsePidStat("x (init) S 0 1 1 0 -1 0 0 0 0 0 7 8 0 0 20 0 1 0 9 10 11"));
  // Truncated: rss missing.
  EXPECT_FALSE(ParsePidStat("1 (init) S 0 1 1 0 -1 0 0 0 0 0 7 8 0 0 20 0 1 0 9 10"));
  // Truncated inside the command name.
  EXPECT_FALSE(ParsePidStat("1 (ini"));
  // Non-numeric utime.
  EXPECT_FALSE(ParsePidStat("1 (init) S 0 1 1 0 -1 0 0 0 0 0 7x 8 0 0 20 0 1 0 9 10 11"));
  // Negative utime.
  EXPECT_FALSE(ParsePidStat("1 (init) S 0 1 1 0 -1 0 0 0 0 0 -7 8 0 0 20 0 1 0 9 10 11"));
  // utime larger than 2^64.
  EXPECT_FALSE(ParsePidStat("1 (init) S 0 1 1 0 -1 0 0 0 0 0 99999999999999999999 8 0 0 20 0 1 0 9 10 11"));
}

TEST(ParsePidStatTest, LargestValues) {
  auto stat = ParsePidStat("1 (a) S 0 1 1 0 -1 0 0 0 0 0 18446744073709551615 0 0 0 20 0 1 0 0 0 0");
  ASSERT_TRUE(stat.has_value());
  EXPECT_EQ(stat->utime_ticks, 18446744073709551615u);
}

TEST(ParseBootTimeTest, CapturedFile) {
  EXPECT_EQ(ParseBootTime(ReadFixture(std::string(kFixtureRoot) + "/stat")), 1795813166u);
}

TEST(ParseBootTimeTest, HandWritten) {
  EXPECT_EQ(ParseBootTime("cpu  1 2 3\nbtime 1700000000\nprocesses 5\n"), 1700000000u);
  EXPECT_EQ(ParseBootTime("btime 12"), 12u);  // No trailing newline.
}

TEST(ParseBootTimeTest, Malformed) {
  EXPECT_FALSE(ParseBootTime(""));
  EXPECT_FALSE(ParseBootTime("cpu  1 2 3\nprocesses 5\n"));
  EXPECT_FALSE(ParseBootTime("btime\n"));
  EXPECT_FALSE(ParseBootTime("btime abc\n"));
  EXPECT_FALSE(ParseBootTime("btime -5\n"));
  EXPECT_FALSE(ParseBootTime("btime 99999999999999999999\n"));
  // A different key that merely starts with "btime".
  EXPECT_FALSE(ParseBootTime("btimex 5\n"));
}

TEST(ProcessMetricsTest, FixtureTree) {
  ProcessMetrics metrics(kFixtureRoot);
  expo::MetricSet set;
  Status status = metrics.Collect(&set);
  ASSERT_TRUE(status.ok()) << status.message();
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  const double page = static_cast<double>(sysconf(_SC_PAGESIZE));
  EXPECT_DOUBLE_EQ(set.Find("process_cpu_seconds_total"), 73 / ticks);
  EXPECT_DOUBLE_EQ(set.Find("process_virtual_memory_bytes"), 16965632);
  EXPECT_DOUBLE_EQ(set.Find("process_resident_memory_bytes"), 3347 * page);
  EXPECT_DOUBLE_EQ(set.Find("process_start_time_seconds"), 1795813166 + 102247 / ticks);
  EXPECT_DOUBLE_EQ(set.Find("process_open_fds"), 4);
  // Again through the kept-open directory: a fixture directory's size is not
  // a descriptor count, so it is still listed.
  set.Clear();
  ASSERT_TRUE(metrics.Collect(&set).ok());
  EXPECT_DOUBLE_EQ(set.Find("process_open_fds"), 4);

  rlimit nofile{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &nofile), 0);
  EXPECT_DOUBLE_EQ(set.Find("process_max_fds"), static_cast<double>(nofile.rlim_cur));
  EXPECT_FALSE(std::isnan(set.Find("process_virtual_memory_max_bytes")));

  // Types match client_golang's process collector.
  for (const auto& family : set.families()) {
    const bool counter = family.name == "process_cpu_seconds_total";
    EXPECT_EQ(family.type, counter ? expo::MetricType::kCounter : expo::MetricType::kGauge) << family.name;
  }
}

TEST(ProcessMetricsTest, MissingTreeFailsButKeepsLimits) {
  ProcessMetrics metrics("src/http/testdata/does-not-exist");
  expo::MetricSet set;
  Status status = metrics.Collect(&set);
  EXPECT_FALSE(status.ok());
  EXPECT_TRUE(std::isnan(set.Find("process_cpu_seconds_total")));
  EXPECT_TRUE(std::isnan(set.Find("process_open_fds")));
  EXPECT_FALSE(std::isnan(set.Find("process_max_fds")));
}

TEST(ProcessMetricsTest, RealProcess) {
  ProcessMetrics metrics;
  expo::MetricSet set;
  Status status = metrics.Collect(&set);
  ASSERT_TRUE(status.ok()) << status.message();

  EXPECT_GT(set.Find("process_resident_memory_bytes"), 0);
  EXPECT_GE(set.Find("process_virtual_memory_bytes"), set.Find("process_resident_memory_bytes"));
  EXPECT_GE(set.Find("process_cpu_seconds_total"), 0);
  // This test binary started moments ago; btime has 1 s resolution.
  const double now = static_cast<double>(std::time(nullptr));
  EXPECT_LE(set.Find("process_start_time_seconds"), now + 1);
  EXPECT_GE(set.Find("process_start_time_seconds"), now - 600);

  // The kept-open fd directory is re-read: one more open file, one more fd.
  const double before = set.Find("process_open_fds");
  EXPECT_GE(before, 3);
  int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  set.Clear();
  ASSERT_TRUE(metrics.Collect(&set).ok());
  EXPECT_EQ(set.Find("process_open_fds"), before + 1);
  close(fd);

  // Whether the count came from the directory's size (Linux 6.2+) or from
  // listing it, it is what a listing sees, the listing's own fd included.
  set.Clear();
  ASSERT_TRUE(metrics.Collect(&set).ok());
  DIR* dir = opendir("/proc/self/fd");
  ASSERT_NE(dir, nullptr);
  double listed = 0;
  while (dirent* e = readdir(dir)) {
    if (e->d_name[0] != '.') ++listed;
  }
  closedir(dir);
  // The listing's own fd is one more than the collector saw.
  EXPECT_EQ(set.Find("process_open_fds"), listed - 1);
}

}  // namespace
}  // namespace nodex::http
