#include "collectors/pcidevice.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "base/file_reader.h"
#include "collectors/testing/kit.h"

namespace nodex::collectors {
namespace {

namespace fs = std::filesystem;
using testing::ExpectedLines;
using testing::KitContext;
using testing::RenderedLines;
using testing::ScopedKitDir;

std::string Scratch(const std::string& name) {
  std::string dir = ::testing::TempDir() + "nodex_pcidevice_" + name + "_" + std::to_string(getpid());
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

void WriteFile(const std::string& path, const std::string& content) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path, std::ios::binary | std::ios::trunc) << content;
}

// Builds sys/devices/<path> with the given attributes and the
// sys/bus/pci/devices/<addr> symlink to it, as the kernel lays them out.
void AddDevice(const std::string& sys, const std::string& path, const std::map<std::string, std::string>& attrs) {
  for (const auto& [name, value] : attrs) WriteFile(sys + "/devices/" + path + "/" + name, value);
  fs::create_directories(sys + "/bus/pci/devices");
  fs::create_symlink("../../../devices/" + path, sys + "/bus/pci/devices/" + fs::path(path).filename().string());
}

std::map<std::string, std::string> Basic(const std::string& vendor = "0x8086\n") {
  return {{"class", "0x020000\n"},         {"vendor", vendor},       {"device", "0x1521\n"},
          {"subsystem_vendor", "0x8086\n"}, {"subsystem_device", "0x00a3\n"}, {"revision", "0x01\n"},
          {"numa_node", "-1\n"}};
}

StatusOr<std::unique_ptr<Collector>> Make(const std::string& sysfs, const FlagValues* flags = nullptr) {
  Context ctx;
  ctx.paths.sysfs = sysfs;
  ctx.flags = flags;
  return NewPcideviceCollector(ctx);
}

TEST(ParsePciLocationTest, ParsesAndRejects) {
  PciLocation l;
  ASSERT_TRUE(ParsePciLocation("10000:3a:1f.7", &l).ok());
  EXPECT_EQ(l.segment, 0x10000);
  EXPECT_EQ(l.bus, 0x3a);
  EXPECT_EQ(l.device, 0x1f);
  EXPECT_EQ(l.function, 7);
  for (const char* bad : {"", "0000:00:02", "0000:00.02.1", "0000:00:00:02.1", "0000:zz:02.1", "0000:00:02.1.2",
                          "0000:00:-2.1", "0000:00:02.", "100000000:00:02.1"}) {
    EXPECT_FALSE(ParsePciLocation(bad, &l).ok()) << bad;
  }
}

TEST(ParsePciDeviceLinkTest, LocationAndParent) {
  PciDevice dev;
  ASSERT_TRUE(ParsePciDeviceLink("../../../devices/pci0000:00/0000:00:02.1/0000:01:00.0", &dev).ok());
  EXPECT_EQ(dev.location.bus, 1);
  ASSERT_TRUE(dev.parent.has_value());
  EXPECT_EQ(dev.parent->device, 2);
  EXPECT_EQ(dev.parent->function, 1);
  ASSERT_TRUE(ParsePciDeviceLink("../../../devices/pci0000:00/0000:00:02.1", &dev).ok());
  EXPECT_FALSE(dev.parent.has_value());
  EXPECT_FALSE(ParsePciDeviceLink("0000:00:02.1", &dev).ok());  // parent "." is no location
  EXPECT_FALSE(ParsePciDeviceLink("../devices/virtual/0000:00:02.1", &dev).ok());
  EXPECT_FALSE(ParsePciDeviceLink("../devices/pci0000:00/not-a-device", &dev).ok());
}

TEST(ApplyPciDeviceAttributeTest, ProcfsRules) {
  PciDevice dev;
  EXPECT_TRUE(ApplyPciDeviceAttribute("class", "0x0c0330\n", &dev).ok());
  EXPECT_EQ(dev.class_id, 0x0c0330u);
  EXPECT_TRUE(ApplyPciDeviceAttribute("numa_node", "1\n", &dev).ok());
  EXPECT_EQ(dev.numa_node, 1);
  EXPECT_TRUE(ApplyPciDeviceAttribute("max_link_speed", "2.5 GT/s PCIe\n", &dev).ok());
  EXPECT_DOUBLE_EQ(*dev.max_link_speed, 2.5);
  EXPECT_TRUE(ApplyPciDeviceAttribute("current_link_speed", "Unknown\n", &dev).ok());
  EXPECT_FALSE(dev.current_link_speed.has_value());
  EXPECT_TRUE(ApplyPciDeviceAttribute("current_link_width", "\n", &dev).ok());
  EXPECT_FALSE(dev.current_link_width.has_value());
  EXPECT_TRUE(ApplyPciDeviceAttribute("max_link_width", "16", &dev).ok());
  EXPECT_DOUBLE_EQ(*dev.max_link_width, 16);
  EXPECT_TRUE(ApplyPciDeviceAttribute("sriov_drivers_autoprobe", "1\n", &dev).ok());
  EXPECT_TRUE(*dev.sriov_drivers_autoprobe);
  EXPECT_TRUE(ApplyPciDeviceAttribute("sriov_vf_total_msix", "64\n", &dev).ok());
  EXPECT_EQ(*dev.sriov_vf_total_msix, 64u);
  EXPECT_TRUE(ApplyPciDeviceAttribute("power_state", "D3hot\n", &dev).ok());
  EXPECT_EQ(dev.power_state, 3);
  EXPECT_TRUE(ApplyPciDeviceAttribute("power_state", "D4\n", &dev).ok());
  EXPECT_EQ(dev.power_state, kPciPowerStateOther);
  EXPECT_TRUE(ApplyPciDeviceAttribute("config", "\x01\x02", &dev).ok());  // not read by procfs

  const std::pair<const char*, const char*> bad[] = {
      {"vendor", "8086x"},          {"vendor", ""},                {"class", "0x1ffffffff"},
      {"max_link_speed", "8 GT/s"}, {"max_link_speed", "8.0GT/s"}, {"current_link_speed", "x GT/s PCIe"},
      {"max_link_width", "x4"},     {"sriov_numvfs", "-1"},        {"sriov_vf_device", "154c"},
      {"d3cold_allowed", "yes"},    {"sriov_totalvfs", "4294967296"},
  };
  for (const auto& [attr, value] : bad) {
    PciDevice d;
    EXPECT_FALSE(ApplyPciDeviceAttribute(attr, value, &d).ok()) << attr << "=" << value;
  }
}

TEST(ParsePciIdsTest, VendorsDevicesSubsystemsClasses) {
  PciIds ids;
  ParsePciIds(
      "# comment\n"
      "8086  Intel Corporation\n"
      "\t1521  I350 Gigabit Network Connection\n"
      "\t\t8086 00a3  Ethernet Network Adapter I350-T4 for OCP NIC 3.0\n"
      "1af4  Red Hat, Inc.\n"
      "no double space here\n"
      "C 01  Mass storage controller\n"
      "\t08  Non-Volatile memory controller\n"
      "\t\t02  NVM Express\n"
      "C 02  Network controller\n",
      &ids);
  EXPECT_EQ(ids.vendors.at("8086"), "Intel Corporation");
  EXPECT_EQ(ids.vendors.at("1af4"), "Red Hat, Inc.");
  EXPECT_EQ(ids.devices.at("8086:1521"), "I350 Gigabit Network Connection");
  EXPECT_EQ(ids.subsystems.at("8086:1521/8086:00a3"), "Ethernet Network Adapter I350-T4 for OCP NIC 3.0");
  EXPECT_EQ(ids.classes.at("02"), "Network controller");
  EXPECT_EQ(ids.subclasses.at("0108"), "Non-Volatile memory controller");
  EXPECT_EQ(ids.prog_ifs.at("010802"), "NVM Express");
  EXPECT_EQ(ids.vendors.size(), 2u);
}

TEST(PcideviceCollectorTest, RealCaptureFromThisMachine) {
  // Attributes and symlinks of this VM's six virtio/chipset devices.
  auto c = Make("src/collectors/testdata/pcidevice/real/sys");
  ASSERT_TRUE(c.ok());
  expo::MetricSet set;
  Status st = c.value()->Collect(set);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(set.Count("node_pcidevice_info"), 6u);
  EXPECT_DOUBLE_EQ(set.Find("node_pcidevice_info", {{"device", "01"},
                                                    {"vendor_id", "0x1af4"},
                                                    {"device_id", "0x1045"},
                                                    {"class_id", "0xffff00"},
                                                    {"parent_bus", "*"}}),
                   1);
  EXPECT_DOUBLE_EQ(set.Find("node_pcidevice_max_link_width", {{"device", "01"}}), -1);
  EXPECT_DOUBLE_EQ(set.Find("node_pcidevice_power_state", {{"device", "01"}, {"state", "D0"}}), 1);
  EXPECT_EQ(set.Count("node_pcidevice_numa_node"), 0u);
}

TEST(PcideviceCollectorTest, HandWrittenTreeWithBridgeAndSriov) {
  std::string sys = Scratch("tree") + "/sys";
  auto bridge = Basic();
  bridge["class"] = "0x060400\n";
  bridge["max_link_speed"] = "8.0 GT/s PCIe\n";
  bridge["current_link_speed"] = "Unknown\n";
  bridge["power_state"] = "D3cold\n";
  AddDevice(sys, "pci0000:00/0000:00:1c.0", bridge);
  auto nic = Basic();
  nic["numa_node"] = "1\n";
  nic["max_link_width"] = "4\n";
  nic["sriov_numvfs"] = "2\n";
  nic["sriov_totalvfs"] = "7\n";
  nic["sriov_vf_device"] = "1520\n";
  nic["d3cold_allowed"] = "1\n";
  AddDevice(sys, "pci0000:00/0000:00:1c.0/0000:03:00.1", nic);
  auto c = Make(sys);
  ASSERT_TRUE(c.ok());
  expo::MetricSet set;
  Status st = c.value()->Collect(set);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_DOUBLE_EQ(set.Find("node_pcidevice_info", {{"bus", "03"}, {"function", "1"}, {"parent_device", "1c"},
                                                    {"parent_function", "0"}, {"revision", "0x01"}}),
                   1);
  EXPECT_DOUBLE_EQ(set.Find("node_pcidevice_max_link_transfers_per_second", {{"device", "1c"}}), 8e9);
  EXPECT_DOUBLE_EQ(set.Find("node_pcidevice_current_link_transfers_per_second", {{"device", "1c"}}), -1);
  EXPECT_DOUBLE_EQ(set.Find("node_pcidevice_power_state", {{"device", "1c"}, {"state", "D3cold"}}), 1);
  EXPECT_EQ(set.Count("node_pcidevice_power_state"), 7u);  // the NIC has no power_state file
  EXPECT_DOUBLE_EQ(set.Find("node_pcidevice_numa_node", {{"bus", "03"}}), 1);
  EXPECT_EQ(set.Count("node_pcidevice_numa_node"), 1u);
  EXPECT_DOUBLE_EQ(set.Find("node_pcidevice_sriov_totalvfs", {{"bus", "03"}}), 7);
  EXPECT_DOUBLE_EQ(set.Find("node_pcidevice_sriov_totalvfs", {{"bus", "00"}}), 0);
  EXPECT_DOUBLE_EQ(set.Find("node_pcidevice_d3cold_allowed", {{"bus", "03"}}), 1);
}

TEST(PcideviceCollectorTest, NamesFromIdsFile) {
  std::string dir = Scratch("names");
  AddDevice(dir + "/sys", "pci0000:00/0000:00:1f.6", Basic());
  auto other = Basic("0x1234\n");
  other["class"] = "0x123456\n";
  AddDevice(dir + "/sys", "pci0000:00/0000:00:1f.7", other);
  WriteFile(dir + "/pci.ids",
            "8086  Intel Corporation\n\t1521  I350\n\t\t8086 00a3  OCP NIC\nC 02  Network controller\n"
            "\t00  Ethernet controller\n");
  FlagValues flags;
  flags.Set("collector.pcidevice.names", "true");
  flags.Set("collector.pcidevice.idsfile", dir + "/pci.ids");
  auto c = Make(dir + "/sys", &flags);
  ASSERT_TRUE(c.ok());
  expo::MetricSet set;
  ASSERT_TRUE(c.value()->Collect(set).ok());
  EXPECT_DOUBLE_EQ(set.Find("node_pcidevice_info", {{"function", "6"},
                                                    {"vendor_name", "Intel Corporation"},
                                                    {"device_name", "I350"},
                                                    {"subsystem_vendor_name", "Intel Corporation"},
                                                    {"subsystem_device_name", "OCP NIC"},
                                                    {"class_name", "Ethernet controller"}}),
                   1);
  EXPECT_DOUBLE_EQ(set.Find("node_pcidevice_info", {{"function", "7"},
                                                    {"vendor_name", "1234"},
                                                    {"device_name", "1521"},
                                                    {"subsystem_device_name", "00a3"},
                                                    {"class_name", "Unknown class (123456)"}}),
                   1);
}

TEST(PcideviceCollectorTest, MissingAndMalformedTrees) {
  expo::MetricSet set;
  // No bus/pci/devices: node_exporter's ErrNoData.
  EXPECT_EQ(Make(Scratch("missing")).value()->Collect(set).code(), StatusCode::kNoData);

  std::string sys = Scratch("no_numa") + "/sys";
  auto attrs = Basic();
  attrs.erase("numa_node");
  AddDevice(sys, "pci0000:00/0000:00:01.0", attrs);
  EXPECT_EQ(Make(sys).value()->Collect(set).code(), StatusCode::kNoData);

  sys = Scratch("bad_vendor") + "/sys";
  AddDevice(sys, "pci0000:00/0000:00:01.0", Basic("vendor?\n"));
  EXPECT_EQ(Make(sys).value()->Collect(set).code(), StatusCode::kError);

  sys = Scratch("bad_speed") + "/sys";
  auto old_kernel = Basic();
  old_kernel["max_link_speed"] = "5 GT/s\n";
  AddDevice(sys, "pci0000:00/0000:00:01.0", old_kernel);
  EXPECT_EQ(Make(sys).value()->Collect(set).code(), StatusCode::kError);

  sys = Scratch("not_a_link") + "/sys";
  WriteFile(sys + "/bus/pci/devices/0000:00:01.0", "../../../devices/pci0000:00/0000:00:01.0");
  EXPECT_EQ(Make(sys).value()->Collect(set).code(), StatusCode::kError);
}

// The kit stores sysfs symlinks as plain files holding the link target (see
// the report to the lead). When that is the case, rebuild
// sys/bus/pci/devices with real symlinks in a scratch tree that points at the
// kit's own sys/devices, which is what node_exporter's fixture unpacks to.
std::string KitSysWithSymlinks(const std::string& kit) {
  const std::string kit_sys = kit + "/collector/fixtures/sys";
  const std::string devices = kit_sys + "/bus/pci/devices";
  bool flattened = false;
  for (const auto& e : fs::directory_iterator(devices)) flattened |= !e.is_symlink();
  if (!flattened) return "collector/fixtures/sys";
  std::string sys = Scratch("kit") + "/sys";
  fs::create_directories(sys + "/bus/pci/devices");
  fs::create_directory_symlink(kit_sys + "/devices", sys + "/devices");
  for (const auto& e : fs::directory_iterator(devices)) {
    std::string target;
    EXPECT_TRUE(ReadFileOnce(e.path().string(), &target).ok());
    fs::create_symlink(target, sys + "/bus/pci/devices/" + e.path().filename().string());
  }
  return sys;
}

TEST(PcideviceCollectorTest, MatchesNodeExporterOnConformanceFixtures) {
  NODEX_REQUIRE_KIT(kit);
  ScopedKitDir cd(kit);
  FlagValues flags;
  Logger log;
  Context ctx = KitContext(&flags, &log);
  ctx.paths.sysfs = KitSysWithSymlinks(kit);
  auto c = NewPcideviceCollector(ctx);
  ASSERT_TRUE(c.ok());
  expo::MetricSet set;
  Status st = c.value()->Collect(set);
  ASSERT_TRUE(st.ok()) << st.message();
  const std::vector<std::string> families = {
      "node_pcidevice_current_link_transfers_per_second", "node_pcidevice_current_link_width",
      "node_pcidevice_d3cold_allowed",                    "node_pcidevice_info",
      "node_pcidevice_max_link_transfers_per_second",     "node_pcidevice_max_link_width",
      "node_pcidevice_numa_node",                         "node_pcidevice_power_state",
      "node_pcidevice_sriov_drivers_autoprobe",           "node_pcidevice_sriov_numvfs",
      "node_pcidevice_sriov_totalvfs",                    "node_pcidevice_sriov_vf_total_msix"};
  std::vector<std::string> expected = ExpectedLines(kit, families);
  EXPECT_EQ(expected.size(), 12u + 52u);
  EXPECT_EQ(RenderedLines(set, families), expected);
}

}  // namespace
}  // namespace nodex::collectors
