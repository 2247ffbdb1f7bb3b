#include "expo/metric_set.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

namespace nodex::expo {
namespace {

constexpr Desc kCpu{"node_cpu_seconds_total", "Seconds spent.", MetricType::kCounter};
constexpr Desc kLoad{"node_load1", "Load.", MetricType::kGauge};
constexpr Desc kLoadAsCounter{"node_load1", "Other help.", MetricType::kCounter};
constexpr Desc kHist{"node_hist", "Histogram.", MetricType::kHistogram};

TEST(MetricSetTest, FindAndCount) {
  MetricSet set;
  set.Add(kCpu, 1.5, {{"cpu", "0"}, {"mode", "idle"}});
  set.Add(kCpu, 2.5, {{"mode", "user"}, {"cpu", "0"}});
  set.Add(kLoad, 0.25);
  EXPECT_EQ(set.Count("node_cpu_seconds_total"), 2u);
  EXPECT_EQ(set.Count("node_load1"), 1u);
  EXPECT_EQ(set.Count("missing"), 0u);
  EXPECT_EQ(set.Find("node_cpu_seconds_total", {{"mode", "user"}}), 2.5);
  EXPECT_EQ(set.Find("node_cpu_seconds_total", {{"cpu", "0"}, {"mode", "idle"}}), 1.5);
  EXPECT_EQ(set.Find("node_load1"), 0.25);
  EXPECT_TRUE(std::isnan(set.Find("node_cpu_seconds_total", {{"mode", "steal"}})));
  EXPECT_TRUE(std::isnan(set.Find("missing")));
}

TEST(MetricSetTest, LabelsAreStoredSortedByName) {
  MetricSet set;
  set.Add(kCpu, 1, {{"mode", "idle"}, {"cpu", "3"}, {"a", "x"}});
  ASSERT_EQ(set.samples().size(), 1u);
  const auto& s = set.samples()[0];
  ASSERT_EQ(s.label_count, 3u);
  std::vector<std::string> names;
  for (uint32_t i = 0; i < s.label_count; ++i) names.emplace_back(set.LabelName(set.labels()[s.label_begin + i]));
  EXPECT_EQ(names, (std::vector<std::string>{"a", "cpu", "mode"}));
  EXPECT_EQ(set.LabelValue(set.labels()[s.label_begin + 1]), "3");
}

TEST(MetricSetTest, LabelValuesAreCopied) {
  MetricSet set;
  {
    std::string value = "transient";
    set.Add(kCpu, 1, {{"mode", value}});
    value.assign("overwritten");
  }
  EXPECT_EQ(set.Find("node_cpu_seconds_total", {{"mode", "transient"}}), 1);
}

TEST(MetricSetTest, DynamicDescStringsAreCopied) {
  MetricSet set;
  {
    std::string name = "textfile_metric";
    std::string help = "dynamic help";
    set.Add(Desc{name, help, MetricType::kGauge}, 7);
    name.assign("XXXXXXXXXXXXXXX");
    help.assign("YYYYYYYYYYYY");
  }
  ASSERT_EQ(set.families().size(), 1u);
  EXPECT_EQ(set.families()[0].name, "textfile_metric");
  EXPECT_EQ(set.families()[0].help, "dynamic help");
  EXPECT_EQ(set.Find("textfile_metric"), 7);
}

// Add remembers families by the address of their name; a name buffer a collector
// reuses with other content, and families that alternate, must still land
// in the right family, with the type check intact.
TEST(MetricSetTest, ReusedNameBufferAndAlternatingFamilies) {
  MetricSet set;
  std::string name = "node_a";
  set.Add(Desc{name, "A.", MetricType::kGauge}, 1);
  name.assign("node_b");
  set.Add(Desc{name, "B.", MetricType::kGauge}, 2);
  set.Add(kLoad, 3);
  name.assign("node_a");
  set.Add(Desc{name, "A.", MetricType::kGauge}, 4, {{"x", "y"}});
  set.Add(Desc{name, "A.", MetricType::kCounter}, 5, {{"x", "z"}});  // Type conflict.
  set.Add(kLoad, 6, {{"x", "y"}});
  ASSERT_EQ(set.families().size(), 3u);
  EXPECT_EQ(set.Count("node_a"), 2u);
  EXPECT_EQ(set.Count("node_b"), 1u);
  EXPECT_EQ(set.Count("node_load1"), 2u);
  EXPECT_EQ(set.Find("node_a", {{"x", "y"}}), 4);
  EXPECT_EQ(set.type_conflicts(), 1u);
  set.Clear();
  // A new scrape: the first Desc decides the type again, hint or not.
  set.Add(Desc{name, "A.", MetricType::kCounter}, 7);
  EXPECT_EQ(set.type_conflicts(), 0u);
  EXPECT_EQ(set.families()[0].type, MetricType::kCounter);
  EXPECT_EQ(set.Find("node_a"), 7);
}

TEST(MetricSetTest, FamiliesMergeAndFirstDescWins) {
  MetricSet set;
  set.Add(kLoad, 1);
  set.Add(Desc{"node_load1", "Different help.", MetricType::kGauge}, 2, {{"x", "y"}});
  ASSERT_EQ(set.families().size(), 1u);
  EXPECT_EQ(set.families()[0].help, "Load.");
  EXPECT_EQ(set.Count("node_load1"), 2u);
  EXPECT_EQ(set.type_conflicts(), 0u);
}

TEST(MetricSetTest, TypeConflictIsDropped) {
  MetricSet set;
  set.Add(kLoad, 1);
  set.Add(kLoadAsCounter, 2, {{"x", "y"}});
  EXPECT_EQ(set.Count("node_load1"), 1u);
  EXPECT_EQ(set.type_conflicts(), 1u);
  EXPECT_EQ(set.families()[0].type, MetricType::kGauge);
}

TEST(MetricSetTest, ShapeMismatchIsATypeConflict) {
  MetricSet set;
  set.Add(kHist, 1);
  const Bucket b[] = {{1, 1}};
  set.AddComposite(kLoad, {}, 1, 1, b);
  EXPECT_EQ(set.samples().size(), 0u);
  EXPECT_EQ(set.type_conflicts(), 2u);
}

TEST(MetricSetTest, EmptyNameIsDropped) {
  MetricSet set;
  set.Add(Desc{"", "help", MetricType::kGauge}, 1);
  EXPECT_TRUE(set.samples().empty());
}

TEST(MetricSetTest, CompositeBucketsAreSortedByBound) {
  MetricSet set;
  const Bucket buckets[] = {{10, 5}, {0.5, 1}, {HUGE_VAL, 7}, {1, 3}};
  const Label labels[] = {{"dev", "sda"}};
  set.AddComposite(kHist, labels, 12.5, 7, buckets);
  ASSERT_EQ(set.samples().size(), 1u);
  const auto& s = set.samples()[0];
  ASSERT_EQ(s.bucket_count, 4u);
  std::vector<double> bounds;
  for (uint32_t i = 0; i < s.bucket_count; ++i) bounds.push_back(set.buckets()[s.bucket_begin + i].bound);
  EXPECT_EQ(bounds, (std::vector<double>{0.5, 1, 10, HUGE_VAL}));
  EXPECT_EQ(s.value, 12.5);
  EXPECT_EQ(s.count, 7);
}

TEST(MetricSetTest, ClearForgetsSamplesAndResetsFamilyDescs) {
  MetricSet set;
  set.Add(kLoad, 1);
  set.Add(kLoadAsCounter, 2);
  EXPECT_EQ(set.type_conflicts(), 1u);
  set.Clear();
  EXPECT_EQ(set.samples().size(), 0u);
  EXPECT_EQ(set.Count("node_load1"), 0u);
  EXPECT_EQ(set.type_conflicts(), 0u);
  // In a new scrape the first Desc decides again.
  set.Add(kLoadAsCounter, 3);
  EXPECT_EQ(set.type_conflicts(), 0u);
  ASSERT_EQ(set.families().size(), 1u);
  EXPECT_EQ(set.families()[0].type, MetricType::kCounter);
  EXPECT_EQ(set.families()[0].help, "Other help.");
  EXPECT_EQ(set.Find("node_load1"), 3);
}

TEST(MetricSetTest, ClearKeepsCapacity) {
  MetricSet set;
  auto fill = [&set] {
    char buf[24];
    for (int i = 0; i < 1000; ++i) {
      set.Add(kCpu, i, {{"cpu", IntLabel(buf, i % 64)}, {"mode", "idle"}});
    }
  };
  fill();
  const auto* samples = set.samples().data();
  const auto* labels = set.labels().data();
  const std::string_view first = set.LabelValue(set.labels()[0]);
  set.Clear();
  fill();
  // Same storage: nothing was reallocated on the second scrape.
  EXPECT_EQ(set.samples().data(), samples);
  EXPECT_EQ(set.labels().data(), labels);
  EXPECT_EQ(set.LabelValue(set.labels()[0]).data(), first.data());
  EXPECT_EQ(set.Count("node_cpu_seconds_total"), 1000u);
}

TEST(MetricSetTest, IsLegacyName) {
  for (const char* ok : {"a", "_", ":", "node_cpu_seconds_total", "A:b_9", "__name__"}) {
    EXPECT_TRUE(IsLegacyName(ok)) << ok;
  }
  for (const char* bad : {"", "9a", "a-b", "my.metric", "a b", "caf\xc3\xa9", "a\n", "\"q\""}) {
    EXPECT_FALSE(IsLegacyName(bad)) << bad;
  }
  MetricSet set;
  set.Add(Desc{"ok_name", "h", MetricType::kGauge}, 1);
  set.Add(Desc{"bad.name", "h", MetricType::kGauge}, 1);
  ASSERT_EQ(set.families().size(), 2u);
  EXPECT_TRUE(set.families()[0].legacy_name);
  EXPECT_FALSE(set.families()[1].legacy_name);
}

TEST(MetricSetTest, IntLabel) {
  char buf[24];
  EXPECT_EQ(IntLabel(buf, 0), "0");
  EXPECT_EQ(IntLabel(buf, 42), "42");
  EXPECT_EQ(IntLabel(buf, -7), "-7");
  EXPECT_EQ(IntLabel(buf, INT64_MIN), "-9223372036854775808");
  EXPECT_EQ(IntLabel(buf, INT64_MAX), "9223372036854775807");
}

TEST(MetricSetTest, MetricTypeNames) {
  EXPECT_EQ(MetricTypeName(MetricType::kCounter), "counter");
  EXPECT_EQ(MetricTypeName(MetricType::kGauge), "gauge");
  EXPECT_EQ(MetricTypeName(MetricType::kUntyped), "untyped");
  EXPECT_EQ(MetricTypeName(MetricType::kSummary), "summary");
  EXPECT_EQ(MetricTypeName(MetricType::kHistogram), "histogram");
}

}  // namespace
}  // namespace nodex::expo
