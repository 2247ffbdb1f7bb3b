// The meminfo_numa collector (mirrors node_exporter's meminfo_numa collector,
// collector/meminfo_numa_linux.go): per-NUMA-node memory from
// /sys/devices/system/node/node<N>/{meminfo,numastat}, as
// node_memory_numa_<Field>{node="N"} gauges (bytes where the kernel gives kB)
// and node_memory_numa_<stat>_total{node="N"} counters.
#ifndef NODEX_COLLECTORS_MEMINFO_NUMA_H_
#define NODEX_COLLECTORS_MEMINFO_NUMA_H_

#include <string>
#include <string_view>
#include <vector>

#include "collectors/collector.h"

namespace nodex::collectors {

// One line of a node's meminfo or numastat. Views point into the parsed text.
struct NumaField {
  std::string_view node;  // meminfo only: the node number as written in the line.
  std::string_view key;   // "Active(anon)", "numa_hit" (no trailing ':').
  double value;           // meminfo: bytes if the line had "kB", else as written.
};

// Parses /sys/devices/system/node/node<N>/meminfo:
//   Node 0 MemTotal:       134182340 kB
//   Node 0 Active(anon):     691324 kB
//   Node 0 HugePages_Total:     0
// Blank lines are skipped. Every other line needs at least four fields
// ("Node", number, key, value) and then either nothing or "kB" (scaled by
// 1024); anything else, or a value that is not a decimal number, fails the
// parse (node_exporter indexes the fourth field without checking and would
// crash on a shorter line). Keys differ by kernel (SecPageTables 6.0,
// Unaccepted 6.5); every key is exported. *out is cleared and refilled, so a
// reused vector does not allocate in steady state.
[[nodiscard]] Status ParseMeminfoNuma(std::string_view content, std::vector<NumaField>* out);

// Parses /sys/devices/system/node/node<N>/numastat, "<stat> <count>" lines:
//   numa_hit 193460335812
//   interleave_hit 57146
// Blank lines are skipped; a line without exactly two fields or with a
// non-numeric count fails. NumaField::node is left empty (the node comes
// from the directory name).
[[nodiscard]] Status ParseNumastat(std::string_view content, std::vector<NumaField>* out);

// The metric name node_exporter derives from a meminfo key: trailing ':'
// dropped and the first "(...)" span (up to the last ')') turned into
// "_...": "Active(anon)" -> "node_memory_numa_Active_anon".
std::string MeminfoNumaMetricName(std::string_view key);

StatusOr<std::unique_ptr<Collector>> NewMeminfoNumaCollector(const Context& ctx);

}  // namespace nodex::collectors

#endif  // NODEX_COLLECTORS_MEMINFO_NUMA_H_
