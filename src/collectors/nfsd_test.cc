#include "collectors/nfsd.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "collectors/testing/kit.h"
#include "collectors/testing/scratch.h"

namespace nodex::collectors {
namespace {

using testing::ScratchTree;

// This machine runs no NFS server, so the fixture is hand-written in the
// format of a Linux 6.x server (no "ra" line, 76 NFSv4 operations).
constexpr std::string_view kServer =
    "rc 0 119 2403\n"
    "fh 4 0 0 0 0\n"
    "io 8601600 20480\n"
    "th 8 0 0.000 0.000 0.000 0.000 0.000 0.000 0.000 0.000 0.000 0.000\n"
    "net 2522 7 2515 18\n"
    "rpc 2522 3 1 2 0\n"
    "proc3 22 3 196 0 29 52 0 20 10 5 2 0 0 4 1 1 0 0 12 2 2 1 1\n"
    "proc4 2 1 1106\n"
    "proc4ops 76 0 0 0 89 13 5 5 0 2 210 31 0 0 0 0 43 0 0 13 0 0 0 1101 0 0 27 28 0 3 0 0 0 0 0 24 0 0 0 12 9 0 0 "
    "0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n"
    "wdeleg_getattr 6\n";

TEST(ParseNfsdTest, HandWrittenLinux6Server) {
  NfsdStats s;
  ASSERT_TRUE(ParseNfsd(kServer, &s).ok());
  EXPECT_EQ(s.rc_misses, 119u);
  EXPECT_EQ(s.fh_stale, 4u);
  EXPECT_EQ(s.io_read, 8601600u);
  EXPECT_EQ(s.threads, 8u);
  EXPECT_EQ(s.ra_cache_size, 0u);  // No "ra" line on Linux 6.x.
  EXPECT_EQ(s.udp_count, 7u);
  EXPECT_EQ(s.bad_fmt, 1u);
  EXPECT_EQ(s.v3[1], 196u);       // GetAttr
  EXPECT_EQ(s.v4ops[3], 89u);     // ACCESS
  EXPECT_EQ(s.v4ops[22], 1101u);  // PUTFH
  EXPECT_EQ(s.v4ops[38], 12u);    // WRITE
  EXPECT_EQ(s.v4ops[39], 9u);     // RELEASE_LOCKOWNER
  EXPECT_EQ(s.wdeleg_getattr, 6u);
}

TEST(ParseNfsdTest, ThirtyNineOperationsHaveNoReleaseLockowner) {
  std::string line = "proc4ops 39";
  for (int i = 1; i <= 39; ++i) line += " " + std::to_string(i);
  NfsdStats s;
  ASSERT_TRUE(ParseNfsd(line + "\n", &s).ok());
  EXPECT_EQ(s.v4ops[38], 39u);
  EXPECT_EQ(s.v4ops[39], 0u);
}

TEST(ParseNfsdTest, RejectsMalformedInput) {
  for (const char* bad : {
           "\n",                                            // empty line
           "rc\n",                                          // key only
           "rc 1 2\n",                                      // truncated
           "fh 1 2 3 4\n",                                  // truncated
           "io 1 x\n",                                      // non-numeric
           "th 8\n",                                        // th needs two integers
           "th 8 x 0.000\n",                                // non-numeric thread count
           "ra 1 2 3\n",                                    // truncated
           "net 1 2 3 4 5\n",                               // extra value
           "rpc 1 2 3 4\n",                                 // truncated
           "proc2 17 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n",  // fewer than 18
           "proc3 22 1 2\n",                                // count mismatch
           "proc4 3 1 2 3\n",                               // must be exactly 2
           "proc4ops 2 1 2\n",                              // fewer than 39
           "rc 1 2 18446744073709551616\n",                 // > uint64
           "bogus 1\n",                                     // unknown key
       }) {
    NfsdStats s;
    EXPECT_FALSE(ParseNfsd(bad, &s).ok()) << "input: '" << bad << "'";
  }
}

TEST(ParseNfsdTest, EmptyFileIsAllZero) {
  NfsdStats s;
  ASSERT_TRUE(ParseNfsd("", &s).ok());
  EXPECT_EQ(s.rpc_count, 0u);
}

TEST(NfsdCollectorTest, MissingFileIsNoData) {
  ScratchTree tree("nfsd_missing");
  Context ctx;
  ctx.paths.procfs = tree.root();
  auto c = testing::MustCreate(NewNfsdCollector, ctx);
  ASSERT_NE(c, nullptr);
  expo::MetricSet set;
  EXPECT_EQ(c->Collect(set).code(), StatusCode::kNoData);
  EXPECT_EQ(set.samples().size(), 0u);
}

TEST(NfsdCollectorTest, MalformedFileFails) {
  ScratchTree tree("nfsd_bad");
  tree.Write("net/rpc/nfsd", "rc 0 1\n");
  Context ctx;
  ctx.paths.procfs = tree.root();
  auto c = testing::MustCreate(NewNfsdCollector, ctx);
  ASSERT_NE(c, nullptr);
  expo::MetricSet set;
  EXPECT_EQ(c->Collect(set).code(), StatusCode::kError);
  EXPECT_EQ(set.samples().size(), 0u);
}

TEST(NfsdCollectorTest, ExportsServerFamilies) {
  ScratchTree tree("nfsd_ok");
  tree.Write("net/rpc/nfsd", kServer);
  Context ctx;
  ctx.paths.procfs = tree.root();
  auto c = testing::MustCreate(NewNfsdCollector, ctx);
  ASSERT_NE(c, nullptr);
  expo::MetricSet set;
  ASSERT_TRUE(c->Collect(set).ok());
  EXPECT_EQ(set.Count("node_nfsd_requests_total"), 17u + 21u + 35u + 1u);
  EXPECT_EQ(set.Find("node_nfsd_requests_total", {{"proto", "4"}, {"method", "PutFH"}}), 1101);
  EXPECT_EQ(set.Find("node_nfsd_requests_total", {{"proto", "4"}, {"method", "WdelegGetattr"}}), 6);
  EXPECT_EQ(set.Find("node_nfsd_rpc_errors_total", {{"error", "auth"}}), 2);
  EXPECT_EQ(set.Find("node_nfsd_server_threads"), 8);
}

TEST(NfsdCollectorTest, MatchesNodeExporterOnConformanceFixtures) {
  NODEX_REQUIRE_KIT(kit);
  testing::ScopedKitDir in_kit(kit);
  FlagValues flags;
  Logger log;
  auto c = NewNfsdCollector(testing::KitContext(&flags, &log));
  ASSERT_TRUE(c.ok());
  expo::MetricSet set;
  ASSERT_TRUE((*c)->Collect(set).ok());
  const std::vector<std::string> families = {"node_nfsd_connections_total",
                                             "node_nfsd_disk_bytes_read_total",
                                             "node_nfsd_disk_bytes_written_total",
                                             "node_nfsd_file_handles_stale_total",
                                             "node_nfsd_packets_total",
                                             "node_nfsd_read_ahead_cache_not_found_total",
                                             "node_nfsd_read_ahead_cache_size_blocks",
                                             "node_nfsd_reply_cache_hits_total",
                                             "node_nfsd_reply_cache_misses_total",
                                             "node_nfsd_reply_cache_nocache_total",
                                             "node_nfsd_requests_total",
                                             "node_nfsd_rpc_errors_total",
                                             "node_nfsd_server_rpcs_total",
                                             "node_nfsd_server_threads"};
  std::vector<std::string> expected = testing::ExpectedLines(kit, families);
  EXPECT_EQ(expected.size(), 14u + 90u);
  EXPECT_EQ(testing::RenderedLines(set, families), expected);
}

}  // namespace
}  // namespace nodex::collectors
