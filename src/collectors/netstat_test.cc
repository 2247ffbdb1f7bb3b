#include "collectors/netstat.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "base/file_reader.h"
#include "collectors/testing/kit.h"
#include "collectors/testing/scratch.h"

namespace nodex::collectors {
namespace {

using testing::MustCreate;
using testing::ProcContext;
using testing::ScratchTree;

double FindField(const std::vector<NetstatField>& fields, std::string_view proto, std::string_view name) {
  for (const auto& f : fields) {
    if (f.protocol == proto && f.name == name) return f.value;
  }
  return -12345;
}

TEST(ParseNetstatTest, RealCaptureFromThisMachine) {
  std::string netstat, snmp, snmp6;
  ASSERT_TRUE(ReadFileOnce("src/collectors/testdata/netstat/real/net/netstat", &netstat).ok())
      << "run from the repository root";
  ASSERT_TRUE(ReadFileOnce("src/collectors/testdata/netstat/real/net/snmp", &snmp).ok());
  ASSERT_TRUE(ReadFileOnce("src/collectors/testdata/netstat/real/net/snmp6", &snmp6).ok());
  std::vector<NetstatField> fields;
  uint32_t block = 0;
  ASSERT_TRUE(ParseNetstat(netstat, &fields, &block).ok());
  EXPECT_EQ(block, 3u);  // TcpExt, IpExt, MPTcpExt
  ASSERT_TRUE(ParseNetstat(snmp, &fields, &block).ok());
  EXPECT_EQ(block, 9u);
  EXPECT_EQ(FindField(fields, "Tcp", "MaxConn"), -1);
  EXPECT_EQ(FindField(fields, "Ip", "DefaultTTL"), 64);
  ASSERT_TRUE(ParseSnmp6(snmp6, &fields, &block).ok());
  EXPECT_EQ(block, 10u);
  EXPECT_NE(FindField(fields, "Udp6", "InDatagrams"), -12345);
  EXPECT_NE(FindField(fields, "UdpLite6", "InErrors"), -12345);
}

TEST(ParseNetstatTest, HandWritten) {
  std::vector<NetstatField> fields;
  uint32_t block = 0;
  ASSERT_TRUE(ParseNetstat("Ip: Forwarding DefaultTTL\nIp: 2 64\nTcp: MaxConn\nTcp: -1", &fields, &block).ok());
  ASSERT_EQ(fields.size(), 3u);
  EXPECT_EQ(fields[0].protocol, "Ip");
  EXPECT_EQ(fields[1].name, "DefaultTTL");
  EXPECT_EQ(fields[2].value, -1);
  EXPECT_EQ(fields[2].block, 1u);
  // A header with no fields and no value line is accepted, as in node_exporter.
  EXPECT_TRUE(ParseNetstat("Foo:", &fields, &block).ok());
  EXPECT_TRUE(ParseNetstat("", &fields, &block).ok());
}

TEST(ParseNetstatTest, RejectsMalformedInput) {
  for (const char* bad : {
           "Ip: Forwarding DefaultTTL\nIp: 2\n",     // missing field
           "Ip: Forwarding DefaultTTL\n",            // truncated
           "Ip: Forwarding\nIp: x\n",                // non-numeric
           "Ip: Forwarding\nIp: 1e999\n",            // huge
           "\nIp: 1\n",                              // empty header
           "Ip: Forwarding DefaultTTL\nIp: 1  2\n",  // doubled space
       }) {
    std::vector<NetstatField> fields;
    uint32_t block = 0;
    EXPECT_FALSE(ParseNetstat(bad, &fields, &block).ok()) << "input: " << bad;
  }
  std::vector<NetstatField> fields;
  uint32_t block = 0;
  EXPECT_FALSE(ParseSnmp6("Ip6InReceives x\n", &fields, &block).ok());
  EXPECT_TRUE(ParseSnmp6("Ip6InReceives\nNoSixHere 5\n\n", &fields, &block).ok());
  EXPECT_TRUE(fields.empty());
}

TEST(NetstatCollectorTest, DefaultFieldsAndSnmp6Optional) {
  ScratchTree tree("netstat_basic");
  tree.Write("net/netstat", "TcpExt: ListenDrops TCPPureAcks\nTcpExt: 3 9\n");
  tree.Write("net/snmp", "Ip: Forwarding DefaultTTL\nIp: 1 64\nUdp: InErrors\nUdp: 4\n");
  auto c = MustCreate(NewNetstatCollector, ProcContext(tree.root()));
  expo::MetricSet set;
  ASSERT_TRUE(c->Collect(set).ok());
  EXPECT_DOUBLE_EQ(set.Find("node_netstat_TcpExt_ListenDrops"), 3);
  EXPECT_EQ(set.Count("node_netstat_TcpExt_TCPPureAcks"), 0u);
  EXPECT_DOUBLE_EQ(set.Find("node_netstat_Ip_Forwarding"), 1);
  EXPECT_EQ(set.Count("node_netstat_Ip_DefaultTTL"), 0u);
  EXPECT_DOUBLE_EQ(set.Find("node_netstat_Udp_InErrors"), 4);
}

TEST(NetstatCollectorTest, FieldsFlag) {
  ScratchTree tree("netstat_flag");
  tree.Write("net/netstat", "TcpExt: ListenDrops TCPPureAcks\nTcpExt: 3 9\n");
  tree.Write("net/snmp", "");
  tree.Write("net/snmp6", "Ip6InReceives 7\n");
  FlagValues flags;
  flags.Set("collector.netstat.fields", "PureAcks|Ip6");
  auto c = MustCreate(NewNetstatCollector, ProcContext(tree.root(), &flags));
  expo::MetricSet set;
  ASSERT_TRUE(c->Collect(set).ok());
  EXPECT_DOUBLE_EQ(set.Find("node_netstat_TcpExt_TCPPureAcks"), 9);
  EXPECT_DOUBLE_EQ(set.Find("node_netstat_Ip6_InReceives"), 7);
  EXPECT_EQ(set.samples().size(), 2u);

  flags.Set("collector.netstat.fields", "(unclosed");
  auto bad = NewNetstatCollector(ProcContext(tree.root(), &flags));
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("collector.netstat.fields"), std::string::npos);
}

TEST(NetstatCollectorTest, MissingOrMalformedFiles) {
  ScratchTree tree("netstat_missing");
  auto c = MustCreate(NewNetstatCollector, ProcContext(tree.root()));
  expo::MetricSet set;
  EXPECT_EQ(c->Collect(set).code(), StatusCode::kError);  // netstat is required
  tree.Write("net/netstat", "TcpExt: ListenDrops\nTcpExt: 3\n");
  EXPECT_EQ(c->Collect(set).code(), StatusCode::kError);  // so is snmp
  tree.Write("net/snmp", "Ip: Forwarding\nIp: one\n");
  EXPECT_EQ(c->Collect(set).code(), StatusCode::kError);
  tree.Write("net/snmp", "Ip: Forwarding\nIp: 1\n");
  set.Clear();
  EXPECT_TRUE(c->Collect(set).ok());
  tree.Write("net/snmp6", "Udp6InErrors zero\n");
  EXPECT_EQ(c->Collect(set).code(), StatusCode::kError);
}

TEST(NetstatCollectorTest, LaterProtocolBlockReplacesEarlier) {
  ScratchTree tree("netstat_merge");
  tree.Write("net/netstat", "Udp: InErrors NoPorts\nUdp: 1 2\n");
  tree.Write("net/snmp", "Udp: InErrors\nUdp: 5\n");
  auto c = MustCreate(NewNetstatCollector, ProcContext(tree.root()));
  expo::MetricSet set;
  ASSERT_TRUE(c->Collect(set).ok());
  EXPECT_DOUBLE_EQ(set.Find("node_netstat_Udp_InErrors"), 5);
  EXPECT_EQ(set.Count("node_netstat_Udp_NoPorts"), 0u);
}

// The per-field filter verdicts are cached by position; a file whose fields
// change between scrapes must still be filtered by name.
TEST(NetstatCollectorTest, FieldsThatChangeBetweenScrapesAreRefiltered) {
  ScratchTree tree("netstat_relayout");
  tree.Write("net/netstat", "TcpExt: ListenDrops TCPPureAcks\nTcpExt: 3 9\n");
  tree.Write("net/snmp", "Ip: Forwarding\nIp: 1\n");
  auto c = MustCreate(NewNetstatCollector, ProcContext(tree.root()));
  expo::MetricSet set;
  ASSERT_TRUE(c->Collect(set).ok());
  EXPECT_DOUBLE_EQ(set.Find("node_netstat_TcpExt_ListenDrops"), 3);
  EXPECT_EQ(set.samples().size(), 2u);

  // Same positions, other names: the exported field moves, and one protocol
  // takes another's place.
  tree.Write("net/netstat", "TcpExt: TCPPureAcks ListenDrops\nTcpExt: 9 4\n");
  tree.Write("net/snmp", "Udp: InErrors\nUdp: 6\n");
  set.Clear();
  ASSERT_TRUE(c->Collect(set).ok());
  EXPECT_DOUBLE_EQ(set.Find("node_netstat_TcpExt_ListenDrops"), 4);
  EXPECT_EQ(set.Count("node_netstat_TcpExt_TCPPureAcks"), 0u);
  EXPECT_EQ(set.Count("node_netstat_Ip_Forwarding"), 0u);
  EXPECT_DOUBLE_EQ(set.Find("node_netstat_Udp_InErrors"), 6);
  EXPECT_EQ(set.samples().size(), 2u);

  // Fewer fields than before, then the original layout again.
  tree.Write("net/netstat", "TcpExt: ListenDrops\nTcpExt: 5\n");
  set.Clear();
  ASSERT_TRUE(c->Collect(set).ok());
  EXPECT_DOUBLE_EQ(set.Find("node_netstat_TcpExt_ListenDrops"), 5);
  EXPECT_DOUBLE_EQ(set.Find("node_netstat_Udp_InErrors"), 6);
  EXPECT_EQ(set.samples().size(), 2u);
  tree.Write("net/netstat", "TcpExt: ListenDrops TCPPureAcks\nTcpExt: 7 9\n");
  tree.Write("net/snmp", "Ip: Forwarding\nIp: 1\n");
  set.Clear();
  ASSERT_TRUE(c->Collect(set).ok());
  EXPECT_DOUBLE_EQ(set.Find("node_netstat_TcpExt_ListenDrops"), 7);
  EXPECT_DOUBLE_EQ(set.Find("node_netstat_Ip_Forwarding"), 1);
  EXPECT_EQ(set.samples().size(), 2u);
}

TEST(NetstatCollectorTest, RealCaptureThroughCollector) {
  auto c = MustCreate(NewNetstatCollector, ProcContext("src/collectors/testdata/netstat/real"));
  expo::MetricSet set;
  ASSERT_TRUE(c->Collect(set).ok());
  EXPECT_EQ(set.Count("node_netstat_Tcp_CurrEstab"), 1u);
  EXPECT_EQ(set.Count("node_netstat_Ip6_InOctets"), 1u);
  EXPECT_EQ(set.Count("node_netstat_Tcp_MaxConn"), 0u);
}

TEST(NetstatCollectorTest, MatchesNodeExporterOnConformanceFixtures) {
  NODEX_REQUIRE_KIT(kit);
  testing::ScopedKitDir in_kit(kit);
  FlagValues flags;
  Logger log;
  auto c = MustCreate(NewNetstatCollector, testing::KitContext(&flags, &log));
  expo::MetricSet set;
  ASSERT_TRUE(c->Collect(set).ok());
  std::vector<std::string> families;
  for (const auto& f : set.families()) families.push_back(f.name);
  const std::vector<std::string> expected_families = {"node_netstat_Icmp6_InErrors",
                                                      "node_netstat_Icmp6_InMsgs",
                                                      "node_netstat_Icmp6_OutMsgs",
                                                      "node_netstat_Icmp_InErrors",
                                                      "node_netstat_Icmp_InMsgs",
                                                      "node_netstat_Icmp_OutMsgs",
                                                      "node_netstat_Ip6_InOctets",
                                                      "node_netstat_Ip6_OutOctets",
                                                      "node_netstat_IpExt_InOctets",
                                                      "node_netstat_IpExt_OutOctets",
                                                      "node_netstat_Ip_Forwarding",
                                                      "node_netstat_TcpExt_ListenDrops",
                                                      "node_netstat_TcpExt_ListenOverflows",
                                                      "node_netstat_TcpExt_SyncookiesFailed",
                                                      "node_netstat_TcpExt_SyncookiesRecv",
                                                      "node_netstat_TcpExt_SyncookiesSent",
                                                      "node_netstat_TcpExt_TCPOFOQueue",
                                                      "node_netstat_TcpExt_TCPRcvQDrop",
                                                      "node_netstat_TcpExt_TCPTimeouts",
                                                      "node_netstat_Tcp_ActiveOpens",
                                                      "node_netstat_Tcp_CurrEstab",
                                                      "node_netstat_Tcp_InErrs",
                                                      "node_netstat_Tcp_InSegs",
                                                      "node_netstat_Tcp_OutRsts",
                                                      "node_netstat_Tcp_OutSegs",
                                                      "node_netstat_Tcp_PassiveOpens",
                                                      "node_netstat_Tcp_RetransSegs",
                                                      "node_netstat_Udp6_InDatagrams",
                                                      "node_netstat_Udp6_InErrors",
                                                      "node_netstat_Udp6_NoPorts",
                                                      "node_netstat_Udp6_OutDatagrams",
                                                      "node_netstat_Udp6_RcvbufErrors",
                                                      "node_netstat_Udp6_SndbufErrors",
                                                      "node_netstat_UdpLite6_InErrors",
                                                      "node_netstat_UdpLite_InErrors",
                                                      "node_netstat_Udp_InDatagrams",
                                                      "node_netstat_Udp_InErrors",
                                                      "node_netstat_Udp_NoPorts",
                                                      "node_netstat_Udp_OutDatagrams",
                                                      "node_netstat_Udp_RcvbufErrors",
                                                      "node_netstat_Udp_SndbufErrors"};
  std::vector<std::string> expected = testing::ExpectedLines(kit, expected_families);
  EXPECT_EQ(expected.size(), 82u);
  EXPECT_EQ(testing::RenderedLines(set, expected_families), expected);
  // No family beyond the expected ones.
  EXPECT_EQ(set.samples().size(), expected_families.size());
}

}  // namespace
}  // namespace nodex::collectors
