// The meminfo collector (mirrors node_exporter's meminfo collector,
// collector/meminfo_linux.go on top of procfs' meminfo.go): one gauge per
// known /proc/meminfo field, node_memory_<Field>_bytes for sizes and
// node_memory_<Field> for the unitless HugePages_* counts.
#ifndef NODEX_COLLECTORS_MEMINFO_H_
#define NODEX_COLLECTORS_MEMINFO_H_

#include <array>
#include <bitset>
#include <cstddef>
#include <string_view>

#include "collectors/collector.h"

namespace nodex::collectors {

// One /proc/meminfo field node_exporter exports. Fields it does not know
// (KReclaimable, FilePmdMapped, Balloon, ...) are parsed but not exported.
struct MeminfoField {
  std::string_view key;  // As in the file, without the ':', e.g. "Active(anon)".
  expo::Desc desc;       // "(x)" becomes "_x": Active(anon) -> node_memory_Active_anon_bytes.
  bool raw;              // HugePages_*: the number as written, never scaled by the unit.
};

inline constexpr size_t kMeminfoFieldCount = 51;

// Every exported field.
extern const std::array<MeminfoField, kMeminfoFieldCount> kMeminfoFields;

// Values of one parse, indexed like kMeminfoFields. Fixed size, so parsing
// on every scrape does not allocate.
struct MeminfoValues {
  std::array<double, kMeminfoFieldCount> value{};
  std::bitset<kMeminfoFieldCount> present;
};

// Parses /proc/meminfo:
//   MemTotal:        3742148 kB
//   Active(anon):    2020004 kB
//   HugePages_Total:       0
// Each line is "<Key>: <value> [kB]". A value with the kB unit (the only
// unit the kernel uses) is multiplied by 1024; a value without one is taken
// as is. Like procfs, every line must be well formed, known or not: fewer
// than two fields, more than three, a unit other than kB or a value that is
// not an unsigned 64-bit decimal fails the whole parse. A repeated key keeps
// its last value. Differences from procfs, which parses with base 0: a
// leading "0x"/"0" is not read as hex/octal (the kernel never writes it),
// and value*1024 beyond 2^64 does not wrap.
// Fields appeared over time (MemAvailable 3.14, Zswap/Zswapped 5.19); a
// missing field is simply absent from the output.
[[nodiscard]] Status ParseMeminfo(std::string_view content, MeminfoValues* out);

StatusOr<std::unique_ptr<Collector>> NewMeminfoCollector(const Context& ctx);

}  // namespace nodex::collectors

#endif  // NODEX_COLLECTORS_MEMINFO_H_
