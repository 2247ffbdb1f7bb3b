#include "collectors/hwmon.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <string>
#include <vector>

#include "collectors/testing/kit.h"
#include "collectors/testing/scratch.h"

namespace nodex::collectors {
namespace {

using testing::ScratchTree;

constexpr char kTestdata[] = "src/collectors/testdata/hwmon/sys";

StatusOr<std::unique_ptr<Collector>> Build(const std::string& sysfs, const FlagValues* flags = nullptr) {
  return NewHwmonCollector(testing::SysContext(sysfs, flags));
}

std::unique_ptr<Collector> Make(const std::string& sysfs, const FlagValues* flags = nullptr) {
  auto c = Build(sysfs, flags);
  EXPECT_TRUE(c.ok()) << c.status().message();
  return c.ok() ? std::move(c.value()) : nullptr;
}

void Link(const ScratchTree& t, const std::string& target, const std::string& rel) {
  ASSERT_EQ(symlink(target.c_str(), t.Path(rel).c_str()), 0) << rel;
}

TEST(ExplodeHwmonFilenameTest, SplitsLikeNodeExporterRegexp) {
  auto f = ExplodeHwmonFilename("temp1_crit_alarm");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->type, "temp");
  EXPECT_EQ(f->num, 1);
  EXPECT_EQ(f->property, "crit_alarm");

  f = ExplodeHwmonFilename("pwm12_auto_point3_temp");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->type, "pwm");
  EXPECT_EQ(f->num, 12);
  EXPECT_EQ(f->property, "auto_point3_temp");

  f = ExplodeHwmonFilename("beep_enable");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->type, "beep_enable");
  EXPECT_EQ(f->num, 0);
  EXPECT_EQ(f->property, "");

  f = ExplodeHwmonFilename("temp01");  // Number normalised: sensor "temp1".
  ASSERT_TRUE(f);
  EXPECT_EQ(f->num, 1);

  // Backtracking: the greedy type "ab_c" fails on "1x", so the type shrinks.
  f = ExplodeHwmonFilename("ab_c1x");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->type, "ab");
  EXPECT_EQ(f->property, "c1x");
}

TEST(ExplodeHwmonFilenameTest, RejectsNonMatching) {
  for (const char* bad : {"", "1temp", "temp1x", "temp1_", "temp1_a\nb", "temp99999999999999999999_input"}) {
    EXPECT_FALSE(ExplodeHwmonFilename(bad)) << "input: '" << bad << "'";
  }
}

TEST(IsHwmonSensorTypeTest, KnownTypes) {
  EXPECT_TRUE(IsHwmonSensorType("temp"));
  EXPECT_TRUE(IsHwmonSensorType("freq"));
  EXPECT_TRUE(IsHwmonSensorType("beep_enable"));
  EXPECT_FALSE(IsHwmonSensorType("name"));
  EXPECT_FALSE(IsHwmonSensorType("device"));
}

TEST(CleanHwmonNameTest, LowersReplacesAndTrims) {
  std::string out;
  CleanHwmonName("Core 0\n", &out);
  EXPECT_EQ(out, "core_0");
  CleanHwmonName("coretemp.0", &out);
  EXPECT_EQ(out, "coretemp_0");
  CleanHwmonName("__asus-nb-wmi__", &out);
  EXPECT_EQ(out, "asus_nb_wmi");
  CleanHwmonName("Caf\xc3\xa9!", &out);  // One '_' per character, then trimmed.
  EXPECT_EQ(out, "caf");
  CleanHwmonName(
      "a\xc3\xa9\xff\xfe"
      "b",
      &out);  // One per invalid byte.
  EXPECT_EQ(out, "a___b");
  CleanHwmonName("\n", &out);
  EXPECT_EQ(out, "");
}

TEST(ParseHwmonValueTest, GoParseFloat) {
  EXPECT_EQ(ParseHwmonValue("45000"), 45000);
  EXPECT_EQ(ParseHwmonValue("-5500"), -5500);
  EXPECT_EQ(ParseHwmonValue("1.5e3"), 1500);
  for (const char* bad : {"", "N/A", "12 34", "1e999", "0x10", " 1"}) {
    EXPECT_FALSE(ParseHwmonValue(bad)) << "input: '" << bad << "'";
  }
}

TEST(HwmonCollectorTest, HandWrittenTree) {
  auto c = Make(kTestdata);
  ASSERT_NE(c, nullptr);
  expo::MetricSet set;
  ASSERT_TRUE(c->Collect(set).ok());
  const expo::Label nct = {"chip", "nct6798"};
  EXPECT_EQ(set.Find("node_hwmon_chip_names", {nct, {"chip_name", "nct6798"}}), 1);
  EXPECT_EQ(set.Find("node_hwmon_chip_names", {{"chip", "amdgpu"}, {"chip_name", "amdgpu"}}), 1);
  EXPECT_EQ(set.Count("node_hwmon_chip_names"), 2u);  // hwmon2 has no name file.
  EXPECT_DOUBLE_EQ(set.Find("node_hwmon_in_volts", {nct, {"sensor", "in0"}}), 1.032);
  EXPECT_DOUBLE_EQ(set.Find("node_hwmon_in_max_volts", {nct, {"sensor", "in0"}}), 1.744);
  EXPECT_EQ(set.Find("node_hwmon_in_alarm", {nct, {"sensor", "in0"}}), 0);
  EXPECT_EQ(set.Find("node_hwmon_in_beep_enabled", {nct, {"sensor", "in0"}}), 0);
  EXPECT_EQ(set.Find("node_hwmon_sensor_label", {nct, {"sensor", "in0"}, {"label", "Vcore"}}), 1);
  EXPECT_EQ(set.Find("node_hwmon_fan_rpm", {nct, {"sensor", "fan1"}}), 1198);
  EXPECT_EQ(set.Find("node_hwmon_fan_target_rpm", {nct, {"sensor", "fan1"}}), 27000);
  EXPECT_EQ(set.Find("node_hwmon_fan_pulses", {nct, {"sensor", "fan1"}}), 2);
  // A bare "temp1" file is the value; temp1_input then gets its own family.
  EXPECT_EQ(set.Find("node_hwmon_temp_celsius", {nct, {"sensor", "temp1"}}), 41);
  EXPECT_EQ(set.Find("node_hwmon_temp_input_celsius", {nct, {"sensor", "temp1"}}), 42);
  EXPECT_EQ(set.Find("node_hwmon_temp_type", {nct, {"sensor", "temp1"}}), 4);
  // temp2's value does not parse; its label is still exported, made valid UTF-8.
  EXPECT_EQ(set.Find("node_hwmon_sensor_label", {nct, {"sensor", "temp2"}, {"label", "Caf\xc3\xa9 \xef\xbf\xbd"}}), 1);
  EXPECT_TRUE(std::isnan(set.Find("node_hwmon_temp_celsius", {nct, {"sensor", "temp2"}})));
  EXPECT_EQ(set.Find("node_hwmon_pwm", {nct, {"sensor", "pwm1"}}), 128);
  EXPECT_EQ(set.Find("node_hwmon_pwm_enable", {nct, {"sensor", "pwm1"}}), 2);
  EXPECT_EQ(set.Find("node_hwmon_beep_enabled", {nct, {"sensor", "beep_enable0"}}), 1);
  EXPECT_EQ(set.Find("node_hwmon_voltage_regulator_version", {nct, {"sensor", "vrm0"}}), 91);
  EXPECT_DOUBLE_EQ(set.Find("node_hwmon_update_interval_seconds", {nct, {"sensor", "update_interval0"}}), 0.5);
  EXPECT_EQ(set.Find("node_hwmon_intrusion_alarm", {nct, {"sensor", "intrusion0"}}), 1);
  EXPECT_DOUBLE_EQ(set.Find("node_hwmon_curr_amps", {nct, {"sensor", "curr1"}}), 1.5);
  EXPECT_EQ(set.Find("node_hwmon_power_watt", {nct, {"sensor", "power1"}}), 12);
  EXPECT_DOUBLE_EQ(set.Find("node_hwmon_power_accuracy", {nct, {"sensor", "power1"}}), 0.05);
  EXPECT_EQ(set.Find("node_hwmon_power_average_interval_seconds", {nct, {"sensor", "power1"}}), 1);
  EXPECT_EQ(set.Find("node_hwmon_energy_joule_total", {nct, {"sensor", "energy1"}}), 3500);
  EXPECT_DOUBLE_EQ(set.Find("node_hwmon_humidity", {nct, {"sensor", "humidity1"}}), 0.045);
  EXPECT_DOUBLE_EQ(set.Find("node_hwmon_cpu_vid_volts", {nct, {"sensor", "cpu0"}}), 1.1);
  // Frequencies are keyed by their cleaned label; freq2 has none and is dropped.
  EXPECT_EQ(set.Find("node_hwmon_freq_freq_mhz", {{"chip", "amdgpu"}, {"sensor", "gfx"}}), 1000);
  EXPECT_EQ(set.Count("node_hwmon_freq_freq_mhz"), 1u);
  EXPECT_EQ(set.Find("node_hwmon_temp_crit_celsius", {{"chip", "amdgpu"}, {"sensor", "temp1"}}), 100);
  EXPECT_DOUBLE_EQ(set.Find("node_hwmon_temp_celsius", {{"chip", "hwmon2"}, {"sensor", "temp1"}}), -5.5);
  EXPECT_EQ(set.Find("node_hwmon_temp_max_celsius", {{"chip", "hwmon2"}, {"sensor", "temp1"}}), 60);
  EXPECT_EQ(set.type_conflicts(), 0u);
}

TEST(HwmonCollectorTest, EnergyIsACounter) {
  auto c = Make(kTestdata);
  expo::MetricSet set;
  ASSERT_TRUE(c->Collect(set).ok());
  for (const auto& f : set.families()) {
    if (f.name == "node_hwmon_energy_joule_total") {
      EXPECT_EQ(f.type, expo::MetricType::kCounter);
    }
  }
}

TEST(HwmonCollectorTest, DeviceLinkNamesChipAndDeviceFilesWin) {
  ScratchTree t("hwmon_device");
  t.Write("devices/platform/coretemp.0/hwmon/hwmon0/name", "coretemp\n");
  t.Write("devices/platform/coretemp.0/hwmon/hwmon0/temp1_input", "50000\n");
  t.Write("devices/platform/coretemp.0/hwmon/hwmon0/temp1_max", "80000\n");
  t.Write("devices/platform/coretemp.0/temp1_max", "90000\n");  // device/ overrides.
  t.Write("devices/platform/coretemp.0/temp2_input", "51000\n");
  t.MakeDir("class/hwmon");
  Link(t, "../../../coretemp.0", "devices/platform/coretemp.0/hwmon/hwmon0/device");
  Link(t, "../../devices/platform/coretemp.0/hwmon/hwmon0", "class/hwmon/hwmon0");
  auto c = Make(t.root());
  expo::MetricSet set;
  ASSERT_TRUE(c->Collect(set).ok());
  const expo::Label chip = {"chip", "platform_coretemp_0"};
  EXPECT_EQ(set.Find("node_hwmon_chip_names", {chip, {"chip_name", "coretemp"}}), 1);
  EXPECT_EQ(set.Find("node_hwmon_temp_celsius", {chip, {"sensor", "temp1"}}), 50);
  EXPECT_EQ(set.Find("node_hwmon_temp_max_celsius", {chip, {"sensor", "temp1"}}), 90);
  EXPECT_EQ(set.Find("node_hwmon_temp_celsius", {chip, {"sensor", "temp2"}}), 51);
}

TEST(HwmonCollectorTest, SharedDeviceIsDisambiguated) {
  ScratchTree t("hwmon_shared");
  t.MakeDir("class/hwmon");
  t.MakeDir("devices/platform/asus-nb-wmi");
  const char* names[] = {"asus\n", "asus_wmi_sensors\n", "dup\n", "dup\n"};
  for (int i = 0; i < 4; ++i) {
    std::string dir = "devices/platform/asus-nb-wmi/hwmon/hwmon" + std::to_string(i);
    t.Write(dir + "/name", names[i]);
    t.Write(dir + "/pwm1_enable", "2\n");
    Link(t, "../../../asus-nb-wmi", dir + "/device");
    Link(t, "../../" + dir, "class/hwmon/hwmon" + std::to_string(i));
  }
  auto c = Make(t.root());
  expo::MetricSet set;
  ASSERT_TRUE(c->Collect(set).ok());
  EXPECT_EQ(set.Find("node_hwmon_pwm_enable", {{"chip", "platform_asus_nb_wmi_asus"}}), 2);
  EXPECT_EQ(set.Find("node_hwmon_pwm_enable", {{"chip", "platform_asus_nb_wmi_asus_wmi_sensors"}}), 2);
  // Equal name files cannot tell the chips apart: the hwmonX name does.
  EXPECT_EQ(set.Find("node_hwmon_pwm_enable", {{"chip", "platform_asus_nb_wmi_hwmon2"}}), 2);
  EXPECT_EQ(set.Find("node_hwmon_pwm_enable", {{"chip", "platform_asus_nb_wmi_hwmon3"}}), 2);
  EXPECT_EQ(set.Count("node_hwmon_pwm_enable"), 4u);
}

TEST(HwmonCollectorTest, ChipAndSensorFilters) {
  FlagValues flags;
  flags.Set("collector.hwmon.chip-exclude", "^amdgpu$");
  flags.Set("collector.hwmon.sensor-include", "nct6798;(temp|fan)");
  auto c = Make(kTestdata, &flags);
  expo::MetricSet set;
  ASSERT_TRUE(c->Collect(set).ok());
  EXPECT_EQ(set.Count("node_hwmon_freq_freq_mhz"), 0u);  // amdgpu excluded.
  EXPECT_EQ(set.Count("node_hwmon_in_volts"), 0u);       // Sensor not included.
  EXPECT_EQ(set.Count("node_hwmon_fan_rpm"), 1u);
  // hwmon2's sensors do not match "nct6798;...".
  EXPECT_TRUE(std::isnan(set.Find("node_hwmon_temp_celsius", {{"chip", "hwmon2"}})));
  EXPECT_EQ(set.Find("node_hwmon_temp_celsius", {{"chip", "nct6798"}, {"sensor", "temp1"}}), 41);
  // chip_names is filtered by chip only.
  EXPECT_EQ(set.Count("node_hwmon_chip_names"), 1u);
}

TEST(HwmonCollectorTest, BadRegexpFailsFactoryNamingTheFlag) {
  for (const char* flag : {"collector.hwmon.chip-include", "collector.hwmon.chip-exclude",
                           "collector.hwmon.sensor-include", "collector.hwmon.sensor-exclude"}) {
    FlagValues flags;
    flags.Set(flag, "[unclosed");
    auto c = Build(kTestdata, &flags);
    ASSERT_FALSE(c.ok()) << flag;
    EXPECT_NE(c.status().message().find(flag), std::string::npos) << c.status().message();
  }
}

TEST(HwmonCollectorTest, MissingClassIsNoData) {
  ScratchTree t("hwmon_missing");
  auto c = Make(t.root());
  expo::MetricSet set;
  EXPECT_EQ(c->Collect(set).code(), StatusCode::kNoData);
  EXPECT_EQ(set.samples().size(), 0u);
}

TEST(HwmonCollectorTest, MalformedValuesAreSkippedNotFatal) {
  ScratchTree t("hwmon_malformed");
  const char* values[] = {"", "\n", "abc\n", "1e999\n", "12 34\n", "99999999999999999999999999\n"};
  for (size_t i = 0; i < std::size(values); ++i) {
    t.Write("class/hwmon/hwmon0/temp" + std::to_string(i + 1) + "_input", values[i]);
  }
  t.Write("class/hwmon/hwmon0/temp9_input", std::string(200, '1'));  // Cut at 128 bytes.
  t.Write("class/hwmon/hwmon0/weird_name_", "1\n");
  auto c = Make(t.root());
  expo::MetricSet set;
  ASSERT_TRUE(c->Collect(set).ok());
  EXPECT_EQ(set.Count("node_hwmon_temp_celsius"), 2u);  // The huge integer and the 128 ones parse as floats.
  EXPECT_DOUBLE_EQ(set.Find("node_hwmon_temp_celsius", {{"sensor", "temp9"}}),
                   std::stod(std::string(128, '1')) * 0.001);
}

TEST(HwmonCollectorTest, RepeatedScrapesAreStable) {
  auto c = Make(kTestdata);
  expo::MetricSet first, second;
  ASSERT_TRUE(c->Collect(first).ok());
  second.Clear();
  ASSERT_TRUE(c->Collect(second).ok());
  EXPECT_EQ(first.samples().size(), second.samples().size());
}

TEST(HwmonCollectorTest, MatchesNodeExporterOnConformanceFixtures) {
  NODEX_REQUIRE_KIT(kit);
  testing::ScopedKitDir cd(kit);
  // node_exporter's e2e flags for this collector.
  FlagValues flags;
  flags.Set("collector.hwmon.chip-include", "(applesmc|asus_nb_wmi|coretemp|hwmon4|ieee80211|nct6779)");
  Logger log;
  auto c = NewHwmonCollector(testing::KitContext(&flags, &log));
  ASSERT_TRUE(c.ok()) << c.status().message();
  expo::MetricSet set;
  ASSERT_TRUE((*c)->Collect(set).ok());
  std::vector<std::string> families;
  for (const auto& f : set.families()) families.push_back(f.name);
  // Everything the collector produced must be an expected family, and vice versa.
  std::vector<std::string> expected = testing::ExpectedLines(kit, families);
  EXPECT_EQ(families.size(), 51u);
  EXPECT_EQ(expected.size(), 51u + 137u);
  EXPECT_EQ(testing::RenderedLines(set, families), expected);
}

}  // namespace
}  // namespace nodex::collectors
