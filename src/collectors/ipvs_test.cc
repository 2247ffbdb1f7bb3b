#include "collectors/ipvs.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "collectors/testing/kit.h"
#include "collectors/testing/scratch.h"

namespace nodex::collectors {
namespace {

using testing::MustCreate;
using testing::ReadTestdata;
using testing::ScratchTree;

std::string Addr(const IpvsAddress& a) {
  std::string s;
  AppendIpvsAddress(a, &s);
  return s;
}

IpvsAddress V6(std::initializer_list<uint16_t> words) {
  IpvsAddress a;
  a.len = 16;
  int i = 0;
  for (uint16_t w : words) {
    a.bytes[2 * i] = static_cast<uint8_t>(w >> 8);
    a.bytes[2 * i + 1] = static_cast<uint8_t>(w);
    ++i;
  }
  return a;
}

TEST(ParseIpvsStatsTest, HandWritten) {
  StatusOr<IpvsStats> s = ParseIpvsStats(ReadTestdata("src/collectors/testdata/ipvs/ip_vs_stats"));
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->connections, 2u);
  EXPECT_EQ(s->incoming_packets, 0x1fu);
  EXPECT_EQ(s->outgoing_packets, 10u);
  EXPECT_EQ(s->incoming_bytes, 0x1000u);
  EXPECT_EQ(s->outgoing_bytes, UINT64_MAX);
}

TEST(ParseIpvsStatsTest, RejectsMalformed) {
  const std::string head = "   Total Incoming\n   Conns  Packets\n";
  EXPECT_FALSE(ParseIpvsStats("").ok());
  EXPECT_FALSE(ParseIpvsStats(head + " 1 2 3 4 5").ok());           // only two newlines: too short
  EXPECT_TRUE(ParseIpvsStats(head + " 1 2 3 4 5\n").ok());
  EXPECT_FALSE(ParseIpvsStats(head + " 1 2 3 4\n").ok());           // four fields
  EXPECT_FALSE(ParseIpvsStats(head + " 1 2 3 4 5 6\n").ok());       // six fields
  EXPECT_FALSE(ParseIpvsStats(head + " 1 2 3 4 G\n").ok());         // not hex
  EXPECT_FALSE(ParseIpvsStats(head + " 1 2 3 4 -5\n").ok());        // negative
  EXPECT_FALSE(ParseIpvsStats(head + " 1 2 3 4 0x5\n").ok());       // prefix
  EXPECT_FALSE(ParseIpvsStats(head + " 1 2 3 4 10000000000000000\n").ok());  // > 64 bits
}

TEST(ParseIpvsBackendsTest, Ipv4AndIpv6) {
  // Backends view the content: keep it alive.
  const std::string content = ReadTestdata("src/collectors/testdata/ipvs/ip_vs_v6");
  std::vector<IpvsBackend> b;
  Status st = ParseIpvsBackends(content, &b);
  ASSERT_TRUE(st.ok()) << st.message();
  ASSERT_EQ(b.size(), 3u);
  EXPECT_EQ(Addr(b[0].local_address), "2001:db8::10");
  EXPECT_EQ(b[0].local_port, 80);
  EXPECT_EQ(b[0].proto, "TCP");
  EXPECT_EQ(Addr(b[0].remote_address), "2001:db8::1:0:0:1");
  EXPECT_EQ(b[0].remote_port, 8080);
  EXPECT_EQ(b[0].weight, 1u);
  EXPECT_EQ(b[0].active_conn, 3u);
  EXPECT_EQ(b[0].inact_conn, 7u);
  EXPECT_EQ(Addr(b[1].remote_address), "192.0.2.1");  // IPv4-mapped prints as IPv4, like Go
  EXPECT_EQ(Addr(b[2].local_address), "10.0.0.1");
  EXPECT_EQ(b[2].local_port, 53);
  EXPECT_EQ(b[2].proto, "UDP");
  EXPECT_EQ(b[2].inact_conn, 11u);
}

TEST(ParseIpvsBackendsTest, FirewallMarkAndQuirks) {
  std::vector<IpvsBackend> b;
  Status st = ParseIpvsBackends(
      "FWM  10001000 wlc\n"
      "  -> C0A8321A:0CEA      Tunnel  20     64         1\n"
      "  -> C0A8321B:0CEA      Tunnel  20     64\n"  // too few fields: skipped
      "SCTP C0A80001:0050 rr\n"                     // unknown protocol: ignored
      "  -> C0A8321C:0CEA      Route  1 2 3\n"
      "\n",
      &b);
  ASSERT_TRUE(st.ok()) << st.message();
  ASSERT_EQ(b.size(), 2u);
  EXPECT_EQ(b[0].proto, "FWM");
  EXPECT_EQ(b[0].local_mark, "10001000");
  EXPECT_EQ(Addr(b[0].local_address), "");
  EXPECT_EQ(b[0].local_port, 0);
  EXPECT_EQ(Addr(b[0].remote_address), "192.168.50.26");
  // procfs attributes the SCTP service's real server to the FWM service.
  EXPECT_EQ(b[1].proto, "FWM");
  EXPECT_EQ(Addr(b[1].remote_address), "192.168.50.28");
}

TEST(ParseIpvsBackendsTest, RejectsMalformed) {
  std::vector<IpvsBackend> b;
  for (std::string_view content : {
           "TCP\n",                                           // one field (procfs would panic)
           "TCP  C0A8001:0CEA wlc\n",                         // short address
           "TCP  C0A8001G:0CEA wlc\n",                        // not hex
           "TCP  C0A80016:0CEG wlc\n",                        // bad port
           "TCP  [2001:0db8:0000:0000:0000:0000:0000:001g]:0050 rr\n",  // bad IPv6
           "  -> C0A80016:0CEA Tunnel x 1 2\n",               // weight not a number
           "  -> C0A80016:0CEA Tunnel 1 -1 2\n",              // negative
           "  -> C0A80016:0CEA Tunnel 1 1 18446744073709551616\n",  // > 64 bits
       }) {
    EXPECT_FALSE(ParseIpvsBackends(content, &b).ok()) << content;
  }
  EXPECT_TRUE(ParseIpvsBackends("", &b).ok());
  EXPECT_TRUE(b.empty());
}

TEST(AppendIpvsAddressTest, GoFormatting) {
  EXPECT_EQ(Addr(V6({0, 0, 0, 0, 0, 0, 0, 1})), "::1");
  EXPECT_EQ(Addr(V6({0, 0, 0, 0, 0, 0, 0, 0})), "::");
  EXPECT_EQ(Addr(V6({1, 0, 2, 0, 0, 3, 0, 0})), "1:0:2::3:0:0");  // leftmost longest run
  EXPECT_EQ(Addr(V6({1, 0, 2, 3, 4, 5, 6, 7})), "1:0:2:3:4:5:6:7");  // single zero stays
  EXPECT_EQ(Addr(V6({0, 0, 0, 0, 0, 0, 0x0102, 0x0304})), "::102:304");  // not "::1.2.3.4"
  EXPECT_EQ(Addr(V6({0xfe80, 0, 0, 0, 0xabcd, 0, 0, 0})), "fe80::abcd:0:0:0");
}

TEST(IpvsCollectorTest, ReadsTreeAndSumsDroppedLabels) {
  ScratchTree tree("ipvs");
  tree.Write("net/ip_vs_stats", ReadTestdata("src/collectors/testdata/ipvs/ip_vs_stats"));
  tree.Write("net/ip_vs", ReadTestdata("src/collectors/testdata/ipvs/ip_vs_v6"));
  FlagValues flags;
  flags.Set("collector.ipvs.backend-labels", "proto,local_port");
  auto c = MustCreate(NewIpvsCollector, testing::ProcContext(tree.root(), &flags));
  ASSERT_NE(c, nullptr);
  expo::MetricSet set;
  ASSERT_TRUE(c->Collect(set).ok());
  EXPECT_EQ(set.Find("node_ipvs_outgoing_bytes_total"), 18446744073709551615.0);
  EXPECT_EQ(set.Count("node_ipvs_backend_weight"), 2u);
  EXPECT_EQ(set.Find("node_ipvs_backend_weight", {{"proto", "TCP"}, {"local_port", "80"}}), 3);
  EXPECT_EQ(set.Find("node_ipvs_backend_connections_active", {{"proto", "TCP"}}), 7);
  EXPECT_EQ(set.Find("node_ipvs_backend_connections_inactive", {{"proto", "UDP"}, {"local_port", "53"}}), 11);
  // A second scrape reuses the kept-open fds and buffers.
  set.Clear();
  ASSERT_TRUE(c->Collect(set).ok());
  EXPECT_EQ(set.Count("node_ipvs_backend_connections_active"), 2u);
}

TEST(IpvsCollectorTest, EmptyLabelFlagSumsEverything) {
  ScratchTree tree("ipvs_nolabels");
  tree.Write("net/ip_vs_stats", ReadTestdata("src/collectors/testdata/ipvs/ip_vs_stats"));
  tree.Write("net/ip_vs", ReadTestdata("src/collectors/testdata/ipvs/ip_vs_v6"));
  FlagValues flags;
  flags.Set("collector.ipvs.backend-labels", "");
  auto c = MustCreate(NewIpvsCollector, testing::ProcContext(tree.root(), &flags));
  ASSERT_NE(c, nullptr);
  expo::MetricSet set;
  ASSERT_TRUE(c->Collect(set).ok());
  EXPECT_EQ(set.Count("node_ipvs_backend_weight"), 1u);
  EXPECT_EQ(set.Find("node_ipvs_backend_weight"), 8);
}

TEST(IpvsCollectorTest, UnknownLabelFailsFactory) {
  FlagValues flags;
  flags.Set("collector.ipvs.backend-labels", "proto,zeta,alpha");
  auto c = NewIpvsCollector(testing::ProcContext("/nonexistent", &flags));
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("collector.ipvs.backend-labels"), std::string::npos);
  EXPECT_NE(c.status().message().find("\"alpha, zeta\""), std::string::npos);
}

TEST(IpvsCollectorTest, MissingModuleIsNoData) {
  ScratchTree tree("ipvs_missing");
  tree.MakeDir("net");
  auto c = MustCreate(NewIpvsCollector, testing::ProcContext(tree.root()));
  ASSERT_NE(c, nullptr);
  expo::MetricSet set;
  EXPECT_EQ(c->Collect(set).code(), StatusCode::kNoData);
  EXPECT_EQ(set.samples().size(), 0u);
}

TEST(IpvsCollectorTest, MalformedOrMissingBackendsFail) {
  ScratchTree tree("ipvs_bad");
  tree.Write("net/ip_vs_stats", ReadTestdata("src/collectors/testdata/ipvs/ip_vs_stats"));
  auto c = MustCreate(NewIpvsCollector, testing::ProcContext(tree.root()));
  ASSERT_NE(c, nullptr);
  expo::MetricSet set;
  EXPECT_EQ(c->Collect(set).code(), StatusCode::kError);  // ip_vs missing
  tree.Write("net/ip_vs", "TCP  C0A8001:0CEA wlc\n");
  set.Clear();
  EXPECT_EQ(c->Collect(set).code(), StatusCode::kError);
  tree.Write("net/ip_vs_stats", "");
  set.Clear();
  EXPECT_EQ(c->Collect(set).code(), StatusCode::kError);
  EXPECT_EQ(set.samples().size(), 0u);
}

TEST(IpvsCollectorTest, MatchesNodeExporterOnConformanceFixtures) {
  NODEX_REQUIRE_KIT(kit);
  testing::ScopedKitDir cd(kit);
  FlagValues flags;
  Logger log;
  auto c = NewIpvsCollector(testing::KitContext(&flags, &log));
  ASSERT_TRUE(c.ok()) << c.status().message();
  expo::MetricSet set;
  ASSERT_TRUE(c.value()->Collect(set).ok());
  const std::vector<std::string> families = {
      "node_ipvs_backend_connections_active", "node_ipvs_backend_connections_inactive",
      "node_ipvs_backend_weight",             "node_ipvs_connections_total",
      "node_ipvs_incoming_bytes_total",       "node_ipvs_incoming_packets_total",
      "node_ipvs_outgoing_bytes_total",       "node_ipvs_outgoing_packets_total"};
  std::vector<std::string> expected = testing::ExpectedLines(kit, families);
  EXPECT_EQ(expected.size(), 43u);
  EXPECT_EQ(testing::RenderedLines(set, families), expected);
}

}  // namespace
}  // namespace nodex::collectors
