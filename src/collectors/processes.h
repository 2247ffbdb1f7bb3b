// The processes collector (mirrors node_exporter's processes collector,
// collector/processes_linux.go, on procfs' proc.go/proc_stat.go): process and
// thread counts by state from /proc/<pid>/stat and /proc/<pid>/task/<tid>/stat,
// plus the pid and thread limits from /proc/sys/kernel/{pid_max,threads-max}.
#ifndef NODEX_COLLECTORS_PROCESSES_H_
#define NODEX_COLLECTORS_PROCESSES_H_

#include <cstdint>
#include <string_view>

#include "base/status.h"
#include "collectors/collector.h"

namespace nodex::collectors {

StatusOr<std::unique_ptr<Collector>> NewProcessesCollector(const Context& ctx);

struct PidStat {
  std::string_view state;  // "R", "S", "D", "I", ...; views the input.
  int64_t num_threads = 0;
};

// Parses /proc/<pid>/stat (also /proc/<pid>/task/<tid>/stat), one line:
//   1 (systemd) S 0 1 1 0 -1 4194560 9061 9416027 94 2620 36 98 54406 ...
//   11 (rcu_preempt) I 2 0 0 0 -1 2129984 0 0 0 0 0 346 0 0 -2 0 1 0 32 ...
// The command name may contain spaces and parentheses, so the fields start two
// bytes after the LAST ')' (there must also be a '('). Like procfs' Fscan, the
// state and the next 41 fields (ppid .. cguest_time, stat fields 3-44) must be
// present and numeric with procfs' signedness (e.g. flags, utime, vsize are
// unsigned; tty_nr, cutime, priority, rss are signed); later fields are
// ignored. Kernels before 2.6.24 lack guest_time/cguest_time and are rejected,
// as procfs rejects them.
[[nodiscard]] StatusOr<PidStat> ParsePidStat(std::string_view content);

}  // namespace nodex::collectors

#endif  // NODEX_COLLECTORS_PROCESSES_H_
