// The netstat collector (mirrors node_exporter's netstat collector,
// collector/netstat_linux.go): protocol counters from /proc/net/netstat,
// /proc/net/snmp and /proc/net/snmp6 as untyped node_netstat_<Proto>_<Name>,
// filtered by --collector.netstat.fields.
#ifndef NODEX_COLLECTORS_NETSTAT_H_
#define NODEX_COLLECTORS_NETSTAT_H_

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "collectors/collector.h"

namespace nodex::collectors {

inline constexpr FlagDef kNetstatFlags[] = {
    {"collector.netstat.fields", FlagKind::kString,
     "^(.*_(InErrors|InErrs)|Ip_Forwarding|Ip(6|Ext)_(InOctets|OutOctets)|Icmp6?_(InMsgs|OutMsgs)|TcpExt_(Listen.*|"
     "Syncookies.*|TCPSynRetrans|TCPTimeouts|TCPOFOQueue|TCPRcvQDrop)|Tcp_(ActiveOpens|InSegs|OutSegs|OutRsts|"
     "PassiveOpens|RetransSegs|CurrEstab)|Udp6?_(InDatagrams|OutDatagrams|NoPorts|RcvbufErrors|SndbufErrors))$",
     "Regular expression matched against <Protocol>_<Field>; only matching netstat counters are exported."},
};

// One counter. `protocol` and `name` view the parsed content; `block`
// numbers the header/value line pairs (all of snmp6 is one block) so a later
// block of the same protocol can replace an earlier one, as node_exporter's
// map merge does.
struct NetstatField {
  std::string_view protocol;
  std::string_view name;
  double value = 0;
  uint32_t block = 0;
};

// Parses /proc/net/netstat or /proc/net/snmp: pairs of a header line and a
// value line per protocol,
//   TcpExt: SyncookiesSent SyncookiesRecv SyncookiesFailed
//   TcpExt: 0 0 2
//   Ip: Forwarding DefaultTTL InReceives
//   Ip: 1 64 57740232
// Like node_exporter, lines are split on single spaces, the protocol is the
// header's first field without its last character (the colon), the value
// line's first field is not checked, and the two lines must have the same
// number of fields (a missing final value line counts as empty). Every value
// must parse as a float (negative values such as Tcp MaxConn -1 are fine),
// whether or not the field is exported. An empty header line is an error
// (node_exporter would panic). Fields are appended to *out; block numbers
// continue from *next_block.
Status ParseNetstat(std::string_view content, std::vector<NetstatField>* out, uint32_t* next_block);

// Parses /proc/net/snmp6: one "<Proto6><Name> <value>" per line,
//   Ip6InReceives                   	7
//   Icmp6InMsgs                     	0
//   UdpLite6InErrors                	0
// Lines split on whitespace; lines with fewer than two fields or without a
// '6' in the first are skipped; the protocol ends at the first '6'. The
// second field must parse as a float. Appends to *out with one block number.
Status ParseSnmp6(std::string_view content, std::vector<NetstatField>* out, uint32_t* next_block);

StatusOr<std::unique_ptr<Collector>> NewNetstatCollector(const Context& ctx);

}  // namespace nodex::collectors

#endif  // NODEX_COLLECTORS_NETSTAT_H_
