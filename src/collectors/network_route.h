// The network_route collector (mirrors node_exporter's network_route
// collector, collector/network_route_linux.go, which uses
// jsimonetti/rtnetlink): one node_network_route_info series per unicast
// route (per next hop for multipath routes) and node_network_routes per
// output device. Reads one RTM_GETLINK dump (interface names) and one
// RTM_GETROUTE dump (all families, all tables) per scrape over a kept-open
// NETLINK_ROUTE socket (libmnl, collectors/rtnetlink.h).
#ifndef NODEX_COLLECTORS_NETWORK_ROUTE_H_
#define NODEX_COLLECTORS_NETWORK_ROUTE_H_

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "collectors/collector.h"

namespace nodex::collectors {

// An address attribute: absent (len 0) or up to 16 bytes.
struct RouteAddr {
  uint8_t len = 0;
  uint8_t bytes[16] = {};
};

struct RouteNextHop {
  int32_t ifindex = 0;
  uint8_t hops = 0;  // rtnh_hops; node_exporter's weight label is hops + 1.
  RouteAddr gateway;
};

struct RouteEntry {
  uint8_t family = 0;
  uint8_t dst_len = 0;
  uint8_t protocol = 0;
  uint8_t type = 0;  // RTN_*; only RTN_UNICAST (1) routes are exported.
  RouteAddr dst, prefsrc, gateway;
  uint32_t oif = 0;
  uint32_t priority = 0;
  uint32_t hop_begin = 0, hop_count = 0;  // Range in RouteDump::hops.
};

struct RouteDump {
  std::vector<RouteEntry> routes;
  std::vector<RouteNextHop> hops;
  void Clear() {
    routes.clear();
    hops.clear();
  }
};

// Decodes one recvmsg() buffer of an RTM_GETROUTE dump reply:
//   nlmsghdr{type=RTM_NEWROUTE} rtmsg{family, dst_len, src_len, tos, table,
//     protocol, scope, type, flags} rtattr[RTA_DST, RTA_PREFSRC,
//     RTA_GATEWAY, RTA_OIF, RTA_PRIORITY, RTA_MULTIPATH{rtnexthop{len,
//     flags, hops, ifindex} rtattr[RTA_GATEWAY]}...]
// appending to *dump. Returns true once NLMSG_DONE is seen. Every length
// (message, rtmsg, attribute, next hop) is checked; truncation, an address
// attribute longer than 16 bytes or a short RTA_OIF/RTA_PRIORITY is an
// error, as is an NLMSG_ERROR reply.
StatusOr<bool> ParseRouteBuffer(std::span<const uint8_t> buffer, uint32_t seq, RouteDump* dump);

// node_exporter's label helpers: "default" for a zero prefix length, else
// Go's (*net.IPNet).String() of the unmasked address ("<nil>" when the
// prefix does not fit); "" for an absent address; and the rtm_protocol name
// ("kernel", "static", "bgp", ... or "unknown").
void AppendRouteDest(const RouteAddr& dst, uint8_t dst_len, std::string* out);
void AppendRouteAddr(const RouteAddr& addr, std::string* out);
std::string_view RouteProtocolName(uint8_t protocol);

StatusOr<std::unique_ptr<Collector>> NewNetworkRouteCollector(const Context& ctx);

}  // namespace nodex::collectors

#endif  // NODEX_COLLECTORS_NETWORK_ROUTE_H_
