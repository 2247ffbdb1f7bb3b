#include "collectors/textfile.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "collectors/testing/kit.h"
#include "collectors/testing/scratch.h"
#include "expo/text_writer.h"

namespace nodex::collectors {
namespace {

constexpr char kData[] = "src/collectors/testdata/textfile";

std::unique_ptr<Collector> Make(const std::vector<std::string>& dirs, FlagValues* flags, Logger* log) {
  flags->SetList("collector.textfile.directory", dirs);
  Context ctx;
  ctx.flags = flags;
  ctx.log = log;
  return testing::MustCreate(NewTextfileCollector, ctx);
}

// Renders one scrape; mtime values depend on the checkout, so they read "T".
std::string Scrape(Collector* c, expo::MetricSet* set) {
  set->Clear();
  EXPECT_TRUE(c->Collect(*set).ok());
  std::string text;
  expo::TextWriter writer;
  writer.Write(*set, &text);
  std::string out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    std::string line = text.substr(pos, nl - pos);
    pos = nl + 1;
    if (line.rfind("node_textfile_mtime_seconds{", 0) == 0) line = line.substr(0, line.rfind(' ')) + " T";
    out += line + "\n";
  }
  return out;
}

std::string ScrapeDirs(const std::vector<std::string>& dirs) {
  FlagValues flags;
  Logger log(LogLevel::kError, LogFormat::kLogfmt, -1);
  auto c = Make(dirs, &flags, &log);
  expo::MetricSet set;
  return Scrape(c.get(), &set);
}

std::string Dir(const std::string& name) { return std::string(kData) + "/" + name; }

constexpr char kErrorHelp[] =
    "# HELP node_textfile_scrape_error 1 if a textfile directory or file could not be read or parsed, else 0.\n"
    "# TYPE node_textfile_scrape_error gauge\n";
constexpr char kMtimeHelp[] =
    "# HELP node_textfile_mtime_seconds Modification time of each textfile read without errors, as Unix time.\n"
    "# TYPE node_textfile_mtime_seconds gauge\n";

TEST(TextfileCollectorTest, TwoFilesUntypedWithGeneratedHelp) {
  EXPECT_EQ(ScrapeDirs({Dir("two_files")}),
            "# HELP cron_job_last_run Metric read from src/collectors/testdata/textfile/two_files/cron.prom\n"
            "# TYPE cron_job_last_run untyped\n"
            "cron_job_last_run{job=\"rotate\"} 1.7e+09\n"
            "# HELP disk_backup_age_seconds Metric read from src/collectors/testdata/textfile/two_files/backup.prom\n"
            "# TYPE disk_backup_age_seconds untyped\n"
            "disk_backup_age_seconds{vol=\"data\"} 3600\n"
            "# HELP disk_backup_ok Metric read from src/collectors/testdata/textfile/two_files/backup.prom\n"
            "# TYPE disk_backup_ok untyped\n"
            "disk_backup_ok{vol=\"data\"} 1\n" +
                std::string(kMtimeHelp) +
                "node_textfile_mtime_seconds{file=\"src/collectors/testdata/textfile/two_files/backup.prom\"} T\n"
                "node_textfile_mtime_seconds{file=\"src/collectors/testdata/textfile/two_files/cron.prom\"} T\n" +
                kErrorHelp + "node_textfile_scrape_error 0\n");
}

TEST(TextfileCollectorTest, DifferentHelpKeepsFirstFileAndFlagsError) {
  std::string out = ScrapeDirs({Dir("different_help")});
  EXPECT_NE(out.find("# HELP jobs_done_total Jobs finished.\n# TYPE jobs_done_total counter\n"
                     "jobs_done_total{runner=\"x\"} 5\n# HELP node_textfile_mtime"),
            std::string::npos)
      << out;
  EXPECT_EQ(out.find("runner=\"y\""), std::string::npos);
  // b.prom itself parsed fine, so its mtime is still exported.
  EXPECT_NE(out.find("different_help/b.prom\"} T"), std::string::npos);
  EXPECT_NE(out.find("node_textfile_scrape_error 1\n"), std::string::npos);
}

TEST(TextfileCollectorTest, SameHelpMerges) {
  std::string out = ScrapeDirs({Dir("same_help")});
  EXPECT_NE(out.find("# HELP jobs_done_total Jobs finished.\n# TYPE jobs_done_total counter\n"
                     "jobs_done_total{runner=\"x\"} 5\njobs_done_total{runner=\"y\"} 7\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("node_textfile_scrape_error 0\n"), std::string::npos);
}

TEST(TextfileCollectorTest, NoHelpListsEveryFile) {
  for (const char* dir : {"no_help", "empty_help"}) {
    std::string out = ScrapeDirs({Dir(dir)});
    const std::string base = Dir(dir);
    EXPECT_NE(out.find("# HELP jobs_done_total Metric read from " + base + "/a.prom, " + base +
                       "/b.prom\n# TYPE jobs_done_total counter\n"
                       "jobs_done_total{runner=\"x\"} 5\njobs_done_total{runner=\"y\"} 7\n"),
              std::string::npos)
        << out;
    EXPECT_NE(out.find("node_textfile_scrape_error 0\n"), std::string::npos);
  }
}

TEST(TextfileCollectorTest, ClientTimestampsRejectTheWholeFile) {
  EXPECT_EQ(ScrapeDirs({Dir("timestamps")}), std::string(kErrorHelp) + "node_textfile_scrape_error 1\n");
}

TEST(TextfileCollectorTest, HistogramGroupsSeriesAndAddsInfBucket) {
  std::string out = ScrapeDirs({Dir("histogram")});
  EXPECT_NE(out.find("# HELP request_latency_seconds Request latency.\n"
                     "# TYPE request_latency_seconds histogram\n"
                     "request_latency_seconds_bucket{route=\"/a\",le=\"0.1\"} 3\n"
                     "request_latency_seconds_bucket{route=\"/a\",le=\"1\"} 8\n"
                     "request_latency_seconds_bucket{route=\"/a\",le=\"+Inf\"} 9\n"
                     "request_latency_seconds_sum{route=\"/a\"} 4.25\n"
                     "request_latency_seconds_count{route=\"/a\"} 9\n"
                     "request_latency_seconds_bucket{route=\"/b\",le=\"0.1\"} 1\n"
                     "request_latency_seconds_bucket{route=\"/b\",le=\"1\"} 2\n"
                     "request_latency_seconds_bucket{route=\"/b\",le=\"+Inf\"} 2\n"
                     "request_latency_seconds_sum{route=\"/b\"} 0.75\n"
                     "request_latency_seconds_count{route=\"/b\"} 2\n"),
            std::string::npos)
      << out;
}

TEST(TextfileCollectorTest, SummaryExtraDimensionBecomesItsOwnSeries) {
  std::string out = ScrapeDirs({Dir("summary")});
  EXPECT_NE(out.find("# TYPE rpc_duration_seconds summary\n"
                     "rpc_duration_seconds{service=\"auth\",zone=\"\",quantile=\"0.5\"} 0.002\n"
                     "rpc_duration_seconds{service=\"auth\",zone=\"\",quantile=\"0.99\"} 0.05\n"
                     "rpc_duration_seconds_sum{service=\"auth\",zone=\"\"} 12.5\n"
                     "rpc_duration_seconds_count{service=\"auth\",zone=\"\"} 4000\n"
                     "rpc_duration_seconds{service=\"auth\",zone=\"eu\",quantile=\"0.5\"} 0.003\n"
                     "rpc_duration_seconds_sum{service=\"auth\",zone=\"eu\"} 0\n"
                     "rpc_duration_seconds_count{service=\"auth\",zone=\"eu\"} 0\n"
                     "rpc_duration_seconds{service=\"store\",zone=\"\",quantile=\"0.5\"} NaN\n"
                     "rpc_duration_seconds_sum{service=\"store\",zone=\"\"} 0\n"
                     "rpc_duration_seconds_count{service=\"store\",zone=\"\"} 0\n"),
            std::string::npos)
      << out;
}

TEST(TextfileCollectorTest, DuplicateSeriesKeepTheFirst) {
  std::string out = ScrapeDirs({Dir("duplicate_series")});
  EXPECT_NE(out.find("# TYPE queue_depth untyped\nqueue_depth{queue=\"mail\"} 4\nqueue_depth{queue=\"sms\"} 2\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("node_textfile_scrape_error 0\n"), std::string::npos);
}

TEST(TextfileCollectorTest, UntypedLabelsAreFilledAndEscaped) {
  std::string out = ScrapeDirs({Dir("untyped_labels")});
  EXPECT_NE(
      out.find("# TYPE temperature_celsius untyped\n"
               "temperature_celsius{note=\"\",sensor=\"\",slot=\"\"} 30\n"
               "temperature_celsius{note=\"\",sensor=\"cpu\",slot=\"\"} 55\n"
               "temperature_celsius{note=\"\",sensor=\"gpu\",slot=\"1\"} +Inf\n"
               "temperature_celsius{note=\"a \\\"quoted\\\" \\\\ path\\nnext\",sensor=\"disk\",slot=\"\"} -Inf\n"),
      std::string::npos)
      << out;
}

TEST(TextfileCollectorTest, NoMetricFilesAndNoDirectory) {
  EXPECT_EQ(ScrapeDirs({Dir("no_metric_files")}), std::string(kErrorHelp) + "node_textfile_scrape_error 0\n");
  // The flag's default (no directory) is not an error.
  EXPECT_EQ(ScrapeDirs({}), std::string(kErrorHelp) + "node_textfile_scrape_error 0\n");
  EXPECT_EQ(ScrapeDirs({""}), std::string(kErrorHelp) + "node_textfile_scrape_error 0\n");
}

TEST(TextfileCollectorTest, NonexistentDirectoryIsAnError) {
  EXPECT_EQ(ScrapeDirs({Dir("does_not_exist")}), std::string(kErrorHelp) + "node_textfile_scrape_error 1\n");
}

TEST(TextfileCollectorTest, MalformedFilesAreSkippedAndLoggedOnce) {
  int pipefd[2];
  ASSERT_EQ(pipe(pipefd), 0);
  FlagValues flags;
  Logger log(LogLevel::kInfo, LogFormat::kLogfmt, pipefd[1]);
  auto c = Make({Dir("malformed")}, &flags, &log);
  expo::MetricSet set;
  std::string out = Scrape(c.get(), &set);
  EXPECT_NE(out.find("good_metric 1\n"), std::string::npos) << out;
  EXPECT_EQ(out.find("bad_metric"), std::string::npos);
  EXPECT_EQ(out.find("truncated_metric"), std::string::npos);
  EXPECT_NE(out.find("malformed/good.prom\"} T"), std::string::npos);
  EXPECT_EQ(out.find("malformed/bad.prom\"} T"), std::string::npos);
  EXPECT_NE(out.find("node_textfile_scrape_error 1\n"), std::string::npos);
  // Second scrape: same failures, nothing new logged.
  Scrape(c.get(), &set);
  close(pipefd[1]);
  std::string logged;
  char buf[4096];
  ssize_t n;
  while ((n = read(pipefd[0], buf, sizeof buf)) > 0) logged.append(buf, static_cast<size_t>(n));
  close(pipefd[0]);
  size_t lines = 0;
  for (char ch : logged) lines += ch == '\n';
  EXPECT_EQ(lines, 2u) << logged;
  EXPECT_NE(logged.find("bad.prom"), std::string::npos);
  EXPECT_NE(logged.find("truncated.prom"), std::string::npos);
}

TEST(TextfileCollectorTest, GlobsAndRepeatedDirectories) {
  // Two patterns; the glob expands to both help directories in name order.
  std::string out = ScrapeDirs({Dir("*_help"), Dir("two_files")});
  // different_help/a.prom comes first and sets the help for every later file.
  EXPECT_NE(out.find("# HELP jobs_done_total Jobs finished.\n"), std::string::npos) << out;
  EXPECT_NE(out.find("cron_job_last_run"), std::string::npos);
  EXPECT_NE(out.find("node_textfile_scrape_error 1\n"), std::string::npos);
  // A glob that matches nothing is used as a directory name, which fails.
  EXPECT_NE(ScrapeDirs({Dir("nothing*")}).find("node_textfile_scrape_error 1\n"), std::string::npos);
}

TEST(TextfileCollectorTest, PicksUpRewrittenFiles) {
  testing::ScratchTree dir("textfile");
  dir.Write("x.prom", "value_now 1\n");
  FlagValues flags;
  Logger log(LogLevel::kError, LogFormat::kLogfmt, -1);
  auto c = Make({dir.root()}, &flags, &log);
  expo::MetricSet set;
  EXPECT_NE(Scrape(c.get(), &set).find("value_now 1\n"), std::string::npos);
  // Replace by rename, as textfile writers do.
  dir.Write("x.prom.tmp", "value_now 2\n");
  std::filesystem::rename(dir.Path("x.prom.tmp"), dir.Path("x.prom"));
  EXPECT_NE(Scrape(c.get(), &set).find("value_now 2\n"), std::string::npos);
  std::filesystem::remove(dir.Path("x.prom"));
  EXPECT_EQ(Scrape(c.get(), &set).find("value_now"), std::string::npos);
}

TEST(TextfilePathTest, CleanPathLikeGo) {
  EXPECT_EQ(CleanPath(""), ".");
  EXPECT_EQ(CleanPath("a/b/"), "a/b");
  EXPECT_EQ(CleanPath("a//b/./c/../d"), "a/b/d");
  EXPECT_EQ(CleanPath("/../x"), "/x");
  EXPECT_EQ(CleanPath("../../x"), "../../x");
  EXPECT_EQ(CleanPath("./x.prom"), "x.prom");
  EXPECT_EQ(CleanPath("/"), "/");
  EXPECT_EQ(CleanPath("a/.."), ".");
}

TEST(TextfilePathTest, MatchGlobLikeGo) {
  EXPECT_EQ(MatchGlob("*.prom", "a.prom"), GlobMatch::kMatch);
  EXPECT_EQ(MatchGlob("*.prom", ".hidden.prom"), GlobMatch::kMatch);
  EXPECT_EQ(MatchGlob("a?c", "abc"), GlobMatch::kMatch);
  EXPECT_EQ(MatchGlob("[a-c]x", "bx"), GlobMatch::kMatch);
  EXPECT_EQ(MatchGlob("[^a-c]x", "bx"), GlobMatch::kNoMatch);
  EXPECT_EQ(MatchGlob("\\*", "*"), GlobMatch::kMatch);
  EXPECT_EQ(MatchGlob("*", "a/b"), GlobMatch::kNoMatch);
  EXPECT_EQ(MatchGlob("[", "a"), GlobMatch::kBadPattern);
  EXPECT_EQ(MatchGlob("x\\", "x"), GlobMatch::kBadPattern);
  EXPECT_EQ(MatchGlob("[]a]", "a"), GlobMatch::kBadPattern);
}

TEST(TextfileCollectorTest, MatchesNodeExporterOnConformanceFixtures) {
  NODEX_REQUIRE_KIT(kit);
  testing::ScopedKitDir cd(kit);
  FlagValues flags;
  flags.SetList("collector.textfile.directory", {"collector/fixtures/textfile/two_metric_files/"});
  Logger log(LogLevel::kError, LogFormat::kLogfmt, -1);
  Context ctx = testing::KitContext(&flags, &log);
  auto c = NewTextfileCollector(ctx);
  ASSERT_TRUE(c.ok());
  expo::MetricSet set;
  ASSERT_TRUE(c.value()->Collect(set).ok());
  // node_textfile_mtime_seconds is left out: its values are file mtimes.
  const std::vector<std::string> families = {"node_textfile_scrape_error", "testmetric1_1", "testmetric1_2",
                                             "testmetric2_1", "testmetric2_2"};
  std::vector<std::string> expected = testing::ExpectedLines(kit, families);
  EXPECT_EQ(expected.size(), 10u);
  EXPECT_EQ(testing::RenderedLines(set, families), expected);
  EXPECT_EQ(set.Count("node_textfile_mtime_seconds"), 2u);
  EXPECT_FALSE(std::isnan(set.Find("node_textfile_mtime_seconds",
                                   {{"file", "collector/fixtures/textfile/two_metric_files/metrics1.prom"}})));
}

}  // namespace
}  // namespace nodex::collectors
