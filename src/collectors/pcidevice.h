// The pcidevice collector (mirrors node_exporter's pcidevice collector,
// collector/pcidevice_linux.go on top of procfs' sysfs/pci_device.go; off by
// default): per device of /sys/bus/pci/devices, node_pcidevice_info (ids,
// parent location, optional pci.ids names), link speed/width, D3cold and
// SR-IOV attributes, node_pcidevice_power_state{state} and
// node_pcidevice_numa_node, labelled segment/bus/device/function.
#ifndef NODEX_COLLECTORS_PCIDEVICE_H_
#define NODEX_COLLECTORS_PCIDEVICE_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "collectors/collector.h"

namespace nodex::collectors {

// --collector.pcidevice.* options, as node_exporter names them.
inline constexpr FlagDef kPcideviceFlags[] = {
    {"collector.pcidevice.idsfile", FlagKind::kString, "",
     "pci.ids file for name resolution (default: /usr/share/misc/pci.ids, then /usr/share/hwdata/pci.ids)."},
    {"collector.pcidevice.names", FlagKind::kBool, "false",
     "Add vendor, device, subsystem and class names from pci.ids to node_pcidevice_info."},
};

// "0000:00:02.1" = segment:bus:device.function, all hex.
struct PciLocation {
  int32_t segment = 0;
  int32_t bus = 0;
  int32_t device = 0;
  int32_t function = 0;
};

// Parses a PCI address such as "0000:01:00.0" the way procfs does: three
// ':'-separated parts, the last split once more at '.', each part a hex
// number (Go ParseInt base 16, 32 bits). Negative parts, which Go would
// accept and print as "-001", are rejected.
[[nodiscard]] Status ParsePciLocation(std::string_view s, PciLocation* out);

// Power states node_exporter exports one series for, in its order.
inline constexpr std::string_view kPciPowerStates[] = {"D0", "D1", "D2", "D3hot", "D3cold", "unknown", "error"};
inline constexpr int kPciPowerStateOther = 7;  // A state not in the list: all series 0.

// What procfs reads for one device. Optional attributes stay empty when the
// file is missing or empty (or "Unknown..." for link speed/width).
struct PciDevice {
  PciLocation location;
  std::optional<PciLocation> parent;  // Absent when the parent is a host bridge ("pci0000:00").
  uint32_t class_id = 0, vendor = 0, device = 0, subsystem_vendor = 0, subsystem_device = 0, revision = 0;
  int32_t numa_node = -1;
  std::optional<double> max_link_speed, max_link_width, current_link_speed, current_link_width;  // GT/s, lanes.
  std::optional<bool> sriov_drivers_autoprobe;
  std::optional<uint32_t> sriov_numvfs, sriov_offset, sriov_stride, sriov_totalvfs, sriov_vf_device;
  std::optional<uint64_t> sriov_vf_total_msix;
  std::optional<bool> d3cold_allowed;
  int power_state = -1;  // Index into kPciPowerStates, kPciPowerStateOther, or -1 when absent.
};

// The device's attribute files, in the order procfs reads them. The first
// seven must exist (a missing one makes node_exporter report "no data").
inline constexpr std::string_view kPciRequiredAttributes[] = {"class",           "vendor",           "device",
                                                              "subsystem_vendor", "subsystem_device", "revision",
                                                              "numa_node"};
inline constexpr std::string_view kPciOptionalAttributes[] = {
    "max_link_speed", "max_link_width",   "current_link_speed", "current_link_width",  "sriov_drivers_autoprobe",
    "sriov_numvfs",   "sriov_offset",     "sriov_stride",       "sriov_totalvfs",      "sriov_vf_device",
    "sriov_vf_total_msix", "d3cold_allowed", "power_state"};

// Sets *dev from the /sys/bus/pci/devices/<addr> symlink target, e.g.
//   ../../../devices/pci0000:00/0000:00:02.1/0000:01:00.0
// The last element is the location; the one before it the parent, unless it
// starts with "pci" (a host bridge). Both must parse.
[[nodiscard]] Status ParsePciDeviceLink(std::string_view target, PciDevice* dev);

// Applies one attribute file's content (whitespace is trimmed, as procfs'
// SysReadFile does) to *dev, with procfs' rules:
//   class/vendor/device/subsystem_*/revision/numa_node: Go ParseInt base 0,
//     32 bits ("0x060400", "-1");
//   max_link_speed, current_link_speed: "8.0 GT/s PCIe" (the unit must be
//     exactly "GT/s PCIe"; kernels before 4.17 wrote "8 GT/s" and fail);
//   max_link_width, current_link_width: decimal;
//   sriov_drivers_autoprobe, d3cold_allowed: decimal, non-zero = true;
//   sriov_numvfs/offset/stride/totalvfs/vf_device: decimal uint32 (quirk kept
//     from procfs: sriov_vf_device is hex in the kernel, so an id with a-f
//     digits fails the device); sriov_vf_total_msix: decimal int64;
//   power_state: one of kPciPowerStates (others count as "other").
// Empty content (and "Unknown..." for link attributes) leaves an optional
// attribute unset. Unknown attribute names are ignored.
[[nodiscard]] Status ApplyPciDeviceAttribute(std::string_view attribute, std::string_view content, PciDevice* dev);

// Names from a pci.ids file, keyed by lowercase hex ids as the file writes
// them: vendors "8086"; devices "8086:1521"; subsystems "8086:1521/8086:00a3";
// classes "02", subclasses "0200", programming interfaces "010802".
struct PciIds {
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using Map = std::unordered_map<std::string, std::string, Hash, std::equal_to<>>;
  Map vendors, devices, subsystems, classes, subclasses, prog_ifs;
};

// Parses pci.ids (https://pci-ids.ucw.cz/) the way node_exporter does:
//   8086  Intel Corporation
//   \t1521  I350 Gigabit Network Connection
//   \t\t8086 00a3  Ethernet Network Adapter I350-T4 for OCP NIC 3.0
//   C 02  Network controller
//   \t00  Ethernet controller
// Ids and names are separated by two spaces; '#' lines and blank lines are
// skipped, lines without the double space are ignored. Never fails.
void ParsePciIds(std::string_view content, PciIds* out);

StatusOr<std::unique_ptr<Collector>> NewPcideviceCollector(const Context& ctx);

}  // namespace nodex::collectors

#endif  // NODEX_COLLECTORS_PCIDEVICE_H_
