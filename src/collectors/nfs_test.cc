#include "collectors/nfs.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "collectors/testing/kit.h"
#include "collectors/testing/scratch.h"

namespace nodex::collectors {
namespace {

using testing::ScratchTree;

// This machine has no NFS client, so the fixtures are hand-written in the
// format of a Linux 6.x client (proc4 with 69 operations).
constexpr std::string_view kClient =
    "net 0 0 0 0\n"
    "rpc 4188 3 4190\n"
    "proc3 22 0 14 0 3 5 0 0 0 0 0 0 0 0 0 0 0 0 2 0 2 1 7\n"
    "proc4 69 0 11 0 0 0 0 0 0 0 0 1 0 0 0 0 0 0 2 23 15 1 0 0 0 0 0 2 2 0 0 4 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 "
    "0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n";

TEST(ParseNfsClientTest, HandWrittenLinux6Client) {
  NfsClientStats s;
  ASSERT_TRUE(ParseNfsClient(kClient, &s).ok());
  EXPECT_EQ(s.rpc_count, 4188u);
  EXPECT_EQ(s.retransmissions, 3u);
  EXPECT_EQ(s.auth_refreshes, 4190u);
  EXPECT_EQ(s.v3[1], 14u);   // GetAttr
  EXPECT_EQ(s.v3[21], 7u);   // Commit
  EXPECT_EQ(s.v4[1], 11u);   // Read
  EXPECT_EQ(s.v4[18], 23u);  // Getattr
  EXPECT_EQ(s.v2[1], 0u);    // No proc2 line: zero.
}

TEST(ParseNfsClientTest, ShortProc4IsPaddedAndLongIsCut) {
  NfsClientStats s;
  ASSERT_TRUE(ParseNfsClient("proc4 3 1 2 3\n", &s).ok());
  EXPECT_EQ(s.v4[0], 1u);
  EXPECT_EQ(s.v4[2], 3u);
  EXPECT_EQ(s.v4[58], 0u);
  std::string long_line = "proc4 70";
  for (int i = 1; i <= 70; ++i) long_line += " " + std::to_string(i);
  ASSERT_TRUE(ParseNfsClient(long_line, &s).ok());
  EXPECT_EQ(s.v4[58], 59u);  // Clone
}

TEST(ParseNfsClientTest, EmptyFileIsAllZero) {
  NfsClientStats s;
  s.rpc_count = 5;
  ASSERT_TRUE(ParseNfsClient("", &s).ok());
  EXPECT_EQ(s.rpc_count, 0u);
}

TEST(ParseNfsClientTest, CrlfLineEndingsAreAccepted) {
  NfsClientStats s;
  ASSERT_TRUE(ParseNfsClient("net 1 2 3 4\r\nrpc 5 6 7\r\n", &s).ok());
  EXPECT_EQ(s.tcp_connect, 4u);
  EXPECT_EQ(s.auth_refreshes, 7u);
}

TEST(ParseNfsClientTest, RejectsMalformedInput) {
  for (const char* bad : {
           "\n",                                                    // one empty line
           "net 1 2 3 4\n\nrpc 1 2 3\n",                            // blank line in the middle
           "net\n",                                                 // key only
           "net 1 2 3\n",                                           // truncated
           "net 1 2 3 4 5\n",                                       // extra value
           "rpc 1 2 x\n",                                           // non-numeric
           "rpc 1 2 -3\n",                                          // negative
           "rpc 1 2 18446744073709551616\n",                        // > uint64
           "proc2 18 1 2 3\n",                                      // count mismatch
           "proc2 3 1 2 3\n",                                       // fewer than 18
           "proc3 21 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n",  // fewer than 22
           "proc4 5 1 2\n",                                         // count mismatch
           "bogus 1 2\n",                                           // unknown key
       }) {
    NfsClientStats s;
    EXPECT_FALSE(ParseNfsClient(bad, &s).ok()) << "input: '" << bad << "'";
  }
  NfsClientStats s;
  EXPECT_FALSE(ParseNfsClient("net 1 2 3 " + std::string(70000, '4') + "\n", &s).ok());
}

TEST(NfsCollectorTest, MissingFileIsNoData) {
  ScratchTree tree("nfs_missing");
  Context ctx;
  ctx.paths.procfs = tree.root();
  auto c = testing::MustCreate(NewNfsCollector, ctx);
  ASSERT_NE(c, nullptr);
  expo::MetricSet set;
  EXPECT_EQ(c->Collect(set).code(), StatusCode::kNoData);
  EXPECT_EQ(set.samples().size(), 0u);
}

TEST(NfsCollectorTest, MalformedFileFails) {
  ScratchTree tree("nfs_bad");
  tree.Write("net/rpc/nfs", "net 1 2 3\n");
  Context ctx;
  ctx.paths.procfs = tree.root();
  auto c = testing::MustCreate(NewNfsCollector, ctx);
  ASSERT_NE(c, nullptr);
  expo::MetricSet set;
  EXPECT_EQ(c->Collect(set).code(), StatusCode::kError);
  EXPECT_EQ(set.samples().size(), 0u);
}

TEST(NfsCollectorTest, ExportsEveryProcedureOfEveryVersion) {
  ScratchTree tree("nfs_ok");
  tree.Write("net/rpc/nfs", kClient);
  Context ctx;
  ctx.paths.procfs = tree.root();
  auto c = testing::MustCreate(NewNfsCollector, ctx);
  ASSERT_NE(c, nullptr);
  expo::MetricSet set;
  ASSERT_TRUE(c->Collect(set).ok());
  EXPECT_EQ(set.Count("node_nfs_requests_total"), 18u + 22u + 59u);
  EXPECT_EQ(set.Find("node_nfs_requests_total", {{"proto", "3"}, {"method", "Commit"}}), 7);
  EXPECT_EQ(set.Find("node_nfs_rpc_retransmissions_total"), 3);
  // A second scrape re-reads the kept-open file.
  tree.Write("net/rpc/nfs", "rpc 9 9 9\n");
  set.Clear();
  ASSERT_TRUE(c->Collect(set).ok());
  EXPECT_EQ(set.Find("node_nfs_rpcs_total"), 9);
}

TEST(NfsCollectorTest, MatchesNodeExporterOnConformanceFixtures) {
  NODEX_REQUIRE_KIT(kit);
  testing::ScopedKitDir in_kit(kit);
  FlagValues flags;
  Logger log;
  auto c = NewNfsCollector(testing::KitContext(&flags, &log));
  ASSERT_TRUE(c.ok());
  expo::MetricSet set;
  ASSERT_TRUE((*c)->Collect(set).ok());
  const std::vector<std::string> families = {"node_nfs_connections_total",
                                             "node_nfs_packets_total",
                                             "node_nfs_requests_total",
                                             "node_nfs_rpc_authentication_refreshes_total",
                                             "node_nfs_rpc_retransmissions_total",
                                             "node_nfs_rpcs_total"};
  std::vector<std::string> expected = testing::ExpectedLines(kit, families);
  EXPECT_EQ(expected.size(), 6u + 105u);
  EXPECT_EQ(testing::RenderedLines(set, families), expected);
}

}  // namespace
}  // namespace nodex::collectors
