// The schedstat collector (mirrors node_exporter's schedstat collector,
// collector/schedstat_linux.go, on procfs' schedstat.go): per-CPU scheduler
// run time, wait time and timeslices from /proc/schedstat.
#ifndef NODEX_COLLECTORS_SCHEDSTAT_H_
#define NODEX_COLLECTORS_SCHEDSTAT_H_

#include <cstdint>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "collectors/collector.h"

namespace nodex::collectors {

StatusOr<std::unique_ptr<Collector>> NewSchedstatCollector(const Context& ctx);

struct SchedstatCpu {
  std::string_view cpu;  // The digits after "cpu", as written; views the input.
  uint64_t running_ns = 0;
  uint64_t waiting_ns = 0;
  uint64_t timeslices = 0;
};

// Parses /proc/schedstat (CONFIG_SCHEDSTATS):
//   version 15
//   cpu0 498494191 0 3533438552 2553969831 3853684107 2465731542 2045936778163039 343796328169361 4767485306
//   domain0 00000000,00000003 212499247 210112015 1861015 ...
// Only "cpu<N>" followed by nine single-space-separated decimal numbers
// counts, found anywhere in the line like procfs' unanchored regular
// expression; the 7th, 8th and 9th numbers are running ns, waiting ns and
// timeslices. Every other line (version, timestamp, domain*) is skipped, and
// so is a cpu line whose three used numbers overflow uint64, exactly as
// procfs does; the parser therefore never fails. The times are nanoseconds
// since 2.6.23 although the kernel documentation long said jiffies; version
// 15 (4.x+) and 16/17 (6.x) keep the cpu line layout. *out is cleared first.
void ParseSchedstat(std::string_view content, std::vector<SchedstatCpu>* out);

}  // namespace nodex::collectors

#endif  // NODEX_COLLECTORS_SCHEDSTAT_H_
