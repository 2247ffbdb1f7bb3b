#include "collectors/network_route.h"

#include <gtest/gtest.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "collectors/rtnetlink.h"
#include "collectors/testing/scratch.h"

namespace nodex::collectors {
namespace {

// Builds netlink messages: header, fixed struct, then attributes.
class MessageBuilder {
 public:
  void Begin(uint16_t type, uint32_t seq, const void* fixed, size_t len) {
    start_ = buf_.size();
    nlmsghdr h{};
    h.nlmsg_type = type;
    h.nlmsg_seq = seq;
    h.nlmsg_flags = NLM_F_MULTI;
    Append(&h, sizeof(h));
    Append(fixed, len);
  }
  void Attr(uint16_t type, const void* data, size_t len) {
    nlattr a{static_cast<uint16_t>(NLA_HDRLEN + len), type};
    Append(&a, sizeof(a));
    Append(data, len);
  }
  void Raw(const void* data, size_t len) { Append(data, len); }
  void End() {
    uint32_t len = static_cast<uint32_t>(buf_.size() - start_);
    std::memcpy(buf_.data() + start_, &len, 4);
  }
  void Done(uint32_t seq) {
    int32_t zero = 0;
    Begin(NLMSG_DONE, seq, &zero, 4);
    End();
  }
  std::vector<uint8_t>& bytes() { return buf_; }

 private:
  void Append(const void* p, size_t len) {
    const auto* b = static_cast<const uint8_t*>(p);
    buf_.insert(buf_.end(), b, b + len);
    while (buf_.size() % 4 != 0) buf_.push_back(0);
  }
  std::vector<uint8_t> buf_;
  size_t start_ = 0;
};

RouteAddr V4(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
  RouteAddr r;
  r.len = 4;
  r.bytes[0] = a;
  r.bytes[1] = b;
  r.bytes[2] = c;
  r.bytes[3] = d;
  return r;
}

std::string Dest(const RouteAddr& a, uint8_t len) {
  std::string s;
  AppendRouteDest(a, len, &s);
  return s;
}

TEST(RouteLabelsTest, DestAndProtocol) {
  EXPECT_EQ(Dest(V4(10, 1, 2, 3), 8), "10.1.2.3/8");  // Go prints the address unmasked
  EXPECT_EQ(Dest(V4(0, 0, 0, 0), 0), "default");
  EXPECT_EQ(Dest(V4(10, 0, 0, 0), 33), "<nil>");
  RouteAddr v6;
  v6.len = 16;
  v6.bytes[0] = 0x20;
  v6.bytes[1] = 0x01;
  v6.bytes[2] = 0x0d;
  v6.bytes[3] = 0xb8;
  EXPECT_EQ(Dest(v6, 64), "2001:db8::/64");
  EXPECT_EQ(Dest(RouteAddr{}, 24), "<nil>");
  std::string s;
  AppendRouteAddr(RouteAddr{}, &s);
  EXPECT_EQ(s, "");
  EXPECT_EQ(RouteProtocolName(2), "kernel");
  EXPECT_EQ(RouteProtocolName(186), "bgp");
  EXPECT_EQ(RouteProtocolName(99), "unknown");
}

TEST(ParseRouteBufferTest, UnicastAndMultipath) {
  MessageBuilder m;
  rtmsg rt{};
  rt.rtm_family = AF_INET;
  rt.rtm_dst_len = 24;
  rt.rtm_protocol = 4;
  rt.rtm_type = RTN_UNICAST;
  m.Begin(RTM_NEWROUTE, 3, &rt, sizeof(rt));
  uint8_t dst[4] = {198, 19, 0, 0}, gw[4] = {198, 18, 0, 2};
  uint32_t oif = 7, prio = 5;
  m.Attr(RTA_DST, dst, 4);
  m.Attr(RTA_GATEWAY, gw, 4);
  m.Attr(RTA_OIF, &oif, 4);
  m.Attr(RTA_PRIORITY, &prio, 4);
  m.End();
  // Multipath: two next hops, each with a gateway attribute.
  m.Begin(RTM_NEWROUTE, 3, &rt, sizeof(rt));
  m.Attr(RTA_DST, dst, 4);
  std::vector<uint8_t> mp;
  for (uint8_t i = 0; i < 2; ++i) {
    rtnexthop nh{};
    nh.rtnh_len = sizeof(rtnexthop) + NLA_HDRLEN + 4;
    nh.rtnh_hops = static_cast<uint8_t>(i * 2);
    nh.rtnh_ifindex = 7 + i;
    nlattr a{NLA_HDRLEN + 4, RTA_GATEWAY};
    uint8_t g[4] = {198, 18, 0, static_cast<uint8_t>(2 + i)};
    mp.insert(mp.end(), reinterpret_cast<uint8_t*>(&nh), reinterpret_cast<uint8_t*>(&nh) + sizeof(nh));
    mp.insert(mp.end(), reinterpret_cast<uint8_t*>(&a), reinterpret_cast<uint8_t*>(&a) + sizeof(a));
    mp.insert(mp.end(), g, g + 4);
  }
  m.Attr(RTA_MULTIPATH, mp.data(), mp.size());
  m.End();
  m.Done(3);
  RouteDump dump;
  StatusOr<bool> done = ParseRouteBuffer(m.bytes(), 3, &dump);
  ASSERT_TRUE(done.ok()) << done.status().message();
  EXPECT_TRUE(*done);
  ASSERT_EQ(dump.routes.size(), 2u);
  EXPECT_EQ(dump.routes[0].oif, 7u);
  EXPECT_EQ(dump.routes[0].priority, 5u);
  EXPECT_EQ(dump.routes[0].gateway.len, 4);
  EXPECT_EQ(dump.routes[0].hop_count, 0u);
  ASSERT_EQ(dump.routes[1].hop_count, 2u);
  EXPECT_EQ(dump.hops[1].ifindex, 8);
  EXPECT_EQ(dump.hops[1].hops, 2);
  EXPECT_EQ(dump.hops[1].gateway.bytes[3], 3);
}

TEST(ParseRouteBufferTest, RejectsMalformed) {
  rtmsg rt{};
  rt.rtm_type = RTN_UNICAST;
  RouteDump dump;
  {
    MessageBuilder m;  // short RTA_OIF
    m.Begin(RTM_NEWROUTE, 1, &rt, sizeof(rt));
    uint16_t two = 2;
    m.Attr(RTA_OIF, &two, 2);
    m.End();
    EXPECT_FALSE(ParseRouteBuffer(m.bytes(), 1, &dump).ok());
  }
  {
    MessageBuilder m;  // address longer than 16 bytes
    m.Begin(RTM_NEWROUTE, 1, &rt, sizeof(rt));
    uint8_t big[20] = {};
    m.Attr(RTA_DST, big, sizeof(big));
    m.End();
    EXPECT_FALSE(ParseRouteBuffer(m.bytes(), 1, &dump).ok());
  }
  {
    MessageBuilder m;  // next hop length past the attribute
    m.Begin(RTM_NEWROUTE, 1, &rt, sizeof(rt));
    rtnexthop nh{};
    nh.rtnh_len = 200;
    m.Attr(RTA_MULTIPATH, &nh, sizeof(nh));
    m.End();
    EXPECT_FALSE(ParseRouteBuffer(m.bytes(), 1, &dump).ok());
  }
  {
    MessageBuilder m;  // truncated rtmsg
    uint8_t half[6] = {};
    m.Begin(RTM_NEWROUTE, 1, half, sizeof(half));
    m.End();
    EXPECT_FALSE(ParseRouteBuffer(m.bytes(), 1, &dump).ok());
  }
  {
    MessageBuilder m;  // attribute running past the message
    m.Begin(RTM_NEWROUTE, 1, &rt, sizeof(rt));
    nlattr a{100, RTA_DST};
    m.Raw(&a, sizeof(a));
    m.End();
    EXPECT_FALSE(ParseRouteBuffer(m.bytes(), 1, &dump).ok());
  }
}

TEST(DecodeLinkNamesTest, NamesAndTruncation) {
  MessageBuilder m;
  ifinfomsg ifi{};
  ifi.ifi_index = 3;
  m.Begin(RTM_NEWLINK, 9, &ifi, sizeof(ifi));
  m.Attr(IFLA_IFNAME, "veth0", 6);
  m.End();
  std::vector<rtnl::LinkName> links;
  size_t count = 0;
  StatusOr<bool> done = rtnl::DecodeLinkNames(m.bytes(), 9, &links, &count);
  ASSERT_TRUE(done.ok());
  ASSERT_EQ(count, 1u);
  EXPECT_EQ(links[0].ifindex, 3);
  EXPECT_EQ(links[0].name, "veth0");
  std::vector<uint8_t> cut = m.bytes();
  cut.resize(cut.size() - 4);
  count = 0;
  EXPECT_FALSE(rtnl::DecodeLinkNames(cut, 9, &links, &count).ok());
}

// Runs the collector in a fresh network namespace with known routes. The
// checks run in a forked child (namespaces are per thread/process); it exits
// 77 when namespaces or veth are unavailable.
std::string CheckInNamespace() {
  if (unshare(CLONE_NEWNET) != 0) return "SKIP unshare";
  const char* setup =
      "ip link set lo up && ip link add v0 type veth peer name v1 && ip link set v0 up && ip link set v1 up && "
      "ip addr add 198.18.0.1/24 dev v0 && "
      "ip route add 198.19.0.0/24 via 198.18.0.2 dev v0 proto static metric 5 && "
      "ip route add 198.19.1.0/24 proto bird nexthop via 198.18.0.2 dev v0 weight 1 "
      "nexthop via 198.18.0.3 dev v0 weight 3 && "
      "ip route add 198.19.2.0/24 via 198.18.0.2 dev v0 table 100";  // same labels as no other route
  if (std::system(setup) != 0) return "SKIP setup";
  auto c = NewNetworkRouteCollector(Context{});
  if (!c.ok()) return "factory: " + c.status().message();
  expo::MetricSet set;
  Status st = c.value()->Collect(set);
  if (!st.ok()) return "collect: " + st.message();
  std::string errors;
  auto expect = [&](std::initializer_list<expo::Label> labels, const char* what) {
    if (set.Find("node_network_route_info", labels) != 1) errors += std::string("missing ") + what + "\n";
  };
  expect({{"device", "v0"}, {"src", "198.18.0.1"}, {"dest", "198.18.0.0/24"}, {"gw", ""}, {"priority", "0"},
          {"proto", "kernel"}, {"weight", ""}},
         "connected route");
  expect({{"device", "v0"}, {"src", ""}, {"dest", "198.19.0.0/24"}, {"gw", "198.18.0.2"}, {"priority", "5"},
          {"proto", "static"}, {"weight", ""}},
         "static route");
  expect({{"device", "v0"}, {"dest", "198.19.1.0/24"}, {"gw", "198.18.0.2"}, {"proto", "bird"}, {"weight", "1"}},
         "first next hop");
  expect({{"device", "v0"}, {"dest", "198.19.1.0/24"}, {"gw", "198.18.0.3"}, {"proto", "bird"}, {"weight", "3"}},
         "second next hop");
  expect({{"device", "v0"}, {"dest", "198.19.2.0/24"}, {"proto", "boot"}}, "route in table 100");
  // Local and broadcast routes (table local) are not unicast.
  if (!std::isnan(set.Find("node_network_route_info", {{"dest", "127.0.0.1/32"}}))) errors += "local route exported\n";
  // v0: 4 IPv4 next hops + IPv6 prefix routes; every route_info counted.
  double v0 = set.Find("node_network_routes", {{"device", "v0"}});
  if (!(v0 >= 5)) errors += "node_network_routes{v0} = " + std::to_string(v0) + "\n";
  size_t info = set.Count("node_network_route_info");
  double total = 0;
  for (const auto& s : set.samples()) {
    if (set.families()[s.family].name == "node_network_routes") total += s.value;
  }
  if (total != static_cast<double>(info)) errors += "routes total != route_info count\n";
  // A second scrape on the kept-open socket sees the same.
  set.Clear();
  st = c.value()->Collect(set);
  if (!st.ok() || set.Count("node_network_route_info") != info) errors += "second scrape differs\n";
  return errors;
}

TEST(NetworkRouteCollectorTest, ReportsRoutesOfAFreshNamespace) {
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    std::string errors = CheckInNamespace();
    if (errors.rfind("SKIP", 0) == 0) _exit(77);
    if (!errors.empty()) std::fprintf(stderr, "%s", errors.c_str());
    _exit(errors.empty() ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  if (WEXITSTATUS(status) == 77) GTEST_SKIP() << "network namespaces or veth not available";
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

}  // namespace
}  // namespace nodex::collectors
