// The rapl collector (mirrors node_exporter's rapl collector,
// collector/rapl_linux.go, on top of procfs' sysfs/class_powercap.go):
// energy counters of Intel/AMD RAPL power zones under /sys/class/powercap,
// node_rapl_<zone>_joules_total{index,path} or, with
// --collector.rapl.enable-zone-label, node_rapl_joules_total{index,path,rapl_zone}.
#ifndef NODEX_COLLECTORS_RAPL_H_
#define NODEX_COLLECTORS_RAPL_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "collectors/collector.h"
#include "collectors/metric_name.h"

namespace nodex::collectors {

inline constexpr FlagDef kRaplFlags[] = {
    {"collector.rapl.enable-zone-label", FlagKind::kBool, "false",
     "Export one node_rapl_joules_total family with a rapl_zone label instead of one family per zone."},
};

// A zone's name split like procfs' getIndexAndName.
struct RaplZoneName {
  std::string_view name;  // Views the input.
  int64_t index = 0;
};

// Parses a zone's `name` file and assigns its index:
//   intel-rapl:0/name    -> "package-0\n"  => name "package", index 0
//   intel-rapl:0:0/name  -> "core\n"       => name "core", index = times "core" was seen
//   intel-rapl:0:2/name  -> "dram\n"
// A name of exactly two '-'-separated parts whose second part is a decimal
// integer carries its own index; any other name is indexed by how often it
// was seen before (`seen`, updated here). The content is whitespace-trimmed.
RaplZoneName ParseRaplZoneName(std::string_view content, std::map<std::string, int64_t, std::less<>>* seen);

// Parses energy_uj / max_energy_range_uj ("240422366267\n"): trimmed, then
// an unsigned 64-bit decimal, else an error.
[[nodiscard]] StatusOr<uint64_t> ParseRaplMicrojoules(std::string_view content);


StatusOr<std::unique_ptr<Collector>> NewRaplCollector(const Context& ctx);

}  // namespace nodex::collectors

#endif  // NODEX_COLLECTORS_RAPL_H_
