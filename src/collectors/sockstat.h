// The sockstat collector (mirrors node_exporter's sockstat collector,
// collector/sockstat_linux.go, on procfs' net_sockstat.go): socket counts per
// protocol from /proc/net/sockstat and /proc/net/sockstat6, as gauges named
// node_sockstat_<PROTOCOL>_<field>, plus node_sockstat_sockets_used (IPv4
// file only) and <PROTOCOL>_mem_bytes (mem pages times the page size).
#ifndef NODEX_COLLECTORS_SOCKSTAT_H_
#define NODEX_COLLECTORS_SOCKSTAT_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "collectors/collector.h"

namespace nodex::collectors {

// One protocol line. `name` views the parsed content. inuse is always
// exported (0 when the line lacks it); the others only when present.
struct SockstatProtocol {
  std::string_view name;
  int64_t inuse = 0;
  std::optional<int64_t> orphan, tw, alloc, mem, memory;
};

struct Sockstat {
  std::optional<int64_t> used;  // From the "sockets:" line.
  std::vector<SockstatProtocol> protocols;
};

// Parses /proc/net/sockstat or /proc/net/sockstat6:
//   sockets: used 229
//   TCP: inuse 4 orphan 0 tw 4 alloc 17 mem 1
//   FRAG6: inuse 0 memory 0
// Like procfs, each line is split on single spaces (so doubled or trailing
// spaces fail), needs a protocol and at least one key/value pair, and every
// value must be an integer in Go's base-0 syntax (0x.. accepted); an empty
// line is an error. Unknown keys are ignored; a repeated key keeps the last
// value. "sockets: used N" sets `used` (0 if the line has no "used" key).
// *out is cleared first (capacity kept).
Status ParseSockstat(std::string_view content, Sockstat* out);

StatusOr<std::unique_ptr<Collector>> NewSockstatCollector(const Context& ctx);

}  // namespace nodex::collectors

#endif  // NODEX_COLLECTORS_SOCKSTAT_H_
