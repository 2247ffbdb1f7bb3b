// The udp_queues collector (mirrors node_exporter's udp_queues collector,
// collector/udp_queues_linux.go, and procfs' net_ip_socket.go):
// node_udp_queues{queue="tx"|"rx",ip="v4"|"v6"}, the bytes queued in all UDP
// sockets, summed from /proc/net/udp and /proc/net/udp6. A missing file
// skips that family (IPv6 disabled, say); both missing is NoData.
#ifndef NODEX_COLLECTORS_UDP_QUEUES_H_
#define NODEX_COLLECTORS_UDP_QUEUES_H_

#include <cstdint>
#include <memory>
#include <string_view>

#include "base/status.h"
#include "collectors/collector.h"

namespace nodex::collectors {

struct UdpQueueSummary {
  uint64_t tx_queue = 0;  // Sums wrap like Go's uint64 addition.
  uint64_t rx_queue = 0;
  uint64_t sockets = 0;
};

// Parses /proc/net/udp or /proc/net/udp6: a header line (skipped unchecked)
// and one line per socket:
//      sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref ...
//    1187: 00000000:0044 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 20371 2 ...
//    1187: 000000000000000000000000000000:0044 0000000000000000000000000000000:0000 07 00000000:00000015 ...
// (IPv6 addresses are 32 hex digits; shortened above.)
// As in procfs, each line needs at least 10 fields and every field procfs
// reads must parse: "sl:" (Go base-0 uint), both addresses as hex IPv4 (8
// digits) or IPv6 (32 digits) ":" hex port, st (hex), "tx:rx" (hex, the
// summed values), uid and inode (Go base-0 uint). An empty line is an error.
[[nodiscard]] StatusOr<UdpQueueSummary> ParseUdpQueues(std::string_view content);

StatusOr<std::unique_ptr<Collector>> NewUdpQueuesCollector(const Context& ctx);

}  // namespace nodex::collectors

#endif  // NODEX_COLLECTORS_UDP_QUEUES_H_
