// The tcpstat collector (mirrors node_exporter's tcpstat collector,
// collector/tcpstat_linux.go, which since 1.4 asks the kernel over
// NETLINK_SOCK_DIAG instead of reading /proc/net/tcp): TCP sockets per
// connection state, plus the bytes queued in all receive and send queues,
// as node_tcp_connection_states{state=...}.
#ifndef NODEX_COLLECTORS_TCPSTAT_H_
#define NODEX_COLLECTORS_TCPSTAT_H_

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

#include "collectors/collector.h"

namespace nodex::collectors {

// Counts keyed by node_exporter's tcpConnectionState: kernel TCP states
// 1..11 count sockets; keys 12 (rx_queued_bytes) and 13 (tx_queued_bytes)
// sum idiag_rqueue / idiag_wqueue. As in node_exporter, a socket whose
// state is itself 12 or 13 (TCP_NEW_SYN_RECV, TCP_BOUND_INACTIVE; not
// requested by the 0xFFF state mask) would be counted into those keys.
struct TcpStateCounts {
  std::array<double, 256> value{};
  std::array<bool, 256> present{};
  void Clear() {
    value.fill(0);
    present.fill(false);
  }
};

// node_exporter's label for a state key: "established" ... "closing",
// "rx_queued_bytes", "tx_queued_bytes", else "unknown".
std::string_view TcpStateName(uint8_t state);

// Decodes one recvmsg() buffer of a SOCK_DIAG_BY_FAMILY dump reply (a run
// of netlink messages, each an inet_diag_msg with optional attributes):
//   nlmsghdr{len, type=20, flags=NLM_F_MULTI, seq, pid}
//   inet_diag_msg{family, state, timer, retrans, id{...}, expires,
//                 rqueue, wqueue, uid, inode}   (72 bytes)
// and adds every socket to *counts. Returns true once NLMSG_DONE is seen.
// Message and payload lengths are bounds-checked: a truncated message or
// an inet_diag_msg shorter than 72 bytes is an error (node_exporter reads
// past the end there), as is an NLMSG_ERROR reply.
StatusOr<bool> ParseTcpDiagBuffer(std::span<const uint8_t> buffer, uint32_t seq, TcpStateCounts* counts);

StatusOr<std::unique_ptr<Collector>> NewTcpstatCollector(const Context& ctx);

}  // namespace nodex::collectors

#endif  // NODEX_COLLECTORS_TCPSTAT_H_
