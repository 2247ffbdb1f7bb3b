#include "collectors/edac.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "collectors/testing/kit.h"
#include "collectors/testing/scratch.h"

namespace nodex::collectors {
namespace {

using testing::MustCreate;
using testing::ScratchTree;

constexpr std::string_view kMc = "devices/system/edac/mc/";

std::unique_ptr<Collector> Make(const std::string& sysfs) {
  return MustCreate(NewEdacCollector, testing::SysContext(sysfs));
}

// A controller with all four required counters set to `v`.
void WriteController(const ScratchTree& t, std::string_view mc, std::string_view v) {
  for (std::string_view f : {"ce_count", "ce_noinfo_count", "ue_count", "ue_noinfo_count"}) {
    t.Write(std::string(kMc) + std::string(mc) + "/" + std::string(f), std::string(v) + "\n");
  }
}

TEST(ParseEdacCountTest, AcceptsDecimal) {
  EXPECT_EQ(*ParseEdacCount("0\n"), 0u);
  EXPECT_EQ(*ParseEdacCount(" 17 \n"), 17u);
  EXPECT_EQ(*ParseEdacCount("18446744073709551615"), UINT64_MAX);
}

TEST(ParseEdacCountTest, RejectsMalformed) {
  for (const char* bad : {"", "\n", "-1", "+1", "0x10", "1.5", "18446744073709551616", "1 2", "abc"}) {
    EXPECT_FALSE(ParseEdacCount(bad).ok()) << "input: '" << bad << "'";
  }
}

TEST(FormatEdacDimmLabelTest, MatchesNodeExporterRewrites) {
  std::string out;
  FormatEdacDimmLabel("mc0csrow0channel1\n", &out);
  EXPECT_EQ(out, "mc0_csrow0_channel1");
  FormatEdacDimmLabel("  CPU_SrcID#0_Ha#0_Chan#0_DIMM#0\n", &out);
  EXPECT_EQ(out, "CPU_SrcID0_Ha0_Chan0_DIMM0");
  FormatEdacDimmLabel("cs#row#channel", &out);  // '#' goes first, then the words match.
  EXPECT_EQ(out, "_csrow_channel");
  FormatEdacDimmLabel("", &out);
  EXPECT_EQ(out, "");
}

TEST(EdacChannelNumberTest, FindsDigits) {
  EXPECT_EQ(EdacChannelNumber("ch0_ce_count"), "0");
  EXPECT_EQ(EdacChannelNumber("ch12_ce_count"), "12");
  EXPECT_EQ(EdacChannelNumber("chch3_ce_count"), "3");
  EXPECT_EQ(EdacChannelNumber("chX_ce_count"), "");
  EXPECT_EQ(EdacChannelNumber("ch_ce_count"), "");
  EXPECT_EQ(EdacChannelNumber("ch1_ue_count"), "");
}

TEST(EdacCollectorTest, HandWrittenTree) {
  auto c = Make("src/collectors/testdata/edac/sys");
  ASSERT_NE(c, nullptr);
  expo::MetricSet set;
  ASSERT_TRUE(c->Collect(set).ok());
  EXPECT_EQ(set.Find("node_edac_correctable_errors_total", {{"controller", "0"}}), 7);
  EXPECT_EQ(set.Find("node_edac_uncorrectable_errors_total", {{"controller", "0"}}), 2);
  EXPECT_EQ(set.Find("node_edac_correctable_errors_total", {{"controller", "1"}}), 18446744073709551615.0);
  EXPECT_EQ(set.Find("node_edac_csrow_correctable_errors_total", {{"controller", "0"}, {"csrow", "unknown"}}), 1);
  EXPECT_EQ(set.Find("node_edac_csrow_correctable_errors_total", {{"controller", "0"}, {"csrow", "0"}}), 5);
  EXPECT_EQ(set.Find("node_edac_csrow_uncorrectable_errors_total", {{"controller", "0"}, {"csrow", "1"}}), 0);
  EXPECT_EQ(
      set.Find("node_edac_channel_correctable_errors_total",
               {{"controller", "0"}, {"csrow", "0"}, {"channel", "0"}, {"dimm_label", "CPU_SrcID0_Ha0_Chan0_DIMM0"}}),
      4);
  EXPECT_EQ(set.Find("node_edac_channel_uncorrectable_errors_total", {{"dimm_label", "mc0_csrow0_channel1"}}), 0);
  // csrow1/ch0 has neither a label nor a ue_count.
  EXPECT_EQ(set.Find("node_edac_channel_correctable_errors_total", {{"csrow", "1"}, {"dimm_label", "unknown"}}), 0);
  EXPECT_EQ(set.Count("node_edac_channel_correctable_errors_total"), 3u);
  EXPECT_EQ(set.Count("node_edac_channel_uncorrectable_errors_total"), 2u);
  EXPECT_EQ(set.Count("node_edac_csrow_correctable_errors_total"), 4u);  // 2 unknown + csrow0 + csrow1.
}

TEST(EdacCollectorTest, NoEdacIsSuccessWithoutSamples) {
  ScratchTree t("edac_missing");
  auto c = Make(t.root());
  expo::MetricSet set;
  EXPECT_TRUE(c->Collect(set).ok());
  EXPECT_EQ(set.samples().size(), 0u);
}

TEST(EdacCollectorTest, MissingControllerCounterFails) {
  ScratchTree t("edac_missing_counter");
  t.Write(std::string(kMc) + "mc0/ce_count", "1\n");
  auto c = Make(t.root());
  expo::MetricSet set;
  Status st = c->Collect(set);
  EXPECT_EQ(st.code(), StatusCode::kError);
  EXPECT_NE(st.message().find("ce_noinfo_count"), std::string::npos) << st.message();
}

TEST(EdacCollectorTest, MalformedCountersFail) {
  for (const char* bad : {"", "abc\n", "-3\n", "99999999999999999999\n", "12 34\n"}) {
    ScratchTree t("edac_malformed");
    WriteController(t, "mc0", "0");
    t.Write(std::string(kMc) + "mc0/ue_count", bad);
    auto c = Make(t.root());
    expo::MetricSet set;
    EXPECT_EQ(c->Collect(set).code(), StatusCode::kError) << "input: '" << bad << "'";
  }
}

TEST(EdacCollectorTest, CsrowCountersAreRequired) {
  ScratchTree t("edac_csrow");
  WriteController(t, "mc0", "0");
  t.MakeDir(std::string(kMc) + "mc0/csrow0");
  auto c = Make(t.root());
  expo::MetricSet set;
  Status st = c->Collect(set);
  EXPECT_EQ(st.code(), StatusCode::kError);
  EXPECT_NE(st.message().find("controller/csrow 0/0"), std::string::npos) << st.message();
}

TEST(EdacCollectorTest, MalformedChannelUeCountOnlyDropsThatSeries) {
  ScratchTree t("edac_channel_ue");
  WriteController(t, "mc0", "0");
  t.Write(std::string(kMc) + "mc0/csrow0/ce_count", "0\n");
  t.Write(std::string(kMc) + "mc0/csrow0/ue_count", "0\n");
  t.Write(std::string(kMc) + "mc0/csrow0/ch0_ce_count", "2\n");
  t.Write(std::string(kMc) + "mc0/csrow0/ch0_ue_count", "garbage\n");
  auto c = Make(t.root());
  expo::MetricSet set;
  ASSERT_TRUE(c->Collect(set).ok());
  EXPECT_EQ(set.Count("node_edac_channel_correctable_errors_total"), 1u);
  EXPECT_EQ(set.Count("node_edac_channel_uncorrectable_errors_total"), 0u);
}

TEST(EdacCollectorTest, MalformedChannelCeCountFails) {
  ScratchTree t("edac_channel_ce");
  WriteController(t, "mc0", "0");
  t.Write(std::string(kMc) + "mc0/csrow0/ce_count", "0\n");
  t.Write(std::string(kMc) + "mc0/csrow0/ue_count", "0\n");
  t.Write(std::string(kMc) + "mc0/csrow0/ch0_ce_count", "x\n");
  auto c = Make(t.root());
  expo::MetricSet set;
  EXPECT_EQ(c->Collect(set).code(), StatusCode::kError);
}

TEST(EdacCollectorTest, RepeatedScrapesAreStable) {
  auto c = Make("src/collectors/testdata/edac/sys");
  expo::MetricSet first, second;
  ASSERT_TRUE(c->Collect(first).ok());
  ASSERT_TRUE(c->Collect(second).ok());
  EXPECT_EQ(first.samples().size(), second.samples().size());
}

TEST(EdacCollectorTest, MatchesNodeExporterOnConformanceFixtures) {
  NODEX_REQUIRE_KIT(kit);
  testing::ScopedKitDir cd(kit);
  FlagValues flags;
  Logger log;
  auto c = NewEdacCollector(testing::KitContext(&flags, &log));
  ASSERT_TRUE(c.ok());
  expo::MetricSet set;
  ASSERT_TRUE((*c)->Collect(set).ok());
  const std::vector<std::string> families = {
      "node_edac_channel_correctable_errors_total", "node_edac_channel_uncorrectable_errors_total",
      "node_edac_correctable_errors_total",         "node_edac_csrow_correctable_errors_total",
      "node_edac_csrow_uncorrectable_errors_total", "node_edac_uncorrectable_errors_total"};
  std::vector<std::string> expected = testing::ExpectedLines(kit, families);
  EXPECT_EQ(expected.size(), 26u);
  EXPECT_EQ(testing::RenderedLines(set, families), expected);
}

}  // namespace
}  // namespace nodex::collectors
