// The stat collector (mirrors node_exporter's stat collector, stat_linux.go):
// system-wide counters from /proc/stat (format and quirks in proc_stat.h):
//   node_boot_time_seconds, node_context_switches_total, node_forks_total,
//   node_intr_total, node_procs_blocked, node_procs_running, and with
//   --collector.stat.softirq node_softirqs_total{vector}.
#ifndef NODEX_COLLECTORS_STAT_H_
#define NODEX_COLLECTORS_STAT_H_

#include "collectors/collector.h"

namespace nodex::collectors {

inline constexpr FlagDef kStatFlags[] = {
    {"collector.stat.softirq", FlagKind::kBool, "false",
     "Export node_softirqs_total per softirq vector from /proc/stat."},
};

StatusOr<std::unique_ptr<Collector>> NewStatCollector(const Context& ctx);

}  // namespace nodex::collectors

#endif  // NODEX_COLLECTORS_STAT_H_
