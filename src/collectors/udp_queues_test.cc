#include "collectors/udp_queues.h"

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

constexpr std::string_view kHeader =
    "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer "
    "drops\n";

std::string Line(std::string_view queues, std::string_view local = "0100007F:86F3") {
  return "12585: " + std::string(local) + " 00000000:0000 07 " + std::string(queues) +
         " 00:00000000 00000000     0        0 352231 2 00000000cc4796f1 0\n";
}

TEST(ParseUdpQueuesTest, SumsQueues) {
  std::string content = std::string(kHeader) + Line("00000010:00000340") + Line("00000001:00000001");
  StatusOr<UdpQueueSummary> s = ParseUdpQueues(content);
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->sockets, 2u);
  EXPECT_EQ(s->tx_queue, 0x11u);
  EXPECT_EQ(s->rx_queue, 0x341u);
}

TEST(ParseUdpQueuesTest, RealCapturesFromThisMachine) {
  StatusOr<UdpQueueSummary> v4 = ParseUdpQueues(ReadTestdata("src/collectors/testdata/udp_queues/udp_real"));
  ASSERT_TRUE(v4.ok()) << v4.status().message();
  EXPECT_EQ(v4->sockets, 2u);
  EXPECT_EQ(v4->rx_queue, 0x340u);  // one 100-byte datagram waiting, with its skb overhead
  StatusOr<UdpQueueSummary> v6 = ParseUdpQueues(ReadTestdata("src/collectors/testdata/udp_queues/udp6_real"));
  ASSERT_TRUE(v6.ok()) << v6.status().message();
  EXPECT_EQ(v6->sockets, 1u);
}

TEST(ParseUdpQueuesTest, HeaderOnlyAndEmpty) {
  EXPECT_EQ(ParseUdpQueues("")->sockets, 0u);
  EXPECT_EQ(ParseUdpQueues(kHeader)->sockets, 0u);
}

TEST(ParseUdpQueuesTest, RejectsMalformed) {
  const std::vector<std::string> bad = {
      "12585: 0100007F:86F3 00000000:0000 07 00000000:00000340\n",            // truncated
      Line("00000000"),                                                       // no colon in queues
      Line("00000000:zz"),                                                    // non-hex queue
      Line("00000000:10000000000000000"),                                     // > 64 bits
      Line("00000000:00000000", "0100007F"),                                  // no port
      Line("00000000:00000000", "0100007:86F3"),                              // odd-length address
      Line("00000000:00000000", "0100007F00:86F3"),                           // 5-byte address
      Line("00000000:00000000", "0100007G:86F3"),                             // non-hex address
      "x: 0100007F:86F3 00000000:0000 07 0:0 00:00000000 00000000 0 0 1\n",   // bad sl
      "1: 0100007F:86F3 00000000:0000 07 0:0 00:00000000 00000000 u 0 1\n",   // bad uid
      "1: 0100007F:86F3 00000000:0000 07 0:0 00:00000000 00000000 0 0 -1\n",  // bad inode
      "\n",                                                                   // empty line
  };
  for (const std::string& row : bad) {
    EXPECT_FALSE(ParseUdpQueues(std::string(kHeader) + row).ok()) << row;
  }
}

TEST(UdpQueuesCollectorTest, BothFamiliesAndMissingFiles) {
  ScratchTree tree("udp_queues");
  tree.Write("net/udp", std::string(kHeader) + Line("00000015:00000000"));
  tree.Write("net/udp6", std::string(kHeader) + Line("00000000:00000007", "00000000000000000000000001000000:C49B"));
  auto c = MustCreate(NewUdpQueuesCollector, testing::ProcContext(tree.root()));
  ASSERT_NE(c, nullptr);
  expo::MetricSet set;
  ASSERT_TRUE(c->Collect(set).ok());
  EXPECT_EQ(set.Find("node_udp_queues", {{"queue", "tx"}, {"ip", "v4"}}), 0x15);
  EXPECT_EQ(set.Find("node_udp_queues", {{"queue", "rx"}, {"ip", "v6"}}), 7);
  EXPECT_EQ(set.Count("node_udp_queues"), 4u);

  ScratchTree empty("udp_queues_none");
  empty.MakeDir("net");
  auto none = MustCreate(NewUdpQueuesCollector, testing::ProcContext(empty.root()));
  ASSERT_NE(none, nullptr);
  set.Clear();
  EXPECT_EQ(none->Collect(set).code(), StatusCode::kNoData);
}

TEST(UdpQueuesCollectorTest, MalformedFails) {
  ScratchTree tree("udp_queues_bad");
  tree.Write("net/udp", std::string(kHeader) + "garbage\n");
  auto c = MustCreate(NewUdpQueuesCollector, testing::ProcContext(tree.root()));
  ASSERT_NE(c, nullptr);
  expo::MetricSet set;
  EXPECT_EQ(c->Collect(set).code(), StatusCode::kError);
}

TEST(UdpQueuesCollectorTest, MatchesNodeExporterOnConformanceFixtures) {
  NODEX_REQUIRE_KIT(kit);
  testing::ScopedKitDir cd(kit);
  FlagValues flags;
  Logger log;
  auto c = NewUdpQueuesCollector(testing::KitContext(&flags, &log));
  ASSERT_TRUE(c.ok());
  expo::MetricSet set;
  ASSERT_TRUE(c.value()->Collect(set).ok());  // no udp6 in the fixtures: still a success
  const std::vector<std::string> families = {"node_udp_queues"};
  std::vector<std::string> expected = testing::ExpectedLines(kit, families);
  EXPECT_EQ(expected.size(), 3u);
  EXPECT_EQ(testing::RenderedLines(set, families), expected);
}

}  // namespace
}  // namespace nodex::collectors
