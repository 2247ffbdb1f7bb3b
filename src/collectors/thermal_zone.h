// The thermal_zone collector (mirrors node_exporter's thermal_zone collector,
// collector/thermal_zone_linux.go, on top of procfs' sysfs/class_thermal.go
// and class_cooling_device.go): node_thermal_zone_temp per
// /sys/class/thermal/thermal_zone<N> and node_cooling_device_{cur,max}_state
// per /sys/class/thermal/cooling_device<N>.
#ifndef NODEX_COLLECTORS_THERMAL_ZONE_H_
#define NODEX_COLLECTORS_THERMAL_ZONE_H_

#include <cstdint>
#include <memory>
#include <string_view>

#include "collectors/collector.h"

namespace nodex::collectors {

// Parses one integer attribute of a thermal zone or cooling device, e.g.
//   thermal_zone0/temp          -> "45000\n"   (millidegrees Celsius)
//   cooling_device0/cur_state   -> "-1\n"      (intel_powerclamp reports -1)
//   cooling_device0/max_state   -> "3\n"
// Trimmed like procfs' SysReadFile, then Go's strconv.ParseInt(s, 10, 64):
// a sign is allowed, anything else (empty, hex, overflow) is an error.
[[nodiscard]] StatusOr<int64_t> ParseThermalInt(std::string_view content);

// Whether a zone's optional `mode` attribute ("enabled"/"disabled", since
// Linux 2.6.x for ACPI zones) disables it; disabled zones are skipped.
[[nodiscard]] bool ThermalZoneDisabled(std::string_view mode_content);

StatusOr<std::unique_ptr<Collector>> NewThermalZoneCollector(const Context& ctx);

}  // namespace nodex::collectors

#endif  // NODEX_COLLECTORS_THERMAL_ZONE_H_
