// The exporter's own process metrics (process_cpu_seconds_total,
// process_resident_memory_bytes, ...), named and typed exactly like
// client_golang's process collector, which node_exporter serves unless
// --web.disable-exporter-metrics. They describe nodex itself, so they always
// come from the real /proc/self, never from --path.procfs.
#ifndef NODEX_HTTP_PROCESS_METRICS_H_
#define NODEX_HTTP_PROCESS_METRICS_H_

#include <dirent.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/file_reader.h"
#include "base/status.h"
#include "expo/metric_set.h"

namespace nodex::http {

// The fields of /proc/<pid>/stat that the process metrics need. Format
// (proc(5)): pid, the command name in parentheses, then space-separated
// fields starting with the state:
//   6856 (cat) R 6853 6853 4412 0 -1 4194304 100 0 0 0 0 0 0 0 20 0 1 0 84732 3133440 358 ...
//   1234 (my (odd) name) S 1 1234 1234 0 -1 4194368 ...
// The command name may itself contain spaces and ')' (a process can rename
// itself to anything), so the line is split at the LAST ')'. Counting from the
// state as field 3 (proc(5) numbering), utime is 14, stime 15, starttime 22,
// vsize 23 and rss 24. Kernels have only ever appended fields, so extra
// trailing fields are ignored. Mirrors procfs's ProcStat as used by
// client_golang's process collector.
struct PidStat {
  uint64_t utime_ticks = 0;
  uint64_t stime_ticks = 0;
  uint64_t start_ticks = 0;  // Since boot.
  uint64_t vsize_bytes = 0;
  int64_t rss_pages = 0;
};

[[nodiscard]] std::optional<PidStat> ParsePidStat(std::string_view content);

// The boot time ("btime" line, seconds since the epoch) from /proc/stat:
//   cpu  1735 0 1732 165337 255 0 34 8 0 0
//   intr 123456 ...
//   btime 1795813166
// nullopt if the line is missing or malformed.
[[nodiscard]] std::optional<uint64_t> ParseBootTime(std::string_view proc_stat);

// Reads the process metrics for the calling process. Keeps <proc>/self/stat
// and <proc>/self/fd open between scrapes. Not thread-safe: the metrics
// handler calls it under its scrape lock.
class ProcessMetrics {
 public:
  // `proc_root` is "/proc" in production; tests pass a fixture tree with
  // self/stat, self/fd/ and stat.
  explicit ProcessMetrics(std::string proc_root = "/proc");
  ~ProcessMetrics();
  ProcessMetrics(const ProcessMetrics&) = delete;
  ProcessMetrics& operator=(const ProcessMetrics&) = delete;

  // Appends the process_* samples to *out. On failure appends what it could
  // and says what failed.
  Status Collect(expo::MetricSet* out);

 private:
  Status CountOpenFds(uint64_t* count);

  std::string proc_root_;
  KeptOpenFile stat_;
  DIR* fd_dir_ = nullptr;
  bool fd_dir_is_procfs_ = false;  // The kernel may report the fd count as the directory size.
  // The start time is fixed for the life of the process, and /proc/stat is
  // large on many-CPU machines, so it is read once, on first success.
  std::optional<double> start_time_seconds_;
  std::string scratch_;
  double ticks_per_second_;
  double page_size_;
};

}  // namespace nodex::http

#endif  // NODEX_HTTP_PROCESS_METRICS_H_
