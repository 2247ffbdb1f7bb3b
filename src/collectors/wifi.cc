#include "collectors/wifi.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/nl80211.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <cstring>
#include <limits>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "base/file_reader.h"
#include "collectors/go_json.h"
#include "collectors/procfs_helpers.h"
#include "collectors/rtnetlink.h"

namespace nodex::collectors {
namespace {

using rtnl::Attr;

constexpr expo::Desc kFrequency{"node_wifi_interface_frequency_hertz",
                                "Frequency the WiFi interface currently operates at, in hertz.",
                                expo::MetricType::kGauge};
constexpr expo::Desc kStationInfo{"node_wifi_station_info",
                                  "WiFi station information (BSSID, SSID, mode) as labels; always 1.",
                                  expo::MetricType::kGauge};
constexpr expo::Desc kConnected{"node_wifi_station_connected_seconds_total",
                                "Seconds the station has been connected to its access point.",
                                expo::MetricType::kCounter};
constexpr expo::Desc kInactive{"node_wifi_station_inactive_seconds",
                               "Seconds since the last wireless activity of the station.", expo::MetricType::kGauge};
constexpr expo::Desc kRxBitrate{"node_wifi_station_receive_bits_per_second",
                                "Current receive bitrate of the station, in bits per second.",
                                expo::MetricType::kGauge};
constexpr expo::Desc kTxBitrate{"node_wifi_station_transmit_bits_per_second",
                                "Current transmit bitrate of the station, in bits per second.",
                                expo::MetricType::kGauge};
constexpr expo::Desc kRxBytes{"node_wifi_station_receive_bytes_total", "Bytes the station has received.",
                              expo::MetricType::kCounter};
constexpr expo::Desc kTxBytes{"node_wifi_station_transmit_bytes_total", "Bytes the station has transmitted.",
                              expo::MetricType::kCounter};
constexpr expo::Desc kSignal{"node_wifi_station_signal_dbm", "Current signal strength of the station, in dBm.",
                             expo::MetricType::kGauge};
constexpr expo::Desc kRetries{"node_wifi_station_transmit_retries_total",
                              "Times the station had to retry sending a packet.", expo::MetricType::kCounter};
constexpr expo::Desc kFailed{"node_wifi_station_transmit_failed_total", "Packets the station failed to send.",
                             expo::MetricType::kCounter};
constexpr expo::Desc kBeaconLoss{"node_wifi_station_beacon_loss_total", "Beacon losses the station detected.",
                                 expo::MetricType::kCounter};
constexpr expo::Desc kTxPackets{"node_wifi_station_transmitted_packets_total",
                                "Packets the station has transmitted.", expo::MetricType::kCounter};
constexpr expo::Desc kRxPackets{"node_wifi_station_received_packets_total", "Packets the station has received.",
                                expo::MetricType::kCounter};

// Go's time.Duration.Seconds(), bit for bit.
double DurationSeconds(int64_t d) {
  int64_t sec = d / 1000000000;
  int64_t nsec = d % 1000000000;
  return static_cast<double>(sec) + static_cast<double>(nsec) / 1e9;
}

// --- attribute helpers ---

template <typename T>
bool Fixed(const Attr& a, T* v) {
  if (a.payload.size() != sizeof(T)) return false;
  std::memcpy(v, a.payload.data(), sizeof(T));
  return true;
}

Status BadAttr(const char* what) { return Status::Error(std::string("malformed nl80211 attribute ") + what); }

// Parses 802.11 information elements ([id, len, data]...) for the SSID, as
// mdlayher/wifi does; a truncated element is an error.
Status ParseSsidFromIes(std::span<const uint8_t> b, std::string* ssid) {
  size_t i = 0;
  while (i < b.size()) {
    if (b.size() - i < 2) return Status::Error("invalid 802.11 information element");
    uint8_t id = b[i];
    size_t len = b[i + 1];
    i += 2;
    if (b.size() - i < len) return Status::Error("invalid 802.11 information element");
    // Go decodes the SSID rune by rune; invalid UTF-8 becomes U+FFFD.
    if (id == 0) {
      ssid->clear();
      size_t j = i, end = i + len;
      while (j < end) {
        uint8_t c = b[j];
        size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
        bool valid = n != 0 && j + n <= end;
        for (size_t k = 1; valid && k < n; ++k) valid = (b[j + k] & 0xc0) == 0x80;
        if (valid && n > 1) {
          uint32_t cp = n == 2 ? (c & 0x1f) : n == 3 ? (c & 0x0f) : (c & 0x07);
          for (size_t k = 1; k < n; ++k) cp = (cp << 6) | (b[j + k] & 0x3f);
          const uint32_t min[] = {0, 0, 0x80, 0x800, 0x10000};
          valid = cp >= min[n] && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff);
        }
        if (valid) {
          ssid->append(reinterpret_cast<const char*>(&b[j]), n);
          j += n;
        } else {
          ssid->append("\xef\xbf\xbd");
          ++j;
        }
      }
    }
    i += len;
  }
  return Status::Ok();
}

// NL80211_STA_INFO_{RX,TX}_BITRATE: nested rate info, 100 kbit/s units.
Status ParseRate(std::span<const uint8_t> b, int64_t* bitrate) {
  int64_t rate = 0;
  Status st;
  bool ok = rtnl::ForEachAttr(b.data(), b.size(), [&](const Attr& a) {
    if (!st.ok()) return;
    if (a.type == NL80211_RATE_INFO_BITRATE32) {
      uint32_t v;
      if (!Fixed(a, &v)) st = BadAttr("NL80211_RATE_INFO_BITRATE32");
      else rate = v;
    } else if (a.type == NL80211_RATE_INFO_BITRATE) {
      uint16_t v;
      if (!Fixed(a, &v)) st = BadAttr("NL80211_RATE_INFO_BITRATE");
      else if (rate == 0) rate = v;
    }
  });
  if (!ok) return Status::Error("truncated nl80211 rate info");
  if (!st.ok()) return st;
  *bitrate = rate * 100 * 1000;
  return Status::Ok();
}

Status ParseStaInfo(std::span<const uint8_t> b, WifiStation* s) {
  Status st;
  bool ok = rtnl::ForEachAttr(b.data(), b.size(), [&](const Attr& a) {
    if (!st.ok()) return;
    uint32_t u32;
    uint64_t u64;
    switch (a.type) {
      case NL80211_STA_INFO_CONNECTED_TIME:
        if (!Fixed(a, &u32)) st = BadAttr("CONNECTED_TIME");
        else s->connected_ns = static_cast<int64_t>(u32) * 1000000000;
        break;
      case NL80211_STA_INFO_INACTIVE_TIME:
        if (!Fixed(a, &u32)) st = BadAttr("INACTIVE_TIME");
        else s->inactive_ns = static_cast<int64_t>(u32) * 1000000;
        break;
      case NL80211_STA_INFO_RX_BYTES64:
        if (!Fixed(a, &u64)) st = BadAttr("RX_BYTES64");
        else s->received_bytes = static_cast<int64_t>(u64);
        break;
      case NL80211_STA_INFO_TX_BYTES64:
        if (!Fixed(a, &u64)) st = BadAttr("TX_BYTES64");
        else s->transmitted_bytes = static_cast<int64_t>(u64);
        break;
      case NL80211_STA_INFO_RX_BYTES:
        if (!Fixed(a, &u32)) st = BadAttr("RX_BYTES");
        else if (s->received_bytes == 0) s->received_bytes = u32;
        break;
      case NL80211_STA_INFO_TX_BYTES:
        if (!Fixed(a, &u32)) st = BadAttr("TX_BYTES");
        else if (s->transmitted_bytes == 0) s->transmitted_bytes = u32;
        break;
      case NL80211_STA_INFO_SIGNAL:
        if (a.payload.empty()) st = BadAttr("SIGNAL");
        else s->signal = static_cast<int8_t>(a.payload[0]);
        break;
      case NL80211_STA_INFO_RX_PACKETS:
        if (!Fixed(a, &u32)) st = BadAttr("RX_PACKETS");
        else s->received_packets = u32;
        break;
      case NL80211_STA_INFO_TX_PACKETS:
        if (!Fixed(a, &u32)) st = BadAttr("TX_PACKETS");
        else s->transmitted_packets = u32;
        break;
      case NL80211_STA_INFO_TX_RETRIES:
        if (!Fixed(a, &u32)) st = BadAttr("TX_RETRIES");
        else s->transmit_retries = u32;
        break;
      case NL80211_STA_INFO_TX_FAILED:
        if (!Fixed(a, &u32)) st = BadAttr("TX_FAILED");
        else s->transmit_failed = u32;
        break;
      case NL80211_STA_INFO_BEACON_LOSS:
        if (!Fixed(a, &u32)) st = BadAttr("BEACON_LOSS");
        else s->beacon_loss = u32;
        break;
      case NL80211_STA_INFO_RX_BITRATE:
        st = ParseRate(a.payload, &s->receive_bitrate);
        break;
      case NL80211_STA_INFO_TX_BITRATE:
        st = ParseRate(a.payload, &s->transmit_bitrate);
        break;
      default:
        break;
    }
  });
  if (!ok) return Status::Error("truncated nl80211 station info");
  return st;
}

// --- JSON helpers (Go encoding/json semantics for the fields we use) ---

// A Go []byte field: standard base64 with padding (CR/LF ignored).
bool JsonBytes(const nlohmann::json& v, HardwareAddr* out) {
  if (v.is_null()) {
    out->clear();
    return true;
  }
  if (!v.is_string()) return false;
  const std::string& s = v.get_ref<const std::string&>();
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  std::string clean;
  for (char c : s) {
    if (c != '\r' && c != '\n') clean.push_back(c);
  }
  if (clean.size() % 4 != 0) return false;
  out->clear();
  for (size_t i = 0; i < clean.size(); i += 4) {
    int q[4];
    int pad = 0;
    for (int k = 0; k < 4; ++k) {
      char c = clean[i + k];
      if (c == '=') {
        // Padding only at the very end, in the last one or two places.
        if (i + 4 != clean.size() || k < 2) return false;
        q[k] = 0;
        ++pad;
      } else {
        if (pad > 0) return false;
        q[k] = value(c);
        if (q[k] < 0) return false;
      }
    }
    uint32_t n = (static_cast<uint32_t>(q[0]) << 18) | (q[1] << 12) | (q[2] << 6) | q[3];
    out->push_back(static_cast<char>(n >> 16));
    if (pad < 2) out->push_back(static_cast<char>((n >> 8) & 0xff));
    if (pad < 1) out->push_back(static_cast<char>(n & 0xff));
  }
  return true;
}

Status FieldError(const char* file, std::string_view key) {
  return Status::Error(std::string(file) + ": cannot decode field " + std::string(key));
}

template <typename Fn>
Status WithJson(std::string_view json, const char* file, Fn&& fn) {
  try {
    nlohmann::json doc = nlohmann::json::parse(json.begin(), json.end(), nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded()) return Status::Error(std::string(file) + ": invalid JSON");
    return fn(doc);
  } catch (const std::exception& e) {
    return Status::Error(std::string(file) + ": " + e.what());
  }
}

// --- generic netlink ---

// A NETLINK_GENERIC socket kept open across scrapes, for nl80211 requests.
// Request() returns Ok, or an error with *err_no set to the errno the kernel
// (or the socket) reported, 0 for decoding errors.
class GenlSocket {
 public:
  GenlSocket() = default;
  GenlSocket(const GenlSocket&) = delete;
  GenlSocket& operator=(const GenlSocket&) = delete;
  ~GenlSocket() { Close(); }

  void Close() {
    if (nl_ != nullptr) mnl_socket_close(nl_);
    nl_ = nullptr;
  }

  struct AttrOut {
    uint16_t type;
    std::span<const uint8_t> data;
    bool strz = false;
  };

  // fn(std::span<const uint8_t> attrs) -> Status for each reply message.
  template <typename Fn>
  Status Request(uint16_t family, uint8_t cmd, bool dump, std::span<const AttrOut> attrs, int* err_no, Fn&& fn) {
    *err_no = 0;
    if (nl_ == nullptr) {
      nl_ = mnl_socket_open2(NETLINK_GENERIC, SOCK_CLOEXEC);
      if (nl_ == nullptr) return Errno(errno, "netlink socket", err_no);
      if (mnl_socket_bind(nl_, 0, MNL_SOCKET_AUTOPID) < 0) {
        int e = errno;
        Close();
        return Errno(e, "netlink bind", err_no);
      }
      timeval tv{10, 0};
      setsockopt(mnl_socket_get_fd(nl_), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    }
    Status st = RequestOnce(family, cmd, dump, attrs, err_no, fn);
    // A half-read reply must not leak into the next request.
    if (!st.ok() && *err_no != ENOENT) Close();
    return st;
  }

 private:
  static Status Errno(int e, const char* what, int* err_no) {
    *err_no = e;
    return Status::Error(std::string(what) + ": " + std::strerror(e));
  }

  template <typename Fn>
  Status RequestOnce(uint16_t family, uint8_t cmd, bool dump, std::span<const AttrOut> attrs, int* err_no, Fn& fn) {
    if (req_.empty()) req_.resize(1024 / sizeof(uint64_t));
    std::memset(req_.data(), 0, req_.size() * sizeof(uint64_t));
    nlmsghdr* nlh = mnl_nlmsg_put_header(req_.data());
    nlh->nlmsg_type = family;
    nlh->nlmsg_flags = NLM_F_REQUEST | (dump ? NLM_F_DUMP : NLM_F_ACK);
    nlh->nlmsg_seq = ++seq_ == 0 ? ++seq_ : seq_;
    auto* genl = static_cast<genlmsghdr*>(mnl_nlmsg_put_extra_header(nlh, sizeof(genlmsghdr)));
    genl->cmd = cmd;
    genl->version = 1;
    for (const AttrOut& a : attrs) {
      if (a.strz) {
        mnl_attr_put_strz(nlh, a.type, reinterpret_cast<const char*>(a.data.data()));
      } else {
        mnl_attr_put(nlh, a.type, a.data.size(), a.data.data());
      }
    }
    if (mnl_socket_sendto(nl_, nlh, nlh->nlmsg_len) < 0) return Errno(errno, "netlink send", err_no);
    if (buf_.empty()) buf_.resize(32768 / sizeof(uint64_t));
    auto* buf = reinterpret_cast<uint8_t*>(buf_.data());
    const size_t cap = buf_.size() * sizeof(uint64_t);
    for (;;) {
      ssize_t n = mnl_socket_recvfrom(nl_, buf, cap);
      if (n < 0) {
        if (errno == EINTR) continue;
        return Errno(errno, "netlink receive", err_no);
      }
      std::span<const uint8_t> b(buf, static_cast<size_t>(n));
      size_t off = 0;
      while (b.size() - off >= sizeof(nlmsghdr)) {
        nlmsghdr h;
        std::memcpy(&h, b.data() + off, sizeof(h));
        if (h.nlmsg_len < sizeof(nlmsghdr) || h.nlmsg_len > b.size() - off) {
          return Status::Error("truncated netlink message");
        }
        std::span<const uint8_t> payload = b.subspan(off + sizeof(nlmsghdr), h.nlmsg_len - sizeof(nlmsghdr));
        off += std::min<size_t>(MNL_ALIGN(h.nlmsg_len), b.size() - off);
        if (h.nlmsg_seq != seq_) continue;
        if (h.nlmsg_type == NLMSG_DONE || h.nlmsg_type == NLMSG_ERROR) {
          int32_t code = 0;
          if (payload.size() >= sizeof(code)) std::memcpy(&code, payload.data(), sizeof(code));
          if (h.nlmsg_type == NLMSG_ERROR && payload.size() < sizeof(code)) {
            return Status::Error("truncated netlink error");
          }
          if (code < 0 && code > -4096) return Errno(-code, "netlink", err_no);
          if (code != 0) return Status::Error("bad netlink error code");
          return Status::Ok();  // End of dump, or the ACK of a request.
        }
        if (payload.size() < GENL_HDRLEN) return Status::Error("short generic netlink message");
        Status st = fn(payload.subspan(GENL_HDRLEN));
        if (!st.ok()) return st;
      }
    }
  }

  mnl_socket* nl_ = nullptr;
  uint32_t seq_ = 0;
  std::vector<uint64_t> req_;
  std::vector<uint64_t> buf_;
};

class WifiCollector : public Collector {
 public:
  explicit WifiCollector(std::string fixtures) : fixtures_(std::move(fixtures)) {}

  Status Collect(expo::MetricSet& out) override {
    std::lock_guard<std::mutex> lock(mu_);
    return fixtures_.empty() ? CollectNetlink(out) : CollectFixtures(out);
  }

 private:
  void EmitBss(expo::MetricSet& out, std::string_view device, const WifiBss& bss) {
    std::string_view bssid = FormatHardwareAddr(bss.bssid, &mac_buf_);
    out.Add(kStationInfo, 1,
            {{"device", device}, {"bssid", bssid}, {"ssid", bss.ssid}, {"mode", BssStatusMode(bss.status)}});
  }

  void EmitStation(expo::MetricSet& out, std::string_view device, const WifiStation& s) {
    std::string_view mac = FormatHardwareAddr(s.hardware_addr, &mac_buf_);
    const expo::Label labels[] = {{"device", device}, {"mac_address", mac}};
    out.Add(kConnected, DurationSeconds(s.connected_ns), labels);
    out.Add(kInactive, DurationSeconds(s.inactive_ns), labels);
    out.Add(kRxBitrate, static_cast<double>(s.receive_bitrate), labels);
    out.Add(kTxBitrate, static_cast<double>(s.transmit_bitrate), labels);
    out.Add(kRxBytes, static_cast<double>(s.received_bytes), labels);
    out.Add(kTxBytes, static_cast<double>(s.transmitted_bytes), labels);
    out.Add(kSignal, static_cast<double>(s.signal), labels);
    out.Add(kRetries, static_cast<double>(s.transmit_retries), labels);
    out.Add(kFailed, static_cast<double>(s.transmit_failed), labels);
    out.Add(kBeaconLoss, static_cast<double>(s.beacon_loss), labels);
    out.Add(kTxPackets, static_cast<double>(s.transmitted_packets), labels);
    out.Add(kRxPackets, static_cast<double>(s.received_packets), labels);
  }

  Status CollectFixtures(expo::MetricSet& out) {
    Status st = ReadFileOnce(JoinPath(fixtures_, "interfaces.json"), &file_buf_);
    if (st.ok()) st = ParseWifiInterfacesJson(file_buf_, &interfaces_);
    if (!st.ok()) return Status::Error("failed to retrieve wifi interfaces: " + st.message());
    for (const WifiInterface& ifi : interfaces_) {
      if (ifi.name.empty()) continue;
      out.Add(kFrequency, static_cast<double>(ifi.frequency) * 1000 * 1000, {{"device", ifi.name}});
      const std::string dir = JoinPath(fixtures_, ifi.name);
      st = ReadFileOnce(JoinPath(dir, "bss.json"), &file_buf_);
      if (st.ok()) {
        st = ParseWifiBssJson(file_buf_, &bss_);
        if (!st.ok()) return Status::Error("failed to retrieve BSS for device " + ifi.name + ": " + st.message());
        EmitBss(out, ifi.name, bss_);
      } else if (st.code() != StatusCode::kNoData) {
        return Status::Error("failed to retrieve BSS for device " + ifi.name + ": " + st.message());
      }
      st = ReadFileOnce(JoinPath(dir, "stationinfo.json"), &file_buf_);
      if (st.ok()) {
        st = ParseWifiStationsJson(file_buf_, &stations_);
        if (!st.ok()) {
          return Status::Error("failed to retrieve station info for device " + ifi.name + ": " + st.message());
        }
        for (const WifiStation& s : stations_) EmitStation(out, ifi.name, s);
      } else if (st.code() != StatusCode::kNoData) {
        return Status::Error("failed to retrieve station info for device " + ifi.name + ": " + st.message());
      }
    }
    return Status::Ok();
  }

  // Resolves the nl80211 family id. A missing family (no cfg80211) or a
  // denied request is "no data", as node_exporter treats it.
  Status ResolveFamily() {
    int err = 0;
    uint16_t id = 0;
    static constexpr char kName[] = NL80211_GENL_NAME;
    const GenlSocket::AttrOut attrs[] = {
        {CTRL_ATTR_FAMILY_NAME, {reinterpret_cast<const uint8_t*>(kName), sizeof(kName)}, true}};
    Status st = socket_.Request(GENL_ID_CTRL, CTRL_CMD_GETFAMILY, false, attrs, &err,
                                [&id](std::span<const uint8_t> a) -> Status {
                                  rtnl::ForEachAttr(a.data(), a.size(), [&id](const Attr& attr) {
                                    uint16_t v;
                                    if (attr.type == CTRL_ATTR_FAMILY_ID && Fixed(attr, &v)) id = v;
                                  });
                                  return Status::Ok();
                                });
    if (!st.ok()) {
      if (err == ENOENT || err == EPERM || err == EACCES) {
        socket_.Close();
        return Status::NoData("wifi collector metrics are not available for this system: " + st.message());
      }
      return Status::Error("failed to access wifi data: " + st.message());
    }
    if (id == 0) return Status::Error("failed to access wifi data: no nl80211 family id in reply");
    family_ = id;
    return Status::Ok();
  }

  Status CollectNetlink(expo::MetricSet& out) {
    if (family_ == 0) {
      Status st = ResolveFamily();
      if (!st.ok()) return st;
    }
    Status st = CollectNl80211(out);
    // The family id changes when cfg80211 is reloaded: resolve it again.
    if (!st.ok()) family_ = 0;
    return st;
  }

  Status CollectNl80211(expo::MetricSet& out) {
    int err = 0;
    iface_count_ = 0;
    Status st = socket_.Request(family_, NL80211_CMD_GET_INTERFACE, true, {}, &err,
                                [this](std::span<const uint8_t> attrs) -> Status {
                                  if (iface_count_ == interfaces_.size()) interfaces_.emplace_back();
                                  WifiInterface& ifi = interfaces_[iface_count_];
                                  ifi = WifiInterface{};
                                  Status s = DecodeNl80211Interface(attrs, &ifi);
                                  if (s.ok()) ++iface_count_;
                                  return s;
                                });
    if (!st.ok()) return Status::Error("failed to retrieve wifi interfaces: " + st.message());
    for (size_t i = 0; i < iface_count_; ++i) {
      const WifiInterface& ifi = interfaces_[i];
      if (ifi.name.empty()) continue;
      out.Add(kFrequency, static_cast<double>(ifi.frequency) * 1000 * 1000, {{"device", ifi.name}});
      const uint32_t index = static_cast<uint32_t>(ifi.index);
      GenlSocket::AttrOut attrs[2] = {{NL80211_ATTR_IFINDEX, {reinterpret_cast<const uint8_t*>(&index), 4}},
                                      {NL80211_ATTR_MAC,
                                       {reinterpret_cast<const uint8_t*>(ifi.hardware_addr.data()),
                                        ifi.hardware_addr.size()}}};
      std::span<const GenlSocket::AttrOut> request(attrs, ifi.hardware_addr.empty() ? 1 : 2);

      bool found = false;
      st = socket_.Request(family_, NL80211_CMD_GET_SCAN, true, request, &err,
                           [this, &found](std::span<const uint8_t> a) -> Status {
                             if (found) return Status::Ok();
                             WifiBss bss;
                             StatusOr<bool> r = DecodeNl80211Bss(a, &bss);
                             if (!r.ok()) return r.status();
                             if (*r) {
                               bss_ = std::move(bss);
                               found = true;
                             }
                             return Status::Ok();
                           });
      if (st.ok()) {
        if (found) EmitBss(out, ifi.name, bss_);
      } else if (err != ENOENT) {
        return Status::Error("failed to retrieve BSS for device " + ifi.name + ": " + st.message());
      }

      bool missing = false;
      station_count_ = 0;
      st = socket_.Request(family_, NL80211_CMD_GET_STATION, true, request, &err,
                           [this, &missing](std::span<const uint8_t> a) -> Status {
                             if (station_count_ == stations_.size()) stations_.emplace_back();
                             WifiStation& s = stations_[station_count_];
                             s = WifiStation{};
                             StatusOr<bool> r = DecodeNl80211Station(a, &s);
                             if (!r.ok()) return r.status();
                             if (*r) ++station_count_;
                             else missing = true;
                             return Status::Ok();
                           });
      if (st.ok()) {
        if (!missing) {
          for (size_t k = 0; k < station_count_; ++k) EmitStation(out, ifi.name, stations_[k]);
        }
      } else if (err != ENOENT) {
        return Status::Error("failed to retrieve station info for device \"" + ifi.name + "\": " + st.message());
      }
    }
    return Status::Ok();
  }

  std::mutex mu_;
  const std::string fixtures_;
  GenlSocket socket_;
  uint16_t family_ = 0;
  std::vector<WifiInterface> interfaces_;
  size_t iface_count_ = 0;
  WifiBss bss_;
  std::vector<WifiStation> stations_;
  size_t station_count_ = 0;
  std::string file_buf_;
  std::string mac_buf_;
};

}  // namespace

std::string_view FormatHardwareAddr(const HardwareAddr& addr, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->clear();
  for (size_t i = 0; i < addr.size(); ++i) {
    if (i > 0) out->push_back(':');
    auto b = static_cast<uint8_t>(addr[i]);
    out->push_back(kHex[b >> 4]);
    out->push_back(kHex[b & 0xf]);
  }
  return *out;
}

std::string_view BssStatusMode(int64_t status) {
  switch (status) {
    case NL80211_BSS_STATUS_AUTHENTICATED:
    case NL80211_BSS_STATUS_ASSOCIATED:
      return "client";
    case NL80211_BSS_STATUS_IBSS_JOINED:
      return "ad-hoc";
    default:
      return "unknown";
  }
}

Status DecodeNl80211Interface(std::span<const uint8_t> attrs, WifiInterface* out) {
  Status st;
  bool ok = rtnl::ForEachAttr(attrs.data(), attrs.size(), [&](const Attr& a) {
    if (!st.ok()) return;
    uint32_t u32;
    switch (a.type) {
      case NL80211_ATTR_IFINDEX:
        if (!Fixed(a, &u32)) st = BadAttr("NL80211_ATTR_IFINDEX");
        else out->index = u32;
        break;
      case NL80211_ATTR_IFNAME:
        out->name.assign(rtnl::AttrString(a));
        break;
      case NL80211_ATTR_MAC:
        out->hardware_addr.assign(reinterpret_cast<const char*>(a.payload.data()), a.payload.size());
        break;
      case NL80211_ATTR_IFTYPE:
        if (!Fixed(a, &u32)) st = BadAttr("NL80211_ATTR_IFTYPE");
        else out->type = u32;
        break;
      case NL80211_ATTR_WIPHY_FREQ:
        if (!Fixed(a, &u32)) st = BadAttr("NL80211_ATTR_WIPHY_FREQ");
        else out->frequency = u32;
        break;
      default:
        break;
    }
  });
  if (!ok) return Status::Error("truncated nl80211 interface message");
  return st;
}

StatusOr<bool> DecodeNl80211Bss(std::span<const uint8_t> attrs, WifiBss* out) {
  Status st;
  bool found = false;
  bool ok = rtnl::ForEachAttr(attrs.data(), attrs.size(), [&](const Attr& a) {
    if (!st.ok() || found || a.type != NL80211_ATTR_BSS) return;
    bool has_status = false;
    if (!rtnl::ForEachAttr(a.payload.data(), a.payload.size(),
                           [&](const Attr& n) { has_status |= n.type == NL80211_BSS_STATUS; })) {
      st = Status::Error("truncated nl80211 BSS attributes");
      return;
    }
    if (!has_status) return;
    WifiBss bss;
    rtnl::ForEachAttr(a.payload.data(), a.payload.size(), [&](const Attr& n) {
      if (!st.ok()) return;
      uint32_t u32;
      switch (n.type) {
        case NL80211_BSS_BSSID:
          bss.bssid.assign(reinterpret_cast<const char*>(n.payload.data()), n.payload.size());
          break;
        case NL80211_BSS_STATUS:
          if (!Fixed(n, &u32)) st = BadAttr("NL80211_BSS_STATUS");
          else bss.status = u32;
          break;
        case NL80211_BSS_INFORMATION_ELEMENTS:
          st = ParseSsidFromIes(n.payload, &bss.ssid);
          break;
        default:
          break;
      }
    });
    if (st.ok()) {
      *out = std::move(bss);
      found = true;
    }
  });
  if (!ok) return Status::Error("truncated nl80211 scan message");
  if (!st.ok()) return st;
  return found;
}

StatusOr<bool> DecodeNl80211Station(std::span<const uint8_t> attrs, WifiStation* out) {
  Status st;
  bool found = false;
  bool ok = rtnl::ForEachAttr(attrs.data(), attrs.size(), [&](const Attr& a) {
    if (!st.ok() || found) return;
    if (a.type == NL80211_ATTR_MAC) {
      out->hardware_addr.assign(reinterpret_cast<const char*>(a.payload.data()), a.payload.size());
    } else if (a.type == NL80211_ATTR_STA_INFO) {
      st = ParseStaInfo(a.payload, out);
      found = true;
    }
  });
  if (!ok) return Status::Error("truncated nl80211 station message");
  if (!st.ok()) return st;
  return found;
}

Status ParseWifiInterfacesJson(std::string_view json, std::vector<WifiInterface>* out) {
  out->clear();
  Status st = WithJson(json, "interfaces.json", [out](const nlohmann::json& doc) -> Status {
    if (doc.is_null()) return Status::Ok();
    if (!doc.is_array()) return Status::Error("interfaces.json: not a JSON array");
    for (const nlohmann::json& e : doc) {
      if (e.is_null()) continue;
      if (!e.is_object()) return Status::Error("interfaces.json: entry is not an object");
      WifiInterface ifi;
      for (auto it = e.begin(); it != e.end(); ++it) {
        const std::string& k = it.key();
        bool ok = true;
        if (GoJsonKeyIs(k, "Index")) ok = GoJsonInt(*it, &ifi.index);
        else if (GoJsonKeyIs(k, "Name")) ok = GoJsonString(*it, &ifi.name);
        else if (GoJsonKeyIs(k, "HardwareAddr")) ok = JsonBytes(*it, &ifi.hardware_addr);
        else if (GoJsonKeyIs(k, "Type")) ok = GoJsonInt(*it, &ifi.type);
        else if (GoJsonKeyIs(k, "Frequency")) ok = GoJsonInt(*it, &ifi.frequency);
        if (!ok) return FieldError("interfaces.json", k);
      }
      out->push_back(std::move(ifi));
    }
    return Status::Ok();
  });
  if (!st.ok()) out->clear();
  return st;
}

Status ParseWifiBssJson(std::string_view json, WifiBss* out) {
  *out = WifiBss{};
  return WithJson(json, "bss.json", [out](const nlohmann::json& doc) -> Status {
    if (doc.is_null()) return Status::Ok();
    if (!doc.is_object()) return Status::Error("bss.json: not a JSON object");
    for (auto it = doc.begin(); it != doc.end(); ++it) {
      const std::string& k = it.key();
      bool ok = true;
      if (GoJsonKeyIs(k, "SSID")) ok = GoJsonString(*it, &out->ssid);
      else if (GoJsonKeyIs(k, "BSSID")) ok = JsonBytes(*it, &out->bssid);
      else if (GoJsonKeyIs(k, "Status")) ok = GoJsonInt(*it, &out->status);
      if (!ok) return FieldError("bss.json", k);
    }
    return Status::Ok();
  });
}

Status ParseWifiStationsJson(std::string_view json, std::vector<WifiStation>* out) {
  out->clear();
  Status st = WithJson(json, "stationinfo.json", [out](const nlohmann::json& doc) -> Status {
    if (doc.is_null()) return Status::Ok();
    if (!doc.is_array()) return Status::Error("stationinfo.json: not a JSON array");
    for (const nlohmann::json& e : doc) {
      if (e.is_null()) continue;
      if (!e.is_object()) return Status::Error("stationinfo.json: entry is not an object");
      WifiStation s;
      for (auto it = e.begin(); it != e.end(); ++it) {
        const std::string& k = it.key();
        bool ok = true;
        if (GoJsonKeyIs(k, "HardwareAddr")) ok = JsonBytes(*it, &s.hardware_addr);
        else if (GoJsonKeyIs(k, "Connected")) ok = GoJsonInt(*it, &s.connected_ns);
        else if (GoJsonKeyIs(k, "Inactive")) ok = GoJsonInt(*it, &s.inactive_ns);
        else if (GoJsonKeyIs(k, "ReceivedBytes")) ok = GoJsonInt(*it, &s.received_bytes);
        else if (GoJsonKeyIs(k, "TransmittedBytes")) ok = GoJsonInt(*it, &s.transmitted_bytes);
        else if (GoJsonKeyIs(k, "ReceivedPackets")) ok = GoJsonInt(*it, &s.received_packets);
        else if (GoJsonKeyIs(k, "TransmittedPackets")) ok = GoJsonInt(*it, &s.transmitted_packets);
        else if (GoJsonKeyIs(k, "ReceiveBitrate")) ok = GoJsonInt(*it, &s.receive_bitrate);
        else if (GoJsonKeyIs(k, "TransmitBitrate")) ok = GoJsonInt(*it, &s.transmit_bitrate);
        else if (GoJsonKeyIs(k, "Signal")) ok = GoJsonInt(*it, &s.signal);
        else if (GoJsonKeyIs(k, "TransmitRetries")) ok = GoJsonInt(*it, &s.transmit_retries);
        else if (GoJsonKeyIs(k, "TransmitFailed")) ok = GoJsonInt(*it, &s.transmit_failed);
        else if (GoJsonKeyIs(k, "BeaconLoss")) ok = GoJsonInt(*it, &s.beacon_loss);
        if (!ok) return FieldError("stationinfo.json", k);
      }
      out->push_back(std::move(s));
    }
    return Status::Ok();
  });
  if (!st.ok()) out->clear();
  return st;
}

StatusOr<std::unique_ptr<Collector>> NewWifiCollector(const Context& ctx) {
  std::string fixtures(procfs_helpers::StringFlagOr(ctx, "collector.wifi.fixtures", ""));
  return std::unique_ptr<Collector>(std::make_unique<WifiCollector>(std::move(fixtures)));
}

}  // namespace nodex::collectors
