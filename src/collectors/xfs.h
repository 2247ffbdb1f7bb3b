// The xfs collector (mirrors node_exporter's collector/xfs_linux.go, which
// uses procfs' xfs package): per-filesystem XFS runtime statistics from
// /sys/fs/xfs/<device>/stats/stats as node_xfs_*_total counters with the
// label device.
#ifndef NODEX_COLLECTORS_XFS_H_
#define NODEX_COLLECTORS_XFS_H_

#include <cstdint>
#include <memory>
#include <string_view>

#include "collectors/collector.h"

namespace nodex::collectors {

// One XFS stats file. Field order within each array is the kernel's
// (fs/xfs/xfs_stats.c): e.g. rw is {write calls, read calls}.
struct XfsStats {
  uint32_t extent_alloc[4] = {};  // extents allocated, blocks allocated, extents freed, blocks freed
  uint32_t abt[4] = {};           // allocation B-tree: lookups, compares, inserts, deletes
  uint32_t blk_map[7] = {};       // reads, writes, unmaps, list inserts, list deletes, list lookups, list compares
  uint32_t bmbt[4] = {};          // block map B-tree: lookups, compares, inserts, deletes
  uint32_t dir[4] = {};           // lookups, creates, removes, getdents
  uint32_t trans[3] = {};         // sync, async, empty
  uint32_t ig[7] = {};            // attempts, found, recycle, missed, duplicate, reclaims, attribute changes
  uint32_t log[5] = {};           // writes, blocks, no internal buffers, force, force sleep
  uint32_t rw[2] = {};            // write calls, read calls
  uint32_t attr[4] = {};          // get, set, remove, list
  uint32_t icluster[3] = {};      // iflush, flush, flush inode
  uint32_t vnodes[8] = {};        // active, allocate, get, hold, release, reclaim, remove, free (8th optional)
  uint32_t buf[9] = {};           // get, create, get locked, get locked waited, busy locked, miss locked,
                                  // page retries, page found, get read
  uint64_t xpc[3] = {};           // extended precision: flush bytes, write bytes, read bytes
};

// Parses /proc/fs/xfs/stat or /sys/fs/xfs/<dev>/stats/stats:
//   extent_alloc 1 872 0 0
//   rw 28 0
//   xpc 3571712 3568056 0
// Each line is a label and unsigned counters. Like procfs, every line with at
// least one value must hold only 32-bit unsigned values (xpc: 64-bit), even
// lines whose label is not used (push_ail, abtb2, rmapbt, debug, ... appear
// and grow across kernel versions); lines with a bare label are skipped. The
// known labels must have exactly their kernel field count, except vnodes
// (7 before Linux 2.6.x added "free", 8 since). Fails on a non-numeric or
// out-of-range value or a wrong field count; *out is left zeroed for labels
// that do not appear.
[[nodiscard]] Status ParseXfsStats(std::string_view content, XfsStats* out);

StatusOr<std::unique_ptr<Collector>> NewXfsCollector(const Context& ctx);

}  // namespace nodex::collectors

#endif  // NODEX_COLLECTORS_XFS_H_
