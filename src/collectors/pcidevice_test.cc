#include "collectors/pcidevice.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "collectors/testing/kit.h"
#include "collectors/testing/scratch.h"

namespace nodex::collectors {
namespace {

namespace fs = std::filesystem;

// Builds tree/sys/devices/<path> with the given attributes and the
// sys/bus/pci/devices/<addr> symlink to it, as the kernel lays them out.
void AddDevice(const testing::ScratchTree& tree, const std::string& path,
               const std::map<std::string, std::string>& attrs) {
  for (const auto& [name, value] : attrs) tree.Write("sys/devices/" + path + "/" + name, value);
  tree.MakeDir("sys/bus/pci/devices");
  fs::create_symlink("../../../devices/" + path,
                     tree.Path("sys/bus/pci/devices/" + fs::path(path).filename().string()));
}

std::map<std::string, std::string> Basic(const std::string& vendor = "0x8086\n") {
  return {{"class", "0x020000\n"},
          {"vendor", vendor},
          {"device", "0x1521\n"},
          {"subsystem_vendor", "0x8086\n"},
          {"subsystem_device", "0x00a3\n"},
          {"revision", "0x01\n"},
          {"numa_node", "-1\n"}};
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
      {"vendor", "8086x"},
      {"vendor", ""},
      {"class", "0x1ffffffff"},
      {"max_link_speed", "8 GT/s"},
      {"max_link_speed", "8.0GT/s"},
      {"current_link_speed", "x GT/s PCIe"},
      {"max_link_width", "x4"},
      {"sriov_numvfs", "-1"},
      {"sriov_vf_device", "154c"},
      {"d3cold_allowed", "yes"},
      {"sriov_totalvfs", "4294967296"},
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
  auto c = NewPcideviceCollector(testing::SysContext("src/collectors/testdata/pcidevice/real/sys"));
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
  testing::ScratchTree tree("pcidevice_tree");
  auto bridge = Basic();
  bridge["class"] = "0x060400\n";
  bridge["max_link_speed"] = "8.0 GT/s PCIe\n";
  bridge["current_link_speed"] = "Unknown\n";
  bridge["power_state"] = "D3cold\n";
  AddDevice(tree, "pci0000:00/0000:00:1c.0", bridge);
  auto nic = Basic();
  nic["numa_node"] = "1\n";
  nic["max_link_width"] = "4\n";
  nic["sriov_numvfs"] = "2\n";
  nic["sriov_totalvfs"] = "7\n";
  nic["sriov_vf_device"] = "1520\n";
  nic["d3cold_allowed"] = "1\n";
  AddDevice(tree, "pci0000:00/0000:00:1c.0/0000:03:00.1", nic);
  auto c = NewPcideviceCollector(testing::SysContext(tree.Path("sys")));
  ASSERT_TRUE(c.ok());
  expo::MetricSet set;
  Status st = c.value()->Collect(set);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_DOUBLE_EQ(
      set.Find(
          "node_pcidevice_info",
          {{"bus", "03"}, {"function", "1"}, {"parent_device", "1c"}, {"parent_function", "0"}, {"revision", "0x01"}}),
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
  testing::ScratchTree dir("pcidevice_names");
  AddDevice(dir, "pci0000:00/0000:00:1f.6", Basic());
  auto other = Basic("0x1234\n");
  other["class"] = "0x123456\n";
  AddDevice(dir, "pci0000:00/0000:00:1f.7", other);
  dir.Write("pci.ids",
            "8086  Intel Corporation\n\t1521  I350\n\t\t8086 00a3  OCP NIC\nC 02  Network controller\n"
            "\t00  Ethernet controller\n");
  FlagValues flags;
  flags.Set("collector.pcidevice.names", "true");
  flags.Set("collector.pcidevice.idsfile", dir.Path("pci.ids"));
  auto c = NewPcideviceCollector(testing::SysContext(dir.Path("sys"), &flags));
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
  testing::ScratchTree missing("pcidevice_missing");
  EXPECT_EQ(NewPcideviceCollector(testing::SysContext(missing.root())).value()->Collect(set).code(),
            StatusCode::kNoData);

  testing::ScratchTree no_numa("pcidevice_no_numa");
  auto attrs = Basic();
  attrs.erase("numa_node");
  AddDevice(no_numa, "pci0000:00/0000:00:01.0", attrs);
  EXPECT_EQ(NewPcideviceCollector(testing::SysContext(no_numa.Path("sys"))).value()->Collect(set).code(),
            StatusCode::kNoData);

  testing::ScratchTree bad_vendor("pcidevice_bad_vendor");
  AddDevice(bad_vendor, "pci0000:00/0000:00:01.0", Basic("vendor?\n"));
  EXPECT_EQ(NewPcideviceCollector(testing::SysContext(bad_vendor.Path("sys"))).value()->Collect(set).code(),
            StatusCode::kError);

  testing::ScratchTree bad_speed("pcidevice_bad_speed");
  auto old_kernel = Basic();
  old_kernel["max_link_speed"] = "5 GT/s\n";
  AddDevice(bad_speed, "pci0000:00/0000:00:01.0", old_kernel);
  EXPECT_EQ(NewPcideviceCollector(testing::SysContext(bad_speed.Path("sys"))).value()->Collect(set).code(),
            StatusCode::kError);

  testing::ScratchTree not_a_link("pcidevice_not_a_link");
  not_a_link.Write("sys/bus/pci/devices/0000:00:01.0", "../../../devices/pci0000:00/0000:00:01.0");
  EXPECT_EQ(NewPcideviceCollector(testing::SysContext(not_a_link.Path("sys"))).value()->Collect(set).code(),
            StatusCode::kError);
}

TEST(PcideviceCollectorTest, MatchesNodeExporterOnConformanceFixtures) {
  NODEX_REQUIRE_KIT(kit);
  testing::ScopedKitDir cd(kit);
  FlagValues flags;
  Logger log;
  auto c = NewPcideviceCollector(testing::KitContext(&flags, &log));
  ASSERT_TRUE(c.ok());
  expo::MetricSet set;
  Status st = c.value()->Collect(set);
  ASSERT_TRUE(st.ok()) << st.message();
  const std::vector<std::string> families = {"node_pcidevice_current_link_transfers_per_second",
                                             "node_pcidevice_current_link_width",
                                             "node_pcidevice_d3cold_allowed",
                                             "node_pcidevice_info",
                                             "node_pcidevice_max_link_transfers_per_second",
                                             "node_pcidevice_max_link_width",
                                             "node_pcidevice_numa_node",
                                             "node_pcidevice_power_state",
                                             "node_pcidevice_sriov_drivers_autoprobe",
                                             "node_pcidevice_sriov_numvfs",
                                             "node_pcidevice_sriov_totalvfs",
                                             "node_pcidevice_sriov_vf_total_msix"};
  std::vector<std::string> expected = testing::ExpectedLines(kit, families);
  EXPECT_EQ(expected.size(), 12u + 52u);
  EXPECT_EQ(testing::RenderedLines(set, families), expected);
}

}  // namespace
}  // namespace nodex::collectors
