#include "collectors/qdisc.h"

#include <gtest/gtest.h>
#include <libmnl/libmnl.h>
#include <linux/gen_stats.h>
#include <linux/netlink.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "collectors/testing/kit.h"
#include "collectors/testing/scratch.h"

namespace nodex::collectors {
namespace {

using testing::ReadTestdata;
using testing::ScratchTree;

std::span<const uint8_t> Bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// Builds RTM_NEWQDISC messages with libmnl, the way the kernel lays them out.
class QdiscDump {
 public:
  struct Stats {
    uint64_t bytes = 0;
    uint32_t packets = 0, qlen = 0, backlog = 0, drops = 0, requeues = 0, overlimits = 0;
  };

  void Add(int ifindex, uint32_t parent, const char* kind, const Stats& s, bool stats2 = true, bool legacy = true) {
    std::vector<uint64_t> scratch(4096 / 8, 0);
    nlmsghdr* nlh = mnl_nlmsg_put_header(scratch.data());
    nlh->nlmsg_type = RTM_NEWQDISC;
    nlh->nlmsg_flags = NLM_F_MULTI;
    nlh->nlmsg_seq = 1;
    auto* tcm = static_cast<tcmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(tcmsg)));
    tcm->tcm_ifindex = ifindex;
    tcm->tcm_parent = parent;
    mnl_attr_put_strz(nlh, TCA_KIND, kind);
    if (stats2) {
      nlattr* nest = mnl_attr_nest_start(nlh, TCA_STATS2);
      gnet_stats_basic basic{};
      basic.bytes = s.bytes;
      basic.packets = s.packets;
      mnl_attr_put(nlh, TCA_STATS_BASIC, 12, &basic);
      gnet_stats_queue queue{s.qlen, s.backlog, s.drops, s.requeues, s.overlimits};
      mnl_attr_put(nlh, TCA_STATS_QUEUE, sizeof(queue), &queue);
      mnl_attr_nest_end(nlh, nest);
    }
    if (legacy) {
      tc_stats legacy_stats{};
      legacy_stats.bytes = s.bytes;
      legacy_stats.packets = s.packets;
      legacy_stats.drops = s.drops;
      legacy_stats.overlimits = s.overlimits;
      legacy_stats.qlen = s.qlen;
      legacy_stats.backlog = s.backlog;
      mnl_attr_put(nlh, TCA_STATS, sizeof(legacy_stats), &legacy_stats);
    }
    buf_.append(reinterpret_cast<const char*>(scratch.data()), nlh->nlmsg_len);
  }

  void AddRaw(const std::string& message) { buf_ += message; }

  void Done() {
    nlmsghdr h{};
    h.nlmsg_len = NLMSG_HDRLEN + 4;
    h.nlmsg_type = NLMSG_DONE;
    h.nlmsg_seq = 1;
    buf_.append(reinterpret_cast<const char*>(&h), sizeof(h));
    buf_.append(4, '\0');
  }

  const std::string& bytes() const { return buf_; }

 private:
  std::string buf_;
};

TEST(DecodeQdiscDumpTest, DecodesStats2AndLegacyStats) {
  QdiscDump d;
  d.Add(2, TC_H_ROOT, "fq_codel", {.bytes = 1ull << 40, .packets = 77, .qlen = 3, .backlog = 1500, .drops = 4,
                                   .requeues = 5, .overlimits = 6});
  d.Add(2, 0x10001, "pfifo", {.packets = 1});
  d.Add(3, TC_H_ROOT, "tbf", {.bytes = 9, .packets = 8, .drops = 7, .requeues = 6}, /*stats2=*/false);
  d.Done();
  std::vector<QdiscInfo> out;
  size_t count = 0;
  StatusOr<bool> done = DecodeQdiscDump(Bytes(d.bytes()), 1, &out, &count);
  ASSERT_TRUE(done.ok()) << done.status().message();
  EXPECT_TRUE(*done);
  ASSERT_EQ(count, 3u);
  EXPECT_EQ(out[0].ifindex, 2);
  EXPECT_EQ(out[0].parent, 0u);  // TC_H_ROOT
  EXPECT_EQ(out[0].kind, "fq_codel");
  EXPECT_EQ(out[0].bytes, 1ull << 40);
  EXPECT_EQ(out[0].packets, 77u);
  EXPECT_EQ(out[0].qlen, 3u);
  EXPECT_EQ(out[0].backlog, 1500u);
  EXPECT_EQ(out[0].drops, 4u);
  EXPECT_EQ(out[0].requeues, 5u);
  EXPECT_EQ(out[0].overlimits, 6u);
  EXPECT_EQ(out[1].parent, 0x10001u);
  EXPECT_EQ(out[2].kind, "tbf");
  EXPECT_EQ(out[2].bytes, 9u);
  EXPECT_EQ(out[2].drops, 7u);
  EXPECT_EQ(out[2].requeues, 0u);  // Only TCA_STATS2 carries requeues.

  // A second scrape reuses the slots and overwrites them.
  QdiscDump d2;
  d2.Add(4, TC_H_ROOT, "noqueue", {});
  count = 0;
  ASSERT_TRUE(DecodeQdiscDump(Bytes(d2.bytes()), 1, &out, &count).ok());
  ASSERT_EQ(count, 1u);
  EXPECT_EQ(out[0].kind, "noqueue");
  EXPECT_EQ(out[0].bytes, 0u);
}

TEST(DecodeQdiscDumpTest, RealCaptureFromThisMachine) {
  // RTM_GETQDISC dump of this machine (lo: noqueue, eth0: pfifo_fast).
  std::string capture = ReadTestdata("src/collectors/testdata/qdisc/rtm_getqdisc_dump.bin");
  std::vector<QdiscInfo> out;
  size_t count = 0;
  StatusOr<bool> done = DecodeQdiscDump(Bytes(capture), 1, &out, &count);
  ASSERT_TRUE(done.ok()) << done.status().message();
  EXPECT_TRUE(*done);
  ASSERT_EQ(count, 2u);
  EXPECT_EQ(out[0].ifindex, 1);
  EXPECT_EQ(out[0].kind, "noqueue");
  EXPECT_EQ(out[1].ifindex, 4);  // eth0 on the capture machine
  EXPECT_EQ(out[1].kind, "pfifo_fast");
  EXPECT_EQ(out[1].parent, 0u);
  EXPECT_EQ(out[1].bytes, 353241u);
  EXPECT_EQ(out[1].packets, 2955u);
}

TEST(DecodeQdiscDumpTest, RejectsMalformed) {
  std::string capture = ReadTestdata("src/collectors/testdata/qdisc/rtm_getqdisc_dump.bin");
  std::vector<QdiscInfo> out;
  // Every truncation of the real capture either fails cleanly or stops early.
  for (size_t n = 0; n < capture.size(); ++n) {
    size_t count = 0;
    StatusOr<bool> done = DecodeQdiscDump(Bytes(capture.substr(0, n)), 1, &out, &count);
    if (done.ok()) {
      EXPECT_FALSE(*done) << n;
    }
  }

  auto message = [](const std::string& attrs, uint32_t payload_len = sizeof(tcmsg)) {
    nlmsghdr h{};
    h.nlmsg_type = RTM_NEWQDISC;
    h.nlmsg_seq = 1;
    std::string body(payload_len, '\0');
    body += attrs;
    h.nlmsg_len = static_cast<uint32_t>(sizeof(h) + body.size());
    std::string m(reinterpret_cast<const char*>(&h), sizeof(h));
    m += body;
    m.resize(MNL_ALIGN(m.size()), '\0');
    return m;
  };
  auto attr = [](uint16_t type, const std::string& payload) {
    nlattr a{static_cast<uint16_t>(sizeof(nlattr) + payload.size()), type};
    std::string s(reinterpret_cast<const char*>(&a), sizeof(a));
    s += payload;
    s.resize(MNL_ALIGN(s.size()), '\0');
    return s;
  };
  const std::string cases[] = {
      message("", 8),                                                          // short tcmsg
      message(attr(TCA_STATS, std::string(20, '\0'))),                         // short tc_stats
      message(attr(TCA_STATS2, attr(TCA_STATS_BASIC, std::string(8, '\0')))),  // short basic
      message(attr(TCA_STATS2, attr(TCA_STATS_QUEUE, std::string(16, '\0')))),  // short queue
      message(std::string("\x40\x00\x01\x00xx\0\0", 8)),                       // attribute past the end
      message(attr(TCA_STATS2, std::string("\x40\x00\x01\x00", 4))),           // nested past the end
  };
  for (const std::string& c : cases) {
    size_t count = 0;
    EXPECT_FALSE(DecodeQdiscDump(Bytes(c), 1, &out, &count).ok());
  }
  // An empty buffer is "more to come", not an error.
  size_t count = 0;
  StatusOr<bool> empty = DecodeQdiscDump({}, 1, &out, &count);
  ASSERT_TRUE(empty.ok());
  EXPECT_FALSE(*empty);
}

TEST(ParseQdiscFixtureTest, ParsesGoJsonLayout) {
  std::vector<QdiscInfo> out;
  Status st = ParseQdiscFixture(
      R"([{"IfaceName": "wlan0", "Bytes": 18446744073709551615, "Packets": 4294967295, "Kind": "fq",
           "Drops": 1, "Unknown": [1, {"x": 2}]},
          {"ifacename": "eth0", "PARENT": 65537, "qlen": 3, "Backlog": null, "Requeues": 2, "Overlimits": 9},
          null])",
      &out);
  ASSERT_TRUE(st.ok()) << st.message();
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].iface, "wlan0");
  EXPECT_EQ(out[0].kind, "fq");
  EXPECT_EQ(out[0].bytes, UINT64_MAX);
  EXPECT_EQ(out[0].packets, UINT32_MAX);
  EXPECT_EQ(out[0].drops, 1u);
  EXPECT_EQ(out[1].iface, "eth0");
  EXPECT_EQ(out[1].parent, 65537u);
  EXPECT_EQ(out[1].qlen, 3u);
  EXPECT_EQ(out[1].backlog, 0u);
  EXPECT_EQ(out[1].requeues, 2u);
  EXPECT_EQ(out[1].overlimits, 9u);
  EXPECT_EQ(out[2].iface, "");
  EXPECT_TRUE(ParseQdiscFixture("null", &out).ok());
  EXPECT_TRUE(out.empty());
  EXPECT_TRUE(ParseQdiscFixture("[]", &out).ok());
}

TEST(ParseQdiscFixtureTest, RejectsMalformed) {
  std::vector<QdiscInfo> out;
  for (const char* json : {
           "",                                  // empty file
           "[{\"Bytes\": 1}",                   // truncated
           "{\"Bytes\": 1}",                    // not an array
           "[1]",                               // entry not an object
           "[{\"Bytes\": -1}]",                 // negative
           "[{\"Bytes\": 1.5}]",                // not an integer
           "[{\"Packets\": 4294967296}]",       // too big for u32
           "[{\"Bytes\": 18446744073709551616}]",  // too big for u64
           "[{\"Bytes\": \"12\"}]",             // string
           "[{\"IfaceName\": 3}]",              // number for a string
           "[{\"Kind\": [\"fq\"]}]",            // array for a string
       }) {
    EXPECT_FALSE(ParseQdiscFixture(json, &out).ok()) << json;
    EXPECT_TRUE(out.empty()) << json;
  }
}

TEST(QdiscCollectorTest, FixtureDirectoryAndFilters) {
  ScratchTree tree("qdisc");
  tree.Write("results.json",
             R"([{"IfaceName": "eth0", "Kind": "mq", "Bytes": 100, "Packets": 10},
                 {"IfaceName": "eth0", "Kind": "fq", "Parent": 1, "Bytes": 60},
                 {"IfaceName": "wlan0", "Kind": "fq_codel", "Drops": 2, "Qlen": 1, "Backlog": 64}])");
  FlagValues flags;
  flags.Set("collector.qdisc.fixtures", tree.root());
  Context ctx;
  ctx.flags = &flags;
  auto c = NewQdiscCollector(ctx);
  ASSERT_TRUE(c.ok()) << c.status().message();
  expo::MetricSet set;
  ASSERT_TRUE(c.value()->Collect(set).ok());
  EXPECT_EQ(set.Count("node_qdisc_bytes_total"), 2u);  // The child qdisc is left out.
  EXPECT_EQ(set.Find("node_qdisc_bytes_total", {{"device", "eth0"}, {"kind", "mq"}}), 100);
  EXPECT_EQ(set.Find("node_qdisc_packets_total", {{"device", "eth0"}}), 10);
  EXPECT_EQ(set.Find("node_qdisc_drops_total", {{"device", "wlan0"}, {"kind", "fq_codel"}}), 2);
  EXPECT_EQ(set.Find("node_qdisc_current_queue_length", {{"device", "wlan0"}}), 1);
  EXPECT_EQ(set.Find("node_qdisc_backlog", {{"device", "wlan0"}}), 64);

  flags.Set("collector.qdisc.device-exclude", "^eth");
  auto excl = NewQdiscCollector(ctx);
  ASSERT_TRUE(excl.ok());
  expo::MetricSet set2;
  ASSERT_TRUE(excl.value()->Collect(set2).ok());
  EXPECT_EQ(set2.Count("node_qdisc_bytes_total"), 1u);
  EXPECT_TRUE(std::isnan(set2.Find("node_qdisc_bytes_total", {{"device", "eth0"}})));

  // A broken fixture file fails the collector.
  tree.Write("results.json", "[{\"Bytes\": \"x\"}]");
  expo::MetricSet set3;
  EXPECT_FALSE(c.value()->Collect(set3).ok());
  flags.Set("collector.qdisc.fixtures", tree.Path("missing"));
  auto missing = NewQdiscCollector(ctx);
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing.value()->Collect(set3).ok());
}

TEST(QdiscCollectorTest, FactoryRejectsBadFlags) {
  FlagValues flags;
  Context ctx;
  ctx.flags = &flags;
  flags.Set("collector.qdisc.device-include", "(");
  auto bad = NewQdiscCollector(ctx);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("collector.qdisc.device-include"), std::string::npos);
  flags.Set("collector.qdisc.device-include", "eth0");
  flags.Set("collector.qdisc.device-exclude", "lo");
  EXPECT_FALSE(NewQdiscCollector(ctx).ok());
  flags.Set("collector.qdisc.device-include", "");
  flags.Set("collector.qdisc.device-exclude", "[");
  auto bad2 = NewQdiscCollector(ctx);
  ASSERT_FALSE(bad2.ok());
  EXPECT_NE(bad2.status().message().find("collector.qdisc.device-exclude"), std::string::npos);
}

TEST(QdiscCollectorTest, LiveNetlinkDumpOnThisMachine) {
  Context ctx;
  auto c = NewQdiscCollector(ctx);
  ASSERT_TRUE(c.ok());
  expo::MetricSet set;
  Status st = c.value()->Collect(set);
  if (!st.ok()) GTEST_SKIP() << "rtnetlink not usable here: " << st.message();
  // Every machine has lo, and since Linux 4.x its root qdisc is reported
  // (noqueue); the two scrapes must agree on the set of series.
  EXPECT_FALSE(std::isnan(set.Find("node_qdisc_bytes_total", {{"device", "lo"}})));
  size_t first = set.Count("node_qdisc_packets_total");
  EXPECT_GE(first, 1u);
  set.Clear();
  ASSERT_TRUE(c.value()->Collect(set).ok());
  EXPECT_EQ(set.Count("node_qdisc_packets_total"), first);
}

TEST(QdiscCollectorTest, MatchesNodeExporterOnConformanceFixtures) {
  NODEX_REQUIRE_KIT(kit);
  testing::ScopedKitDir cd(kit);
  FlagValues flags;  // node_exporter's e2e flags for qdisc.
  flags.Set("collector.qdisc.device-include", "(wlan0|eth0)");
  flags.Set("collector.qdisc.fixtures", "collector/fixtures/qdisc/");
  Logger log;
  auto c = NewQdiscCollector(testing::KitContext(&flags, &log));
  ASSERT_TRUE(c.ok()) << c.status().message();
  expo::MetricSet set;
  Status st = c.value()->Collect(set);
  ASSERT_TRUE(st.ok()) << st.message();
  const std::vector<std::string> families = {
      "node_qdisc_backlog",          "node_qdisc_bytes_total",    "node_qdisc_current_queue_length",
      "node_qdisc_drops_total",      "node_qdisc_overlimits_total", "node_qdisc_packets_total",
      "node_qdisc_requeues_total"};
  std::vector<std::string> expected = testing::ExpectedLines(kit, families);
  EXPECT_EQ(expected.size(), 21u);
  EXPECT_EQ(testing::RenderedLines(set, families), expected);
}

}  // namespace
}  // namespace nodex::collectors
