// Fuzzes the rtnetlink decoders of the network_route collector:
// ParseRouteBuffer (RTM_GETROUTE dump replies, including RTA_MULTIPATH next
// hops) and rtnl::DecodeLinkNames (RTM_GETLINK). Neither may crash or read
// outside the buffer (run under ASan); every decoded route's next-hop range
// must lie inside the decoded next hops; labels of decoded routes are
// formatted to exercise the address printers.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <span>
#include <string>
#include <vector>

#include "collectors/network_route.h"
#include "collectors/rtnetlink.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace nodex::collectors;
  std::span<const uint8_t> buf(data, size);
  uint32_t seq = 0;
  if (size >= 12) std::memcpy(&seq, data + 8, 4);
  RouteDump dump;
  (void)ParseRouteBuffer(buf, seq, &dump);
  std::string s;
  for (const RouteEntry& r : dump.routes) {
    if (static_cast<size_t>(r.hop_begin) + r.hop_count > dump.hops.size()) std::abort();
    AppendRouteDest(r.dst, r.dst_len, &s);
    AppendRouteAddr(r.prefsrc, &s);
    AppendRouteAddr(r.gateway, &s);
  }
  for (const RouteNextHop& h : dump.hops) AppendRouteAddr(h.gateway, &s);
  std::vector<rtnl::LinkName> links;
  size_t count = 0;
  (void)rtnl::DecodeLinkNames(buf, 0, &links, &count);
  if (count > links.size()) std::abort();
  return 0;
}
