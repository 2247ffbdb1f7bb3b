#include "collectors/bonding.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "collectors/testing/kit.h"
#include "collectors/testing/scratch.h"

namespace nodex::collectors {
namespace {

using testing::MustCreate;
using testing::ScratchTree;

TEST(SplitBondingNamesTest, Fields) {
  std::vector<std::string_view> names;
  SplitBondingNames("bond0 dmz\tint\n", &names);
  EXPECT_EQ(names, (std::vector<std::string_view>{"bond0", "dmz", "int"}));
  SplitBondingNames("\n", &names);
  EXPECT_TRUE(names.empty());
  SplitBondingNames("", &names);
  EXPECT_TRUE(names.empty());
}

TEST(BondingSlaveUpTest, Values) {
  EXPECT_TRUE(BondingSlaveUp("up\n"));
  EXPECT_TRUE(BondingSlaveUp("  up "));
  EXPECT_FALSE(BondingSlaveUp("down\n"));
  EXPECT_FALSE(BondingSlaveUp("going back\n"));
  EXPECT_FALSE(BondingSlaveUp("UP\n"));
  EXPECT_FALSE(BondingSlaveUp(""));
}

void WriteTree(const ScratchTree& t) {
  t.Write("class/net/bonding_masters", "bond0 bond1 bond2\n");
  t.Write("class/net/bond0/bonding/slaves", "eth0 eth1 eth2\n");
  t.Write("class/net/bond0/lower_eth0/bonding_slave/mii_status", "up\n");
  t.Write("class/net/bond0/lower_eth1/bonding_slave/mii_status", "down\n");
  t.Write("class/net/bond0/slave_eth2/bonding_slave/mii_status", "up\n");  // old kernel naming
  t.Write("class/net/bond1/bonding/slaves", "\n");
  t.Write("class/net/bond2/bonding/slaves", "eth3\n");
  t.Write("class/net/bond2/lower_eth3/bonding_slave/mii_status", "going back\n");
}

TEST(BondingCollectorTest, ReadsTree) {
  ScratchTree tree("bonding");
  WriteTree(tree);
  auto c = MustCreate(NewBondingCollector, testing::SysContext(tree.root()));
  ASSERT_NE(c, nullptr);
  expo::MetricSet set;
  Status st = c->Collect(set);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(set.Find("node_bonding_slaves", {{"master", "bond0"}}), 3);
  EXPECT_EQ(set.Find("node_bonding_active", {{"master", "bond0"}}), 2);
  EXPECT_EQ(set.Find("node_bonding_slaves", {{"master", "bond1"}}), 0);
  EXPECT_EQ(set.Find("node_bonding_active", {{"master", "bond1"}}), 0);
  EXPECT_EQ(set.Find("node_bonding_slaves", {{"master", "bond2"}}), 1);
  EXPECT_EQ(set.Find("node_bonding_active", {{"master", "bond2"}}), 0);
  // A link coming up is seen through the kept-open fds.
  tree.Write("class/net/bond0/lower_eth1/bonding_slave/mii_status", "up\n");
  set.Clear();
  ASSERT_TRUE(c->Collect(set).ok());
  EXPECT_EQ(set.Find("node_bonding_active", {{"master", "bond0"}}), 3);
  EXPECT_EQ(set.Count("node_bonding_active"), 3u);
}

TEST(BondingCollectorTest, NoBondingModuleIsNoData) {
  ScratchTree tree("bonding_missing");
  tree.MakeDir("class/net/eth0");
  auto c = MustCreate(NewBondingCollector, testing::SysContext(tree.root()));
  ASSERT_NE(c, nullptr);
  expo::MetricSet set;
  EXPECT_EQ(c->Collect(set).code(), StatusCode::kNoData);
  EXPECT_EQ(set.samples().size(), 0u);
}

TEST(BondingCollectorTest, MissingSlaveStatusIsNoDataWithoutPartialOutput) {
  ScratchTree tree("bonding_noslave");
  WriteTree(tree);
  tree.Write("class/net/bond2/bonding/slaves", "eth3 eth9\n");  // eth9 has no mii_status
  auto c = MustCreate(NewBondingCollector, testing::SysContext(tree.root()));
  ASSERT_NE(c, nullptr);
  expo::MetricSet set;
  EXPECT_EQ(c->Collect(set).code(), StatusCode::kNoData);
  EXPECT_EQ(set.samples().size(), 0u);
}

TEST(BondingCollectorTest, UnreadableSlavesFails) {
  ScratchTree tree("bonding_dir");
  tree.Write("class/net/bonding_masters", "bond0\n");
  tree.MakeDir("class/net/bond0/bonding/slaves");  // a directory: EISDIR on read
  auto c = MustCreate(NewBondingCollector, testing::SysContext(tree.root()));
  ASSERT_NE(c, nullptr);
  expo::MetricSet set;
  EXPECT_EQ(c->Collect(set).code(), StatusCode::kError);
}

TEST(BondingCollectorTest, MatchesNodeExporterOnConformanceFixtures) {
  NODEX_REQUIRE_KIT(kit);
  testing::ScopedKitDir cd(kit);
  FlagValues flags;
  Logger log;
  auto c = NewBondingCollector(testing::KitContext(&flags, &log));
  ASSERT_TRUE(c.ok()) << c.status().message();
  expo::MetricSet set;
  Status st = c.value()->Collect(set);
  ASSERT_TRUE(st.ok()) << st.message();
  const std::vector<std::string> families = {"node_bonding_active", "node_bonding_slaves"};
  std::vector<std::string> expected = testing::ExpectedLines(kit, families);
  EXPECT_EQ(expected.size(), 8u);
  EXPECT_EQ(testing::RenderedLines(set, families), expected);
}

}  // namespace
}  // namespace nodex::collectors
