#include "collectors/pressure.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <string>
#include <vector>

#include "collectors/testing/kit.h"
#include "collectors/testing/scratch.h"

namespace nodex::collectors {
namespace {

TEST(ParsePressureTest, HandWritten) {
  auto s = ParsePressure(
      "some avg10=0.18 avg60=0.34 avg300=0.10 total=159886802\n"
      "full avg10=1.50 avg60=0.00 avg300=99.99 total=18446744073709551615\n");
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_TRUE(s->has_some);
  EXPECT_TRUE(s->has_full);
  EXPECT_DOUBLE_EQ(s->some.avg10, 0.18);
  EXPECT_EQ(s->some.total, 159886802u);
  EXPECT_DOUBLE_EQ(s->full.avg300, 99.99);
  EXPECT_EQ(s->full.total, 18446744073709551615u);

  auto irq = ParsePressure("full avg10=0.00 avg60=0.00 avg300=0.00 total=8494");
  ASSERT_TRUE(irq.ok());
  EXPECT_FALSE(irq->has_some);
  EXPECT_EQ(irq->full.total, 8494u);

  auto unknown = ParsePressure("partial avg10=x\n\nsome avg10=0 avg60=0 avg300=0 total=1 trailing\n");
  ASSERT_TRUE(unknown.ok());
  EXPECT_EQ(unknown->some.total, 1u);

  auto empty = ParsePressure("");
  ASSERT_TRUE(empty.ok());
  EXPECT_FALSE(empty->has_some || empty->has_full);
}

TEST(ParsePressureTest, RealCaptureFromThisMachine) {
  for (const char* r : {"cpu", "io", "memory"}) {
    std::ifstream in(std::string("src/collectors/testdata/pressure/real/pressure/") + r);
    ASSERT_TRUE(in) << "run from the repository root";
    std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto s = ParsePressure(content);
    ASSERT_TRUE(s.ok()) << r << ": " << s.status().message();
    EXPECT_TRUE(s->has_some) << r;
  }
}

TEST(ParsePressureTest, RejectsMalformed) {
  for (const char* bad : {"some avg10=0.00 avg60=0.00 avg300=0.00\n", "some avg10=0.00 avg60=0.00 avg300=0.00 total=\n",
                          "some avg10=x avg60=0.00 avg300=0.00 total=1\n", "full avg10=0 avg60=0 avg300=0 total=-1\n",
                          "some avg60=0 avg10=0 avg300=0 total=1\n", "some avg10=0 avg60=0 avg300=0 total=1x\n",
                          "some avg10=0 avg60=0 avg300=0 total=99999999999999999999\n", "some\n", "full total=1\n"}) {
    EXPECT_FALSE(ParsePressure(bad).ok()) << bad;
  }
}

TEST(PressureCollectorTest, RealCaptureThroughCollectorWithoutIrq) {
  auto c = testing::MustCreate(NewPressureCollector, testing::ProcContext("src/collectors/testdata/pressure/real"));
  expo::MetricSet set;
  ASSERT_TRUE(c->Collect(set).ok());
  EXPECT_EQ(set.Count("node_pressure_cpu_waiting_seconds_total"), 1u);
  EXPECT_EQ(set.Count("node_pressure_memory_stalled_seconds_total"), 1u);
  EXPECT_EQ(set.Count("node_pressure_irq_stalled_seconds_total"), 0u);
}

TEST(PressureCollectorTest, MissingAndIncompleteFiles) {
  testing::ScratchTree dir("pressure_missing");
  dir.MakeDir("pressure");
  auto c = testing::MustCreate(NewPressureCollector, testing::ProcContext(dir.root()));
  expo::MetricSet set;
  EXPECT_EQ(c->Collect(set).code(), StatusCode::kNoData);
  EXPECT_EQ(set.samples().size(), 0u);

  // cpu without "full" (kernels before 5.13) is fine.
  dir.Write("pressure/cpu", "some avg10=0 avg60=0 avg300=0 total=2500000\n");
  set.Clear();
  ASSERT_TRUE(c->Collect(set).ok());
  EXPECT_DOUBLE_EQ(set.Find("node_pressure_cpu_waiting_seconds_total"), 2.5);

  // io without "full" means no usable data.
  dir.Write("pressure/io", "some avg10=0 avg60=0 avg300=0 total=1\n");
  set.Clear();
  EXPECT_EQ(c->Collect(set).code(), StatusCode::kNoData);

  dir.Write("pressure/io", "some avg10=0 avg60=0 avg300=zero total=1\nfull avg10=0 avg60=0 avg300=0 total=1\n");
  set.Clear();
  EXPECT_EQ(c->Collect(set).code(), StatusCode::kError);
}

TEST(PressureCollectorTest, MatchesNodeExporterOnConformanceFixtures) {
  NODEX_REQUIRE_KIT(kit);
  testing::ScopedKitDir cd(kit);
  FlagValues flags;
  Logger log;
  auto ctx = testing::KitContext(&flags, &log);
  auto c = NewPressureCollector(ctx);
  ASSERT_TRUE(c.ok());
  expo::MetricSet set;
  ASSERT_TRUE(c.value()->Collect(set).ok());
  const std::vector<std::string> families = {
      "node_pressure_cpu_waiting_seconds_total",    "node_pressure_io_stalled_seconds_total",
      "node_pressure_io_waiting_seconds_total",     "node_pressure_irq_stalled_seconds_total",
      "node_pressure_memory_stalled_seconds_total", "node_pressure_memory_waiting_seconds_total"};
  auto expected = testing::ExpectedLines(kit, families);
  EXPECT_EQ(expected.size(), 12u);
  EXPECT_EQ(testing::RenderedLines(set, families), expected);
}

}  // namespace
}  // namespace nodex::collectors
