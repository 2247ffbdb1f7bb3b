// Pure parser of /proc/stat, shared by the cpu collector (per-CPU times) and
// the stat collector (system-wide counters). It mirrors what prometheus/procfs
// fs.Stat() accepts and rejects, since node_exporter's cpu and stat collectors
// both sit on top of it.
//
// /proc/stat looks like:
//   cpu  301854 612 111922 8979004 3552 2 3944 0 44 36
//   cpu0 44490 19 21045 1087069 220 1 3410 0 2 1
//   intr 8885917 17 0 0 0 0 0 0 0 1 79281 0 ...
//   ctxt 38014093
//   btime 1418183276
//   processes 26442
//   procs_running 2
//   procs_blocked 0
//   softirq 5057579 250191 1481983 1647 211099 186066 0 1783454 622196 12499 508444
//
// Kernel-version quirks:
// - cpu lines grew columns over time: steal (2.6.11), guest (2.6.24),
//   guest_nice (2.6.33). Missing trailing columns read as 0, as procfs does;
//   OpenVZ guests also lack guest columns.
// - CPUs that are offline have no cpuN line at all, so IDs can have gaps.
// - cpu values are USER_HZ ticks. procfs divides by a fixed 100 regardless of
//   the kernel's CONFIG_HZ (USER_HZ is 100 on every mainstream architecture).
// - The intr line has one column per IRQ number and can be several KiB long.
#ifndef NODEX_COLLECTORS_PROC_STAT_H_
#define NODEX_COLLECTORS_PROC_STAT_H_

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace nodex::collectors {

// procfs's userHZ: /proc/stat cpu columns are divided by this to get seconds.
inline constexpr double kUserHz = 100.0;

// Seconds (ticks / kUserHz) one CPU spent in each mode.
struct CpuTimes {
  double user = 0;
  double nice = 0;
  double system = 0;
  double idle = 0;
  double iowait = 0;
  double irq = 0;
  double softirq = 0;
  double steal = 0;
  double guest = 0;
  double guest_nice = 0;
};

struct CpuLine {
  int64_t id = 0;
  CpuTimes times;
};

// Softirq vectors in the column order of the "softirq" line, named as
// node_exporter's node_softirqs_total{vector} label values.
inline constexpr std::array<std::string_view, 10> kSoftirqVectors = {
    "hi", "timer", "net_tx", "net_rx", "block", "block_iopoll", "tasklet", "sched", "hrtimer", "rcu"};

struct ProcStat {
  uint64_t boot_time = 0;
  uint64_t irq_total = 0;
  uint64_t context_switches = 0;
  uint64_t processes_created = 0;
  uint64_t procs_running = 0;
  uint64_t procs_blocked = 0;
  uint64_t softirq_total = 0;
  std::array<uint64_t, kSoftirqVectors.size()> softirq{};
  CpuTimes cpu_total;
  // One entry per cpuN line, in file order. The vector is cleared, not
  // freed, by ParseProcStat, so a reused ProcStat does not allocate once it
  // has seen the machine's CPU count.
  std::vector<CpuLine> cpus;
};

// Parses the whole of /proc/stat into *out (every field reset first). Keys
// that are absent stay 0, unknown keys and lines with fewer than two fields
// are ignored, as in procfs. A malformed value of a known key (non-numeric,
// negative, overflowing, a softirq line with fewer than 11 numbers, a cpu
// line whose suffix is not a CPU number) is an error naming the key.
Status ParseProcStat(std::string_view content, ProcStat* out);

}  // namespace nodex::collectors

#endif  // NODEX_COLLECTORS_PROC_STAT_H_
