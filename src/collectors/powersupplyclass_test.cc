#include "collectors/powersupplyclass.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "collectors/testing/kit.h"
#include "collectors/testing/scratch.h"

namespace nodex::collectors {
namespace {

using testing::ScratchTree;

constexpr char kTestdata[] = "src/collectors/testdata/powersupplyclass/sys";

StatusOr<std::unique_ptr<Collector>> Build(const std::string& sysfs, const FlagValues* flags = nullptr) {
  return NewPowersupplyclassCollector(testing::SysContext(sysfs, flags));
}

std::unique_ptr<Collector> Make(const std::string& sysfs, const FlagValues* flags = nullptr) {
  auto c = Build(sysfs, flags);
  EXPECT_TRUE(c.ok()) << c.status().message();
  return c.ok() ? std::move(c.value()) : nullptr;
}

TEST(ParsePowerSupplyAttributeTest, NumbersLikeGoParseIntBaseZero) {
  PowerSupply ps;
  ASSERT_TRUE(ParsePowerSupplyAttribute("capacity", "81\n", &ps).ok());
  ASSERT_TRUE(ParsePowerSupplyAttribute("current_max", "0x5dc00\n", &ps).ok());
  ASSERT_TRUE(ParsePowerSupplyAttribute("temp", "-52\n", &ps).ok());
  ASSERT_TRUE(ParsePowerSupplyAttribute("voltage_now", " 011 \n", &ps).ok());  // Leading 0: octal.
  EXPECT_EQ(ps.Numeric("capacity"), 81);
  EXPECT_EQ(ps.Numeric("current_max"), 384000);
  EXPECT_EQ(ps.Numeric("temp"), -52);
  EXPECT_EQ(ps.Numeric("voltage_now"), 9);
  EXPECT_FALSE(ps.Numeric("energy_now").has_value());
}

TEST(ParsePowerSupplyAttributeTest, TextAndUnknownFiles) {
  PowerSupply ps;
  ASSERT_TRUE(ParsePowerSupplyAttribute("model_name", "  LNV-45N1\n", &ps).ok());
  ASSERT_TRUE(ParsePowerSupplyAttribute("alarm", "not a number\n", &ps).ok());  // Unknown: ignored.
  ASSERT_TRUE(ParsePowerSupplyAttribute("uevent", "POWER_SUPPLY_NAME=AC\n", &ps).ok());
  EXPECT_EQ(ps.Text(PowerSupplyText::kModelName), "LNV-45N1");
  ps.Reset();
  EXPECT_EQ(ps.Text(PowerSupplyText::kModelName), "");
}

TEST(ParsePowerSupplyAttributeTest, RejectsMalformedNumbers) {
  for (const char* bad : {"", "\n", "abc", "1.5", "9223372036854775808", "0x", "12 34", "--1", "08"}) {
    PowerSupply ps;
    EXPECT_FALSE(ParsePowerSupplyAttribute("energy_now", bad, &ps).ok()) << "input: '" << bad << "'";
    // Parsed-but-unexported attributes are just as strict.
    EXPECT_FALSE(ParsePowerSupplyAttribute("voltage_avg", bad, &ps).ok()) << "input: '" << bad << "'";
  }
}

TEST(PowersupplyclassCollectorTest, HandWrittenTree) {
  auto c = Make(kTestdata);
  ASSERT_NE(c, nullptr);
  expo::MetricSet set;
  ASSERT_TRUE(c->Collect(set).ok());
  EXPECT_EQ(set.Find("node_power_supply_capacity", {{"power_supply", "BAT1"}}), 57);
  EXPECT_DOUBLE_EQ(set.Find("node_power_supply_charge_ampere", {{"power_supply", "BAT1"}}), 2.401);
  EXPECT_DOUBLE_EQ(set.Find("node_power_supply_current_ampere", {{"power_supply", "BAT1"}}), 1.105);
  EXPECT_DOUBLE_EQ(set.Find("node_power_supply_voltage_volt", {{"power_supply", "BAT1"}}), 16.921);
  EXPECT_DOUBLE_EQ(set.Find("node_power_supply_temp_celsius", {{"power_supply", "BAT1"}}), 31.2);
  EXPECT_EQ(set.Find("node_power_supply_cyclecount", {{"power_supply", "BAT1"}}), 231);
  EXPECT_EQ(set.Find("node_power_supply_online", {{"power_supply", "ADP1"}}), 1);
  EXPECT_DOUBLE_EQ(set.Find("node_power_supply_current_max", {{"power_supply", "ucsi-source-psy-USBC000:001"}}), 0.384);
  EXPECT_EQ(set.Find("node_power_supply_info", {{"power_supply", "BAT1"},
                                                {"serial_number", "4711"},
                                                {"technology", "Li-poly"},
                                                {"capacity_level", "Normal"}}),
            1);
  EXPECT_EQ(
      set.Find("node_power_supply_info",
               {{"power_supply", "ucsi-source-psy-USBC000:001"}, {"usb_type", "[C] PD PD_PPS"}, {"scope", "System"}}),
      1);
  EXPECT_EQ(set.Count("node_power_supply_info"), 3u);
}

TEST(PowersupplyclassCollectorTest, InfoOnlyCarriesNonEmptyLabels) {
  auto c = Make(kTestdata);
  expo::MetricSet set;
  ASSERT_TRUE(c->Collect(set).ok());
  for (const auto& s : set.samples()) {
    if (set.families()[s.family].name != "node_power_supply_info") continue;
    bool adp1 = false;
    for (uint32_t i = 0; i < s.label_count; ++i) {
      const auto& l = set.labels()[s.label_begin + i];
      EXPECT_FALSE(set.LabelValue(l).empty());
      adp1 |= set.LabelValue(l) == "ADP1";
    }
    if (adp1) {
      EXPECT_EQ(s.label_count, 2u);  // power_supply and type.
    }
  }
}

TEST(PowersupplyclassCollectorTest, IgnoredSuppliesFlag) {
  FlagValues flags;
  flags.Set("collector.powersupply.ignored-supplies", "^(ADP|ucsi)");
  auto c = Make(kTestdata, &flags);
  expo::MetricSet set;
  ASSERT_TRUE(c->Collect(set).ok());
  EXPECT_EQ(set.Count("node_power_supply_info"), 1u);
  EXPECT_EQ(set.Count("node_power_supply_online"), 0u);
}

TEST(PowersupplyclassCollectorTest, EmptyIgnorePatternDropsEverything) {
  // As in node_exporter, an empty regexp matches every name.
  FlagValues flags;
  flags.Set("collector.powersupply.ignored-supplies", "");
  auto c = Make(kTestdata, &flags);
  expo::MetricSet set;
  ASSERT_TRUE(c->Collect(set).ok());
  EXPECT_EQ(set.samples().size(), 0u);
}

TEST(PowersupplyclassCollectorTest, BadRegexpFailsFactoryNamingTheFlag) {
  FlagValues flags;
  flags.Set("collector.powersupply.ignored-supplies", "(");
  auto c = Build(kTestdata, &flags);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("collector.powersupply.ignored-supplies"), std::string::npos);
}

TEST(PowersupplyclassCollectorTest, MissingClassIsNoData) {
  ScratchTree t("psu_missing");
  auto c = Make(t.root());
  expo::MetricSet set;
  EXPECT_EQ(c->Collect(set).code(), StatusCode::kNoData);
  EXPECT_EQ(set.samples().size(), 0u);
}

TEST(PowersupplyclassCollectorTest, SymlinkedSupplyIsFollowed) {
  ScratchTree t("psu_symlink");
  t.Write("devices/platform/ACPI0003:00/power_supply/AC/online", "1\n");
  t.Write("devices/platform/ACPI0003:00/power_supply/AC/type", "Mains\n");
  t.MakeDir("class/power_supply");
  ASSERT_EQ(symlink("../../devices/platform/ACPI0003:00/power_supply/AC", t.Path("class/power_supply/AC").c_str()), 0);
  auto c = Make(t.root());
  expo::MetricSet set;
  ASSERT_TRUE(c->Collect(set).ok());
  EXPECT_EQ(set.Find("node_power_supply_online", {{"power_supply", "AC"}}), 1);
}

TEST(PowersupplyclassCollectorTest, MalformedNumberFailsCollector) {
  for (const char* bad : {"", "abc\n", "99999999999999999999\n", "1.5\n"}) {
    ScratchTree t("psu_malformed");
    t.Write("class/power_supply/BAT0/type", "Battery\n");
    t.Write("class/power_supply/BAT0/energy_now", bad);
    auto c = Make(t.root());
    expo::MetricSet set;
    EXPECT_EQ(c->Collect(set).code(), StatusCode::kError) << "input: '" << bad << "'";
    EXPECT_EQ(set.samples().size(), 0u);
  }
}

TEST(PowersupplyclassCollectorTest, LongValuesAreCutAt128Bytes) {
  ScratchTree t("psu_long");
  std::string model(200, 'x');
  t.Write("class/power_supply/BAT0/model_name", model + "\n");
  auto c = Make(t.root());
  expo::MetricSet set;
  ASSERT_TRUE(c->Collect(set).ok());
  EXPECT_EQ(set.Find("node_power_supply_info", {{"model_name", std::string(128, 'x')}}), 1);
}

TEST(PowersupplyclassCollectorTest, NonDirectoryEntryFails) {
  ScratchTree t("psu_file");
  t.Write("class/power_supply/stray", "x\n");
  auto c = Make(t.root());
  expo::MetricSet set;
  EXPECT_EQ(c->Collect(set).code(), StatusCode::kError);
}

TEST(PowersupplyclassCollectorTest, MatchesNodeExporterOnConformanceFixtures) {
  NODEX_REQUIRE_KIT(kit);
  testing::ScopedKitDir cd(kit);
  FlagValues flags;  // The e2e flags leave ignored-supplies at its default.
  Logger log;
  auto c = NewPowersupplyclassCollector(testing::KitContext(&flags, &log));
  ASSERT_TRUE(c.ok());
  expo::MetricSet set;
  ASSERT_TRUE((*c)->Collect(set).ok());
  const std::vector<std::string> families = {
      "node_power_supply_capacity",        "node_power_supply_cyclecount",
      "node_power_supply_energy_full",     "node_power_supply_energy_full_design",
      "node_power_supply_energy_watthour", "node_power_supply_info",
      "node_power_supply_online",          "node_power_supply_power_watt",
      "node_power_supply_present",         "node_power_supply_voltage_min_design",
      "node_power_supply_voltage_volt"};
  std::vector<std::string> expected = testing::ExpectedLines(kit, families);
  EXPECT_EQ(expected.size(), 23u);
  EXPECT_EQ(testing::RenderedLines(set, families), expected);
  // Nothing beyond the expected families.
  EXPECT_EQ(set.samples().size(), 12u);
}

}  // namespace
}  // namespace nodex::collectors
