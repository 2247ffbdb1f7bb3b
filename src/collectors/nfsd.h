// The nfsd collector (mirrors node_exporter's nfsd collector,
// collector/nfsd_linux.go, with procfs' nfs.ParseServerRPCStats): NFS server
// statistics from /proc/net/rpc/nfsd as node_nfsd_* families.
#ifndef NODEX_COLLECTORS_NFSD_H_
#define NODEX_COLLECTORS_NFSD_H_

#include <array>
#include <cstdint>
#include <memory>
#include <string_view>

#include "base/status.h"
#include "collectors/collector.h"

namespace nodex::collectors {

// Everything node_exporter exports from /proc/net/rpc/nfsd. Absent lines
// leave their fields at zero, as procfs does.
struct NfsdStats {
  uint64_t rc_hits = 0, rc_misses = 0, rc_nocache = 0;                               // "rc"
  uint64_t fh_stale = 0;                                                             // "fh", first of 5
  uint64_t io_read = 0, io_write = 0;                                                // "io"
  uint64_t threads = 0;                                                              // "th", first of 2 integers
  uint64_t ra_cache_size = 0, ra_not_found = 0;                                      // "ra", first and last of 12
  uint64_t net_count = 0, udp_count = 0, tcp_count = 0, tcp_connect = 0;             // "net"
  uint64_t rpc_count = 0, bad_count = 0, bad_fmt = 0, bad_auth = 0, bad_client = 0;  // "rpc"
  std::array<uint64_t, 18> v2{};                                                     // "proc2" values, Null first.
  std::array<uint64_t, 22> v3{};                                                     // "proc3" values, Null first.
  std::array<uint64_t, 40> v4ops{};  // "proc4ops" values by NFSv4 operation number (ACCESS = 3).
  uint64_t wdeleg_getattr = 0;       // "wdeleg_getattr" (Linux 6.10+)
};

// Parses /proc/net/rpc/nfsd:
//   rc 0 6 18622
//   th 8 0 0.000 0.000 0.000 0.000 0.000 0.000 0.000 0.000 0.000 0.000
//   proc4ops 72 0 0 0 1098 2 0 0 0 0 8179 5896 0 ...
// Fixed-size lines must have exactly their field count (rc 3, fh 5, io 2,
// ra 12, net 4, rpc 5, proc4 2+count); procN lines start with their value
// count, which must match (at least 18 for proc2, 22 for proc3, 39 for
// proc4ops, which gained RELEASE_LOCKOWNER as operation 40 in later kernels).
// Only th's first two values are read: the rest are floats, and since Linux
// 4.x all zero. "ra" disappeared in Linux 5.x and then reads as zero.
// Unknown keys, non-numeric values and blank lines fail, as in procfs.
[[nodiscard]] Status ParseNfsd(std::string_view content, NfsdStats* out);

StatusOr<std::unique_ptr<Collector>> NewNfsdCollector(const Context& ctx);

}  // namespace nodex::collectors

#endif  // NODEX_COLLECTORS_NFSD_H_
