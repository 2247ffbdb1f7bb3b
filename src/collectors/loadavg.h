// The loadavg collector (mirrors node_exporter's loadavg collector,
// collector/loadavg_linux.go): node_load1, node_load5 and node_load15.
#ifndef NODEX_COLLECTORS_LOADAVG_H_
#define NODEX_COLLECTORS_LOADAVG_H_

#include <string_view>

#include "collectors/collector.h"

namespace nodex::collectors {

struct LoadAverages {
  double load1 = 0;
  double load5 = 0;
  double load15 = 0;
};

// Parses /proc/loadavg, one line:
//   0.21 0.37 0.39 1/719 19737
//   12.50 8.03 4.00 3/1204 88123
// Only the first three fields are used; like node_exporter, extra or missing
// trailing fields (runnable/total, last pid) are not checked, so the
// format has stayed compatible since Linux 2.6. Fails when fewer than three
// fields are present or one of them is not a decimal number.
[[nodiscard]] StatusOr<LoadAverages> ParseLoadavg(std::string_view content);

StatusOr<std::unique_ptr<Collector>> NewLoadavgCollector(const Context& ctx);

}  // namespace nodex::collectors

#endif  // NODEX_COLLECTORS_LOADAVG_H_
