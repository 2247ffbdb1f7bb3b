#include "collectors/interrupts.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "base/file_reader.h"
#include "collectors/testing/kit.h"
#include "collectors/testing/scratch.h"

namespace nodex::collectors {
namespace {

const InterruptRow* FindRow(const InterruptTable& t, std::string_view name) {
  for (size_t i = 0; i < t.row_count; ++i) {
    if (t.rows[i].name == name) return &t.rows[i];
  }
  return nullptr;
}

TEST(ParseInterruptsTest, RealCaptureFromThisMachine) {
  std::string content;
  ASSERT_TRUE(ReadFileOnce("src/collectors/testdata/interrupts/real_interrupts", &content).ok());
  InterruptTable t;
  ASSERT_TRUE(ParseInterrupts(content, &t).ok());
  EXPECT_EQ(t.cpus, 2u);
  const InterruptRow* ged = FindRow(t, "24");
  ASSERT_NE(ged, nullptr);
  EXPECT_EQ(ged->info, "IO-APIC");
  EXPECT_EQ(ged->devices, "5-edge ACPI:Ged");
  EXPECT_EQ(FindRow(t, "MIS"), nullptr);  // One global count: skipped.
  const InterruptRow* pin = FindRow(t, "PIN");
  ASSERT_NE(pin, nullptr);
  EXPECT_EQ(pin->info, "Posted-interrupt notification event");
  EXPECT_TRUE(pin->devices.empty());
}

TEST(ParseInterruptsTest, HandWrittenAarch64AndDuplicates) {
  InterruptTable t;
  ASSERT_TRUE(ParseInterrupts("  CPU0  CPU1\n"
                              " 11:1 2 GICv3 27 Level arch_timer\n"
                              "IPI0:3 4 Rescheduling interrupts\r\n"
                              "no colon here 1 2\n"
                              "ERR: 0\n"
                              " 11: 5 6 GIC x\n",
                              &t)
                  .ok());
  ASSERT_EQ(t.row_count, 2u);
  const InterruptRow* timer = FindRow(t, "11");
  ASSERT_NE(timer, nullptr);
  EXPECT_EQ(t.values[timer->values_begin], "5");
  EXPECT_EQ(timer->info, "GIC");
  EXPECT_EQ(timer->devices, "x");
  const InterruptRow* ipi = FindRow(t, "IPI0");
  ASSERT_NE(ipi, nullptr);
  EXPECT_EQ(ipi->info, "Rescheduling interrupts");
  EXPECT_EQ(t.values[ipi->values_begin + 1], "4");

  EXPECT_FALSE(ParseInterrupts("", &t).ok());
  ASSERT_TRUE(ParseInterrupts("CPU0\n", &t).ok());
  EXPECT_EQ(t.row_count, 0u);
}

TEST(InterruptsCollectorTest, BadValuesFiltersAndZeros) {
  testing::ScratchTree dir("interrupts_filters");
  dir.Write("interrupts",
            "  CPU0 CPU1\n"
            "  0: 7 0 IO-APIC 2-edge timer\n"
            "NMI: x 1 Non-maskable interrupts\n");
  FlagValues flags;
  Context ctx = testing::ProcContext(dir.root(), &flags);
  {
    auto c = NewInterruptsCollector(ctx);
    ASSERT_TRUE(c.ok());
    expo::MetricSet set;
    EXPECT_EQ(c.value()->Collect(set).code(), StatusCode::kError);  // "x" is exported, so it must parse.
  }
  flags.Set("collector.interrupts.name-exclude", "^NMI;");
  flags.Set("collector.interrupts.include-zeros", "false");
  {
    auto c = NewInterruptsCollector(ctx);
    ASSERT_TRUE(c.ok());
    expo::MetricSet set;
    ASSERT_TRUE(c.value()->Collect(set).ok());
    EXPECT_EQ(set.Count("node_interrupts_total"), 1u);
    EXPECT_EQ(set.Find("node_interrupts_total",
                       {{"cpu", "0"}, {"type", "0"}, {"info", "IO-APIC"}, {"devices", "2-edge timer"}}),
              7);
  }
  flags.Set("collector.interrupts.name-include", "timer$");
  flags.Set("collector.interrupts.name-exclude", "");
  flags.Set("collector.interrupts.include-zeros", "true");
  {
    auto c = NewInterruptsCollector(ctx);
    ASSERT_TRUE(c.ok());
    expo::MetricSet set;
    ASSERT_TRUE(c.value()->Collect(set).ok());
    EXPECT_EQ(set.Count("node_interrupts_total"), 2u);
  }
  flags.Set("collector.interrupts.name-include", "[");
  auto bad = NewInterruptsCollector(ctx);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("collector.interrupts.name-include"), std::string::npos);
}

TEST(InterruptsCollectorTest, MissingFileFails) {
  auto c = NewInterruptsCollector(
      testing::ProcContext(::testing::TempDir() + "nodex_interrupts_none_" + std::to_string(getpid())));
  ASSERT_TRUE(c.ok());
  expo::MetricSet set;
  EXPECT_EQ(c.value()->Collect(set).code(), StatusCode::kError);
}

TEST(InterruptsCollectorTest, MatchesNodeExporterOnConformanceFixtures) {
  NODEX_REQUIRE_KIT(kit);
  testing::ScopedKitDir cd(kit);
  FlagValues flags;
  Logger log;
  auto ctx = testing::KitContext(&flags, &log);
  auto c = NewInterruptsCollector(ctx);
  ASSERT_TRUE(c.ok());
  expo::MetricSet set;
  ASSERT_TRUE(c.value()->Collect(set).ok());
  set.Clear();
  ASSERT_TRUE(c.value()->Collect(set).ok());
  const std::vector<std::string> families = {"node_interrupts_total"};
  auto expected = testing::ExpectedLines(kit, families);
  EXPECT_EQ(expected.size(), 113u);
  EXPECT_EQ(testing::RenderedLines(set, families), expected);
}

}  // namespace
}  // namespace nodex::collectors
