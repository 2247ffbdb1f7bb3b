#include "collectors/sockstat.h"

#include <gtest/gtest.h>
#include <unistd.h>

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

TEST(ParseSockstatTest, RealCaptureFromThisMachine) {
  std::string text;
  ASSERT_TRUE(ReadFileOnce("src/collectors/testdata/sockstat/real/net/sockstat", &text).ok())
      << "run from the repository root";
  Sockstat s;
  ASSERT_TRUE(ParseSockstat(text, &s).ok());
  ASSERT_TRUE(s.used.has_value());
  ASSERT_EQ(s.protocols.size(), 5u);
  EXPECT_EQ(s.protocols[0].name, "TCP");
  EXPECT_TRUE(s.protocols[0].tw.has_value());
  EXPECT_TRUE(s.protocols[0].mem.has_value());
  EXPECT_EQ(s.protocols[4].name, "FRAG");
  EXPECT_TRUE(s.protocols[4].memory.has_value());
  EXPECT_FALSE(s.protocols[4].mem.has_value());

  ASSERT_TRUE(ReadFileOnce("src/collectors/testdata/sockstat/real/net/sockstat6", &text).ok());
  ASSERT_TRUE(ParseSockstat(text, &s).ok());
  EXPECT_FALSE(s.used.has_value());
  ASSERT_EQ(s.protocols.size(), 5u);
  EXPECT_EQ(s.protocols[0].name, "TCP6");
}

TEST(ParseSockstatTest, HandWrittenQuirks) {
  Sockstat s;
  // Unknown keys are ignored, repeated keys keep the last value, base-0 ints
  // and negative values are accepted, and a protocol without inuse gets 0.
  ASSERT_TRUE(ParseSockstat("sockets: other 1\nTCP: inuse 1 inuse 2 weird 9 mem 0x10\nX: orphan -3\n", &s).ok());
  ASSERT_TRUE(s.used.has_value());
  EXPECT_EQ(*s.used, 0);
  ASSERT_EQ(s.protocols.size(), 2u);
  EXPECT_EQ(s.protocols[0].inuse, 2);
  EXPECT_EQ(*s.protocols[0].mem, 16);
  EXPECT_EQ(s.protocols[1].inuse, 0);
  EXPECT_EQ(*s.protocols[1].orphan, -3);
  ASSERT_TRUE(ParseSockstat("", &s).ok());
  EXPECT_TRUE(s.protocols.empty());
  EXPECT_FALSE(s.used.has_value());
}

TEST(ParseSockstatTest, RejectsMalformedInput) {
  Sockstat s;
  for (const char* bad : {
           "TCP:\n",                                // no pairs
           "TCP: inuse\n",                          // truncated
           "TCP: inuse 1 orphan\n",                 // odd pairs
           "TCP: inuse 1 \n",                       // trailing space
           "TCP:  inuse 1\n",                       // doubled space
           "TCP: inuse x\n",                        // non-numeric
           "TCP: inuse 99999999999999999999999\n",  // huge
           "sockets: used 1\n\nTCP: inuse 1\n",     // empty line
           "TCP: inuse 1.5\n",                      // not an integer
       }) {
    EXPECT_FALSE(ParseSockstat(bad, &s).ok()) << "input: " << bad;
  }
}

TEST(SockstatCollectorTest, MissingFilesAreNotAnError) {
  ScratchTree tree("sockstat_missing");
  auto c = MustCreate(NewSockstatCollector, ProcContext(tree.root()));
  expo::MetricSet set;
  EXPECT_TRUE(c->Collect(set).ok());
  EXPECT_EQ(set.samples().size(), 0u);

  // IPv6 disabled: only the IPv4 file.
  tree.Write("net/sockstat", "sockets: used 3\nTCP: inuse 1 orphan 0 tw 2 alloc 3 mem 2\n");
  ASSERT_TRUE(c->Collect(set).ok());
  EXPECT_DOUBLE_EQ(set.Find("node_sockstat_sockets_used"), 3);
  EXPECT_DOUBLE_EQ(set.Find("node_sockstat_TCP_mem_bytes"), 2.0 * ::sysconf(_SC_PAGESIZE));
}

TEST(SockstatCollectorTest, MalformedFileFails) {
  ScratchTree tree("sockstat_bad");
  tree.Write("net/sockstat", "sockets: used 3\n");
  tree.Write("net/sockstat6", "TCP6: inuse\n");
  auto c = MustCreate(NewSockstatCollector, ProcContext(tree.root()));
  expo::MetricSet set;
  EXPECT_EQ(c->Collect(set).code(), StatusCode::kError);
}

TEST(SockstatCollectorTest, SocketsUsedOnlyFromIpv4File) {
  ScratchTree tree("sockstat_v6used");
  tree.Write("net/sockstat6", "sockets: used 7\nUDP6: inuse 2\n");
  auto c = MustCreate(NewSockstatCollector, ProcContext(tree.root()));
  expo::MetricSet set;
  ASSERT_TRUE(c->Collect(set).ok());
  EXPECT_EQ(set.Count("node_sockstat_sockets_used"), 0u);
  EXPECT_DOUBLE_EQ(set.Find("node_sockstat_UDP6_inuse"), 2);
}

TEST(SockstatCollectorTest, RealCaptureThroughCollector) {
  auto c = MustCreate(NewSockstatCollector, ProcContext("src/collectors/testdata/sockstat/real"));
  expo::MetricSet set;
  ASSERT_TRUE(c->Collect(set).ok());
  EXPECT_DOUBLE_EQ(set.Find("node_sockstat_sockets_used"), 15);
  EXPECT_DOUBLE_EQ(set.Find("node_sockstat_TCP_alloc"), 1);
  EXPECT_EQ(set.Count("node_sockstat_FRAG6_memory"), 1u);
}

TEST(SockstatCollectorTest, MatchesNodeExporterOnConformanceFixtures) {
  NODEX_REQUIRE_KIT(kit);
  testing::ScopedKitDir in_kit(kit);
  FlagValues flags;
  Logger log;
  auto c = MustCreate(NewSockstatCollector, testing::KitContext(&flags, &log));
  expo::MetricSet set;
  ASSERT_TRUE(c->Collect(set).ok());
  const std::vector<std::string> families = {
      "node_sockstat_FRAG6_inuse",   "node_sockstat_FRAG6_memory",  "node_sockstat_FRAG_inuse",
      "node_sockstat_FRAG_memory",   "node_sockstat_RAW6_inuse",    "node_sockstat_RAW_inuse",
      "node_sockstat_TCP6_inuse",    "node_sockstat_TCP_alloc",     "node_sockstat_TCP_inuse",
      "node_sockstat_TCP_mem",       "node_sockstat_TCP_mem_bytes", "node_sockstat_TCP_orphan",
      "node_sockstat_TCP_tw",        "node_sockstat_UDP6_inuse",    "node_sockstat_UDPLITE6_inuse",
      "node_sockstat_UDPLITE_inuse", "node_sockstat_UDP_inuse",     "node_sockstat_UDP_mem",
      "node_sockstat_UDP_mem_bytes", "node_sockstat_sockets_used"};
  std::vector<std::string> expected = testing::ExpectedLines(kit, families);
  EXPECT_EQ(expected.size(), 40u);
  std::vector<std::string> rendered = testing::RenderedLines(set, families);
  EXPECT_EQ(rendered, expected);
  // Nothing beyond the expected families.
  EXPECT_EQ(set.samples().size(), families.size());
}

}  // namespace
}  // namespace nodex::collectors
