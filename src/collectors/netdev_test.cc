#include "collectors/netdev.h"

#include <gtest/gtest.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "base/file_reader.h"
#include "collectors/testing/kit.h"
#include "collectors/testing/scratch.h"

namespace nodex::collectors {
namespace {

using testing::MustCreate;
using testing::ScratchTree;

struct Recorder : LinkSink {
  std::map<std::string, LinkStats> links;
  void OnLink(std::string_view name, const LinkStats& stats) override { links[std::string(name)] = stats; }
};

// Builds netlink dump buffers the way the kernel lays them out.
class DumpBuilder {
 public:
  explicit DumpBuilder(uint32_t seq) : seq_(seq) {}

  nlmsghdr* Link(const char* name, int stats_attr, size_t counters, uint64_t base) {
    nlmsghdr* nlh = Header(RTM_NEWLINK);
    auto* ifi = static_cast<ifinfomsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(ifinfomsg)));
    ifi->ifi_family = AF_UNSPEC;
    if (name != nullptr) mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
    mnl_attr_put_u32(nlh, IFLA_MTU, 1500);
    if (stats_attr == IFLA_STATS64) {
      std::vector<uint64_t> v(counters);
      for (size_t i = 0; i < counters; ++i) v[i] = base + i;
      mnl_attr_put(nlh, IFLA_STATS64, v.size() * 8, v.data());
    } else if (stats_attr == IFLA_STATS) {
      std::vector<uint32_t> v(counters);
      for (size_t i = 0; i < counters; ++i) v[i] = static_cast<uint32_t>(base + i);
      mnl_attr_put(nlh, IFLA_STATS, v.size() * 4, v.data());
    }
    Commit(nlh);
    return nlh;
  }
  void Done() { Commit(Header(NLMSG_DONE)); }
  void Error(int err) {
    nlmsghdr* nlh = Header(NLMSG_ERROR);
    auto* e = static_cast<nlmsgerr*>(mnl_nlmsg_put_extra_header(nlh, sizeof(nlmsgerr)));
    e->error = err;
    Commit(nlh);
  }
  std::span<const uint8_t> bytes() const { return {reinterpret_cast<const uint8_t*>(buf_.data()), used_}; }
  void Truncate(size_t n) { used_ -= n; }
  void set_seq(uint32_t seq) { seq_ = seq; }

 private:
  nlmsghdr* Header(uint16_t type) {
    scratch_.assign(8192 / 8, 0);
    nlmsghdr* nlh = mnl_nlmsg_put_header(scratch_.data());
    nlh->nlmsg_type = type;
    nlh->nlmsg_flags = NLM_F_MULTI;
    nlh->nlmsg_seq = seq_;
    return nlh;
  }
  void Commit(nlmsghdr* nlh) {
    size_t len = MNL_ALIGN(nlh->nlmsg_len);
    buf_.resize((used_ + len + 7) / 8 + 1);
    std::memcpy(reinterpret_cast<uint8_t*>(buf_.data()) + used_, nlh, len);
    used_ += len;
  }

  uint32_t seq_;
  std::vector<uint64_t> scratch_;
  std::vector<uint64_t> buf_;
  size_t used_ = 0;
};

TEST(DecodeLinkDumpTest, Stats64AndStats32Fallback) {
  DumpBuilder b(7);
  b.Link("eth0", IFLA_STATS64, 25, 100);  // 5.18+: rx_otherhost_dropped appended
  b.Link("old0", IFLA_STATS64, 23, 200);  // before 4.6: no rx_nohandler
  b.Link("tun0", IFLA_STATS, 24, 300);
  b.Link("none0", 0, 0, 0);  // no stats: skipped
  b.Done();
  Recorder r;
  StatusOr<bool> done = DecodeLinkDump(b.bytes(), 7, r);
  ASSERT_TRUE(done.ok()) << done.status().message();
  EXPECT_TRUE(*done);
  ASSERT_EQ(r.links.size(), 3u);
  EXPECT_EQ(r.links["eth0"].v[kRxPackets], 100u);
  EXPECT_EQ(r.links["eth0"].v[kRxNohandler], 123u);
  EXPECT_EQ(r.links["old0"].v[kTxCompressed], 222u);
  EXPECT_EQ(r.links["old0"].v[kRxNohandler], 0u);
  EXPECT_EQ(r.links["tun0"].v[kRxBytes], 302u);
}

TEST(DecodeLinkDumpTest, MultiBufferDumpAndForeignSequence) {
  DumpBuilder first(9);
  first.Link("a", IFLA_STATS64, 24, 1);
  first.set_seq(3);  // a stale reply from an earlier request is ignored
  first.Link("stale", IFLA_STATS64, 24, 1);
  Recorder r;
  StatusOr<bool> done = DecodeLinkDump(first.bytes(), 9, r);
  ASSERT_TRUE(done.ok());
  EXPECT_FALSE(*done);
  DumpBuilder second(9);
  second.Link(nullptr, IFLA_STATS64, 24, 1);  // no IFLA_IFNAME: empty name, like node_exporter
  second.Done();
  done = DecodeLinkDump(second.bytes(), 9, r);
  ASSERT_TRUE(done.ok());
  EXPECT_TRUE(*done);
  EXPECT_EQ(r.links.size(), 2u);
  EXPECT_EQ(r.links.count("stale"), 0u);
  EXPECT_EQ(r.links.count(""), 1u);
}

TEST(DecodeLinkDumpTest, RealDumpFromThisMachine) {
  std::string data;
  ASSERT_TRUE(ReadFileOnce("src/collectors/testdata/netdev/real/rtm_getlink_dump_seq1.bin", &data).ok())
      << "run from the repository root";
  std::vector<uint64_t> aligned(data.size() / 8 + 1);
  std::memcpy(aligned.data(), data.data(), data.size());
  Recorder r;
  StatusOr<bool> done = DecodeLinkDump({reinterpret_cast<const uint8_t*>(aligned.data()), data.size()}, 1, r);
  ASSERT_TRUE(done.ok()) << done.status().message();
  EXPECT_TRUE(*done);
  ASSERT_EQ(r.links.count("lo"), 1u);
  EXPECT_EQ(r.links.count("eth0"), 1u);
  EXPECT_EQ(r.links["lo"].v[kRxBytes], r.links["lo"].v[kTxBytes]);  // loopback echoes everything
  EXPECT_GT(r.links["lo"].v[kRxPackets], 0u);
}

TEST(DecodeLinkDumpTest, RejectsMalformedInput) {
  Recorder r;
  {
    DumpBuilder b(1);
    b.Error(-EPERM);
    EXPECT_FALSE(DecodeLinkDump(b.bytes(), 1, r).ok());
  }
  {
    DumpBuilder b(1);
    b.Link("short", IFLA_STATS64, 10, 1);  // stats too short
    EXPECT_FALSE(DecodeLinkDump(b.bytes(), 1, r).ok());
  }
  {
    DumpBuilder b(1);
    b.Link("short", IFLA_STATS, 22, 1);
    EXPECT_FALSE(DecodeLinkDump(b.bytes(), 1, r).ok());
  }
  {
    DumpBuilder b(1);
    b.Link("cut", IFLA_STATS64, 24, 1);
    b.Truncate(40);  // message longer than the buffer
    EXPECT_FALSE(DecodeLinkDump(b.bytes(), 1, r).ok());
  }
  {
    // A header that claims only the nlmsghdr: no ifinfomsg.
    alignas(8) uint8_t buf[16] = {};
    nlmsghdr h{16, RTM_NEWLINK, 0, 1, 0};
    std::memcpy(buf, &h, sizeof(h));
    EXPECT_FALSE(DecodeLinkDump({buf, 16}, 1, r).ok());
    // Trailing garbage shorter than a header.
    alignas(8) uint8_t junk[8] = {1, 2, 3};
    EXPECT_FALSE(DecodeLinkDump({junk, 8}, 1, r).ok());
    // Unaligned input.
    EXPECT_FALSE(DecodeLinkDump({buf + 1, 8}, 1, r).ok());
  }
  {
    // An ACK (error 0) is not a failure; empty input means "more to come".
    DumpBuilder b(1);
    b.Error(0);
    StatusOr<bool> done = DecodeLinkDump(b.bytes(), 1, r);
    ASSERT_TRUE(done.ok());
    EXPECT_FALSE(*done);
    done = DecodeLinkDump({}, 1, r);
    ASSERT_TRUE(done.ok());
    EXPECT_FALSE(*done);
  }
}

TEST(ParseProcNetDevTest, RealCaptureFromThisMachine) {
  std::string text;
  ASSERT_TRUE(ReadFileOnce("src/collectors/testdata/netdev/real/net/dev", &text).ok());
  std::vector<ProcNetDevLine> lines;
  ASSERT_TRUE(ParseProcNetDev(text, &lines).ok());
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0].name, "lo");
  EXPECT_EQ(lines[0].v[kDevRxBytes], 9000534u);
  EXPECT_EQ(lines[0].v[kDevTxPackets], 18741u);
  EXPECT_EQ(lines[3].name, "eth0");
  EXPECT_EQ(lines[3].v[kDevTxBytes], 59986u);
}

TEST(ParseProcNetDevTest, HandWrittenQuirks) {
  std::vector<ProcNetDevLine> lines;
  // Alias names keep their colon (the last ':' separates), huge counters fit.
  ASSERT_TRUE(
      ParseProcNetDev("h1\nh2\n eth0:1:18446744073709551615 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17\n", &lines).ok());
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].name, "eth0:1");
  EXPECT_EQ(lines[0].v[kDevRxBytes], 18446744073709551615u);
  EXPECT_EQ(lines[0].v[kDevTxCompressed], 16u);
  ASSERT_TRUE(ParseProcNetDev("", &lines).ok());
  EXPECT_TRUE(lines.empty());
  ASSERT_TRUE(ParseProcNetDev("only one header line", &lines).ok());
}

TEST(ParseProcNetDevTest, RejectsMalformedInput) {
  std::vector<ProcNetDevLine> lines;
  for (const char* bad : {
           "h\nh\nlo 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n",                      // no colon
           "h\nh\n  : 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n",                     // no name
           "h\nh\nlo: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15\n",                        // truncated
           "h\nh\nlo: 1 2 3 x 5 6 7 8 9 10 11 12 13 14 15 16\n",                     // non-numeric
           "h\nh\nlo: -1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n",                    // negative
           "h\nh\nlo: 18446744073709551616 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n",  // huge
           "h\nh\n\n",                                                               // empty line
       }) {
    EXPECT_FALSE(ParseProcNetDev(bad, &lines).ok()) << "input: " << bad;
  }
}

Context NetdevContext(const std::string& procfs, const FlagValues* flags) {
  Context ctx;
  ctx.paths.procfs = procfs;
  ctx.flags = flags;
  return ctx;
}

constexpr char kNetDev[] =
    "Inter-|   Receive                                                |  Transmit\n"
    " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls "
    "carrier compressed\n"
    "    lo: 100 2 3 4 5 6 7 8 900 10 11 12 13 14 15 16\n"
    "  eth0: 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1\n";

TEST(NetdevCollectorTest, ProcNetDevLegacyNames) {
  ScratchTree tree("netdev_proc");
  tree.Write("net/dev", kNetDev);
  FlagValues flags;
  flags.Set("collector.netdev.netlink", "false");
  flags.Set("collector.netdev.device-exclude", "^eth");
  auto c = MustCreate(NewNetdevCollector, NetdevContext(tree.root(), &flags));
  expo::MetricSet set;
  ASSERT_TRUE(c->Collect(set).ok());
  EXPECT_EQ(set.samples().size(), 16u);
  EXPECT_DOUBLE_EQ(set.Find("node_network_receive_bytes_total", {{"device", "lo"}}), 100);
  EXPECT_DOUBLE_EQ(set.Find("node_network_receive_errs_total", {{"device", "lo"}}), 3);
  EXPECT_DOUBLE_EQ(set.Find("node_network_receive_drop_total", {{"device", "lo"}}), 4);
  EXPECT_DOUBLE_EQ(set.Find("node_network_transmit_colls_total", {{"device", "lo"}}), 14);
  EXPECT_DOUBLE_EQ(set.Find("node_network_transmit_carrier_total", {{"device", "lo"}}), 15);
  EXPECT_EQ(set.Count("node_network_receive_nohandler_total"), 0u);
}

TEST(NetdevCollectorTest, ProcNetDevDetailedNames) {
  ScratchTree tree("netdev_proc_detailed");
  tree.Write("net/dev", kNetDev);
  FlagValues flags;
  flags.Set("collector.netdev.netlink", "false");
  flags.Set("collector.netdev.enable-detailed-metrics", "true");
  flags.Set("collector.netdev.device-include", "^lo$");
  auto c = MustCreate(NewNetdevCollector, NetdevContext(tree.root(), &flags));
  expo::MetricSet set;
  ASSERT_TRUE(c->Collect(set).ok());
  EXPECT_DOUBLE_EQ(set.Find("node_network_receive_errors_total", {{"device", "lo"}}), 3);
  EXPECT_DOUBLE_EQ(set.Find("node_network_transmit_dropped_total", {{"device", "lo"}}), 12);
  EXPECT_EQ(set.Count("node_network_receive_errs_total"), 0u);
  EXPECT_EQ(set.Count("node_network_receive_fifo_total"), 1u);
}

TEST(NetdevCollectorTest, ProcNetDevMissingOrMalformed) {
  ScratchTree tree("netdev_proc_bad");
  FlagValues flags;
  flags.Set("collector.netdev.netlink", "false");
  auto c = MustCreate(NewNetdevCollector, NetdevContext(tree.root(), &flags));
  expo::MetricSet set;
  EXPECT_EQ(c->Collect(set).code(), StatusCode::kError);
  tree.Write("net/dev", "h\nh\nlo: 1 2\n");
  EXPECT_EQ(c->Collect(set).code(), StatusCode::kError);
}

TEST(NetdevCollectorTest, FlagValidation) {
  FlagValues flags;
  flags.Set("collector.netdev.device-include", "lo");
  flags.Set("collector.netdev.device-exclude", "eth");
  EXPECT_FALSE(NewNetdevCollector(NetdevContext("/proc", &flags)).ok());

  FlagValues old;
  old.Set("collector.netdev.device-whitelist", "lo");
  old.Set("collector.netdev.device-include", "lo");
  EXPECT_FALSE(NewNetdevCollector(NetdevContext("/proc", &old)).ok());

  FlagValues bad;
  bad.Set("collector.netdev.device-exclude", "(");
  auto c = NewNetdevCollector(NetdevContext("/proc", &bad));
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("collector.netdev.device-exclude"), std::string::npos);
}

TEST(NetdevCollectorTest, NetlinkOnThisHostKeepsSocketAcrossScrapes) {
  FlagValues flags;
  flags.Set("collector.netdev.device-whitelist", "^lo$");  // deprecated spelling still works
  auto c = MustCreate(NewNetdevCollector, NetdevContext("/proc", &flags));
  for (int scrape = 0; scrape < 3; ++scrape) {
    expo::MetricSet set;
    Status st = c->Collect(set);
    if (!st.ok()) GTEST_SKIP() << "no rtnetlink here: " << st.message();
    EXPECT_EQ(set.samples().size(), 17u);
    EXPECT_GT(set.Find("node_network_receive_packets_total", {{"device", "lo"}}), 0);
    EXPECT_EQ(set.Count("node_network_receive_nohandler_total"), 1u);
  }
}

TEST(NetdevCollectorTest, NetlinkDetailedAndIfaliasAndAddressInfo) {
  ScratchTree sys("netdev_sys");
  sys.Write("class/net/lo/ifalias", "loopback alias\n");
  sys.MakeDir("class/net/eth9");
  FlagValues flags;
  flags.Set("collector.netdev.device-include", "^lo$");
  flags.Set("collector.netdev.enable-detailed-metrics", "true");
  flags.Set("collector.netdev.label-ifalias", "true");
  flags.Set("collector.netdev.address-info", "true");
  Context ctx = NetdevContext("/proc", &flags);
  ctx.paths.sysfs = sys.root();
  auto c = MustCreate(NewNetdevCollector, ctx);
  expo::MetricSet set;
  Status st = c->Collect(set);
  if (!st.ok()) GTEST_SKIP() << "no rtnetlink here: " << st.message();
  EXPECT_EQ(set.Count("node_network_receive_missed_errors_total"), 1u);
  EXPECT_EQ(set.Count("node_network_collisions_total"), 1u);
  EXPECT_EQ(set.Count("node_network_receive_drop_total"), 0u);
  EXPECT_GE(set.Find("node_network_receive_packets_total", {{"device", "lo"}, {"ifalias", "loopback alias"}}), 0);
  EXPECT_DOUBLE_EQ(set.Find("node_network_address_info",
                            {{"device", "lo"}, {"address", "127.0.0.1"}, {"netmask", "8"}, {"scope", "link-local"}}),
                   1);

  // label-ifalias needs /sys/class/net.
  Context no_sys = ctx;
  no_sys.paths.sysfs = sys.Path("missing");
  auto c2 = MustCreate(NewNetdevCollector, no_sys);
  EXPECT_EQ(c2->Collect(set).code(), StatusCode::kError);
}

TEST(NetdevCollectorTest, MatchesNodeExporterOnConformanceFixtures) {
  NODEX_REQUIRE_KIT(kit);
  testing::ScopedKitDir in_kit(kit);
  FlagValues flags;
  flags.Set("collector.netdev.device-include", "lo");  // from e2e-flags.txt
  Logger log;
  auto c = MustCreate(NewNetdevCollector, testing::KitContext(&flags, &log));
  expo::MetricSet set;
  Status st = c->Collect(set);
  if (!st.ok()) GTEST_SKIP() << "no rtnetlink here: " << st.message();
  // Bytes and packets come from the live host and are skipped by the
  // conformance runner; the other counters of lo are 0 on both sides.
  const std::vector<std::string> families = {
      "node_network_receive_compressed_total", "node_network_receive_drop_total",
      "node_network_receive_errs_total",       "node_network_receive_fifo_total",
      "node_network_receive_frame_total",      "node_network_receive_multicast_total",
      "node_network_receive_nohandler_total",  "node_network_transmit_carrier_total",
      "node_network_transmit_colls_total",     "node_network_transmit_compressed_total",
      "node_network_transmit_drop_total",      "node_network_transmit_errs_total",
      "node_network_transmit_fifo_total"};
  std::vector<std::string> expected = testing::ExpectedLines(kit, families);
  EXPECT_EQ(expected.size(), 26u);
  EXPECT_EQ(testing::RenderedLines(set, families), expected);
  for (const char* skipped : {"node_network_receive_bytes_total", "node_network_receive_packets_total",
                              "node_network_transmit_bytes_total", "node_network_transmit_packets_total"}) {
    EXPECT_EQ(set.Count(skipped), 1u) << skipped;
  }
  EXPECT_EQ(set.samples().size(), families.size() + 4);
}

}  // namespace
}  // namespace nodex::collectors
