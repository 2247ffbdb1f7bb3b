// The powersupplyclass collector (mirrors node_exporter's powersupplyclass
// collector, collector/powersupplyclass_linux.go, on top of procfs'
// sysfs/class_power_supply.go): node_power_supply_* gauges and an info
// series per /sys/class/power_supply/<name> (batteries, AC adapters, USB
// ports, peripheral batteries).
//
// Quirks kept from node_exporter: every regular file of a supply is read
// (one read of at most 128 bytes, then whitespace-trimmed) and a known
// numeric attribute that does not parse fails the whole collector; files
// that vanish or answer ENODEV/EOPNOTSUPP (batteries removed, drivers without
// that property) are skipped. A missing class directory, or a supply that
// disappears while it is listed, means no data. Supplies whose name matches
// --collector.powersupply.ignored-supplies (unanchored) are dropped after
// parsing.
#ifndef NODEX_COLLECTORS_POWERSUPPLYCLASS_H_
#define NODEX_COLLECTORS_POWERSUPPLYCLASS_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "collectors/collector.h"

namespace nodex::collectors {

inline constexpr FlagDef kPowersupplyclassFlags[] = {
    {"collector.powersupply.ignored-supplies", FlagKind::kString, "^$",
     "Regexp of power supplies (by name under /sys/class/power_supply) to leave out of the powersupplyclass "
     "collector."},
};

// Numeric attributes procfs knows about, in one array indexed by
// position in the sorted list of their file names (PowerSupply::Numeric
// looks one up by name).
inline constexpr size_t kPowerSupplyNumericCount = 56;
// Text attributes procfs knows about.
enum class PowerSupplyText : uint8_t {
  kCapacityLevel,
  kChargeType,
  kHealth,
  kManufacturer,
  kModelName,
  kScope,
  kSerialNumber,
  kStatus,
  kTechnology,
  kType,
  kUsbType,
  kCount
};

// The parsed attributes of one supply. Absent files stay unset / empty.
struct PowerSupply {
  std::optional<int64_t> numeric[kPowerSupplyNumericCount];
  std::string text[static_cast<size_t>(PowerSupplyText::kCount)];

  void Reset();
  // The value of the numeric attribute file `file` ("capacity", "voltage_now", ...).
  std::optional<int64_t> Numeric(std::string_view file) const;
  const std::string& Text(PowerSupplyText t) const { return text[static_cast<size_t>(t)]; }
};

// Parses one attribute file of a power supply directory into *out. `file` is
// the file name and `content` what one read of it returned, e.g.
//   capacity      -> "81\n"
//   voltage_now   -> "11660000\n"    (microvolts)
//   model_name    -> "LNV-45N1\n"
// Content is whitespace-trimmed like procfs' SysReadFile. Numbers are parsed
// like Go's strconv.ParseInt(s, 0, 64) ("0x10" is 16); a known numeric file
// that does not parse is an error. Unknown file names are ignored.
[[nodiscard]] Status ParsePowerSupplyAttribute(std::string_view file, std::string_view content, PowerSupply* out);

StatusOr<std::unique_ptr<Collector>> NewPowersupplyclassCollector(const Context& ctx);

}  // namespace nodex::collectors

#endif  // NODEX_COLLECTORS_POWERSUPPLYCLASS_H_
