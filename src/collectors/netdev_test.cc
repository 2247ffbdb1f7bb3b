#include "collectors/netdev.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "base/file_reader.h"
#include "base/log.h"
#include "base/split.h"
#include "collectors/testing/kit.h"
#include "collectors/testing/scratch.h"
#include "expo/text_writer.h"

namespace nodex::collectors {
namespace {

using testing::MustCreate;
using testing::ScratchTree;

struct Recorder : LinkSink {
  std::map<std::string, LinkStats> links;
  std::map<std::string, std::pair<uint32_t, bool>> indexes;  // name -> {ifindex, has_stats}
  void OnLink(std::string_view name, const LinkStats& stats) override { links[std::string(name)] = stats; }
  void OnLinkIndex(uint32_t ifindex, std::string_view name, bool has_stats) override {
    indexes[std::string(name)] = {ifindex, has_stats};
  }
};

struct StatsRecorder : LinkStatsSink {
  std::map<uint32_t, LinkStats> links;
  void OnLinkStats(uint32_t ifindex, const LinkStats& stats) override { links[ifindex] = stats; }
};

// Builds netlink dump buffers the way the kernel lays them out.
class DumpBuilder {
 public:
  explicit DumpBuilder(uint32_t seq) : seq_(seq) {}

  nlmsghdr* Link(const char* name, int stats_attr, size_t counters, uint64_t base, int ifindex = 0) {
    nlmsghdr* nlh = Header(RTM_NEWLINK);
    auto* ifi = static_cast<ifinfomsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(ifinfomsg)));
    ifi->ifi_family = AF_UNSPEC;
    ifi->ifi_index = ifindex;
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
  // An RTM_NEWSTATS message as the kernel's rtnl_fill_statsinfo lays it out:
  // IFLA_STATS_LINK_64 when counters > 0, then any extra attribute (the
  // kernel sends nested XSTATS and the like after it when asked).
  nlmsghdr* Stats(uint32_t ifindex, size_t counters, uint64_t base, int extra_attr = 0) {
    nlmsghdr* nlh = Header(RTM_NEWSTATS);
    auto* ifsm = static_cast<if_stats_msg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(if_stats_msg)));
    ifsm->family = AF_UNSPEC;
    ifsm->ifindex = ifindex;
    ifsm->filter_mask = IFLA_STATS_FILTER_BIT(IFLA_STATS_LINK_64);
    if (counters > 0) {
      std::vector<uint64_t> v(counters);
      for (size_t i = 0; i < counters; ++i) v[i] = base + i;
      mnl_attr_put(nlh, IFLA_STATS_LINK_64, v.size() * 8, v.data());
    }
    if (extra_attr != 0) mnl_attr_put_u32(nlh, extra_attr, 7);
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
  b.Link("eth0", IFLA_STATS64, 25, 100, 2);  // 5.18+: rx_otherhost_dropped appended
  b.Link("old0", IFLA_STATS64, 23, 200, 3);  // before 4.6: no rx_nohandler
  b.Link("tun0", IFLA_STATS, 24, 300, 9);
  b.Link("none0", 0, 0, 0, 12);  // no stats: skipped, but its index is reported
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
  using Index = std::pair<uint32_t, bool>;
  EXPECT_EQ(r.indexes, (std::map<std::string, Index>{
                           {"eth0", {2, true}}, {"old0", {3, true}}, {"tun0", {9, true}}, {"none0", {12, false}}}));
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
  EXPECT_EQ(r.indexes["lo"], std::make_pair(1u, true));
  EXPECT_EQ(r.indexes["eth0"], std::make_pair(4u, true));
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

TEST(DecodeStatsDumpTest, HandBuiltDump) {
  DumpBuilder b(5);
  b.Stats(1, 24, 10);                           // 4.6 - 5.17
  b.Stats(2, 25, 100);                          // 5.18+: rx_otherhost_dropped, ignored
  b.Stats(7, 23, 200);                          // the 23 counters every kernel has
  b.Stats(8, 24, 300, IFLA_STATS_LINK_XSTATS);  // attributes after it are skipped
  b.Stats(9, 0, 0, IFLA_STATS_LINK_XSTATS);     // without IFLA_STATS_LINK_64: skipped
  b.Link("eth0", IFLA_STATS64, 24, 1, 3);       // other message types: skipped
  b.set_seq(4);
  b.Stats(3, 24, 1);  // a stale reply to an earlier request: skipped
  b.set_seq(5);
  b.Done();
  StatsRecorder r;
  StatusOr<bool> done = DecodeStatsDump(b.bytes(), 5, r);
  ASSERT_TRUE(done.ok()) << done.status().message();
  EXPECT_TRUE(*done);
  ASSERT_EQ(r.links.size(), 4u);
  EXPECT_EQ(r.links[1].v[kRxPackets], 10u);
  EXPECT_EQ(r.links[1].v[kRxNohandler], 33u);
  EXPECT_EQ(r.links[2].v[kTxBytes], 103u);
  EXPECT_EQ(r.links[2].v[kRxNohandler], 123u);
  EXPECT_EQ(r.links[7].v[kTxCompressed], 222u);
  EXPECT_EQ(r.links[7].v[kRxNohandler], 0u);
  EXPECT_EQ(r.links[8].v[kRxMissedErrors], 315u);
  EXPECT_EQ(r.links.count(3), 0u);
  EXPECT_EQ(r.links.count(9), 0u);
}

TEST(DecodeStatsDumpTest, MultiBufferDump) {
  DumpBuilder first(2);
  first.Stats(1, 24, 1);
  StatsRecorder r;
  StatusOr<bool> done = DecodeStatsDump(first.bytes(), 2, r);
  ASSERT_TRUE(done.ok());
  EXPECT_FALSE(*done);
  DumpBuilder second(2);
  second.Stats(2, 24, 1);
  second.Done();
  done = DecodeStatsDump(second.bytes(), 2, r);
  ASSERT_TRUE(done.ok());
  EXPECT_TRUE(*done);
  EXPECT_EQ(r.links.size(), 2u);
}

// Captured on this machine (Linux 6.18, lo ifb0 ifb1 eth0) with an
// RTM_GETSTATS dump request of seq 1, filter_mask LINK_64, all recv()
// buffers concatenated.
TEST(DecodeStatsDumpTest, RealDumpFromThisMachine) {
  std::string data;
  ASSERT_TRUE(ReadFileOnce("src/collectors/testdata/netdev/real/rtm_getstats_dump_seq1.bin", &data).ok())
      << "run from the repository root";
  std::vector<uint64_t> aligned(data.size() / 8 + 1);
  std::memcpy(aligned.data(), data.data(), data.size());
  StatsRecorder r;
  int netlink_error = 0;
  StatusOr<bool> done =
      DecodeStatsDump({reinterpret_cast<const uint8_t*>(aligned.data()), data.size()}, 1, r, &netlink_error);
  ASSERT_TRUE(done.ok()) << done.status().message();
  EXPECT_TRUE(*done);
  EXPECT_EQ(netlink_error, 0);
  ASSERT_EQ(r.links.size(), 4u);
  EXPECT_EQ(r.links.begin()->first, 1u);
  EXPECT_EQ(r.links.rbegin()->first, 4u);
  EXPECT_EQ(r.links[1].v[kRxBytes], r.links[1].v[kTxBytes]);  // loopback echoes everything
  EXPECT_EQ(r.links[1].v[kRxBytes], 2403947309u);
  EXPECT_GT(r.links[4].v[kRxPackets], 0u);
  // A different sequence number: nothing is ours, more is to come.
  StatsRecorder other;
  done = DecodeStatsDump({reinterpret_cast<const uint8_t*>(aligned.data()), data.size()}, 2, other);
  ASSERT_TRUE(done.ok());
  EXPECT_FALSE(*done);
  EXPECT_TRUE(other.links.empty());
}

TEST(DecodeStatsDumpTest, RejectsMalformedInputAndReportsRefusal) {
  StatsRecorder r;
  for (int err : {EOPNOTSUPP, EINVAL}) {
    // A kernel before 4.7 answers the request with an error.
    DumpBuilder b(1);
    b.Error(-err);
    int netlink_error = 0;
    EXPECT_FALSE(DecodeStatsDump(b.bytes(), 1, r, &netlink_error).ok());
    EXPECT_EQ(netlink_error, err);
  }
  {
    DumpBuilder b(1);
    b.Error(INT_MIN);  // no errno, no overflow either
    int netlink_error = 0;
    EXPECT_FALSE(DecodeStatsDump(b.bytes(), 1, r, &netlink_error).ok());
    EXPECT_GT(netlink_error, 0);
  }
  {
    DumpBuilder b(1);
    b.Stats(1, 22, 1);  // stats too short
    int netlink_error = 0;
    EXPECT_FALSE(DecodeStatsDump(b.bytes(), 1, r, &netlink_error).ok());
    EXPECT_EQ(netlink_error, 0);  // not a netlink error
  }
  {
    DumpBuilder b(1);
    b.Stats(1, 24, 1);
    b.Truncate(8);  // message longer than the buffer
    EXPECT_FALSE(DecodeStatsDump(b.bytes(), 1, r).ok());
  }
  {
    // A header whose payload is shorter than struct if_stats_msg.
    alignas(8) uint8_t buf[24] = {};
    nlmsghdr h{24, RTM_NEWSTATS, 0, 1, 0};
    std::memcpy(buf, &h, sizeof(h));
    EXPECT_FALSE(DecodeStatsDump({buf, 24}, 1, r).ok());
    // Trailing bytes shorter than a header.
    alignas(8) uint8_t junk[12] = {1, 2, 3};
    EXPECT_FALSE(DecodeStatsDump({junk, 12}, 1, r).ok());
    // Unaligned input.
    EXPECT_FALSE(DecodeStatsDump({buf + 2, 16}, 1, r).ok());
  }
  {
    // An attribute whose length runs past its message.
    DumpBuilder b(1);
    b.Stats(1, 24, 1);
    std::span<const uint8_t> bytes = b.bytes();
    std::vector<uint64_t> copy(bytes.size() / 8 + 1);
    std::memcpy(copy.data(), bytes.data(), bytes.size());
    auto* p = reinterpret_cast<uint8_t*>(copy.data());
    nlattr attr;
    const size_t attr_off = sizeof(nlmsghdr) + MNL_ALIGN(sizeof(if_stats_msg));
    std::memcpy(&attr, p + attr_off, sizeof(attr));
    attr.nla_len = 0xfff0;
    std::memcpy(p + attr_off, &attr, sizeof(attr));
    EXPECT_FALSE(DecodeStatsDump({p, bytes.size()}, 1, r).ok());
    // One shorter than an attribute header.
    attr.nla_len = 2;
    std::memcpy(p + attr_off, &attr, sizeof(attr));
    EXPECT_FALSE(DecodeStatsDump({p, bytes.size()}, 1, r).ok());
  }
  EXPECT_TRUE(r.links.empty());
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

// Live tests over rtnetlink in network namespaces of their own (root only).

// Runs `cmd` with /bin/sh, output discarded; true when it exits 0.
bool Sh(const std::string& cmd) { return std::system((cmd + " >/dev/null 2>&1").c_str()) == 0; }

// Two namespaces made with `ip netns` and deleted on destruction: A holds lo
// and the veth ends va<i> (198.18.<i>.1/24), B their peers vb<i>. IPv6 is off
// in both, so that no autoconfiguration traffic moves the counters.
class VethNamespaces {
 public:
  VethNamespaces()
      : a_("nodex-netdev-" + std::to_string(::getpid()) + "-a"),
        b_("nodex-netdev-" + std::to_string(::getpid()) + "-b") {}
  ~VethNamespaces() {
    Sh("ip netns del " + a_);
    Sh("ip netns del " + b_);
  }
  VethNamespaces(const VethNamespaces&) = delete;
  VethNamespaces& operator=(const VethNamespaces&) = delete;

  // Builds both with `pairs` veth pairs, all up; "" on success, else why
  // this machine cannot (the test then skips).
  std::string Create(int pairs) {
    if (::geteuid() != 0) return "needs root to create network namespaces";
    if (!Sh("command -v ip")) return "iproute2 (ip) is not installed";
    if (!Sh("ip netns add " + a_) || !Sh("ip netns add " + b_)) return "cannot create a network namespace";
    for (const std::string& ns : {a_, b_}) {
      Sh("ip netns exec " + ns +
         " sh -c 'echo 1 >/proc/sys/net/ipv6/conf/default/disable_ipv6; "
         "echo 1 >/proc/sys/net/ipv6/conf/all/disable_ipv6'");
    }
    if (!A("link set lo up")) return "cannot set lo up";
    for (int i = 0; i < pairs; ++i) {
      if (!AddPair(i)) return "cannot create veth pair " + std::to_string(i);
    }
    return "";
  }

  // `ip -n A <args>`.
  bool A(const std::string& args) const { return Sh("ip -n " + a_ + " " + args); }

  bool AddPair(int i) const {
    const std::string n = std::to_string(i);
    return A("link add va" + n + " type veth peer name vb" + n + " netns " + b_) &&
           A("addr add 198.18." + n + ".1/24 dev va" + n) && A("link set va" + n + " up") &&
           Sh("ip -n " + b_ + " link set vb" + n + " up") && WaitUp("va" + n);
  }

  // Waits until `dev` is operationally up: that happens in the kernel's
  // linkwatch work up to a second after `link set up`, and notifies
  // RTMGRP_LINK. Waiting keeps that notification out of the scrapes.
  bool WaitUp(const std::string& dev) const {
    for (int i = 0; i < 100; ++i) {
      if (Sh("ip -n " + a_ + " -o link show dev " + dev + " | grep -q 'state UP'")) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }

  const std::string& a() const { return a_; }

 private:
  std::string a_;
  std::string b_;
};

// Runs `body` in a thread that entered network namespace `ns` (a network
// namespace belongs to a thread), so the collector's sockets, getifaddrs and
// /proc/thread-self/net all see that namespace.
void InNetns(const std::string& ns, const std::function<void()>& body) {
  std::thread t([&] {
    int fd = ::open(("/run/netns/" + ns).c_str(), O_RDONLY | O_CLOEXEC);
    ASSERT_GE(fd, 0) << std::strerror(errno);
    int rc = ::setns(fd, CLONE_NEWNET);
    ::close(fd);
    ASSERT_EQ(rc, 0) << std::strerror(errno);
    body();
  });
  t.join();
}

// Sends `count` UDP datagrams to port 9 of `ip` from this thread's namespace.
void SendUdp(const char* ip, int count) {
  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in dst{};
  dst.sin_family = AF_INET;
  dst.sin_port = htons(9);
  ASSERT_EQ(::inet_pton(AF_INET, ip, &dst.sin_addr), 1);
  char payload[100] = {};
  for (int i = 0; i < count; ++i) {
    EXPECT_EQ(::sendto(fd, payload, sizeof(payload), 0, reinterpret_cast<const sockaddr*>(&dst), sizeof(dst)),
              static_cast<ssize_t>(sizeof(payload)));
  }
  ::close(fd);
}

using Samples = std::map<std::string, double>;  // "name{labels}" -> value

// One scrape, rendered and split into samples.
Samples Scrape(Collector& c) {
  expo::MetricSet set;
  Status st = c.Collect(set);
  EXPECT_TRUE(st.ok()) << st.message();
  expo::TextWriter writer;
  std::string text;
  (void)writer.Write(set, &text);
  Samples out;
  std::string_view rest = text, line;
  while (NextLine(&rest, &line)) {
    if (line.empty() || line[0] == '#') continue;
    size_t space = line.rfind(' ');
    out[std::string(line.substr(0, space))] = std::stod(std::string(line.substr(space + 1)));
  }
  return out;
}

// The devices of node_network_receive_bytes_total.
std::set<std::string> Devices(const Samples& samples) {
  std::set<std::string> out;
  const std::string prefix = "node_network_receive_bytes_total{device=\"";
  for (const auto& [key, value] : samples) {
    if (key.compare(0, prefix.size(), prefix) != 0) continue;
    out.insert(key.substr(prefix.size(), key.find('"', prefix.size()) - prefix.size()));
  }
  return out;
}

// Same series as `before` and `after`, each value between the two (equal
// when nothing moved): counters only grow.
void ExpectBetween(const Samples& before, const Samples& got, const Samples& after, const char* what) {
  ASSERT_EQ(before.size(), after.size()) << what << ": the series changed under the test";
  ASSERT_EQ(got.size(), before.size()) << what;
  for (const auto& [key, value] : got) {
    auto b = before.find(key);
    auto a = after.find(key);
    ASSERT_TRUE(b != before.end() && a != after.end()) << what << ": unexpected " << key;
    EXPECT_LE(b->second, value) << what << ": " << key;
    EXPECT_LE(value, a->second) << what << ": " << key;
  }
}

// The lines of a log file that say the link names were read again.
size_t GetlinkLogLines(const std::string& path, std::string* last) {
  std::string text;
  if (!ReadFileOnce(path, &text).ok()) return 0;
  size_t n = 0;
  std::string_view rest = text, line;
  while (NextLine(&rest, &line)) {
    if (line.find("RTM_GETLINK") == std::string_view::npos) continue;
    ++n;
    *last = std::string(line);
  }
  return n;
}

Context NetnsContext(const FlagValues* flags, Logger* log, const std::string& sysfs = "/sys") {
  Context ctx;
  ctx.paths.procfs = "/proc/thread-self";  // this thread's namespace
  ctx.paths.sysfs = sysfs;
  ctx.flags = flags;
  ctx.log = log;
  return ctx;
}

// The steady state (RTM_GETSTATS and the name cache) serves what the
// RTM_GETLINK dump before and after it serves, in every output variant, and
// the values /proc/net/dev shows.
TEST(NetdevNetnsTest, GetstatsScrapesMatchGetlinkAndProcNetDev) {
  VethNamespaces ns;
  std::string why = ns.Create(3);
  if (!why.empty()) GTEST_SKIP() << why;
  ASSERT_TRUE(ns.A("neigh add 198.18.0.2 lladdr 02:00:00:00:00:02 dev va0 nud permanent"));
  ScratchTree tmp("netdev_netns");
  tmp.Write("sys/class/net/va0/ifalias", "uplink\n");
  tmp.MakeDir("sys/class/net/va1");
  InNetns(ns.a(), [&] {
    // Counters that are not all 0: va0 sends (B drops the frames: no reply,
    // no ARP with the permanent neighbour), lo echoes.
    SendUdp("198.18.0.2", 5);
    SendUdp("127.0.0.1", 3);
    FlagValues legacy;
    FlagValues detailed;
    detailed.Set("collector.netdev.enable-detailed-metrics", "true");
    detailed.Set("collector.netdev.label-ifalias", "true");
    detailed.Set("collector.netdev.address-info", "true");
    FlagValues filtered;
    filtered.Set("collector.netdev.device-exclude", "^va1$");
    int variant = 0;
    for (const FlagValues* flags : {&legacy, &detailed, &filtered}) {
      SCOPED_TRACE(variant);
      const std::string log_path = tmp.Path("log" + std::to_string(variant++));
      int log_fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
      ASSERT_GE(log_fd, 0);
      Logger log(LogLevel::kDebug, LogFormat::kLogfmt, log_fd);
      const std::string sysfs = tmp.Path("sys");
      auto c = MustCreate(NewNetdevCollector, NetnsContext(flags, &log, sysfs));
      Samples first = Scrape(*c);
      std::string last;
      EXPECT_EQ(GetlinkLogLines(log_path, &last), 1u);
      EXPECT_NE(last.find("no cache"), std::string::npos) << last;
      for (int steady = 0; steady < 2; ++steady) {
        Samples got = Scrape(*c);
        EXPECT_EQ(GetlinkLogLines(log_path, &last), 1u) << "a scrape without link changes read RTM_GETLINK";
        auto fresh = MustCreate(NewNetdevCollector, NetnsContext(flags, nullptr, sysfs));
        Samples after = Scrape(*fresh);
        ExpectBetween(first, got, after, "RTM_GETLINK <= RTM_GETSTATS <= RTM_GETLINK");
      }
      EXPECT_EQ(Devices(first).count("va1"), flags == &filtered ? 0u : 1u);
      EXPECT_GT(first["node_network_transmit_packets_total{device=\"va0\"}"] +
                    first["node_network_transmit_packets_total{device=\"va0\",ifalias=\"uplink\"}"],
                4);
      ::close(log_fd);
    }

    // The legacy names are /proc/net/dev's columns, plus receive_nohandler.
    FlagValues proc_flags;
    proc_flags.Set("collector.netdev.netlink", "false");
    auto proc = MustCreate(NewNetdevCollector, NetnsContext(&proc_flags, nullptr));
    auto c = MustCreate(NewNetdevCollector, NetnsContext(&legacy, nullptr));
    (void)Scrape(*c);  // the RTM_GETLINK one
    Samples before = Scrape(*proc);
    Samples got = Scrape(*c);
    Samples after = Scrape(*proc);
    EXPECT_EQ(Devices(before), (std::set<std::string>{"lo", "va0", "va1", "va2"}));
    for (auto it = got.begin(); it != got.end();) {
      it = it->first.starts_with("node_network_receive_nohandler_total") ? got.erase(it) : std::next(it);
    }
    ExpectBetween(before, got, after, "/proc/net/dev");
  });
}

// The next scrape after `ip link set X name Y`, `ip link add` and `ip link
// del` serves exactly the new set of names, and the one after that is back
// to RTM_GETSTATS.
TEST(NetdevNetnsTest, NamesFollowRenameAddAndDelete) {
  VethNamespaces ns;
  std::string why = ns.Create(3);
  if (!why.empty()) GTEST_SKIP() << why;
  ScratchTree tmp("netdev_netns_changes");
  const std::string log_path = tmp.Path("log");
  int log_fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  ASSERT_GE(log_fd, 0);
  Logger log(LogLevel::kDebug, LogFormat::kLogfmt, log_fd);
  InNetns(ns.a(), [&] {
    FlagValues flags;
    auto c = MustCreate(NewNetdevCollector, NetnsContext(&flags, &log));
    std::string last;
    size_t getlinks = 0;
    // Scrapes twice: the first must read the names again (reason `why`),
    // the second must not, and both must serve `want`.
    auto check = [&](const std::set<std::string>& want, const char* why_getlink) {
      EXPECT_EQ(Devices(Scrape(*c)), want);
      EXPECT_EQ(GetlinkLogLines(log_path, &last), ++getlinks);
      EXPECT_NE(last.find(why_getlink), std::string::npos) << last;
      EXPECT_EQ(Devices(Scrape(*c)), want);
      EXPECT_EQ(GetlinkLogLines(log_path, &last), getlinks) << "a scrape without link changes read RTM_GETLINK";
    };
    check({"lo", "va0", "va1", "va2"}, "no cache");

    ASSERT_TRUE(ns.A("link set va1 down") && ns.A("link set va1 name vr1") && ns.A("link set vr1 up") &&
                ns.WaitUp("vr1"));
    check({"lo", "va0", "vr1", "va2"}, "link change");

    ASSERT_TRUE(ns.AddPair(3));
    check({"lo", "va0", "vr1", "va2", "va3"}, "link change");

    ASSERT_TRUE(ns.A("link del va0"));
    check({"lo", "vr1", "va2", "va3"}, "link change");

    // A rename alone, with no other event around it.
    ASSERT_TRUE(ns.A("link add dummyx type veth peer name dummyy"));  // both ends in A, down
    check({"lo", "vr1", "va2", "va3", "dummyx", "dummyy"}, "link change");
    ASSERT_TRUE(ns.A("link set dummyy name renamed"));
    check({"lo", "vr1", "va2", "va3", "dummyx", "renamed"}, "link change");
  });
  ::close(log_fd);
}

}  // namespace
}  // namespace nodex::collectors
