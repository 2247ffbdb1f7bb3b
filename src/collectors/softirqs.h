// The softirqs collector (mirrors node_exporter's softirqs collector,
// collector/softirqs_linux.go, on procfs' softirqs.go):
// node_softirqs_functions_total{cpu,type} from /proc/softirqs.
#ifndef NODEX_COLLECTORS_SOFTIRQS_H_
#define NODEX_COLLECTORS_SOFTIRQS_H_

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "collectors/collector.h"

namespace nodex::collectors {

StatusOr<std::unique_ptr<Collector>> NewSoftirqsCollector(const Context& ctx);

// The softirq vectors procfs knows, in the order node_exporter exports them.
inline constexpr std::array<std::string_view, 10> kSoftirqTypes = {"HI",       "TIMER",   "NET_TX", "NET_RX",  "BLOCK",
                                                                   "IRQ_POLL", "TASKLET", "SCHED",  "HRTIMER", "RCU"};

struct Softirqs {
  // Per-CPU counts for each kSoftirqTypes entry; empty when the row is absent.
  std::array<std::vector<uint64_t>, kSoftirqTypes.size()> counts;
};

// Parses /proc/softirqs:
//                       CPU0       CPU1
//             HI:          7          1
//          TIMER:     424191     108342
// The first line (the CPU header) is skipped without being checked, as procfs
// does; an empty file is an error. Rows with fewer than two fields and rows
// with unknown names are ignored; every count of a known row must be a
// decimal uint64. Quirks: IRQ_POLL was BLOCK_IOPOLL before 4.4 (and is then
// not exported); offline CPUs still have columns. Counts are per row, so a
// row's length is not checked against the header. *out's vectors are
// cleared first, capacity kept.
Status ParseSoftirqs(std::string_view content, Softirqs* out);

}  // namespace nodex::collectors

#endif  // NODEX_COLLECTORS_SOFTIRQS_H_
