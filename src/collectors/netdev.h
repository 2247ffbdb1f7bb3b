// The netdev collector (mirrors node_exporter's netdev collector,
// collector/netdev_common.go and netdev_linux.go): per-interface traffic and
// error counters as node_network_<stat>_total{device}. By default it reads
// them with one rtnetlink RTM_GETLINK dump per scrape (IFLA_STATS64, falling
// back to the 32-bit IFLA_STATS); with --no-collector.netdev.netlink it reads
// /proc/net/dev. Without --collector.netdev.enable-detailed-metrics the
// netlink counters are folded into the /proc/net/dev names the way the
// kernel's net-procfs.c does (e.g. receive_drop = rx_dropped + rx_missed).
// Optional: node_network_address_info (--collector.netdev.address-info) and
// an ifalias label from /sys/class/net (--collector.netdev.label-ifalias).
#ifndef NODEX_COLLECTORS_NETDEV_H_
#define NODEX_COLLECTORS_NETDEV_H_

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "collectors/collector.h"

namespace nodex::collectors {

inline constexpr FlagDef kNetdevFlags[] = {
    {"collector.netdev.device-include", FlagKind::kString, "",
     "Regular expression of network devices to report (cannot be combined with device-exclude)."},
    {"collector.netdev.device-whitelist", FlagKind::kString, "",
     "Deprecated spelling of --collector.netdev.device-include."},
    {"collector.netdev.device-exclude", FlagKind::kString, "",
     "Regular expression of network devices to leave out (cannot be combined with device-include)."},
    {"collector.netdev.device-blacklist", FlagKind::kString, "",
     "Deprecated spelling of --collector.netdev.device-exclude."},
    {"collector.netdev.address-info", FlagKind::kBool, "false",
     "Also export node_network_address_info for every address of every device."},
    {"collector.netdev.enable-detailed-metrics", FlagKind::kBool, "false",
     "Export the kernel's detailed counter names instead of the /proc/net/dev-compatible ones."},
    {"collector.netdev.netlink", FlagKind::kBool, "true",
     "Read counters over rtnetlink; --no-collector.netdev.netlink reads /proc/net/dev instead."},
    {"collector.netdev.label-ifalias", FlagKind::kBool, "false",
     "Add an ifalias label taken from /sys/class/net/<device>/ifalias."},
};

// struct rtnl_link_stats64 members, in kernel order.
enum LinkStat : uint8_t {
  kRxPackets,
  kTxPackets,
  kRxBytes,
  kTxBytes,
  kRxErrors,
  kTxErrors,
  kRxDropped,
  kTxDropped,
  kMulticast,
  kCollisions,
  kRxLengthErrors,
  kRxOverErrors,
  kRxCrcErrors,
  kRxFrameErrors,
  kRxFifoErrors,
  kRxMissedErrors,
  kTxAbortedErrors,
  kTxCarrierErrors,
  kTxFifoErrors,
  kTxHeartbeatErrors,
  kTxWindowErrors,
  kRxCompressed,
  kTxCompressed,
  kRxNohandler,
  kLinkStatCount
};

struct LinkStats {
  uint64_t v[kLinkStatCount] = {};
};

// Receives the links of a dump. `name` is only valid during the call.
class LinkSink {
 public:
  virtual ~LinkSink() = default;
  virtual void OnLink(std::string_view name, const LinkStats& stats) = 0;
};

// Decodes one recvmsg() buffer of the reply to an RTM_GETLINK dump request:
// a sequence of netlink messages, each
//   struct nlmsghdr   {len, type=RTM_NEWLINK(16), flags=NLM_F_MULTI, seq, pid}
//   struct ifinfomsg  {family, type, index, flags, change}
//   rtattrs           IFLA_IFNAME(3) "lo\0", IFLA_STATS(1) 24 x u32,
//                     IFLA_STATS64(23) 24 or 25 x u64, ...
// ending with an NLMSG_DONE message in the last buffer. Messages whose
// sequence number differs from `seq` (when `seq` is not 0) and other message
// types are skipped. Calls sink.OnLink for each link that has IFLA_STATS64 or
// else IFLA_STATS (links with neither are skipped, as node_exporter does); a
// missing IFLA_IFNAME gives an empty name. Stats shorter than the 23
// counters every kernel since 2.6 sends are an error; counters the kernel did
// not send (rx_nohandler before 4.6) are 0. Returns true once NLMSG_DONE is
// seen, false when more buffers follow; an NLMSG_ERROR with a non-zero code,
// a truncated message or trailing bytes are errors. `buf` must be 4-byte
// aligned (a recv buffer is); unaligned input is rejected.
[[nodiscard]] StatusOr<bool> DecodeLinkDump(std::span<const uint8_t> buf, uint32_t seq, LinkSink& sink);

// /proc/net/dev columns, in file order.
enum ProcNetDevStat : uint8_t {
  kDevRxBytes,
  kDevRxPackets,
  kDevRxErrs,
  kDevRxDrop,
  kDevRxFifo,
  kDevRxFrame,
  kDevRxCompressed,
  kDevRxMulticast,
  kDevTxBytes,
  kDevTxPackets,
  kDevTxErrs,
  kDevTxDrop,
  kDevTxFifo,
  kDevTxColls,
  kDevTxCarrier,
  kDevTxCompressed,
  kProcNetDevStatCount
};

struct ProcNetDevLine {
  std::string_view name;  // Views the parsed content.
  uint64_t v[kProcNetDevStatCount] = {};
};

// Parses /proc/net/dev (procfs' net_dev.go):
//   Inter-|   Receive                                                |  Transmit
//    face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier
//    compressed
//       lo: 9000534   18741    0    0    0     0          0         0  9000534   18741    0    0    0     0       0 0
// The two header lines are skipped unchecked. The name is everything before
// the line's last ':' (trimmed, must not be empty), so names containing ':'
// (aliases like "eth0:1" on old kernels) survive. At least 16 decimal uint64
// columns must follow (extra ones are ignored, as in procfs). *out is
// cleared first (capacity kept).
Status ParseProcNetDev(std::string_view content, std::vector<ProcNetDevLine>* out);

StatusOr<std::unique_ptr<Collector>> NewNetdevCollector(const Context& ctx);

}  // namespace nodex::collectors

#endif  // NODEX_COLLECTORS_NETDEV_H_
