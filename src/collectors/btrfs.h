// The btrfs collector (mirrors node_exporter's collector/btrfs_linux.go, which
// uses procfs' btrfs package and, where it can, btrfs ioctls): per-filesystem
// allocation, commit and device statistics as node_btrfs_*.
//
// Sources:
// - /sys/fs/btrfs/<uuid>/ (label, metadata_uuid, commit_stats, devices/*/size,
//   allocation/{global_rsv_size,data,metadata,system}/..., features/). Read
//   with procfs' tolerance: a missing attribute reads as 0 or "", a
//   non-numeric one as 0, and, as procfs' reader does, only an error while
//   reading allocation/system fails the scrape (its error overwrites earlier
//   ones).
// - For each btrfs mount in /proc/1/mountinfo (or /proc/self/mountinfo), the
//   BTRFS_IOC_FS_INFO, BTRFS_IOC_DEV_INFO and BTRFS_IOC_GET_DEV_STATS ioctls
//   on <rootfs>/<mount point>. When they work, device metrics carry the
//   btrfs_dev_uuid label and include unused bytes and error counters; when
//   they do not (no permission, not mounted here, a fixture tree), devices
//   come from sysfs with only a size, exactly like node_exporter.
#ifndef NODEX_COLLECTORS_BTRFS_H_
#define NODEX_COLLECTORS_BTRFS_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/collector.h"

namespace nodex::collectors {

struct BtrfsCommitStats {
  uint64_t commits = 0;
  uint64_t last_commit_ms = 0;
  uint64_t max_commit_ms = 0;
  uint64_t total_commit_ms = 0;
};

// Parses /sys/fs/btrfs/<uuid>/commit_stats (Linux 6.0+; 6.8 added
// cur_commit_ms):
//   commits 258051
//   last_commit_ms 1000
//   max_commit_ms 51462
// Each non-empty line is "<key> <unsigned decimal>"; unknown keys are
// ignored. Fails on a line without exactly two fields or a bad number.
[[nodiscard]] Status ParseBtrfsCommitStats(std::string_view content, BtrfsCommitStats* out);

struct BtrfsMount {
  std::string device;       // The mount source, e.g. /dev/sda1.
  std::string mount_point;  // Octal escapes \040 and \011 decoded.
};

// Extracts the btrfs mounts from /proc/<pid>/mountinfo:
//   36 35 98:0 /mnt1 /mnt/parent rw,noatime master:1 - btrfs /dev/sda1 rw,ssd
//   24 27 0:6 / /dev rw,relatime - devtmpfs devtmpfs rw,size=12334460k
// Fields: id, parent, major:minor, root, mount point, options, optional
// fields up to "-", then fs type, source and super options. Fails (as
// procfs' parser does) on a line with fewer than 10 fields or without the
// "-" separator; node_exporter then skips the ioctl statistics.
[[nodiscard]] Status ParseBtrfsMounts(std::string_view mountinfo, std::vector<BtrfsMount>* out);

StatusOr<std::unique_ptr<Collector>> NewBtrfsCollector(const Context& ctx);

}  // namespace nodex::collectors

#endif  // NODEX_COLLECTORS_BTRFS_H_
