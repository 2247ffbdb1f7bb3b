// The mdadm collector (mirrors node_exporter's mdadm collector,
// collector/mdadm_linux.go, with procfs' MDStat and sysfs' Mdraids): Linux
// software RAID state from /proc/mdstat (node_md_state, node_md_disks,
// node_md_disks_required, node_md_blocks, node_md_blocks_synced) and
// /sys/block/md*/md (node_md_raid_disks, node_md_degraded).
#ifndef NODEX_COLLECTORS_MDADM_H_
#define NODEX_COLLECTORS_MDADM_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "collectors/collector.h"

namespace nodex::collectors {

// One array from /proc/mdstat. Views point into the parsed text.
struct MdStat {
  std::string_view name;   // "md0"
  std::string_view state;  // Third field ("active", "inactive"), or "recovering",
                           // "reshaping", "checking", "resyncing" while syncing.
  int64_t disks_active = 0;
  int64_t disks_total = 0;   // Disks the array needs ([n/m]: n).
  int64_t disks_failed = 0;  // "(F)" members
  int64_t disks_spare = 0;   // "(S)" members
  int64_t disks_down = 0;    // '_' in [UU_U]
  int64_t blocks_total = 0;
  int64_t blocks_synced = 0;
};

// Parses /proc/mdstat:
//   Personalities : [raid1] [raid6] [raid5] [raid4]
//   md6 : active raid1 sdb2[2](F) sdc[1](S) sda2[0]
//         195310144 blocks [2/1] [U_]
//         [=>...................]  recovery =  8.5% (16775552/195310144) finish=17.0min speed=259783K/sec
// Each array is a device line (not starting with a space) followed by at
// least three more lines: the status line, then optionally a "bitmap:" line,
// then a sync line. raid0 and linear arrays have no [n/m] block (all members
// count as active); inactive arrays report 0 disks. resync=PENDING/DELAYED
// mean 0 blocks synced. Fails, like procfs, on a device line with fewer than
// three fields, too few following lines, a status line without a number of
// blocks (or without [n/m] [U_] for other levels), an unparsable sync line,
// or a member index that does not fit int32.
[[nodiscard]] Status ParseMdstat(std::string_view content, std::vector<MdStat>* out);

// Parses sysfs md/sync_completed ("1569888 / 2093056", or "none") like Go's
// fmt.Sscanf("%d / %d"); nullopt when it does not scan. "none" is the
// caller's business.
[[nodiscard]] std::optional<double> ParseMdSyncCompleted(std::string_view value);

StatusOr<std::unique_ptr<Collector>> NewMdadmCollector(const Context& ctx);

}  // namespace nodex::collectors

#endif  // NODEX_COLLECTORS_MDADM_H_
