// The ethtool collector (mirrors node_exporter's ethtool collector,
// collector/ethtool_linux.go, which talks to the kernel through
// github.com/safchain/ethtool). Default off.
//
// For every device listed in <sysfs>/class/net (regular files such as
// bonding_masters are skipped, like procfs' NetClassDevices) it issues three
// SIOCETHTOOL requests on one kept-open AF_INET datagram socket:
//   ETHTOOL_GSET      link modes: node_network_{supported,advertised}_speed_bytes
//                     {device,duplex,mode}, node_network_supported_port_info
//                     {device,type}, node_network_{autonegotiate,pause,
//                     asymmetricpause}_{supported,advertised}{device} and
//                     node_network_autonegotiate{device}. node_exporter uses the
//                     legacy request (safchain's EthtoolCmd), so only the low 32
//                     link-mode bits count; GLINKSETTINGS would report the same
//                     low word, so GSET is used for exact parity.
//   ETHTOOL_GDRVINFO  node_ethtool_info{bus_info,device,driver,
//                     expansion_rom_version,firmware_version,version} 1; its
//                     n_stats sizes the statistics requests (as safchain does).
//   ETHTOOL_GSTRINGS(ETH_SS_STATS) + ETHTOOL_GSTATS
//                     one untyped node_ethtool_<name>{device} per driver
//                     statistic, named as described at PlanEthtoolMetrics.
// A failing request is skipped for that device: EOPNOTSUPP (lo has no driver
// info or link settings) is logged at debug level, other errors at error
// level; both only when the device's state for that request changes.
// A missing class/net directory gives Status::NoData; an empty one is an error.
#ifndef NODEX_COLLECTORS_ETHTOOL_H_
#define NODEX_COLLECTORS_ETHTOOL_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "collectors/collector.h"

namespace re2 {
class RE2;
}

namespace nodex::collectors {

inline constexpr FlagDef kEthtoolFlags[] = {
    {"collector.ethtool.device-include", FlagKind::kString, "",
     "RE2 pattern: query only network devices whose name matches (unanchored)."},
    {"collector.ethtool.device-exclude", FlagKind::kString, "",
     "RE2 pattern: skip network devices whose name matches (unanchored)."},
    {"collector.ethtool.metrics-include", FlagKind::kString, ".*",
     "RE2 pattern: export only driver statistics whose sanitised name matches (unanchored)."},
};

// The SIOCETHTOOL layer, behind an interface so tests can answer with canned
// kernel buffers. `buf` holds a request struct from <linux/ethtool.h> that
// starts with its u32 cmd; the answer is written back into it in the kernel's
// layout. Returns 0 or an errno value. Implementations must never write past
// buf (the kernel itself does not know buf's size: callers leave headroom).
class EthtoolIoctl {
 public:
  virtual ~EthtoolIoctl() = default;
  virtual int Request(std::string_view device, std::span<char> buf) = 0;
};

// The real layer: socket(AF_INET, SOCK_DGRAM) opened once, kept open.
StatusOr<std::unique_ptr<EthtoolIoctl>> NewKernelEthtoolIoctl();

// --- Pure decoders of the kernel's answers (no I/O). ---

// struct ethtool_drvinfo (196 bytes) after ETHTOOL_GDRVINFO, e.g. for
// virtio_net: driver "virtio_net", version "1.0.0", fw_version "",
// bus_info "0000:00:03.0", erom_version "", n_stats 20. Each string is cut at
// its first NUL, or is the whole 32-byte field if it has none (safchain's
// goString). The views point into `buf`. Fails if buf is shorter than the struct.
struct EthtoolDriverInfo {
  std::string_view driver;
  std::string_view version;
  std::string_view firmware_version;
  std::string_view bus_info;
  std::string_view expansion_rom_version;
  uint32_t n_stats = 0;
};
[[nodiscard]] StatusOr<EthtoolDriverInfo> ParseEthtoolDriverInfo(std::string_view buf);

// struct ethtool_cmd (44 bytes) after ETHTOOL_GSET: the 32-bit supported and
// advertising link-mode masks (bit numbers from enum
// ethtool_link_mode_bit_indices) and the autoneg byte (AUTONEG_ENABLE = 1).
// A virtio_net device answers 0/0/0. Fails if buf is shorter than the struct.
struct EthtoolLinkSettings {
  uint32_t supported = 0;
  uint32_t advertising = 0;
  uint8_t autoneg = 0;
};
[[nodiscard]] StatusOr<EthtoolLinkSettings> ParseEthtoolCmd(std::string_view buf);

// One driver statistic; `name` points into the GSTRINGS buffer.
struct EthtoolStat {
  std::string_view name;
  uint64_t value;
};

// Decodes the answers to ETHTOOL_GSTRINGS(ETH_SS_STATS) (struct
// ethtool_gstrings: cmd, string_set, len, then len 32-byte names such as
// "rx_packets\0...", "tx_queue_0_bytes\0...") and ETHTOOL_GSTATS (struct
// ethtool_stats: cmd, n_stats, then n_stats u64 values in the same order)
// into *out (cleared first), in kernel order. Names are cut at the first NUL
// (a name filling all 32 bytes has none); empty names are skipped, as
// safchain does. Fails when a header is truncated, a count does not fit in
// its buffer, or the two counts differ (names and values would not line up).
[[nodiscard]] Status ParseEthtoolStats(std::string_view gstrings, std::string_view gstats,
                                       std::vector<EthtoolStat>* out);

// --- Link-mode tables (kernel bit numbers, node_exporter's labels). ---

// A speed/duplex link mode: node_network_*_speed_bytes{duplex,mode} with the
// speed in bytes per second (Mb/s * 125000). Only modes below bit 32 exist
// here: node_exporter's table lists higher bits too, but they can never be
// set in the 32-bit masks it reads.
struct EthtoolSpeedMode {
  uint8_t bit;
  uint32_t mbps;
  std::string_view duplex;  // "full" or "half"
  std::string_view mode;    // "<mbps>base<phy>", e.g. "1000baseT", "10000baseR_FEC"
};
std::span<const EthtoolSpeedMode> EthtoolSpeedModes();

// A port type for node_network_supported_port_info{type}: TP, AUI, MII, FIBRE,
// BNC, Backplane.
struct EthtoolPortType {
  uint8_t bit;
  std::string_view name;
};
std::span<const EthtoolPortType> EthtoolPortTypes();

inline constexpr uint8_t kEthtoolAutonegBit = 6;
inline constexpr uint8_t kEthtoolPauseBit = 13;
inline constexpr uint8_t kEthtoolAsymPauseBit = 14;

// --- Statistic naming (node_exporter's rules). ---

// node_exporter's SanitizeMetricName: every run of characters outside
// [0-9A-Za-z_], together with the underscores around it, becomes one "_"
// ("port.rx_dropped" -> "port_rx_dropped", "Queue[0] AllocFails" ->
// "Queue_0_AllocFails", "a_._b" -> "a_b"); other underscores are kept.
std::string SanitizeEthtoolStatName(std::string_view name);

// node_exporter's buildEthtoolFQName: sanitise, lower-case, trim leading "_",
// then rename each "rx"/"tx" word (delimited by "_" or the ends, matched
// left to right without overlap) to "received"/"transmitted", and prefix
// "node_ethtool_" ("[3]: tx_bytes" -> "node_ethtool_3_transmitted_bytes",
// "tx_tx_timeouts" -> "node_ethtool_transmitted_tx_timeouts").
std::string EthtoolMetricName(std::string_view name);

// The seven statistics node_exporter declares up front under other names
// (keyed by sanitised name): rx_bytes -> node_ethtool_received_bytes_total,
// rx_dropped, rx_errors, rx_packets, tx_bytes, tx_errors, tx_packets likewise
// with "_total". Returns "" for every other name.
std::string_view EthtoolPredefinedMetricName(std::string_view sanitized);

// The series a device's statistics become.
struct EthtoolMetricPlan {
  uint32_t stat;     // Index into the statistics passed to PlanEthtoolMetrics.
  std::string name;  // Family name.
  std::string help;
};

// Applies node_exporter's rules to one device's statistics: a name given
// twice by the driver keeps its last value; names are sanitised and matched
// against `include` (unanchored; null matches all); the full name is
// EthtoolMetricName, and when several statistics end up with the same full
// name all of them are dropped (node_exporter logs and drops clashes); the
// predefined seven are then renamed. *out is sorted by family name.
void PlanEthtoolMetrics(std::span<const EthtoolStat> stats, const re2::RE2* include,
                        std::vector<EthtoolMetricPlan>* out);

StatusOr<std::unique_ptr<Collector>> NewEthtoolCollector(const Context& ctx);

// As NewEthtoolCollector, with the given SIOCETHTOOL layer (tests).
StatusOr<std::unique_ptr<Collector>> NewEthtoolCollectorWithIoctl(const Context& ctx,
                                                                  std::unique_ptr<EthtoolIoctl> ioctl);

}  // namespace nodex::collectors

#endif  // NODEX_COLLECTORS_ETHTOOL_H_
