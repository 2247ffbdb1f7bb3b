// The ipvs collector (mirrors node_exporter's ipvs collector,
// collector/ipvs_linux.go, and procfs' ipvs.go): IP Virtual Server totals
// from /proc/net/ip_vs_stats and per real-server connection counts and
// weights from /proc/net/ip_vs, labelled by virtual and real address.
#ifndef NODEX_COLLECTORS_IPVS_H_
#define NODEX_COLLECTORS_IPVS_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/collector.h"

namespace nodex::collectors {

inline constexpr FlagDef kIpvsFlags[] = {
    {"collector.ipvs.backend-labels", FlagKind::kString,
     "local_address,local_port,remote_address,remote_port,proto,local_mark",
     "Comma-separated IPVS backend labels to keep; backends that differ only in dropped labels are summed."},
};

struct IpvsStats {
  uint64_t connections = 0;
  uint64_t incoming_packets = 0;
  uint64_t outgoing_packets = 0;
  uint64_t incoming_bytes = 0;
  uint64_t outgoing_bytes = 0;
};

// An address as procfs decodes it: none (firewall-mark services), 4 bytes
// (hex IPv4) or 16 bytes (bracketed IPv6).
struct IpvsAddress {
  uint8_t len = 0;  // 0, 4 or 16.
  uint8_t bytes[16] = {};
};

// One real server ("->" line) with the virtual service it belongs to. The
// string_views point into the parsed content.
struct IpvsBackend {
  IpvsAddress local_address;
  uint16_t local_port = 0;
  std::string_view local_mark;
  std::string_view proto;
  IpvsAddress remote_address;
  uint16_t remote_port = 0;
  uint64_t weight = 0;
  uint64_t active_conn = 0;
  uint64_t inact_conn = 0;
};

// Parses /proc/net/ip_vs_stats:
//    Total Incoming Outgoing         Incoming         Outgoing
//    Conns  Packets  Packets            Bytes            Bytes
//  16AA370 E33656E5        0     51D8C8883AB3                0
//  (a blank line and the per-second rates follow; they are ignored)
// The third line must hold exactly five hex counters, and the file must
// have at least three newlines, as procfs requires.
[[nodiscard]] StatusOr<IpvsStats> ParseIpvsStats(std::string_view content);

// Parses /proc/net/ip_vs into *out (cleared first; capacity is reused):
//   IP Virtual Server version 1.2.1 (size=4096)
//   Prot LocalAddress:Port Scheduler Flags
//     -> RemoteAddress:Port Forward Weight ActiveConn InActConn
//   TCP  C0A80016:0CEA wlc
//     -> C0A85216:0CEA      Tunnel  100    248        2
//   FWM  10001000 wlc
//     -> [2620:0000:0abc:0000:0000:0000:0000:0001]:0050 Route 1 0 0
// Quirks kept from procfs: only TCP, UDP and FWM service lines start a new
// service, so real servers below other protocols (SCTP) are attributed to
// the previous service (or to an empty one); "->" lines with fewer than six
// fields are skipped; an address is "8 hex digits:4 hex digits" (13 bytes)
// or "[39-char IPv6]:4 hex digits" (46 bytes). Where procfs would panic (a
// one-field line other than "IP"/"Prot") this returns an error.
Status ParseIpvsBackends(std::string_view content, std::vector<IpvsBackend>* out);

// Appends `addr` as Go's net.IP.String() does: dotted quad for IPv4 and
// IPv4-mapped IPv6, RFC 5952 text otherwise; "" for no address.
void AppendIpvsAddress(const IpvsAddress& addr, std::string* out);

StatusOr<std::unique_ptr<Collector>> NewIpvsCollector(const Context& ctx);

}  // namespace nodex::collectors

#endif  // NODEX_COLLECTORS_IPVS_H_
