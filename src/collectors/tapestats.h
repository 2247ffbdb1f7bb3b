// The tapestats collector (mirrors node_exporter's tapestats collector,
// collector/tapestats_linux.go, on top of procfs' sysfs/class_scsitape.go):
// node_tape_* I/O statistics per SCSI tape drive, read from
// /sys/class/scsi_tape/st<N>/stats/ (Linux 4.19+, Documentation/scsi/st.rst).
// Only the st<N> entries are used; the nst<N> and mode variants (st0a, st0l,
// st0m, ...) share one drive's counters.
#ifndef NODEX_COLLECTORS_TAPESTATS_H_
#define NODEX_COLLECTORS_TAPESTATS_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "base/status.h"
#include "collectors/collector.h"

namespace nodex::collectors {

inline constexpr FlagDef kTapestatsFlags[] = {
    {"collector.tapestats.ignored-devices", FlagKind::kString, "^$",
     "Regular expression of tape devices (st<N>) that tapestats leaves out."},
};

// Parses one stats/ attribute of a tape drive, e.g.
//   stats/read_cnt   -> "3741\n"
//   stats/io_ns      -> "9247011087720\n"
//   stats/in_flight  -> "1\n"
// Trimmed like procfs' SysReadFile, then Go's strconv.ParseUint(s, 0, 64).
[[nodiscard]] std::optional<uint64_t> ParseTapeCounter(std::string_view content);

// Whether a /sys/class/scsi_tape entry is a drive's primary name: ^st[0-9]+$.
[[nodiscard]] bool IsTapeDeviceName(std::string_view name);

StatusOr<std::unique_ptr<Collector>> NewTapestatsCollector(const Context& ctx);

}  // namespace nodex::collectors

#endif  // NODEX_COLLECTORS_TAPESTATS_H_
