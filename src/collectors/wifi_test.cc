#include "collectors/wifi.h"

#include <gtest/gtest.h>
#include <libmnl/libmnl.h>
#include <linux/nl80211.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "collectors/testing/kit.h"
#include "collectors/testing/scratch.h"

namespace nodex::collectors {
namespace {

using testing::ScratchTree;

// Builds the attribute part of one nl80211 message with libmnl.
class Attrs {
 public:
  Attrs() : buf_(8192 / 8, 0) { nlh_ = mnl_nlmsg_put_header(buf_.data()); }
  Attrs& U32(uint16_t type, uint32_t v) { return mnl_attr_put_u32(nlh_, type, v), *this; }
  Attrs& U64(uint16_t type, uint64_t v) { return mnl_attr_put_u64(nlh_, type, v), *this; }
  Attrs& U16(uint16_t type, uint16_t v) { return mnl_attr_put_u16(nlh_, type, v), *this; }
  Attrs& U8(uint16_t type, uint8_t v) { return mnl_attr_put_u8(nlh_, type, v), *this; }
  Attrs& Str(uint16_t type, const char* s) { return mnl_attr_put_strz(nlh_, type, s), *this; }
  Attrs& Raw(uint16_t type, const std::string& s) { return mnl_attr_put(nlh_, type, s.size(), s.data()), *this; }
  Attrs& Begin(uint16_t type) {
    nests_.push_back(mnl_attr_nest_start(nlh_, type));
    return *this;
  }
  Attrs& End() {
    mnl_attr_nest_end(nlh_, nests_.back());
    nests_.pop_back();
    return *this;
  }
  std::span<const uint8_t> span() const {
    auto* p = static_cast<const uint8_t*>(mnl_nlmsg_get_payload(nlh_));
    return {p, nlh_->nlmsg_len - MNL_NLMSG_HDRLEN};
  }

 private:
  std::vector<uint64_t> buf_;
  nlmsghdr* nlh_;
  std::vector<nlattr*> nests_;
};

const std::string kMac("\xaa\xbb\xcc\xdd\xee\xff", 6);

TEST(WifiFormatTest, HardwareAddrAndMode) {
  std::string buf;
  EXPECT_EQ(FormatHardwareAddr(kMac, &buf), "aa:bb:cc:dd:ee:ff");
  EXPECT_EQ(FormatHardwareAddr("", &buf), "");
  EXPECT_EQ(BssStatusMode(0), "client");
  EXPECT_EQ(BssStatusMode(1), "client");
  EXPECT_EQ(BssStatusMode(2), "ad-hoc");
  EXPECT_EQ(BssStatusMode(7), "unknown");
}

TEST(DecodeNl80211Test, Interface) {
  Attrs a;
  a.U32(NL80211_ATTR_IFINDEX, 3).Str(NL80211_ATTR_IFNAME, "wlan0").U32(NL80211_ATTR_IFTYPE, 2);
  a.Raw(NL80211_ATTR_MAC, kMac).U32(NL80211_ATTR_WIPHY_FREQ, 5180).U64(NL80211_ATTR_WDEV, 1);
  WifiInterface ifi;
  Status st = DecodeNl80211Interface(a.span(), &ifi);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(ifi.index, 3);
  EXPECT_EQ(ifi.name, "wlan0");
  EXPECT_EQ(ifi.type, 2);
  EXPECT_EQ(ifi.hardware_addr, kMac);
  EXPECT_EQ(ifi.frequency, 5180);

  Attrs bad;
  bad.U16(NL80211_ATTR_IFINDEX, 3);  // wrong width
  EXPECT_FALSE(DecodeNl80211Interface(bad.span(), &ifi).ok());
  auto s = a.span();
  EXPECT_FALSE(DecodeNl80211Interface(s.subspan(0, s.size() - 2), &ifi).ok());  // truncated
  EXPECT_TRUE(DecodeNl80211Interface({}, &ifi).ok());
}

TEST(DecodeNl80211Test, BssWithStatusOnly) {
  // IEs: SSID "Home", then a 3-byte vendor element.
  const std::string ies("\x00\x04Home\xdd\x03\x01\x02\x03", 11);
  Attrs assoc;
  assoc.U32(NL80211_ATTR_IFINDEX, 3).Begin(NL80211_ATTR_BSS);
  assoc.Raw(NL80211_BSS_BSSID, std::string("\x00\x11\x22\x33\x44\x55", 6)).U32(NL80211_BSS_FREQUENCY, 2412);
  assoc.Raw(NL80211_BSS_INFORMATION_ELEMENTS, ies).U32(NL80211_BSS_STATUS, 1).End();
  WifiBss bss;
  StatusOr<bool> r = DecodeNl80211Bss(assoc.span(), &bss);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_TRUE(*r);
  EXPECT_EQ(bss.ssid, "Home");
  std::string buf;
  EXPECT_EQ(FormatHardwareAddr(bss.bssid, &buf), "00:11:22:33:44:55");
  EXPECT_EQ(bss.status, 1);

  Attrs other;  // A scan result the interface is not associated with.
  other.Begin(NL80211_ATTR_BSS).Raw(NL80211_BSS_INFORMATION_ELEMENTS, ies).End();
  r = DecodeNl80211Bss(other.span(), &bss);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(*r);

  Attrs bad_ie;
  bad_ie.Begin(NL80211_ATTR_BSS).Raw(NL80211_BSS_INFORMATION_ELEMENTS, std::string("\x00\x09Home", 6));
  bad_ie.U32(NL80211_BSS_STATUS, 0).End();
  EXPECT_FALSE(DecodeNl80211Bss(bad_ie.span(), &bss).ok());

  Attrs invalid_utf8;
  invalid_utf8.Begin(NL80211_ATTR_BSS).Raw(NL80211_BSS_INFORMATION_ELEMENTS, std::string("\x00\x02\xffx", 4));
  invalid_utf8.U32(NL80211_BSS_STATUS, 0).End();
  r = DecodeNl80211Bss(invalid_utf8.span(), &bss);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(bss.ssid, "\xef\xbf\xbdx");
}

TEST(DecodeNl80211Test, Station) {
  Attrs a;
  a.U32(NL80211_ATTR_IFINDEX, 3).Raw(NL80211_ATTR_MAC, kMac).Begin(NL80211_ATTR_STA_INFO);
  a.U32(NL80211_STA_INFO_INACTIVE_TIME, 400).U32(NL80211_STA_INFO_RX_BYTES, 10).U64(NL80211_STA_INFO_RX_BYTES64, 1ull << 33);
  a.U32(NL80211_STA_INFO_TX_BYTES, 20).U8(NL80211_STA_INFO_SIGNAL, static_cast<uint8_t>(-52));
  a.Begin(NL80211_STA_INFO_TX_BITRATE).U16(NL80211_RATE_INFO_BITRATE, 1640).End();
  a.Begin(NL80211_STA_INFO_RX_BITRATE).U32(NL80211_RATE_INFO_BITRATE32, 1280).U16(NL80211_RATE_INFO_BITRATE, 7).End();
  a.U32(NL80211_STA_INFO_RX_PACKETS, 5).U32(NL80211_STA_INFO_TX_PACKETS, 6).U32(NL80211_STA_INFO_TX_RETRIES, 10);
  a.U32(NL80211_STA_INFO_TX_FAILED, 2).U32(NL80211_STA_INFO_CONNECTED_TIME, 30).U32(NL80211_STA_INFO_BEACON_LOSS, 1);
  a.End();
  WifiStation s;
  StatusOr<bool> r = DecodeNl80211Station(a.span(), &s);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_TRUE(*r);
  EXPECT_EQ(s.hardware_addr, kMac);
  EXPECT_EQ(s.inactive_ns, 400000000);
  EXPECT_EQ(s.connected_ns, 30000000000);
  EXPECT_EQ(s.received_bytes, 1ll << 33);  // The 64-bit counter wins.
  EXPECT_EQ(s.transmitted_bytes, 20);
  EXPECT_EQ(s.signal, -52);
  EXPECT_EQ(s.transmit_bitrate, 164000000);
  EXPECT_EQ(s.receive_bitrate, 128000000);  // BITRATE32 wins over the 16-bit one.
  EXPECT_EQ(s.received_packets, 5);
  EXPECT_EQ(s.transmitted_packets, 6);
  EXPECT_EQ(s.transmit_retries, 10);
  EXPECT_EQ(s.transmit_failed, 2);
  EXPECT_EQ(s.beacon_loss, 1);

  Attrs none;
  none.Raw(NL80211_ATTR_MAC, kMac);
  WifiStation s2;
  r = DecodeNl80211Station(none.span(), &s2);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(*r);

  Attrs empty_signal;
  empty_signal.Begin(NL80211_ATTR_STA_INFO).Raw(NL80211_STA_INFO_SIGNAL, "").End();
  EXPECT_FALSE(DecodeNl80211Station(empty_signal.span(), &s2).ok());
  Attrs short_counter;
  short_counter.Begin(NL80211_ATTR_STA_INFO).U16(NL80211_STA_INFO_TX_FAILED, 1).End();
  EXPECT_FALSE(DecodeNl80211Station(short_counter.span(), &s2).ok());
  Attrs bad_rate;
  bad_rate.Begin(NL80211_ATTR_STA_INFO).Begin(NL80211_STA_INFO_TX_BITRATE).U8(NL80211_RATE_INFO_BITRATE32, 1);
  bad_rate.End().End();
  EXPECT_FALSE(DecodeNl80211Station(bad_rate.span(), &s2).ok());
  auto sp = a.span();
  for (size_t n = 1; n < sp.size(); n += 3) {
    StatusOr<bool> t = DecodeNl80211Station(sp.subspan(0, n), &s2);  // Must not crash.
    (void)t;
  }
}

TEST(WifiJsonTest, ParsesGoLayout) {
  std::vector<WifiInterface> ifis;
  Status st = ParseWifiInterfacesJson(
      R"([{"name": "wlan0", "type": 2, "frequency": 2412, "HardwareAddr": "qrvM3e7/"}, null, {"TYPE": 10}])", &ifis);
  ASSERT_TRUE(st.ok()) << st.message();
  ASSERT_EQ(ifis.size(), 2u);
  EXPECT_EQ(ifis[0].name, "wlan0");
  EXPECT_EQ(ifis[0].frequency, 2412);
  EXPECT_EQ(ifis[0].hardware_addr, kMac);
  EXPECT_EQ(ifis[1].type, 10);
  EXPECT_EQ(ifis[1].name, "");

  WifiBss bss;
  st = ParseWifiBssJson(R"({"ssid": "Example", "bssid": "ABEiM0RV", "status": 1, "Load": {"x": 1}})", &bss);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(bss.ssid, "Example");
  std::string buf;
  EXPECT_EQ(FormatHardwareAddr(bss.bssid, &buf), "00:11:22:33:44:55");

  std::vector<WifiStation> stations;
  st = ParseWifiStationsJson(
      R"([{"hardwareaddr": "AQIDBAU=", "connected": 60000000000, "inactive": 800000000, "signal": -26,
           "receivedpackets": 3, "TransmittedPackets": 4}])",
      &stations);
  ASSERT_TRUE(st.ok()) << st.message();
  ASSERT_EQ(stations.size(), 1u);
  EXPECT_EQ(FormatHardwareAddr(stations[0].hardware_addr, &buf), "01:02:03:04:05");
  EXPECT_EQ(stations[0].connected_ns, 60000000000);
  EXPECT_EQ(stations[0].signal, -26);
  EXPECT_EQ(stations[0].received_packets, 3);
  EXPECT_EQ(stations[0].transmitted_packets, 4);
}

TEST(WifiJsonTest, RejectsMalformed) {
  std::vector<WifiInterface> ifis;
  for (const char* json : {"", "[", "{}", "[1]", "[{\"name\": 1}]", "[{\"frequency\": 1.5}]",
                           "[{\"frequency\": 9223372036854775808}]", "[{\"HardwareAddr\": \"qrv\"}]",
                           "[{\"HardwareAddr\": \"q=vM\"}]", "[{\"HardwareAddr\": \"qr!M\"}]"}) {
    EXPECT_FALSE(ParseWifiInterfacesJson(json, &ifis).ok()) << json;
    EXPECT_TRUE(ifis.empty());
  }
  WifiBss bss;
  for (const char* json : {"", "[]", "{\"status\": \"1\"}", "{\"ssid\": 5}", "{\"bssid\": 5}"}) {
    EXPECT_FALSE(ParseWifiBssJson(json, &bss).ok()) << json;
  }
  std::vector<WifiStation> stations;
  for (const char* json : {"", "{}", "[{\"signal\": \"x\"}]", "[{\"connected\": 1e9}]", "[\"x\"]"}) {
    EXPECT_FALSE(ParseWifiStationsJson(json, &stations).ok()) << json;
  }
}

TEST(WifiCollectorTest, FixtureDirectory) {
  ScratchTree tree("wifi");
  tree.Write("interfaces.json", R"([{"name": "wlp2s0", "frequency": 5180}, {"name": "wlan9"}, {"type": 10}])");
  tree.Write("wlp2s0/bss.json", R"({"ssid": "lab \"5G\"", "bssid": "qrvM3e7/", "status": 2})");
  tree.Write("wlp2s0/stationinfo.json", R"([{"hardwareaddr": "qrvM3e7/", "inactive": 1500000000, "signal": -70}])");
  FlagValues flags;
  flags.Set("collector.wifi.fixtures", tree.root());
  Context ctx;
  ctx.flags = &flags;
  auto c = NewWifiCollector(ctx);
  ASSERT_TRUE(c.ok());
  expo::MetricSet set;
  Status st = c.value()->Collect(set);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(set.Count("node_wifi_interface_frequency_hertz"), 2u);
  EXPECT_EQ(set.Find("node_wifi_interface_frequency_hertz", {{"device", "wlp2s0"}}), 5.18e9);
  EXPECT_EQ(set.Find("node_wifi_station_info", {{"ssid", "lab \"5G\""}, {"mode", "ad-hoc"}}), 1);
  EXPECT_EQ(set.Find("node_wifi_station_inactive_seconds", {{"mac_address", "aa:bb:cc:dd:ee:ff"}}), 1.5);
  EXPECT_EQ(set.Find("node_wifi_station_signal_dbm", {{"device", "wlp2s0"}}), -70);
  EXPECT_EQ(set.Count("node_wifi_station_signal_dbm"), 1u);

  tree.Write("wlp2s0/stationinfo.json", "[{");
  expo::MetricSet set2;
  EXPECT_FALSE(c.value()->Collect(set2).ok());
  flags.Set("collector.wifi.fixtures", tree.Path("nowhere"));
  auto missing = NewWifiCollector(ctx);
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing.value()->Collect(set2).ok());
}

TEST(WifiCollectorTest, RealNl80211OnThisMachine) {
  // This machine has no wifi device; whether or not cfg80211 is loaded, the
  // collector must report no samples and no hard error.
  Context ctx;
  auto c = NewWifiCollector(ctx);
  ASSERT_TRUE(c.ok());
  for (int i = 0; i < 2; ++i) {
    expo::MetricSet set;
    Status st = c.value()->Collect(set);
    EXPECT_TRUE(st.ok() || st.code() == StatusCode::kNoData) << st.message();
    EXPECT_EQ(set.samples().size(), 0u);
  }
}

TEST(WifiCollectorTest, MatchesNodeExporterOnConformanceFixtures) {
  NODEX_REQUIRE_KIT(kit);
  testing::ScopedKitDir cd(kit);
  FlagValues flags;  // node_exporter's e2e flag for wifi.
  flags.Set("collector.wifi.fixtures", "collector/fixtures/wifi");
  Logger log;
  auto c = NewWifiCollector(testing::KitContext(&flags, &log));
  ASSERT_TRUE(c.ok());
  expo::MetricSet set;
  Status st = c.value()->Collect(set);
  ASSERT_TRUE(st.ok()) << st.message();
  const std::vector<std::string> families = {
      "node_wifi_interface_frequency_hertz",       "node_wifi_station_beacon_loss_total",
      "node_wifi_station_connected_seconds_total", "node_wifi_station_inactive_seconds",
      "node_wifi_station_info",                    "node_wifi_station_receive_bits_per_second",
      "node_wifi_station_receive_bytes_total",     "node_wifi_station_received_packets_total",
      "node_wifi_station_signal_dbm",              "node_wifi_station_transmit_bits_per_second",
      "node_wifi_station_transmit_bytes_total",    "node_wifi_station_transmit_failed_total",
      "node_wifi_station_transmit_retries_total",  "node_wifi_station_transmitted_packets_total"};
  std::vector<std::string> expected = testing::ExpectedLines(kit, families);
  EXPECT_EQ(expected.size(), 41u);
  EXPECT_EQ(testing::RenderedLines(set, families), expected);
}

}  // namespace
}  // namespace nodex::collectors
