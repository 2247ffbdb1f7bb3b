#include "collectors/network_route.h"

#include <linux/rtnetlink.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <string>

#include "collectors/goip.h"
#include "collectors/rtnetlink.h"

namespace nodex::collectors {
namespace {

using expo::Desc;
constexpr expo::MetricType kG = expo::MetricType::kGauge;

constexpr Desc kRouteInfo{"node_network_route_info",
                          "Routing table entries (unicast routes, one series per next hop); always 1.", kG};
constexpr Desc kRoutes{"node_network_routes", "Unicast routes (next hops) leaving through each device.", kG};

Status SetAddr(const rtnl::Attr& a, RouteAddr* out) {
  if (a.payload.size() > sizeof(out->bytes)) return Status::Error("route address attribute too long");
  out->len = static_cast<uint8_t>(a.payload.size());
  std::memcpy(out->bytes, a.payload.data(), a.payload.size());
  return Status::Ok();
}

Status ParseMultipath(std::span<const uint8_t> p, RouteDump* dump, RouteEntry* route) {
  route->hop_begin = static_cast<uint32_t>(dump->hops.size());
  size_t off = 0;
  while (off < p.size()) {
    if (p.size() - off < sizeof(rtnexthop)) return Status::Error("truncated rtnexthop");
    rtnexthop nh;
    std::memcpy(&nh, p.data() + off, sizeof(nh));
    if (nh.rtnh_len < sizeof(rtnexthop) || nh.rtnh_len > p.size() - off) {
      return Status::Error("bad rtnexthop length");
    }
    RouteNextHop hop;
    hop.ifindex = nh.rtnh_ifindex;
    hop.hops = nh.rtnh_hops;
    Status st;
    bool ok = rtnl::ForEachAttr(p.data() + off + sizeof(rtnexthop), nh.rtnh_len - sizeof(rtnexthop),
                                [&](const rtnl::Attr& a) {
                                  if (a.type == RTA_GATEWAY && st.ok()) st = SetAddr(a, &hop.gateway);
                                });
    if (!ok) return Status::Error("truncated next hop attribute");
    if (!st.ok()) return st;
    dump->hops.push_back(hop);
    off += std::min<size_t>(RTNH_ALIGN(nh.rtnh_len), p.size() - off);
  }
  route->hop_count = static_cast<uint32_t>(dump->hops.size()) - route->hop_begin;
  return Status::Ok();
}

Status ParseRoute(std::span<const uint8_t> payload, RouteDump* dump) {
  rtmsg rt;
  if (payload.size() < sizeof(rt)) return Status::Error("truncated rtmsg");
  std::memcpy(&rt, payload.data(), sizeof(rt));
  RouteEntry r;
  r.family = rt.rtm_family;
  r.dst_len = rt.rtm_dst_len;
  r.protocol = rt.rtm_protocol;
  r.type = rt.rtm_type;
  Status st;
  size_t attr_off = NLMSG_ALIGN(sizeof(rtmsg));
  if (attr_off > payload.size()) attr_off = payload.size();
  bool ok = rtnl::ForEachAttr(payload.data() + attr_off, payload.size() - attr_off, [&](const rtnl::Attr& a) {
    if (!st.ok()) return;
    switch (a.type) {
      case RTA_DST:
        st = SetAddr(a, &r.dst);
        break;
      case RTA_PREFSRC:
        st = SetAddr(a, &r.prefsrc);
        break;
      case RTA_GATEWAY:
        st = SetAddr(a, &r.gateway);
        break;
      case RTA_OIF:
        if (a.payload.size() < 4) st = Status::Error("short RTA_OIF");
        r.oif = rtnl::AttrU32(a);
        break;
      case RTA_PRIORITY:
        if (a.payload.size() < 4) st = Status::Error("short RTA_PRIORITY");
        r.priority = rtnl::AttrU32(a);
        break;
      case RTA_MULTIPATH:
        st = ParseMultipath(a.payload, dump, &r);
        break;
      default:
        break;
    }
  });
  if (!ok) return Status::Error("truncated route attribute");
  if (!st.ok()) return st;
  dump->routes.push_back(r);
  return Status::Ok();
}

void AppendDecimal(uint64_t v, std::string* out) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  out->append(buf, end);
}

// One route_info series being built: its labels and a key for dedup.
struct Series {
  std::string device, src, dest, gw, priority, weight;
  std::string_view proto;
  std::string key;
};

class NetworkRouteCollector : public Collector {
 public:
  Status Collect(expo::MetricSet& out) override {
    num_links_ = 0;
    static const rtnl::LinkDumpRequest kNamesOnly(/*skip_stats=*/true);
    Status st = socket_.Dump(RTM_GETLINK, kNamesOnly.header(), [this](std::span<const uint8_t> buf, uint32_t seq) {
      return rtnl::DecodeLinkNames(buf, seq, &links_, &num_links_);
    });
    if (!st.ok()) return Status::Error("couldn't get links: " + st.message());
    dump_.Clear();
    st = socket_.Dump(RTM_GETROUTE, sizeof(rtmsg), AF_UNSPEC, [this](std::span<const uint8_t> buf, uint32_t seq) {
      return ParseRouteBuffer(buf, seq, &dump_);
    });
    if (!st.ok()) return Status::Error("couldn't get routes: " + st.message());

    // Interface index -> name; the first link with an index wins, as in
    // node_exporter's linear search.
    by_index_.clear();
    for (size_t i = 0; i < num_links_; ++i) by_index_.push_back(static_cast<uint32_t>(i));
    std::stable_sort(by_index_.begin(), by_index_.end(),
                     [this](uint32_t a, uint32_t b) { return links_[a].ifindex < links_[b].ifindex; });

    num_series_ = 0;
    for (const RouteEntry& r : dump_.routes) {
      if (r.type != RTN_UNICAST) continue;
      if (r.hop_count > 0) {
        for (uint32_t h = r.hop_begin; h < r.hop_begin + r.hop_count; ++h) {
          const RouteNextHop& hop = dump_.hops[h];
          AddSeries(r, static_cast<uint32_t>(hop.ifindex), hop.gateway, true, hop.hops);
        }
      } else {
        AddSeries(r, r.oif, r.gateway, false, 0);
      }
    }
    // A repeated label set (the same route in two tables) would be a
    // duplicate series; node_exporter's registry keeps the first one.
    order_.clear();
    for (size_t i = 0; i < num_series_; ++i) order_.push_back(static_cast<uint32_t>(i));
    std::stable_sort(order_.begin(), order_.end(),
                     [this](uint32_t a, uint32_t b) { return series_[a].key < series_[b].key; });
    for (size_t i = 0; i < order_.size(); ++i) {
      const Series& s = series_[order_[i]];
      if (i > 0 && series_[order_[i - 1]].key == s.key) continue;
      out.Add(kRouteInfo, 1,
              {{"device", s.device}, {"src", s.src}, {"dest", s.dest}, {"gw", s.gw}, {"priority", s.priority},
               {"proto", s.proto}, {"weight", s.weight}});
    }
    // Routes per device count every next hop, duplicates included.
    std::stable_sort(order_.begin(), order_.end(),
                     [this](uint32_t a, uint32_t b) { return series_[a].device < series_[b].device; });
    for (size_t i = 0; i < order_.size();) {
      size_t j = i;
      while (j < order_.size() && series_[order_[j]].device == series_[order_[i]].device) ++j;
      out.Add(kRoutes, static_cast<double>(j - i), {{"device", series_[order_[i]].device}});
      i = j;
    }
    return Status::Ok();
  }

 private:
  std::string_view LinkNameFor(uint32_t index) const {
    auto it = std::lower_bound(by_index_.begin(), by_index_.end(), index, [this](uint32_t slot, uint32_t idx) {
      return static_cast<uint32_t>(links_[slot].ifindex) < idx;
    });
    if (it == by_index_.end() || static_cast<uint32_t>(links_[*it].ifindex) != index) return {};
    return links_[*it].name;
  }

  void AddSeries(const RouteEntry& r, uint32_t ifindex, const RouteAddr& gw, bool multipath, uint8_t hops) {
    if (num_series_ == series_.size()) series_.emplace_back();
    Series& s = series_[num_series_++];
    s.device.assign(LinkNameFor(ifindex));
    s.src.clear();
    AppendRouteAddr(r.prefsrc, &s.src);
    s.dest.clear();
    AppendRouteDest(r.dst, r.dst_len, &s.dest);
    s.gw.clear();
    AppendRouteAddr(gw, &s.gw);
    s.priority.clear();
    AppendDecimal(r.priority, &s.priority);
    s.proto = RouteProtocolName(r.protocol);
    s.weight.clear();
    if (multipath) AppendDecimal(static_cast<uint64_t>(hops) + 1, &s.weight);
    s.key.clear();
    for (std::string_view part : {std::string_view(s.device), std::string_view(s.src), std::string_view(s.dest),
                                  std::string_view(s.gw), std::string_view(s.priority), s.proto,
                                  std::string_view(s.weight)}) {
      s.key.append(part);
      s.key.push_back('\0');
    }
  }

  rtnl::Socket socket_;
  std::vector<rtnl::LinkName> links_;
  size_t num_links_ = 0;
  std::vector<uint32_t> by_index_;
  RouteDump dump_;
  std::vector<Series> series_;
  size_t num_series_ = 0;
  std::vector<uint32_t> order_;
};

}  // namespace

StatusOr<bool> ParseRouteBuffer(std::span<const uint8_t> buffer, uint32_t seq, RouteDump* dump) {
  return rtnl::WalkDump(buffer, seq, [dump](uint16_t type, std::span<const uint8_t> payload) -> Status {
    if (type != RTM_NEWROUTE) return Status::Ok();
    return ParseRoute(payload, dump);
  });
}

void AppendRouteAddr(const RouteAddr& addr, std::string* out) {
  if (addr.len == 0) return;
  goip::AppendIp(addr.bytes, addr.len, out);
}

void AppendRouteDest(const RouteAddr& dst, uint8_t dst_len, std::string* out) {
  if (dst_len == 0) {
    out->append("default");
    return;
  }
  static constexpr uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  const uint8_t* ip = dst.bytes;
  size_t len = dst.len;
  // Go: the mask is IPv4-sized when ip.To4() != nil, and IPNet.String()
  // prints the address unmasked.
  if (len == 16 && std::memcmp(ip, kMapped, 12) == 0) {
    ip += 12;
    len = 4;
  }
  size_t bits = len == 4 ? 32 : 128;
  if ((len != 4 && len != 16) || dst_len > bits) {
    out->append("<nil>");
    return;
  }
  goip::AppendIp(ip, len, out);
  out->push_back('/');
  AppendDecimal(dst_len, out);
}

std::string_view RouteProtocolName(uint8_t protocol) {
  switch (protocol) {
    case 0: return "unspec";
    case 1: return "redirect";
    case 2: return "kernel";
    case 3: return "boot";
    case 4: return "static";
    case 8: return "gated";
    case 9: return "ra";
    case 10: return "mrt";
    case 11: return "zebra";
    case 12: return "bird";
    case 13: return "dnrouted";
    case 14: return "xorp";
    case 15: return "ntk";
    case 16: return "dhcp";
    case 17: return "mrouted";
    case 42: return "babel";
    case 186: return "bgp";
    case 187: return "isis";
    case 188: return "ospf";
    case 189: return "rip";
    case 192: return "eigrp";
    default: return "unknown";
  }
}

StatusOr<std::unique_ptr<Collector>> NewNetworkRouteCollector(const Context& ctx) {
  (void)ctx;
  return std::unique_ptr<Collector>(std::make_unique<NetworkRouteCollector>());
}

}  // namespace nodex::collectors
