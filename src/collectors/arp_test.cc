#include "collectors/arp.h"

#include <gtest/gtest.h>
#include <libmnl/libmnl.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <cmath>
#include <string>
#include <vector>

#include "base/file_reader.h"
#include "collectors/rtnetlink.h"
#include "collectors/testing/kit.h"
#include "collectors/testing/scratch.h"

namespace nodex::collectors {
namespace {

using testing::MustCreate;
using testing::ReadTestdata;
using testing::ScratchTree;

constexpr std::string_view kHeader = "IP address       HW type     Flags       HW address            Mask     Device\n";

TEST(ParseProcNetArpTest, CountsEntries) {
  std::string content(kHeader);
  content +=
      "192.168.1.1    0x1         0x2         cc:aa:dd:ee:aa:bb     *        eth0\n"
      "192.168.1.2    0x1         0x0         00:00:00:00:00:00     *        eth0\n"
      "10.0.0.1       0x20        0x6         80:00:02:08:fe:80:00:00:00:00:00:00:00:02:c9:03:00:0f:11:22     *  ib0\n"
      "\n";
  std::vector<std::string_view> devices;
  Status st = ParseProcNetArp(content, &devices);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(devices, (std::vector<std::string_view>{"eth0", "eth0", "ib0"}));
}

TEST(ParseProcNetArpTest, RealCaptureFromThisMachine) {
  std::vector<std::string_view> devices;
  std::string content = ReadTestdata("src/collectors/testdata/arp/proc_net_arp_real");
  ASSERT_TRUE(ParseProcNetArp(content, &devices).ok());
  EXPECT_EQ(devices.size(), 1u);
}

TEST(ParseProcNetArpTest, RejectsMalformed) {
  std::vector<std::string_view> devices;
  for (std::string_view row : {
           "192.168.1.1 0x1 0x2 cc:aa:dd:ee:aa:bb *\n",           // 5 fields
           "192.168.1.1 0x1 0x2 cc:aa:dd:ee:aa:bb * eth0 x\n",    // 7 fields
           "192.168.1.1 0x1 0x2 cc:aa:dd:ee:aa *        eth0\n",  // 5-octet MAC
           "192.168.1.1 0x1 0x2 cc:aa:dd-ee:aa:bb * eth0\n",      // mixed separators
           "192.168.1.1 0x1 0x2 cc:aa:dd:ee:aa:zz * eth0\n",      // non-hex
           "192.168.1.1 0x1 0x100 cc:aa:dd:ee:aa:bb * eth0\n",    // flags > 255
           "192.168.1.1 0x1 two cc:aa:dd:ee:aa:bb * eth0\n",      // flags not a number
       }) {
    std::string content(kHeader);
    content += row;
    EXPECT_FALSE(ParseProcNetArp(content, &devices).ok()) << row;
  }
  EXPECT_TRUE(ParseProcNetArp("1.2.3.4 0x1 2 ccaa.ddee.aabb * eth0\n", &devices).ok());  // dotted MAC
  EXPECT_TRUE(ParseProcNetArp("", &devices).ok());
  EXPECT_TRUE(devices.empty());
}

class DumpBuilder {
 public:
  nlmsghdr* Begin(uint16_t type) {
    scratch_.assign(4096 / 8, 0);
    nlmsghdr* nlh = mnl_nlmsg_put_header(scratch_.data());
    nlh->nlmsg_type = type;
    nlh->nlmsg_flags = NLM_F_MULTI;
    nlh->nlmsg_seq = 1;
    return nlh;
  }
  void Neigh(uint8_t family, int ifindex, uint16_t state) {
    nlmsghdr* nlh = Begin(RTM_NEWNEIGH);
    auto* nd = static_cast<ndmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(ndmsg)));
    nd->ndm_family = family;
    nd->ndm_ifindex = ifindex;
    nd->ndm_state = state;
    mnl_attr_put_u32(nlh, NDA_DST, 0x0100a8c0);
    Commit(nlh);
  }
  void Link(int index, const char* name) {
    nlmsghdr* nlh = Begin(RTM_NEWLINK);
    auto* ifi = static_cast<ifinfomsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(ifinfomsg)));
    ifi->ifi_index = index;
    if (name != nullptr) mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
    Commit(nlh);
  }
  void Commit(nlmsghdr* nlh) { bytes_.append(reinterpret_cast<const char*>(nlh), MNL_ALIGN(nlh->nlmsg_len)); }
  void Done() { Commit(Begin(NLMSG_DONE)); }
  std::span<const uint8_t> bytes() const { return {reinterpret_cast<const uint8_t*>(bytes_.data()), bytes_.size()}; }
  std::string bytes_;

 private:
  std::vector<uint64_t> scratch_;
};

TEST(DecodeNeighDumpTest, SkipsNoarpAndOtherFamilies) {
  DumpBuilder b;
  b.Neigh(AF_INET, 2, NUD_REACHABLE);
  b.Neigh(AF_INET, 2, NUD_STALE);
  b.Neigh(AF_INET, 1, NUD_NOARP);  // loopback-style entries are not ARP
  b.Neigh(AF_INET6, 2, NUD_REACHABLE);
  b.Neigh(AF_INET, 3, NUD_PERMANENT);
  b.Done();
  std::vector<Neighbour> out;
  StatusOr<bool> done = DecodeNeighDump(b.bytes(), 1, &out);
  ASSERT_TRUE(done.ok()) << done.status().message();
  EXPECT_TRUE(*done);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].ifindex, 2);
  EXPECT_EQ(out[2].state, NUD_PERMANENT);
}

TEST(DecodeNeighDumpTest, RejectsMalformed) {
  std::vector<Neighbour> out;
  DumpBuilder b;
  nlmsghdr* m = b.Begin(RTM_NEWNEIGH);
  mnl_nlmsg_put_extra_header(m, 4);  // shorter than ndmsg
  b.Commit(m);
  EXPECT_FALSE(DecodeNeighDump(b.bytes(), 1, &out).ok());
  DumpBuilder t;
  t.Neigh(AF_INET, 2, NUD_REACHABLE);
  t.bytes_.resize(t.bytes_.size() - 3);
  EXPECT_FALSE(DecodeNeighDump(t.bytes(), 1, &out).ok());
}

TEST(DecodeNeighDumpTest, RealDumpFromThisMachine) {
  std::string data;
  ASSERT_TRUE(ReadFileOnce("src/collectors/testdata/arp/rtm_getneigh_dump_seq1.bin", &data).ok());
  std::vector<Neighbour> out;
  StatusOr<bool> done = DecodeNeighDump({reinterpret_cast<const uint8_t*>(data.data()), data.size()}, 1, &out);
  ASSERT_TRUE(done.ok()) << done.status().message();
  EXPECT_TRUE(*done);
  EXPECT_EQ(out.size(), 1u);  // 192.0.2.1 on eth0, as /proc/net/arp showed
}

TEST(DecodeLinkNamesTest, NamesAndMissingName) {
  DumpBuilder b;
  b.Link(1, "lo");
  b.Link(7, nullptr);
  b.Done();
  std::vector<rtnl::LinkName> out;
  size_t count = 0;
  StatusOr<bool> done = rtnl::DecodeLinkNames(b.bytes(), 1, &out, &count);
  ASSERT_TRUE(done.ok());
  ASSERT_EQ(count, 2u);
  EXPECT_EQ(out[0].name, "lo");
  EXPECT_EQ(out[1].ifindex, 7);
  EXPECT_EQ(out[1].name, "");
}

TEST(DecodeLinkNamesTest, NextDumpReusesSlotsAndStrings) {
  // Longer than any real interface name, so the string lives on the heap.
  const std::string long_name(40, 'a');
  DumpBuilder first;
  first.Link(1, long_name.c_str());
  first.Link(2, "eth0");
  std::vector<rtnl::LinkName> out;
  size_t count = 0;
  ASSERT_TRUE(rtnl::DecodeLinkNames(first.bytes(), 1, &out, &count).ok());
  ASSERT_EQ(count, 2u);
  const char* heap = out[0].name.data();
  DumpBuilder second;
  second.Link(9, std::string(30, 'b').c_str());
  second.Link(4, nullptr);  // an absent name must not keep the old "eth0"
  count = 0;
  ASSERT_TRUE(rtnl::DecodeLinkNames(second.bytes(), 1, &out, &count).ok());
  ASSERT_EQ(count, 2u);
  EXPECT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].ifindex, 9);
  EXPECT_EQ(out[0].name, std::string(30, 'b'));
  EXPECT_EQ(out[0].name.data(), heap);
  EXPECT_EQ(out[1].ifindex, 4);
  EXPECT_EQ(out[1].name, "");
}

TEST(ArpCollectorTest, ProcFileWithFilters) {
  ScratchTree tree("arp");
  tree.Write("net/arp", std::string(kHeader) +
                            "10.0.0.1 0x1 0x2 cc:aa:dd:ee:aa:bb * eth0\n"
                            "10.0.0.2 0x1 0x2 cc:aa:dd:ee:aa:bc * eth0\n"
                            "10.0.0.3 0x1 0x2 cc:aa:dd:ee:aa:bd * veth12\n");
  FlagValues flags;
  flags.Set("collector.arp.netlink", "false");
  flags.Set("collector.arp.device-exclude", "^veth");
  auto c = MustCreate(NewArpCollector, testing::ProcContext(tree.root(), &flags));
  ASSERT_NE(c, nullptr);
  expo::MetricSet set;
  ASSERT_TRUE(c->Collect(set).ok());
  EXPECT_EQ(set.Find("node_arp_entries", {{"device", "eth0"}}), 2);
  EXPECT_EQ(set.Count("node_arp_entries"), 1u);

  FlagValues include;
  include.Set("collector.arp.netlink", "false");
  include.Set("collector.arp.device-include", "veth");
  auto only = MustCreate(NewArpCollector, testing::ProcContext(tree.root(), &include));
  set.Clear();
  ASSERT_TRUE(only->Collect(set).ok());
  EXPECT_EQ(set.Find("node_arp_entries", {{"device", "veth12"}}), 1);
  EXPECT_EQ(set.Count("node_arp_entries"), 1u);
}

TEST(ArpCollectorTest, MissingOrMalformedFails) {
  FlagValues flags;
  flags.Set("collector.arp.netlink", "false");
  ScratchTree empty("arp_none");
  auto none = MustCreate(NewArpCollector, testing::ProcContext(empty.root(), &flags));
  expo::MetricSet set;
  EXPECT_FALSE(none->Collect(set).ok());  // node_exporter fails, too
  ScratchTree tree("arp_bad");
  tree.Write("net/arp", "only three fields\n");
  auto bad = MustCreate(NewArpCollector, testing::ProcContext(tree.root(), &flags));
  EXPECT_EQ(bad->Collect(set).code(), StatusCode::kError);
}

TEST(ArpCollectorTest, BadRegexNamesTheFlag) {
  FlagValues flags;
  flags.Set("collector.arp.device-exclude", "[");
  Context ctx;
  ctx.flags = &flags;
  auto c = NewArpCollector(ctx);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("collector.arp.device-exclude"), std::string::npos);
}

// The names-only link dump arp, qdisc and network_route send: the kernel
// leaves out the per-link IPv6 counters (IFLA_AF_SPEC > AF_INET6 >
// IFLA_INET6_STATS) but still names every link, as a full dump does.
TEST(LinkDumpRequestTest, SkipStatsKeepsNamesDropsIpv6Counters) {
  struct Seen {
    std::vector<std::string> names;
    size_t with_inet6_stats = 0;
  };
  auto dump = [](bool skip_stats, Seen* seen) -> Status {
    rtnl::Socket socket;
    const rtnl::LinkDumpRequest request(skip_stats);
    return socket.Dump(RTM_GETLINK, request.header(), [seen](std::span<const uint8_t> buf, uint32_t seq) {
      return rtnl::WalkDump(buf, seq, [seen](uint16_t type, std::span<const uint8_t> payload) -> Status {
        if (type != RTM_NEWLINK || payload.size() < sizeof(ifinfomsg)) return Status::Ok();
        const size_t off = NLMSG_ALIGN(sizeof(ifinfomsg));
        rtnl::ForEachAttr(payload.data() + off, payload.size() - off, [seen](const rtnl::Attr& a) {
          if (a.type == IFLA_IFNAME) seen->names.emplace_back(rtnl::AttrString(a));
          if (a.type != IFLA_AF_SPEC) return;
          rtnl::ForEachAttr(a.payload.data(), a.payload.size(), [seen](const rtnl::Attr& family) {
            if (family.type != AF_INET6) return;
            rtnl::ForEachAttr(family.payload.data(), family.payload.size(), [seen](const rtnl::Attr& inet6) {
              if (inet6.type == IFLA_INET6_STATS) ++seen->with_inet6_stats;
            });
          });
        });
        return Status::Ok();
      });
    });
  };
  Seen full, names_only;
  Status st = dump(false, &full);
  if (!st.ok()) GTEST_SKIP() << "no rtnetlink here: " << st.message();
  ASSERT_TRUE(dump(true, &names_only).ok());
  ASSERT_FALSE(full.names.empty());
  EXPECT_EQ(names_only.names, full.names);
  EXPECT_EQ(names_only.with_inet6_stats, 0u);
  if (full.with_inet6_stats == 0) GTEST_SKIP() << "IPv6 is off here: no counters to leave out";
}

TEST(ArpCollectorTest, NetlinkMatchesProcNetArpOnThisMachine) {
  Context ctx;
  auto nl = MustCreate(NewArpCollector, ctx);
  ASSERT_NE(nl, nullptr);
  expo::MetricSet a;
  Status st = nl->Collect(a);
  if (!st.ok()) GTEST_SKIP() << "no rtnetlink here: " << st.message();
  FlagValues flags;
  flags.Set("collector.arp.netlink", "false");
  ctx.flags = &flags;
  auto proc = MustCreate(NewArpCollector, ctx);
  expo::MetricSet b;
  ASSERT_TRUE(proc->Collect(b).ok());
  EXPECT_EQ(testing::RenderedLines(a, {"node_arp_entries"}), testing::RenderedLines(b, {"node_arp_entries"}));
}

TEST(ArpCollectorTest, MatchesNodeExporterOnConformanceFixtures) {
  NODEX_REQUIRE_KIT(kit);
  testing::ScopedKitDir cd(kit);
  FlagValues flags;
  flags.Set("collector.arp.device-exclude", "nope");
  flags.Set("collector.arp.netlink", "false");
  Logger log;
  auto c = NewArpCollector(testing::KitContext(&flags, &log));
  ASSERT_TRUE(c.ok());
  expo::MetricSet set;
  ASSERT_TRUE(c.value()->Collect(set).ok());
  const std::vector<std::string> families = {"node_arp_entries"};
  std::vector<std::string> expected = testing::ExpectedLines(kit, families);
  EXPECT_EQ(expected.size(), 3u);
  EXPECT_EQ(testing::RenderedLines(set, families), expected);
}

}  // namespace
}  // namespace nodex::collectors
