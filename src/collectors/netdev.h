// The netdev collector (mirrors node_exporter's netdev collector,
// collector/netdev_common.go and netdev_linux.go): per-interface traffic and
// error counters as node_network_<stat>_total{device}. By default it reads
// them over rtnetlink: an RTM_GETLINK dump (names and IFLA_STATS64, falling
// back to the 32-bit IFLA_STATS) on the first scrape and after any link
// change, else one RTM_GETSTATS dump of the 64-bit counters alone (Linux
// 4.7+) named from an ifindex -> name cache that RTMGRP_LINK notifications
// invalidate. For RTM_GETLINK the kernel fills every attribute of a link
// (AF_SPEC with the inet/inet6 devconf, linkinfo, both stats structs, ...),
// ~7 us per link; for RTM_GETSTATS one struct. With
// --no-collector.netdev.netlink it reads /proc/net/dev. Without --collector.netdev.enable-detailed-metrics the
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

// Receives the links of an RTM_GETLINK dump. `name` is only valid during the
// call.
class LinkSink {
 public:
  virtual ~LinkSink() = default;
  // Called for each link that has counters.
  virtual void OnLink(std::string_view name, const LinkStats& stats) = 0;
  // Called for every link of the dump, before its OnLink; `has_stats` says
  // whether OnLink follows. Lets a caller map ifindexes to names.
  virtual void OnLinkIndex(uint32_t /*ifindex*/, std::string_view /*name*/, bool /*has_stats*/) {}
};

// Receives the links of an RTM_GETSTATS dump.
class LinkStatsSink {
 public:
  virtual ~LinkStatsSink() = default;
  virtual void OnLinkStats(uint32_t ifindex, const LinkStats& stats) = 0;
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

// Decodes one recvmsg() buffer of the reply to an RTM_GETSTATS dump request
// whose filter_mask is IFLA_STATS_FILTER_BIT(IFLA_STATS_LINK_64) (Linux 4.7+):
//   struct nlmsghdr      {len, type=RTM_NEWSTATS(92), flags=NLM_F_MULTI, seq, pid}
//   struct if_stats_msg  {family, pad1, pad2, ifindex, filter_mask}
//   rtattrs              IFLA_STATS_LINK_64(1) struct rtnl_link_stats64:
//                        24 x u64, 25 since 5.18 (rx_otherhost_dropped)
// The same rules as DecodeLinkDump: sequence filter, NLMSG_DONE ends the
// dump; stats shorter than 23 counters, truncated messages, trailing bytes
// and unaligned input are errors. Calls sink.OnLinkStats for each message
// with IFLA_STATS_LINK_64; messages without it are skipped. When an
// NLMSG_ERROR with a non-zero code fails the dump and `netlink_error` is not
// null, *netlink_error is set to its errno (EOPNOTSUPP or EINVAL: a kernel
// without RTM_GETSTATS); it is left alone otherwise.
[[nodiscard]] StatusOr<bool> DecodeStatsDump(std::span<const uint8_t> buf, uint32_t seq, LinkStatsSink& sink,
                                             int* netlink_error = nullptr);

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
