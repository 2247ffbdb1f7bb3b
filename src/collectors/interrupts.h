// The interrupts collector (mirrors node_exporter's interrupts collector,
// collector/interrupts_common.go + interrupts_linux.go):
// node_interrupts_total{cpu,type,info,devices} from /proc/interrupts.
#ifndef NODEX_COLLECTORS_INTERRUPTS_H_
#define NODEX_COLLECTORS_INTERRUPTS_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "collectors/collector.h"

namespace nodex::collectors {

inline constexpr FlagDef kInterruptsFlags[] = {
    {"collector.interrupts.name-include", FlagKind::kString, "",
     "RE2 pattern: export only interrupts whose \"name;info;devices\" matches (exclusive with name-exclude)."},
    {"collector.interrupts.name-exclude", FlagKind::kString, "",
     "RE2 pattern: skip interrupts whose \"name;info;devices\" matches (exclusive with name-include)."},
    {"collector.interrupts.include-zeros", FlagKind::kBool, "true",
     "Also export per-CPU interrupt counts that are zero."},
};

StatusOr<std::unique_ptr<Collector>> NewInterruptsCollector(const Context& ctx);

struct InterruptRow {
  std::string_view name;    // "0", "NMI", ...; views the input.
  std::string info;         // Joined with single spaces, as node_exporter does.
  std::string devices;      // Numbered interrupts only.
  size_t values_begin = 0;  // Index into InterruptTable::values, one per CPU.
};

struct InterruptTable {
  size_t cpus = 0;                 // Columns in the header line.
  std::vector<InterruptRow> rows;  // First `row_count` entries valid.
  size_t row_count = 0;
  std::vector<std::string_view> values;  // Raw per-CPU counts; parsed by the collector.
};

// Parses /proc/interrupts:
//              CPU0       CPU1
//     0:         18          0  IR-IO-APIC-edge      timer
//   NMI:         47       5031   Non-maskable interrupts
//   ERR:          0
// The header's field count is the CPU count. Each later line is split at its
// first ':' (aarch64 may have no space after it); the name is the part before
// it with leading spaces removed. Lines without ':' or with fewer than
// cpus + 1 fields after it (ERR, MIS: one global count) are skipped. For a
// numeric name (Go's Atoi) the first field after the counts is `info` and the
// rest, joined with single spaces, `devices`; otherwise everything after the
// counts is `info`. A repeated name replaces the earlier row. Counts are kept
// as text: node_exporter only parses the ones it exports, so a bad count in a
// filtered-out row is harmless. An empty file is an error. Quirks: the chip
// and hwirq columns vary by architecture and kernel ("IO-APIC 5-edge" on
// newer x86 kernels), which is why they are not split further. Buffers in
// *out are reused.
Status ParseInterrupts(std::string_view content, InterruptTable* out);

}  // namespace nodex::collectors

#endif  // NODEX_COLLECTORS_INTERRUPTS_H_
