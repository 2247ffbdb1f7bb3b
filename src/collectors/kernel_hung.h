// The kernel_hung collector (mirrors node_exporter's kernel_hung collector,
// collector/kernel_hung_linux.go on top of procfs' kernel_hung.go):
// node_kernel_hung_tasks_total, the number of tasks the hung-task detector
// has reported since boot.
#ifndef NODEX_COLLECTORS_KERNEL_HUNG_H_
#define NODEX_COLLECTORS_KERNEL_HUNG_H_

#include <cstdint>
#include <string_view>

#include "collectors/collector.h"

namespace nodex::collectors {

// Parses /proc/sys/kernel/hung_task_detect_count, one unsigned decimal:
//   0
//   42
// Surrounding whitespace (the trailing newline) is ignored, as procfs trims
// it. The file exists only with CONFIG_DETECT_HUNG_TASK (and is missing on
// kernels before 6.0 or so); the collector reports "no data" then. Anything
// but one unsigned 64-bit decimal fails.
[[nodiscard]] StatusOr<uint64_t> ParseKernelHung(std::string_view content);

StatusOr<std::unique_ptr<Collector>> NewKernelHungCollector(const Context& ctx);

}  // namespace nodex::collectors

#endif  // NODEX_COLLECTORS_KERNEL_HUNG_H_
