// Fuzzes the wifi collector's parsers: the three nl80211 attribute decoders
// (input = the attributes of one generic netlink message) and the three
// fixture JSON loaders (input = JSON text). None may crash or throw.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "collectors/wifi.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace c = nodex::collectors;
  std::span<const uint8_t> attrs(data, size);
  c::WifiInterface ifi;
  (void)c::DecodeNl80211Interface(attrs, &ifi);
  c::WifiBss bss;
  (void)c::DecodeNl80211Bss(attrs, &bss);
  c::WifiStation station;
  (void)c::DecodeNl80211Station(attrs, &station);
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<c::WifiInterface> ifis;
  (void)c::ParseWifiInterfacesJson(text, &ifis);
  (void)c::ParseWifiBssJson(text, &bss);
  std::vector<c::WifiStation> stations;
  (void)c::ParseWifiStationsJson(text, &stations);
  return 0;
}
