#include "collectors/xfrm.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "collectors/testing/kit.h"
#include "collectors/testing/scratch.h"

namespace nodex::collectors {
namespace {

using testing::MustCreate;
using testing::ReadTestdata;
using testing::ScratchTree;

TEST(ParseXfrmStatTest, RealCaptureFromThisMachine) {
  // Kernel 6.x: 32 lines, four of them unknown to node_exporter.
  StatusOr<XfrmStats> s = ParseXfrmStat(ReadTestdata("src/collectors/testdata/xfrm/xfrm_stat_real"));
  ASSERT_TRUE(s.ok()) << s.status().message();
}

TEST(ParseXfrmStatTest, ValuesByName) {
  StatusOr<XfrmStats> s = ParseXfrmStat(
      "XfrmInError             \t1\n"
      "XfrmInStateDirError     \t77\n"
      "XfrmOutError 1000000\n"
      "XfrmAcquireError -3\n"
      "XfrmInBufferError +2");  // no final newline
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ((*s)[0], 1);
  EXPECT_EQ((*s)[1], 2);
  EXPECT_EQ((*s)[14], 1000000);
  EXPECT_EQ((*s)[27], -3);
  EXPECT_EQ((*s)[2], 0);  // absent
}

TEST(ParseXfrmStatTest, RejectsMalformed) {
  EXPECT_TRUE(ParseXfrmStat("").ok());
  for (std::string_view content : {
           "XfrmInError\n",                          // one field
           "XfrmInError 1 2\n",                      // three fields
           "XfrmInError 1\n\nXfrmOutError 2\n",      // empty line
           "XfrmInError x\n",                        // not a number
           "XfrmInError 0x10\n",                     // hex
           "XfrmInError 9223372036854775808\n",      // > int64
           "XfrmInError +-1\n",
       }) {
    EXPECT_FALSE(ParseXfrmStat(content).ok()) << content;
  }
}

TEST(XfrmCollectorTest, ReadsFileAndFailsWhenMissingOrBad) {
  ScratchTree tree("xfrm");
  tree.Write("net/xfrm_stat", "XfrmInError 5\nXfrmFwdHdrError 6\n");
  auto c = MustCreate(NewXfrmCollector, testing::ProcContext(tree.root()));
  ASSERT_NE(c, nullptr);
  expo::MetricSet set;
  ASSERT_TRUE(c->Collect(set).ok());
  EXPECT_EQ(set.Find("node_xfrm_in_error_packets_total"), 5);
  EXPECT_EQ(set.Find("node_xfrm_fwd_hdr_error_packets_total"), 6);
  EXPECT_EQ(set.samples().size(), kXfrmFieldCount);
  tree.Write("net/xfrm_stat", "XfrmInError five\n");
  set.Clear();
  EXPECT_EQ(c->Collect(set).code(), StatusCode::kError);

  ScratchTree empty("xfrm_missing");
  empty.MakeDir("net");
  auto missing = MustCreate(NewXfrmCollector, testing::ProcContext(empty.root()));
  ASSERT_NE(missing, nullptr);
  set.Clear();
  EXPECT_EQ(missing->Collect(set).code(), StatusCode::kError);
  EXPECT_EQ(set.samples().size(), 0u);
}

TEST(XfrmCollectorTest, MatchesNodeExporterOnConformanceFixtures) {
  NODEX_REQUIRE_KIT(kit);
  testing::ScopedKitDir cd(kit);
  FlagValues flags;
  Logger log;
  auto c = NewXfrmCollector(testing::KitContext(&flags, &log));
  ASSERT_TRUE(c.ok());
  expo::MetricSet set;
  Status st = c.value()->Collect(set);
  ASSERT_TRUE(st.ok()) << st.message();
  std::vector<std::string> families;
  for (const auto& f : set.families()) families.push_back(f.name);
  std::sort(families.begin(), families.end());
  ASSERT_EQ(families.size(), kXfrmFieldCount);
  std::vector<std::string> expected = testing::ExpectedLines(kit, families);
  EXPECT_EQ(expected.size(), 2 * kXfrmFieldCount);
  EXPECT_EQ(testing::RenderedLines(set, families), expected);
}

}  // namespace
}  // namespace nodex::collectors
