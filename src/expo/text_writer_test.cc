#include "expo/text_writer.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <cstdlib>
#include <new>
#include <string>
#include <utility>
#include <vector>

#include "expo/metric_set.h"

// Counts heap allocations so the steady-state test below can prove a reused
// MetricSet and TextWriter do not allocate per scrape.
namespace {
std::atomic<bool> g_counting{false};
std::atomic<size_t> g_allocations{0};
}  // namespace

// GCC flags free() on memory from operator new, but both are replaced here.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void* operator new(size_t size) {
  if (g_counting.load(std::memory_order_relaxed)) g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }

namespace nodex::expo {
namespace {

std::string Render(const MetricSet& set, WriteResult* result = nullptr) {
  TextWriter writer;
  std::string out;
  WriteResult r = writer.Write(set, &out);
  if (result != nullptr) *result = std::move(r);
  return out;
}

TEST(TextWriterTest, EmptySetWritesNothing) {
  MetricSet set;
  WriteResult r;
  EXPECT_EQ(Render(set, &r), "");
  EXPECT_EQ(r.samples_written, 0u);
}

TEST(TextWriterTest, FamiliesSortedByName) {
  MetricSet set;
  set.Add(Desc{"node_z", "Z.", MetricType::kGauge}, 1);
  set.Add(Desc{"node_a", "A.", MetricType::kCounter}, 2);
  set.Add(Desc{"node_a_b", "AB.", MetricType::kUntyped}, 3);
  set.Add(Desc{"node_B", "B.", MetricType::kGauge}, 4);  // Uppercase sorts first, as bytes.
  WriteResult r;
  EXPECT_EQ(Render(set, &r),
            "# HELP node_B B.\n# TYPE node_B gauge\nnode_B 4\n"
            "# HELP node_a A.\n# TYPE node_a counter\nnode_a 2\n"
            "# HELP node_a_b AB.\n# TYPE node_a_b untyped\nnode_a_b 3\n"
            "# HELP node_z Z.\n# TYPE node_z gauge\nnode_z 1\n");
  EXPECT_EQ(r.samples_written, 4u);
}

TEST(TextWriterTest, SeriesOrderedByLabelCountThenValuesAsBytes) {
  const Desc d{"m", "h", MetricType::kGauge};
  MetricSet set;
  set.Add(d, 1, {{"cpu", "10"}, {"mode", "idle"}});
  set.Add(d, 2, {{"cpu", "2"}, {"mode", "idle"}});
  set.Add(d, 3, {{"cpu", "1"}, {"mode", "user"}});
  set.Add(d, 4, {{"cpu", "1"}, {"mode", "idle"}});
  set.Add(d, 5, {{"cpu", "9"}});
  set.Add(d, 6);
  EXPECT_EQ(Render(set),
            "# HELP m h\n# TYPE m gauge\n"
            "m 6\n"
            "m{cpu=\"9\"} 5\n"
            "m{cpu=\"1\",mode=\"idle\"} 4\n"
            "m{cpu=\"1\",mode=\"user\"} 3\n"
            "m{cpu=\"10\",mode=\"idle\"} 1\n"  // "10" < "2" byte-wise, as in Go.
            "m{cpu=\"2\",mode=\"idle\"} 2\n");
}

TEST(TextWriterTest, ValuesCompareByLabelNamePositionNotInsertionOrder) {
  const Desc d{"m", "h", MetricType::kGauge};
  MetricSet set;
  // Sorted by name the pairs are (a, z); the value of `a` decides first.
  set.Add(d, 1, {{"z", "1"}, {"a", "b"}});
  set.Add(d, 2, {{"z", "2"}, {"a", "a"}});
  EXPECT_EQ(Render(set),
            "# HELP m h\n# TYPE m gauge\n"
            "m{a=\"a\",z=\"2\"} 2\n"
            "m{a=\"b\",z=\"1\"} 1\n");
}

TEST(TextWriterTest, EscapesHelpAndLabelValues) {
  MetricSet set;
  set.Add(Desc{"m", "line1\nback\\slash \"quoted\"", MetricType::kGauge}, 1, {{"path", "C:\\dir\n\"x\""}});
  EXPECT_EQ(Render(set),
            "# HELP m line1\\nback\\\\slash \"quoted\"\n"
            "# TYPE m gauge\n"
            "m{path=\"C:\\\\dir\\n\\\"x\\\"\"} 1\n");
}

TEST(TextWriterTest, DropsSeriesWhoseLabelValueIsNotUtf8) {
  MetricSet set;
  const Desc info{"node_x_info", "X.", MetricType::kGauge};
  set.Add(info, 1, {{"id", "ok \xc3\xa9"}});         // Valid two-byte UTF-8 (e acute): kept.
  set.Add(info, 1, {{"id", "iTCO\xc9\xcf\x38\x04"}});  // Not UTF-8: dropped.
  set.Add(info, 1, {{"id", "\xed\xa0\x80"}});         // A surrogate: dropped.
  set.Add(Desc{"node_y", "Y.", MetricType::kGauge}, 2, {{"a", "\xff"}});  // The family's only series.
  WriteResult r;
  EXPECT_EQ(Render(set, &r), "# HELP node_x_info X.\n# TYPE node_x_info gauge\nnode_x_info{id=\"ok \xc3\xa9\"} 1\n");
  EXPECT_EQ(r.samples_written, 1u);
  EXPECT_EQ(r.invalid_utf8, (std::vector<std::string>{"node_x_info{id}", "node_x_info{id}", "node_y{a}"}));
}

TEST(TextWriterTest, EmptyHelpOmitsHelpLine) {
  MetricSet set;
  set.Add(Desc{"m", "", MetricType::kUntyped}, 1);
  EXPECT_EQ(Render(set), "# TYPE m untyped\nm 1\n");
}

TEST(TextWriterTest, EmptyLabelValueIsWritten) {
  MetricSet set;
  set.Add(Desc{"m", "h", MetricType::kGauge}, 1, {{"a", ""}});
  EXPECT_EQ(Render(set), "# HELP m h\n# TYPE m gauge\nm{a=\"\"} 1\n");
}

TEST(TextWriterTest, SampleValuesUseExpfmtSpelling) {
  const Desc d{"m", "h", MetricType::kGauge};
  MetricSet set;
  char buf[24];
  const double values[] = {-0.0, 1, -1, 1e-05, 123456, 1234567, NAN, HUGE_VAL, -HUGE_VAL, 18446744073709551615.0};
  for (int i = 0; i < 10; ++i) set.Add(d, values[i], {{"i", IntLabel(buf, i)}});
  EXPECT_EQ(Render(set),
            "# HELP m h\n# TYPE m gauge\n"
            "m{i=\"0\"} 0\n"
            "m{i=\"1\"} 1\n"
            "m{i=\"2\"} -1\n"
            "m{i=\"3\"} 1e-05\n"
            "m{i=\"4\"} 123456\n"
            "m{i=\"5\"} 1.234567e+06\n"
            "m{i=\"6\"} NaN\n"
            "m{i=\"7\"} +Inf\n"
            "m{i=\"8\"} -Inf\n"
            "m{i=\"9\"} 1.8446744073709552e+19\n");
}

TEST(TextWriterTest, DuplicatesDroppedFirstWins) {
  const Desc d{"m", "h", MetricType::kGauge};
  MetricSet set;
  set.Add(d, 1, {{"a", "x"}, {"b", "y"}});
  set.Add(d, 2, {{"a", "z"}});
  set.Add(d, 3, {{"b", "y"}, {"a", "x"}});  // Same pairs, other order.
  set.Add(d, 4, {{"a", "x"}, {"c", "y"}});  // Same values, other names: distinct.
  set.Add(Desc{"other", "o", MetricType::kGauge}, 5, {{"a", "x"}, {"b", "y"}});
  WriteResult r;
  EXPECT_EQ(Render(set, &r),
            "# HELP m h\n# TYPE m gauge\n"
            "m{a=\"z\"} 2\n"
            "m{a=\"x\",b=\"y\"} 1\n"
            "m{a=\"x\",c=\"y\"} 4\n"
            "# HELP other o\n# TYPE other gauge\n"
            "other{a=\"x\",b=\"y\"} 5\n");
  ASSERT_EQ(r.duplicates.size(), 1u);
  EXPECT_EQ(r.duplicates[0], "m{a=\"x\",b=\"y\"}");
  EXPECT_EQ(r.samples_written, 4u);
}

TEST(TextWriterTest, DuplicateWithoutLabels) {
  const Desc d{"m", "h", MetricType::kCounter};
  MetricSet set;
  set.Add(d, 1);
  set.Add(d, 2);
  set.Add(d, 3);
  WriteResult r;
  EXPECT_EQ(Render(set, &r), "# HELP m h\n# TYPE m counter\nm 1\n");
  EXPECT_EQ(r.duplicates, (std::vector<std::string>{"m", "m"}));
}

TEST(TextWriterTest, TypeConflictDroppedRestWritten) {
  MetricSet set;
  set.Add(Desc{"m", "first", MetricType::kGauge}, 1, {{"a", "1"}});
  set.Add(Desc{"m", "second", MetricType::kCounter}, 2, {{"a", "2"}});
  set.Add(Desc{"m", "second", MetricType::kGauge}, 3, {{"a", "3"}});
  EXPECT_EQ(set.type_conflicts(), 1u);
  EXPECT_EQ(Render(set), "# HELP m first\n# TYPE m gauge\nm{a=\"1\"} 1\nm{a=\"3\"} 3\n");
}

TEST(TextWriterTest, HistogramLikeClientGolang) {
  MetricSet set;
  const Desc d{"req_seconds", "Latency.", MetricType::kHistogram};
  const Bucket buckets[] = {{1, 3}, {0.25, 1}, {2.5e-05, 0}};
  const Label labels[] = {{"method", "get"}, {"code", "200"}};
  set.AddComposite(d, labels, 1.5, 4, buckets);
  WriteResult r;
  EXPECT_EQ(Render(set, &r),
            "# HELP req_seconds Latency.\n# TYPE req_seconds histogram\n"
            "req_seconds_bucket{code=\"200\",method=\"get\",le=\"2.5e-05\"} 0\n"
            "req_seconds_bucket{code=\"200\",method=\"get\",le=\"0.25\"} 1\n"
            "req_seconds_bucket{code=\"200\",method=\"get\",le=\"1\"} 3\n"
            "req_seconds_bucket{code=\"200\",method=\"get\",le=\"+Inf\"} 4\n"
            "req_seconds_sum{code=\"200\",method=\"get\"} 1.5\n"
            "req_seconds_count{code=\"200\",method=\"get\"} 4\n");
  EXPECT_EQ(r.samples_written, 6u);
}

TEST(TextWriterTest, HistogramWithExplicitInfAndNoLabels) {
  MetricSet set;
  const Desc d{"h", "H.", MetricType::kHistogram};
  const Bucket buckets[] = {{HUGE_VAL, 9}, {1e6, 2}};
  set.AddComposite(d, {}, 1234567, 9, buckets);
  EXPECT_EQ(Render(set),
            "# HELP h H.\n# TYPE h histogram\n"
            "h_bucket{le=\"1e+06\"} 2\n"
            "h_bucket{le=\"+Inf\"} 9\n"
            "h_sum 1.234567e+06\n"
            "h_count 9\n");
}

TEST(TextWriterTest, SummaryLikeClientGolang) {
  MetricSet set;
  const Desc d{"gc_seconds", "GC.", MetricType::kSummary};
  const Bucket quantiles[] = {{1, 0.004}, {0, 0.0001}, {0.5, 0.002}, {0.25, 0.001}, {0.75, 0.003}};
  const Label labels[] = {{"gen", "0"}};
  set.AddComposite(d, labels, 0.5, 120, quantiles);
  EXPECT_EQ(Render(set),
            "# HELP gc_seconds GC.\n# TYPE gc_seconds summary\n"
            "gc_seconds{gen=\"0\",quantile=\"0\"} 0.0001\n"
            "gc_seconds{gen=\"0\",quantile=\"0.25\"} 0.001\n"
            "gc_seconds{gen=\"0\",quantile=\"0.5\"} 0.002\n"
            "gc_seconds{gen=\"0\",quantile=\"0.75\"} 0.003\n"
            "gc_seconds{gen=\"0\",quantile=\"1\"} 0.004\n"
            "gc_seconds_sum{gen=\"0\"} 0.5\n"
            "gc_seconds_count{gen=\"0\"} 120\n");
}

TEST(TextWriterTest, CompositeSeriesSortedAndDeduplicated) {
  MetricSet set;
  const Desc d{"s", "S.", MetricType::kSummary};
  const Bucket q[] = {{0.5, 1}};
  const Label b[] = {{"x", "b"}};
  const Label a[] = {{"x", "a"}};
  set.AddComposite(d, b, 1, 1, q);
  set.AddComposite(d, a, 2, 2, q);
  set.AddComposite(d, b, 3, 3, q);
  WriteResult r;
  EXPECT_EQ(Render(set, &r),
            "# HELP s S.\n# TYPE s summary\n"
            "s{x=\"a\",quantile=\"0.5\"} 1\ns_sum{x=\"a\"} 2\ns_count{x=\"a\"} 2\n"
            "s{x=\"b\",quantile=\"0.5\"} 1\ns_sum{x=\"b\"} 1\ns_count{x=\"b\"} 1\n");
  EXPECT_EQ(r.duplicates, (std::vector<std::string>{"s{x=\"b\"}"}));
}

TEST(TextWriterTest, NonLegacyNamesAreQuotedLikeExpfmt) {
  MetricSet set;
  set.Add(Desc{"my.metric", "h", MetricType::kGauge}, 1, {{"la-bel", "v"}});
  set.Add(Desc{"bad\nname", "h", MetricType::kGauge}, 2);
  EXPECT_EQ(Render(set),
            "# HELP \"bad\\nname\" h\n# TYPE \"bad\\nname\" gauge\n{\"bad\\nname\"} 2\n"
            "# HELP \"my.metric\" h\n# TYPE \"my.metric\" gauge\n{\"my.metric\",\"la-bel\"=\"v\"} 1\n");
}

TEST(TextWriterTest, ReuseAcrossScrapesIsIdentical) {
  MetricSet set;
  TextWriter writer;
  std::string first;
  std::string second;
  const Desc d{"m", "h", MetricType::kGauge};
  set.Add(d, 1, {{"a", "2"}});
  set.Add(d, 2, {{"a", "1"}});
  writer.Write(set, &first);
  set.Clear();
  set.Add(d, 1, {{"a", "2"}});
  set.Add(d, 2, {{"a", "1"}});
  writer.Write(set, &second);
  EXPECT_EQ(first, second);
  set.Clear();
  writer.Write(set, &second);
  EXPECT_EQ(second, "");  // Families without samples this scrape are not written.
}

// A reused writer starts from the previous scrape's order; whenever the
// series changed it must still write exactly what a fresh writer writes.
TEST(TextWriterTest, ReusedOrderFollowsChangedSeries) {
  const Desc a{"node_a", "A.", MetricType::kGauge};
  const Desc b{"node_b", "B.", MetricType::kCounter};
  // Each scrape has four samples, so only the content decides whether the
  // previous order still fits.
  const std::vector<std::vector<std::pair<const Desc*, std::string>>> scrapes = {
      {{&a, "1"}, {&a, "2"}, {&b, "x"}, {&b, "y"}},
      {{&a, "1"}, {&a, "2"}, {&b, "x"}, {&b, "y"}},  // Unchanged: order reused.
      {{&a, "3"}, {&a, "2"}, {&b, "x"}, {&b, "y"}},  // A value now sorts last.
      {{&b, "y"}, {&a, "3"}, {&b, "x"}, {&a, "2"}},  // Same series, other insertion order.
      {{&a, "2"}, {&a, "2"}, {&b, "x"}, {&b, "x"}},  // Duplicates appear: first wins.
      {{&a, "2"}, {&a, "1"}, {&b, "x"}, {&b, "z"}},  // And go again.
      {{&b, "x"}, {&b, "w"}, {&b, "v"}, {&a, ""}},   // Families change sizes.
  };
  MetricSet set;
  TextWriter reused;
  std::string out;
  double value = 0;
  for (size_t i = 0; i < scrapes.size(); ++i) {
    set.Clear();
    for (const auto& [desc, label] : scrapes[i]) set.Add(*desc, ++value, {{"l", label}});
    WriteResult got = reused.Write(set, &out);
    WriteResult want;
    EXPECT_EQ(out, Render(set, &want)) << "scrape " << i;
    EXPECT_EQ(got.samples_written, want.samples_written) << "scrape " << i;
    EXPECT_EQ(got.duplicates, want.duplicates) << "scrape " << i;
  }
}

TEST(TextWriterTest, SteadyStateScrapeDoesNotAllocate) {
  const Desc cpu{"node_cpu_seconds_total", "Seconds.", MetricType::kCounter};
  const Desc load{"node_load1", "Load.", MetricType::kGauge};
  const Desc hist{"node_h", "H.", MetricType::kHistogram};
  const char* const modes[] = {"idle", "user", "system", "iowait"};
  const Bucket buckets[] = {{0.1, 1}, {1, 2}};
  MetricSet set;
  TextWriter writer;
  std::string out;
  auto scrape = [&] {
    set.Clear();
    char buf[24];
    for (int c = 0; c < 16; ++c) {
      for (const char* mode : modes) set.Add(cpu, c * 1.5, {{"mode", mode}, {"cpu", IntLabel(buf, c)}});
    }
    set.Add(load, 0.5);
    const Label labels[] = {{"dev", "sda"}};
    set.AddComposite(hist, labels, 1, 2, buckets);
    WriteResult r = writer.Write(set, &out);
    return r.samples_written;
  };
  const size_t expected = scrape();  // Warm-up: the only scrape allowed to allocate.
  g_allocations = 0;
  g_counting = true;
  {
    // The counter itself works: a string too long for SSO allocates once.
    std::string probe(100, 'x');
    EXPECT_EQ(g_allocations.load(), 1u);
  }
  g_allocations = 0;
  size_t written = 0;
  for (int i = 0; i < 3; ++i) written += scrape();
  g_counting = false;
  EXPECT_EQ(g_allocations.load(), 0u);
  EXPECT_EQ(written, 3 * expected);
  EXPECT_EQ(expected, 16u * 4 + 1 + 5);
}

}  // namespace
}  // namespace nodex::expo
