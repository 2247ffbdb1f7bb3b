// The dmmultipath collector (mirrors node_exporter's dmmultipath collector,
// collector/dmmultipath_linux.go, on top of procfs'
// blockdevice/dm_multipath.go): device-mapper multipath maps found by
// scanning /sys/block/dm-* for a dm/uuid starting with "mpath-", with
// node_dmmultipath_device_{info,active,size_bytes,paths,paths_active,
// paths_failed} per map and node_dmmultipath_path_state per path (each entry
// of the map's slaves/ directory, state from /sys/block/<path>/device/state).
//
// Files read per map:
//   dm-5/dm/uuid       -> "mpath-3600508b1001c1234567890abcdef1234\n"
//   dm-5/dm/name       -> "mpathA\n"
//   dm-5/dm/suspended  -> "0\n"
//   dm-5/size          -> "104857600\n"   (512-byte sectors)
//   sdi/device/state   -> "running\n"     (SCSI; NVMe paths say "live")
// A dm device without dm/uuid is not a device-mapper device and is skipped;
// a missing or unreadable file (ENOENT, EACCES, EPERM) elsewhere makes the
// collector report "no data", and a number that does not parse fails it.
#ifndef NODEX_COLLECTORS_DMMULTIPATH_H_
#define NODEX_COLLECTORS_DMMULTIPATH_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "base/status.h"
#include "collectors/collector.h"

namespace nodex::collectors {

// dm/suspended or size: trimmed, then Go's strconv.ParseUint(s, 10, 64).
[[nodiscard]] std::optional<uint64_t> ParseDmUint(std::string_view content);

// Whether a path's device state counts as active: SCSI "running" or NVMe "live".
[[nodiscard]] inline bool DmPathActive(std::string_view state) { return state == "running" || state == "live"; }

StatusOr<std::unique_ptr<Collector>> NewDmmultipathCollector(const Context& ctx);

}  // namespace nodex::collectors

#endif  // NODEX_COLLECTORS_DMMULTIPATH_H_
