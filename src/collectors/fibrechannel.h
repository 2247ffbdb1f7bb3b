// The fibrechannel collector (mirrors node_exporter's fibrechannel collector,
// collector/fibrechannel_linux.go, on top of procfs' sysfs/class_fibrechannel.go):
// per Fibre Channel host adapter under /sys/class/fc_host/<host>,
// node_fibrechannel_info (port attributes as labels) and the
// node_fibrechannel_*_total counters from its statistics/ directory.
#ifndef NODEX_COLLECTORS_FIBRECHANNEL_H_
#define NODEX_COLLECTORS_FIBRECHANNEL_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "base/status.h"
#include "collectors/collector.h"

namespace nodex::collectors {

// Parses one statistics/ attribute of an fc_host, e.g.
//   statistics/rx_frames       -> "0x30\n"
//   statistics/dumped_frames   -> "0xffffffffffffffff\n"
// Trimmed like procfs' SysReadFile, then Go's strconv.ParseUint(s, 0, 64), so
// "0x" hex (what the kernel's fc transport prints) and decimal both parse.
// All-ones means "not implemented by the HBA firmware": node_exporter then
// leaves the counter out (see FibreChannelCounterImplemented).
[[nodiscard]] std::optional<uint64_t> ParseFibreChannelCounter(std::string_view content);

[[nodiscard]] inline bool FibreChannelCounterImplemented(uint64_t v) { return v != ~uint64_t{0}; }

// The info-label form of a "0x"-prefixed name attribute (node_name, port_id,
// port_name, fabric_name): procfs drops the first two characters when the
// value is longer than two, so "0x000002" -> "000002" and "0x0" -> "0".
[[nodiscard]] inline std::string_view FibreChannelStripHexPrefix(std::string_view v) {
  return v.size() > 2 ? v.substr(2) : v;
}

StatusOr<std::unique_ptr<Collector>> NewFibrechannelCollector(const Context& ctx);

}  // namespace nodex::collectors

#endif  // NODEX_COLLECTORS_FIBRECHANNEL_H_
