// The dmi collector (mirrors node_exporter's dmi collector, collector/dmi.go,
// on top of procfs' sysfs/class_dmi.go): node_dmi_info, one constant series
// labelled with the firmware's DMI strings from /sys/class/dmi/id. DMI does
// not change until reboot, so like node_exporter the files are read once when
// the collector is created.
#ifndef NODEX_COLLECTORS_DMI_H_
#define NODEX_COLLECTORS_DMI_H_

#include <array>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "collectors/collector.h"

namespace nodex::collectors {

// node_exporter's node_dmi_info labels, sorted by label name. Each comes from
// the file of the same name except system_vendor, which is sys_vendor.
inline constexpr size_t kDmiLabelCount = 20;
inline constexpr std::array<std::string_view, kDmiLabelCount> kDmiLabels = {
    "bios_date",      "bios_release",   "bios_vendor",       "bios_version",   "board_asset_tag",
    "board_name",     "board_serial",   "board_vendor",      "board_version",  "chassis_asset_tag",
    "chassis_serial", "chassis_vendor", "chassis_version",   "product_family", "product_name",
    "product_serial", "product_sku",    "product_uuid",      "product_version", "system_vendor"};

// Label values by kDmiLabels index; unset when the file is absent.
struct DmiInfo {
  std::array<std::optional<std::string>, kDmiLabelCount> values;
};

// Parses one file of /sys/class/dmi/id, e.g.:
//   bios_vendor   -> "Dell Inc.\n"
//   product_name  -> "PowerEdge R6515\n"
//   chassis_type  -> "23\n"           (read by procfs, not exported)
// The value is whitespace-trimmed (procfs' SysReadFile, which also reads at
// most 128 bytes) and invalid UTF-8 runs become U+FFFD as node_exporter's
// strings.ToValidUTF8 does. Files that are not labels (chassis_type,
// modalias, uevent, power/...) are ignored. Never fails: DMI strings are
// free-form firmware text.
void ParseDmiAttribute(std::string_view file, std::string_view content, DmiInfo* out);

StatusOr<std::unique_ptr<Collector>> NewDmiCollector(const Context& ctx);

}  // namespace nodex::collectors

#endif  // NODEX_COLLECTORS_DMI_H_
