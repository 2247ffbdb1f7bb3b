#include "collectors/vmstat.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "base/file_reader.h"
#include "collectors/testing/kit.h"
#include "collectors/testing/scratch.h"

namespace nodex::collectors {
namespace {

TEST(ParseVmstatTest, RealCaptureFromThisMachine) {
  std::string content;
  ASSERT_TRUE(ReadFileOnce("src/collectors/testdata/vmstat/real_vmstat", &content).ok()) << "run from repo root";
  std::vector<VmstatField> fields;
  ASSERT_TRUE(ParseVmstat(content, &fields).ok());
  EXPECT_GT(fields.size(), 100u);
  bool saw_pgfault = false;
  for (const auto& f : fields) saw_pgfault |= f.name == "pgfault";
  EXPECT_TRUE(saw_pgfault);
}

TEST(ParseVmstatTest, HandWritten) {
  std::vector<VmstatField> fields;
  ASSERT_TRUE(ParseVmstat("nr_free_pages 12\npgfault 18446744073709551615 extra\r\noom_kill 0", &fields).ok());
  ASSERT_EQ(fields.size(), 3u);
  EXPECT_EQ(fields[0].name, "nr_free_pages");
  EXPECT_EQ(fields[0].value, 12);
  EXPECT_EQ(fields[1].value, 18446744073709551615.0);
  EXPECT_EQ(fields[2].name, "oom_kill");
  ASSERT_TRUE(ParseVmstat("", &fields).ok());
  EXPECT_TRUE(fields.empty());
  ASSERT_TRUE(ParseVmstat("nr_foo -3\n", &fields).ok());
  EXPECT_EQ(fields[0].value, -3);
}

TEST(ParseVmstatTest, RejectsMalformed) {
  std::vector<VmstatField> fields;
  for (const char* bad : {"pgfault\n", "pgfault abc\n", "a 1\n\nb 2\n", "pgfault 12x", "pg-fault 1", "pgfault 1e999",
                          "pgfault nan", "pgfault 0x10"}) {
    EXPECT_FALSE(ParseVmstat(bad, &fields).ok()) << bad;
  }
}

TEST(VmstatCollectorTest, DefaultFilterAndMissingFile) {
  testing::ScratchTree dir("vmstat_filter");
  dir.Write("vmstat", "nr_free_pages 1\npgpgin 2\npgmajfault 3\noom_kill 4\npswpout 5\npgfree 6\n");
  auto c = testing::MustCreate(NewVmstatCollector, testing::ProcContext(dir.root()));
  expo::MetricSet set;
  ASSERT_TRUE(c->Collect(set).ok());
  EXPECT_EQ(set.Count("node_vmstat_nr_free_pages"), 0u);
  EXPECT_EQ(set.Count("node_vmstat_pgfree"), 0u);
  EXPECT_EQ(set.Find("node_vmstat_pgpgin"), 2);
  EXPECT_EQ(set.Find("node_vmstat_pgmajfault"), 3);
  EXPECT_EQ(set.Find("node_vmstat_oom_kill"), 4);
  EXPECT_EQ(set.Find("node_vmstat_pswpout"), 5);
  set.Clear();
  ASSERT_TRUE(c->Collect(set).ok());  // Cached names are reused.
  EXPECT_EQ(set.samples().size(), 4u);

  dir.Write("vmstat", "pgpgin x\n");
  set.Clear();
  EXPECT_EQ(c->Collect(set).code(), StatusCode::kError);

  testing::ScratchTree missing("vmstat_missing");
  auto m = testing::MustCreate(NewVmstatCollector, testing::ProcContext(missing.root()));
  EXPECT_EQ(m->Collect(set).code(), StatusCode::kError);
}

TEST(VmstatCollectorTest, FieldsFlag) {
  testing::ScratchTree dir("vmstat_flag");
  dir.Write("vmstat", "nr_free_pages 1\npgpgin 2\n");
  FlagValues flags;
  flags.Set("collector.vmstat.fields", "free");
  Context ctx = testing::ProcContext(dir.root(), &flags);
  auto c = testing::MustCreate(NewVmstatCollector, ctx);
  expo::MetricSet set;
  ASSERT_TRUE(c->Collect(set).ok());
  EXPECT_EQ(set.Find("node_vmstat_nr_free_pages"), 1);
  EXPECT_EQ(set.Count("node_vmstat_pgpgin"), 0u);

  flags.Set("collector.vmstat.fields", "(unclosed");
  auto bad = NewVmstatCollector(ctx);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("collector.vmstat.fields"), std::string::npos);
}

TEST(VmstatCollectorTest, MatchesNodeExporterOnConformanceFixtures) {
  NODEX_REQUIRE_KIT(kit);
  testing::ScopedKitDir cd(kit);
  FlagValues flags;
  Logger log;
  auto ctx = testing::KitContext(&flags, &log);
  auto c = testing::MustCreate(NewVmstatCollector, ctx);
  expo::MetricSet set;
  ASSERT_TRUE(c->Collect(set).ok());
  const std::vector<std::string> families = {"node_vmstat_oom_kill", "node_vmstat_pgfault", "node_vmstat_pgmajfault",
                                             "node_vmstat_pgpgin",   "node_vmstat_pgpgout", "node_vmstat_pswpin",
                                             "node_vmstat_pswpout"};
  auto expected = testing::ExpectedLines(kit, families);
  EXPECT_EQ(expected.size(), 14u);
  EXPECT_EQ(testing::RenderedLines(set, families), expected);
  EXPECT_EQ(set.samples().size(), 7u);
}

}  // namespace
}  // namespace nodex::collectors
