// The hwmon collector (mirrors node_exporter's hwmon collector,
// collector/hwmon_linux.go): node_hwmon_* gauges for every sensor attribute
// of every chip under /sys/class/hwmon, like lm-sensors.
//
// A chip directory (and its device/ directory, whose files win on a clash)
// holds one file per sensor attribute, named <type><n>[_<property>]:
//   temp1_input -> "45000\n"      (millidegrees Celsius)
//   in0_input   -> "792\n"        (millivolts)
//   fan1_label  -> "Left side\n"  (free text)
// Each file's first 128 bytes are read once (broken drivers answer EAGAIN
// forever) and newline-trimmed; unreadable or non-numeric values are
// skipped, never fatal.
//
// Chip label: the device link's "<bus>_<device>" ("platform_coretemp_0"),
// else the name file, else the hwmonX directory. When several chips share a
// device (asus-nb-wmi, ieee80211 phys), each gets "_<name file>" appended, or
// "_hwmonX" if the name files do not tell them apart (node_exporter 1.12).
// --collector.hwmon.chip-include/-exclude match that label, and
// --collector.hwmon.sensor-include/-exclude match "<chip>;<sensor>" (e.g.
// "platform_coretemp_0;temp3"); all four are unanchored RE2 patterns.
#ifndef NODEX_COLLECTORS_HWMON_H_
#define NODEX_COLLECTORS_HWMON_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "collectors/collector.h"

namespace nodex::collectors {

inline constexpr FlagDef kHwmonFlags[] = {
    {"collector.hwmon.chip-include", FlagKind::kString, "",
     "Regexp of hwmon chip labels to collect (unanchored; mutually exclusive in intent with chip-exclude)."},
    {"collector.hwmon.chip-exclude", FlagKind::kString, "", "Regexp of hwmon chip labels to skip (unanchored)."},
    {"collector.hwmon.sensor-include", FlagKind::kString, "",
     "Regexp of \"<chip>;<sensor>\" pairs to collect, e.g. \"platform_coretemp_0;temp[0-9]+\" (unanchored)."},
    {"collector.hwmon.sensor-exclude", FlagKind::kString, "",
     "Regexp of \"<chip>;<sensor>\" pairs to skip (unanchored)."},
};

// A sensor attribute file name split the way node_exporter's regexp
// ^(?P<type>[^0-9]+)(?P<id>[0-9]*)?(_(?P<property>.+))?$ splits it:
// "temp1_crit_alarm" -> {"temp", 1, "crit_alarm"}, "beep_enable" ->
// {"beep_enable", 0, ""}. Views point into the input.
struct HwmonFilename {
  std::string_view type;
  int64_t num = 0;
  std::string_view property;
};

// Splits a file name as above; nullopt when the regexp does not match or the
// number overflows int64 (such files are ignored).
[[nodiscard]] std::optional<HwmonFilename> ExplodeHwmonFilename(std::string_view name);

// Whether `type` is one of the sensor types node_exporter reads (vrm,
// beep_enable, update_interval, in, cpu, fan, pwm, temp, curr, power, energy,
// humidity, intrusion, freq).
[[nodiscard]] bool IsHwmonSensorType(std::string_view type);

// node_exporter's cleanMetricName: lower-case, every character outside
// [a-z0-9:_] becomes '_' (one per UTF-8 character, one per invalid byte),
// then leading and trailing '_' are trimmed. "Core 0\n" -> "core_0".
// Writes into *out (reused).
void CleanHwmonName(std::string_view in, std::string* out);

// Parses a sensor value (already newline-trimmed) like Go's
// strconv.ParseFloat; nullopt for anything else (empty files, "N/A").
[[nodiscard]] std::optional<double> ParseHwmonValue(std::string_view value);

StatusOr<std::unique_ptr<Collector>> NewHwmonCollector(const Context& ctx);

}  // namespace nodex::collectors

#endif  // NODEX_COLLECTORS_HWMON_H_
