// The softnet collector (mirrors node_exporter's softnet collector,
// collector/softnet_linux.go, on procfs' net_softnet.go): per-CPU packet
// processing counters from /proc/net/softnet_stat, labelled by cpu.
#ifndef NODEX_COLLECTORS_SOFTNET_H_
#define NODEX_COLLECTORS_SOFTNET_H_

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "collectors/collector.h"

namespace nodex::collectors {

struct SoftnetCpuStats {
  uint32_t processed = 0;
  uint32_t dropped = 0;
  uint32_t time_squeezed = 0;
  uint32_t cpu_collision = 0;
  uint32_t received_rps = 0;
  uint32_t flow_limit_count = 0;
  uint32_t backlog_len = 0;
  uint32_t index = 0;  // The cpu label.
};

// Parses /proc/net/softnet_stat, one line per online CPU, every column a
// zero-padded 32-bit hex number:
//   000021c2 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000
//   00000000 00002c43 00000029 0000000a 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000
//   00000000 00000001
// Columns grew with the kernel: 9 (2.6.23: processed, dropped, time_squeeze,
// 5 zeros, cpu_collision), 10 (2.6.39: received_rps), 11 (4.18:
// flow_limit_count), 13 (5.10: backlog length and the CPU index), 15 (6.x,
// ignored). Below 13 columns the CPU index is the line number, which is wrong
// when CPUs are offline — procfs has the same limitation. Fewer than 9
// columns or a column that is not hex uint32 fails the parse, as in procfs;
// extra columns beyond the known ones are not checked. *out is cleared first
// (capacity kept).
Status ParseSoftnetStat(std::string_view content, std::vector<SoftnetCpuStats>* out);

StatusOr<std::unique_ptr<Collector>> NewSoftnetCollector(const Context& ctx);

}  // namespace nodex::collectors

#endif  // NODEX_COLLECTORS_SOFTNET_H_
