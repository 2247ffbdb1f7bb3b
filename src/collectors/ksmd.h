// The ksmd collector (mirrors node_exporter's ksmd collector,
// collector/ksmd_linux.go): the Kernel Samepage Merging daemon's counters and
// settings from /sys/kernel/mm/ksm, one node_ksmd_* gauge per file
// (full_scans becomes node_ksmd_full_scans_total, a counter; sleep_millisecs
// becomes node_ksmd_sleep_seconds; general_profit becomes
// node_ksmd_general_profit_bytes).
#ifndef NODEX_COLLECTORS_KSMD_H_
#define NODEX_COLLECTORS_KSMD_H_

#include <array>
#include <string_view>

#include "collectors/collector.h"

namespace nodex::collectors {

// One file of /sys/kernel/mm/ksm that node_exporter exports.
struct KsmdFile {
  std::string_view file;  // Name under kernel/mm/ksm.
  expo::Desc desc;
  bool is_signed;  // general_profit may be negative (overhead above savings).
  bool optional;   // general_profit appeared in Linux 6.4; older kernels lack it.
  double divisor;  // sleep_millisecs is exported in seconds: 1000.
};

inline constexpr size_t kKsmdFileCount = 10;
extern const std::array<KsmdFile, kKsmdFileCount> kKsmdFiles;

// Parses one file of /sys/kernel/mm/ksm (each holds a single decimal and a
// newline):
//   323
//   20
//   -40960        (general_profit only)
// Returns the exported value: the number divided by the file's divisor. Like
// node_exporter's readUintFromFile, surrounding whitespace is trimmed and
// anything but one unsigned 64-bit decimal fails; general_profit is a signed
// long in the kernel, so it is parsed as a signed 64-bit decimal.
// merge_across_nodes exists only on CONFIG_NUMA kernels; node_exporter then
// fails the whole collector, and so does nodex.
[[nodiscard]] StatusOr<double> ParseKsmdValue(const KsmdFile& file, std::string_view content);

StatusOr<std::unique_ptr<Collector>> NewKsmdCollector(const Context& ctx);

}  // namespace nodex::collectors

#endif  // NODEX_COLLECTORS_KSMD_H_
