#include "collectors/cpu_vulnerabilities.h"

#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "collectors/testing/kit.h"
#include "collectors/testing/scratch.h"

namespace nodex::collectors {
namespace {

CpuVulnerability Parse(std::string_view s) {
  CpuVulnerability v;
  ParseCpuVulnerability(s, &v);
  return v;
}

TEST(ParseCpuVulnerabilityTest, States) {
  auto v = Parse("Not affected\n");
  EXPECT_EQ(v.state, "not affected");
  EXPECT_EQ(v.mitigation, "");
  v = Parse("Vulnerable\n");
  EXPECT_EQ(v.state, "vulnerable");
  EXPECT_EQ(v.mitigation, "");
  v = Parse("Vulnerable: Safe RET, no microcode\n");
  EXPECT_EQ(v.state, "vulnerable");
  EXPECT_EQ(v.mitigation, "Safe RET, no microcode");
  v = Parse("Mitigation: Retpolines; STIBP: disabled; RSB filling; PBRSB-eIBRS: Not affected; BHI: Not affected\n");
  EXPECT_EQ(v.state, "mitigation");
  EXPECT_EQ(v.mitigation, "Retpolines; STIBP: disabled; RSB filling; PBRSB-eIBRS: Not affected; BHI: Not affected");
  v = Parse("Unknown: No mitigations\n");
  EXPECT_EQ(v.state, "unknown");
  EXPECT_EQ(v.mitigation, "No mitigations");
}

TEST(ParseCpuVulnerabilityTest, OddInputNeverFails) {
  auto v = Parse("Processor vulnerable\n");
  EXPECT_EQ(v.state, "unknown");
  EXPECT_EQ(v.mitigation, "Processor vulnerable");
  v = Parse("");
  EXPECT_EQ(v.state, "unknown");
  EXPECT_EQ(v.mitigation, "");
  v = Parse("MITIGATION:   PTI   \t  enabled");  // Case and spacing are normalised.
  EXPECT_EQ(v.state, "mitigation");
  EXPECT_EQ(v.mitigation, "PTI enabled");
  // The buffer is reused: a second parse must not keep old text.
  ParseCpuVulnerability("Not affected", &v);
  EXPECT_EQ(v.mitigation, "");
}

TEST(CpuVulnerabilitiesCollectorTest, RealCaptureFromThisMachine) {
  // Copied from this machine's /sys/devices/system/cpu/vulnerabilities.
  auto collector = testing::MustCreate(NewCpuVulnerabilitiesCollector,
                                       testing::SysContext("src/collectors/testdata/cpu_vulnerabilities/real"));
  expo::MetricSet set;
  ASSERT_TRUE(collector->Collect(set).ok());
  EXPECT_EQ(set.Count("node_cpu_vulnerabilities_info"), 19u);
  EXPECT_EQ(set.Find("node_cpu_vulnerabilities_info", {{"codename", "spec_rstack_overflow"},
                                                       {"state", "vulnerable"},
                                                       {"mitigation", "Safe RET, no microcode"}}),
            1.0);
  EXPECT_EQ(set.Find("node_cpu_vulnerabilities_info",
                     {{"codename", "spec_store_bypass"}, {"state", "vulnerable"}, {"mitigation", ""}}),
            1.0);
}

TEST(CpuVulnerabilitiesCollectorTest, RereadsContentEveryScrape) {
  testing::ScratchTree dir("cpu_vulnerabilities_reread");
  const std::string file = dir.Path("devices/system/cpu/vulnerabilities/mds");
  dir.Write("devices/system/cpu/vulnerabilities/mds", "Vulnerable\n");
  auto collector = testing::MustCreate(NewCpuVulnerabilitiesCollector, testing::SysContext(dir.root()));
  expo::MetricSet set;
  ASSERT_TRUE(collector->Collect(set).ok());
  EXPECT_EQ(set.Find("node_cpu_vulnerabilities_info", {{"state", "vulnerable"}}), 1.0);
  {
    std::ofstream out(file, std::ios::binary | std::ios::in);
    out << "Mitigation: VERW\n";
  }
  set.Clear();
  ASSERT_TRUE(collector->Collect(set).ok());
  EXPECT_EQ(set.Find("node_cpu_vulnerabilities_info", {{"state", "mitigation"}, {"mitigation", "VERW"}}), 1.0);
}

TEST(CpuVulnerabilitiesCollectorTest, MissingDirectoryGivesNoSamples) {
  testing::ScratchTree dir("cpu_vulnerabilities_missing");
  auto collector = testing::MustCreate(NewCpuVulnerabilitiesCollector, testing::SysContext(dir.root()));
  expo::MetricSet set;
  EXPECT_TRUE(collector->Collect(set).ok());
  EXPECT_EQ(set.samples().size(), 0u);
}

TEST(CpuVulnerabilitiesCollectorTest, UnreadableEntryIsAnError) {
  testing::ScratchTree dir("cpu_vulnerabilities_subdir");
  dir.MakeDir("devices/system/cpu/vulnerabilities/not_a_file");
  auto collector = testing::MustCreate(NewCpuVulnerabilitiesCollector, testing::SysContext(dir.root()));
  expo::MetricSet set;
  EXPECT_EQ(collector->Collect(set).code(), StatusCode::kError);
}

TEST(CpuVulnerabilitiesCollectorTest, MatchesNodeExporterOnConformanceFixtures) {
  NODEX_REQUIRE_KIT(kit);
  testing::ScopedKitDir cd(kit);
  FlagValues flags;
  Logger log;
  auto collector = testing::MustCreate(NewCpuVulnerabilitiesCollector, testing::KitContext(&flags, &log));
  expo::MetricSet set;
  ASSERT_TRUE(collector->Collect(set).ok());
  const std::vector<std::string> families = {"node_cpu_vulnerabilities_info"};
  auto expected = testing::ExpectedLines(kit, families);
  EXPECT_EQ(expected.size(), 6u);
  EXPECT_EQ(testing::RenderedLines(set, families), expected);
}

}  // namespace
}  // namespace nodex::collectors
