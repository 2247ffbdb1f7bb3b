// The wifi collector (mirrors node_exporter's wifi collector,
// collector/wifi_linux.go, and the github.com/mdlayher/wifi library it uses):
// node_wifi_interface_frequency_hertz{device}, node_wifi_station_info{device,
// bssid,ssid,mode} and the node_wifi_station_*{device,mac_address} counters
// and gauges, read over nl80211 (generic netlink, family resolved with
// CTRL_CMD_GETFAMILY): one NL80211_CMD_GET_INTERFACE dump, then per named
// interface one NL80211_CMD_GET_SCAN and one NL80211_CMD_GET_STATION dump.
// When the nl80211 family does not exist (no cfg80211 loaded) or access is
// denied, the collector reports no samples and Status::NoData, as
// node_exporter returns ErrNoData. An interface whose BSS or station dump
// answers ENOENT simply has no such samples.
// With --collector.wifi.fixtures=DIR, netlink is replaced by
// node_exporter's end-to-end JSON files: DIR/interfaces.json and, per
// interface, DIR/<name>/bss.json and DIR/<name>/stationinfo.json (a missing
// per-interface file means "no such data", a missing interfaces.json fails).
#ifndef NODEX_COLLECTORS_WIFI_H_
#define NODEX_COLLECTORS_WIFI_H_

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "collectors/collector.h"

namespace nodex::collectors {

inline constexpr FlagDef kWifiFlags[] = {
    {"collector.wifi.fixtures", FlagKind::kString, "",
     "Directory of JSON files that replace nl80211 for the wifi collector (for end-to-end tests)."},
};

// A hardware address as raw bytes (Go's net.HardwareAddr); usually 6 bytes.
using HardwareAddr = std::string;

// Formats like Go's net.HardwareAddr.String(): "aa:bb:cc:dd:ee:ff", "" when empty.
std::string_view FormatHardwareAddr(const HardwareAddr& addr, std::string* out);

struct WifiInterface {
  int64_t index = 0;
  std::string name;
  HardwareAddr hardware_addr;
  int64_t type = 0;       // nl80211_iftype.
  int64_t frequency = 0;  // MHz.
};

struct WifiBss {
  std::string ssid;
  HardwareAddr bssid;
  int64_t status = 0;  // nl80211_bss_status: 0 authenticated, 1 associated, 2 IBSS joined.
};

struct WifiStation {
  HardwareAddr hardware_addr;
  int64_t connected_ns = 0;  // Go time.Duration.
  int64_t inactive_ns = 0;
  int64_t received_bytes = 0;
  int64_t transmitted_bytes = 0;
  int64_t received_packets = 0;
  int64_t transmitted_packets = 0;
  int64_t receive_bitrate = 0;  // bits/s
  int64_t transmit_bitrate = 0;
  int64_t signal = 0;  // dBm
  int64_t transmit_retries = 0;
  int64_t transmit_failed = 0;
  int64_t beacon_loss = 0;
};

// node_exporter's mode label for a BSS status: "client" (authenticated or
// associated), "ad-hoc" (IBSS joined) or "unknown".
std::string_view BssStatusMode(int64_t status);

// --- nl80211 attribute decoders. Each takes the attributes of one generic
// netlink message (everything after its genlmsghdr). Integer attributes
// must have exactly their nl80211 width (mdlayher/netlink's nlenc would
// panic otherwise); a truncated attribute is an error too.

// One NL80211_CMD_NEW_INTERFACE message of the interface dump:
//   NL80211_ATTR_IFINDEX(3) u32 3, NL80211_ATTR_IFNAME(4) "wlan0\0",
//   NL80211_ATTR_IFTYPE(5) u32 2, NL80211_ATTR_MAC(6) 6 bytes,
//   NL80211_ATTR_WIPHY_FREQ(38) u32 2412, ...
Status DecodeNl80211Interface(std::span<const uint8_t> attrs, WifiInterface* out);

// One NL80211_CMD_NEW_SCAN_RESULTS message of the scan dump:
//   NL80211_ATTR_BSS(47) { NL80211_BSS_BSSID(1) 6 bytes,
//     NL80211_BSS_INFORMATION_ELEMENTS(6) [id len data]... (SSID is id 0),
//     NL80211_BSS_STATUS(9) u32 }
// Returns true and fills *out only for the BSS that carries a status (the
// one the interface is associated with); false for other scan results.
// Malformed information elements are an error.
StatusOr<bool> DecodeNl80211Bss(std::span<const uint8_t> attrs, WifiBss* out);

// One NL80211_CMD_NEW_STATION message of the station dump:
//   NL80211_ATTR_IFINDEX u32, NL80211_ATTR_MAC(6) 6 bytes,
//   NL80211_ATTR_STA_INFO(21) { INACTIVE_TIME(1) u32 ms, RX_BYTES(2) u32,
//     TX_BYTES(3) u32, SIGNAL(7) s8 dBm, TX_BITRATE(8) {BITRATE(1) u16 or
//     BITRATE32(5) u32, 100 kbit/s}, RX_PACKETS(9), TX_PACKETS(10),
//     TX_RETRIES(11), TX_FAILED(12) u32, CONNECTED_TIME(16) u32 s,
//     BEACON_LOSS(18) u32, RX_BYTES64(23), TX_BYTES64(24) u64,
//     RX_BITRATE(14) {...} }
// As mdlayher/wifi: the 32-bit byte counters are used only while the 64-bit
// ones read 0, a 16-bit bitrate only while the 32-bit one reads 0. Returns
// false when the message has no NL80211_ATTR_STA_INFO (mdlayher/wifi then
// reports the whole station list as not existing).
StatusOr<bool> DecodeNl80211Station(std::span<const uint8_t> attrs, WifiStation* out);

// --- Fixture files, in the layout Go's encoding/json gives mdlayher/wifi's
// structs (keys match field names case-insensitively; unknown keys are
// ignored; hardware addresses are base64; durations are nanoseconds):
//   interfaces.json   [{"name": "wlan0", "type": 2, "frequency": 2412}, {"type": 10}]
//   bss.json          {"ssid": "Example", "bssid": "ABEiM0RV", "status": 1}
//   stationinfo.json  [{"hardwareaddr": "qrvM3e7/", "connected": 30000000000,
//                       "inactive": 400000000, "signal": -52, "beaconloss": 1}]
// null entries in the arrays are skipped. Never throw; replace the output.
Status ParseWifiInterfacesJson(std::string_view json, std::vector<WifiInterface>* out);
Status ParseWifiBssJson(std::string_view json, WifiBss* out);
Status ParseWifiStationsJson(std::string_view json, std::vector<WifiStation>* out);

StatusOr<std::unique_ptr<Collector>> NewWifiCollector(const Context& ctx);

}  // namespace nodex::collectors

#endif  // NODEX_COLLECTORS_WIFI_H_
