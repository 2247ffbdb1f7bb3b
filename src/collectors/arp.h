// The arp collector (mirrors node_exporter's arp collector,
// collector/arp_linux.go, and procfs' arp.go): node_arp_entries{device},
// the IPv4 neighbour entries per interface. By default it reads them with
// one rtnetlink RTM_GETNEIGH dump (AF_INET) plus one RTM_GETLINK dump for
// the index -> name mapping per scrape (rtnl::DecodeLinkNames in
// rtnetlink.h; node_exporter's per-entry link lookups once took 14 s on
// nodes with thousands of veths); entries in state NUD_NOARP are left out,
// as /proc/net/arp does. With --no-collector.arp.netlink it reads
// /proc/net/arp. Devices are filtered with --collector.arp.device-include /
// device-exclude (RE2, unanchored).
#ifndef NODEX_COLLECTORS_ARP_H_
#define NODEX_COLLECTORS_ARP_H_

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "collectors/collector.h"

namespace nodex::collectors {

inline constexpr FlagDef kArpFlags[] = {
    {"collector.arp.device-include", FlagKind::kString, "",
     "Regular expression of devices whose ARP entries are reported (mutually exclusive with device-exclude)."},
    {"collector.arp.device-exclude", FlagKind::kString, "",
     "Regular expression of devices whose ARP entries are left out (mutually exclusive with device-include)."},
    {"collector.arp.netlink", FlagKind::kBool, "true",
     "Read neighbours over rtnetlink; --no-collector.arp.netlink reads /proc/net/arp instead."},
};

// Parses /proc/net/arp and appends the device of every entry to *devices
// (views into `content`; *devices is cleared first, capacity kept):
//   IP address       HW type     Flags       HW address            Mask     Device
//   192.168.1.1      0x1         0x2         cc:aa:dd:ee:aa:bb     *        eth0
//   10.0.0.7         0x1         0x0         00:00:00:00:00:00     *        eth1
// As in procfs: lines of 9 fields (the header) or none are skipped; other
// lines must have exactly 6 fields, a MAC address Go's net.ParseMAC accepts
// (6, 8 or 20 octets, ':' or '-' separated pairs, or '.' separated quads)
// and flags that parse as a Go base-0 uint8 ("0x2"). Anything else fails.
// InfiniBand addresses are cut short by the kernel here, which is why
// node_exporter defaults to netlink.
Status ParseProcNetArp(std::string_view content, std::vector<std::string_view>* devices);

// One neighbour of an RTM_GETNEIGH dump.
struct Neighbour {
  int32_t ifindex;
  uint16_t state;  // NUD_* bits.
};

// Decodes one recvmsg() buffer of the reply to an RTM_GETNEIGH dump:
//   struct nlmsghdr {len, type=RTM_NEWNEIGH(28), flags=NLM_F_MULTI, seq, pid}
//   struct ndmsg    {family, pad1, pad2, ifindex, state, flags, type}
//   rtattrs         NDA_DST(1) 4 bytes, NDA_LLADDR(2) 6 bytes, NDA_CACHEINFO(3) ...
// Appends (ifindex, state) of every AF_INET neighbour whose state lacks
// NUD_NOARP to *out. Returns true once NLMSG_DONE is seen, false when more
// buffers follow; an NLMSG_ERROR, a message shorter than its ndmsg, a
// truncated message or trailing bytes are errors. Any alignment is fine.
[[nodiscard]] StatusOr<bool> DecodeNeighDump(std::span<const uint8_t> buf, uint32_t seq, std::vector<Neighbour>* out);

StatusOr<std::unique_ptr<Collector>> NewArpCollector(const Context& ctx);

}  // namespace nodex::collectors

#endif  // NODEX_COLLECTORS_ARP_H_
