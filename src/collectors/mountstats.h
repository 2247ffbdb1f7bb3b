// The mountstats collector (mirrors node_exporter 1.12.1's mountstats
// collector, collector/mountstats_linux.go, and prometheus/procfs'
// mountstats.go parser): per-mount NFS client statistics from
// <procfs>/self/mountstats as node_mountstats_nfs_* families.
//
// Labels: export (the mount's device, "server:/path"), protocol (the xprt
// transport: tcp, udp, rdma) and mountaddr (the "addr=" super option of the
// same entry index in <procfs>/self/mountinfo; the kernel lists mounts in the
// same order in both files; "" when mountinfo has fewer entries).
// Per-operation families add operation, per-transport families add transport
// (0-based index of the xprt line), and node_mountstats_nfs_mountpoint_info
// adds mountpoint. node_mountstats_nfs_operations_errors_total (newer
// node_exporter) is not in 1.12.1 and is not exported.
//
// Paths: <procfs>/self/... is read directly on every scrape (node_exporter
// resolves the self link once at start-up and fails to start without it);
// a missing or unreadable mountstats or mountinfo fails the scrape, as in
// node_exporter. mountinfo is parsed with the filesystem collector's
// ParseMountInfo (collectors/filesystem.h), which mirrors procfs.
//
// Duplicate handling (node_exporter's): for each NFS mount, each xprt line in
// turn gives (export, protocol, mountaddr, mountpoint); a mountpoint_info
// series is emitted for every such tuple not seen before. The statistics
// themselves are emitted once per (export, protocol, mountaddr): the first
// mount with a new tuple emits all of its transports and operations, and the
// first already-seen tuple stops that mount's transport loop. A mount without
// any xprt line emits nothing.
#ifndef NODEX_COLLECTORS_MOUNTSTATS_H_
#define NODEX_COLLECTORS_MOUNTSTATS_H_

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "collectors/collector.h"

namespace nodex::collectors {

// "bytes:" counters, in file order.
struct NfsBytesStats {
  uint64_t read = 0;
  uint64_t write = 0;
  uint64_t direct_read = 0;
  uint64_t direct_write = 0;
  uint64_t read_total = 0;
  uint64_t write_total = 0;
  uint64_t read_pages = 0;
  uint64_t write_pages = 0;
};

// Positions in the "events:" line (27 counters since Linux 3.x).
enum NfsEvent : uint8_t {
  kNfsEventInodeRevalidate,
  kNfsEventDnodeRevalidate,
  kNfsEventDataInvalidate,
  kNfsEventAttributeInvalidate,
  kNfsEventVfsOpen,
  kNfsEventVfsLookup,
  kNfsEventVfsAccess,
  kNfsEventVfsUpdatePage,
  kNfsEventVfsReadPage,
  kNfsEventVfsReadPages,
  kNfsEventVfsWritePage,
  kNfsEventVfsWritePages,
  kNfsEventVfsGetdents,
  kNfsEventVfsSetattr,
  kNfsEventVfsFlush,
  kNfsEventVfsFsync,
  kNfsEventVfsLock,
  kNfsEventVfsFileRelease,
  kNfsEventCongestionWait,  // Parsed but not exported (nor by node_exporter).
  kNfsEventTruncation,
  kNfsEventWriteExtension,
  kNfsEventSillyRename,
  kNfsEventShortRead,
  kNfsEventShortWrite,
  kNfsEventJukeboxDelay,
  kNfsEventPnfsRead,
  kNfsEventPnfsWrite,
  kNfsEventCount
};

// One "xprt:" line, normalised to the tcp layout: udp lines have no
// connect/connect-idle/idle fields (zero here), rdma lines have no
// max-slots/sending/pending queue fields (zero here; the rdma-only counters
// after them are validated but not kept).
struct NfsTransportStats {
  std::string_view protocol;
  uint64_t port = 0;
  uint64_t bind = 0;
  uint64_t connect = 0;
  uint64_t connect_idle_time = 0;
  uint64_t idle_time_seconds = 0;
  uint64_t sends = 0;
  uint64_t receives = 0;
  uint64_t bad_transaction_ids = 0;
  uint64_t cumulative_active_requests = 0;
  uint64_t cumulative_backlog = 0;
  uint64_t maximum_rpc_slots_used = 0;
  uint64_t cumulative_sending_queue = 0;
  uint64_t cumulative_pending_queue = 0;
};

// One line of the "per-op statistics" table.
struct NfsOperationStats {
  std::string_view operation;  // Without the trailing ':'.
  uint64_t requests = 0;
  uint64_t transmissions = 0;
  uint64_t major_timeouts = 0;
  uint64_t bytes_sent = 0;
  uint64_t bytes_received = 0;
  uint64_t queue_milliseconds = 0;
  uint64_t response_milliseconds = 0;
  uint64_t request_milliseconds = 0;
  uint64_t errors = 0;  // Ninth counter, Linux 5.x+; 0 when absent.
};

// One "device ... mounted on ... with fstype ..." entry. Views point into the
// parsed buffer.
struct MountStatsEntry {
  std::string_view device;
  std::string_view mount_point;  // As printed (octal escapes kept).
  std::string_view fs_type;
  bool has_nfs_stats = false;  // The device line carried "statvers=".
  std::string_view stat_version;
  double age_seconds = 0;
  NfsBytesStats bytes;
  uint64_t events[kNfsEventCount] = {};
  uint32_t transport_begin = 0;
  uint32_t transport_count = 0;
  uint32_t operation_begin = 0;
  uint32_t operation_count = 0;
};

// Everything in one mountstats file. Transports and operations are kept in
// flat vectors indexed from each mount, so a reused MountStats does not
// allocate once its vectors have grown.
struct MountStats {
  std::vector<MountStatsEntry> mounts;
  std::vector<NfsTransportStats> transports;
  std::vector<NfsOperationStats> operations;

  void Clear() {
    mounts.clear();
    transports.clear();
    operations.clear();
  }
  std::span<const NfsTransportStats> Transports(const MountStatsEntry& m) const {
    return std::span<const NfsTransportStats>(transports).subspan(m.transport_begin, m.transport_count);
  }
  std::span<const NfsOperationStats> Operations(const MountStatsEntry& m) const {
    return std::span<const NfsOperationStats>(operations).subspan(m.operation_begin, m.operation_count);
  }
};

// Parses /proc/<pid>/mountstats. Every mount has a device line; NFS mounts
// (statvers=1.0 before Linux 2.6.33-ish, 1.1 since) add a tab-indented block
// that ends with the per-op table and a blank line:
//   device proc mounted on /proc with fstype proc
//   device srv:/export mounted on /mnt with fstype nfs4 statvers=1.1
//   	opts:	rw,vers=4.2,rsize=1048576,...,proto=tcp,sec=sys,...
//   	age:	13968
//   	events:	52 226 0 0 1 13 398 0 0 331 0 47 0 0 77 0 0 77 0 0 0 0 0 0 0 0 0
//   	bytes:	1207640230 0 0 0 1210214218 0 295483 0
//   	RPC iostats version: 1.1  p/v: 100003/4 (nfs)
//   	xprt:	tcp 832 0 1 0 11 6428 6428 0 12154 0 24 26 5726
//   	per-op statistics
//   	        NULL: 0 0 0 0 0 0 0 0
//   	        READ: 1298 1298 0 207680 1210292152 6 79386 79407 0
// Rules mirrored from procfs (so the same files fail): a device line needs
// the words device/mounted on/with fstype in place; a device line with more
// than 8 fields must be fstype nfs or nfs4; bytes: needs exactly 8 counters,
// events: exactly 27; xprt: needs tcp 10 / udp 7 counters for statvers 1.0
// and tcp 13 / udp 10 / rdma at least 20 for 1.1 (any other statvers or
// protocol fails); per-op lines need at least 8 counters. The NFS block ends
// at "per-op" or a blank line; the per-op table then runs to the next blank
// line (so a block without "per-op" swallows the following line as a per-op
// line, as procfs does). "age:" is a Go duration without unit (seconds).
// Differences: an rdma line with more than 31 counters is an error (procfs
// panics); lines are not limited to 64 KiB; age with unit letters is
// rejected. *out is cleared first and keeps its capacity.
[[nodiscard]] Status ParseMountStats(std::string_view content, MountStats* out);

// The value of the "addr" option in a mountinfo super-options field
// ("rw,vers=3,addr=192.168.1.1"), as procfs' option map yields it: the last
// "addr" wins, "addr" without '=' is "", and "addr=a=b" gives "a=b" (split
// at the first '=', as procfs does since it moved to SplitN). "" when absent.
[[nodiscard]] std::string_view MountAddrOption(std::string_view super_options);

StatusOr<std::unique_ptr<Collector>> NewMountstatsCollector(const Context& ctx);

}  // namespace nodex::collectors

#endif  // NODEX_COLLECTORS_MOUNTSTATS_H_
