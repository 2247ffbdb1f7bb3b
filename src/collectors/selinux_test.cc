#include "collectors/selinux.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "collectors/testing/scratch.h"

namespace nodex::collectors {
namespace {

// A hand-written selinuxfs (this machine has no SELinux): enforcing,
// permissive in the config file, two CPUs of AVC stats.
constexpr char kHand[] = "src/collectors/testdata/selinux/hand";

// Fills `tree` with a copy of kHand that the test may modify.
void CopyHand(const testing::ScratchTree& tree) {
  std::filesystem::copy(kHand, tree.root(), std::filesystem::copy_options::recursive);
}

std::unique_ptr<Collector> MakeFor(const std::string& root) {
  SelinuxSystem system;
  system.selinuxfs = root + "/fs/selinux";
  system.config_path = root + "/config";
  auto c = NewSelinuxCollectorForSystem(testing::SysContext(root), system);
  EXPECT_TRUE(c.ok());
  return std::move(c.value());
}

TEST(ParseSelinuxConfigModeTest, Modes) {
  EXPECT_EQ(ParseSelinuxConfigMode("SELINUX=enforcing\n"), 1);
  EXPECT_EQ(ParseSelinuxConfigMode("# c\n; c\n\n  SELINUX=\"permissive\"  \nSELINUX=enforcing\n"), 0);
  EXPECT_EQ(ParseSelinuxConfigMode("SELINUX=disabled\n"), -1);
  EXPECT_EQ(ParseSelinuxConfigMode("SELINUXTYPE=targeted\n"), -1);
  EXPECT_EQ(ParseSelinuxConfigMode("SELINUX = enforcing\n"), -1);  // Key must match exactly.
  EXPECT_EQ(ParseSelinuxConfigMode(""), -1);
}

TEST(ParseSelinuxEnforceTest, LikeAtoi) {
  EXPECT_EQ(ParseSelinuxEnforce("1"), 1);
  EXPECT_EQ(ParseSelinuxEnforce("0"), 0);
  EXPECT_EQ(ParseSelinuxEnforce("1\n"), -1);
  EXPECT_EQ(ParseSelinuxEnforce(""), -1);
  EXPECT_EQ(ParseSelinuxEnforce("x"), -1);
  EXPECT_EQ(ParseSelinuxEnforce("99999999999"), -1);
}

TEST(ParseAvcCacheStatsTest, SumsCpus) {
  AvcCacheStats s;
  ASSERT_TRUE(
      ParseAvcCacheStats("lookups hits misses allocations reclaims frees\n1 2 3 4 5 6\n10 20 30 40 50 60\n", &s).ok());
  EXPECT_EQ(s.lookups, 11u);
  EXPECT_EQ(s.hits, 22u);
  EXPECT_EQ(s.misses, 33u);
  EXPECT_EQ(s.allocations, 44u);
  EXPECT_EQ(s.reclaims, 55u);
  EXPECT_EQ(s.frees, 66u);
  ASSERT_TRUE(ParseAvcCacheStats("header only\n", &s).ok());
  EXPECT_EQ(s.lookups, 0u);
  ASSERT_TRUE(ParseAvcCacheStats("h\n010 0 0 0 0 0\n", &s).ok());
  EXPECT_EQ(s.lookups, 8u);  // Go base 0: leading zero is octal.
}

TEST(ParseAvcCacheStatsTest, RejectsMalformed) {
  AvcCacheStats s;
  for (const char* bad : {"h\n1 2 3 4 5\n", "h\n1 2 3 4 5 6 7\n", "h\n\n", "h\n1 2 3 4 5 99999999999999999999999\n",
                          "h\n09 1 1 1 1 1\n"}) {
    EXPECT_FALSE(ParseAvcCacheStats(bad, &s).ok()) << "input: '" << bad << "'";
  }
}

TEST(ParseAvcHashStatsTest, ParsesAndRejects) {
  AvcHashStats s;
  ASSERT_TRUE(ParseAvcHashStats("entries: 503\nbuckets used: 282/512\nlongest chain: 5\n", &s).ok());
  EXPECT_EQ(s.entries, 503u);
  EXPECT_EQ(s.buckets_used, 282u);
  EXPECT_EQ(s.buckets_available, 512u);
  EXPECT_EQ(s.longest_chain, 5u);
  for (const char* bad : {"", "entries: 1\n", "entries: 1\nbuckets used: 2\nlongest chain: 3\n",
                          "entries: x\nbuckets used: 1/2\nlongest chain: 3\n", "entries: 1\nbuckets used: 1/2\n",
                          "entries: 1\nbuckets: 1/2\nlongest chain: 3\n"}) {
    EXPECT_FALSE(ParseAvcHashStats(bad, &s).ok()) << "input: '" << bad << "'";
  }
}

TEST(SelinuxCollectorTest, ThisMachine) {
  // node_exporter's answer here depends on the host: without a selinuxfs
  // mount only node_selinux_enabled 0 is exported.
  auto made = NewSelinuxCollector(Context{});
  ASSERT_TRUE(made.ok());
  expo::MetricSet set;
  Status st = (*made)->Collect(set);
  if (DetectSelinux().selinuxfs.empty()) {
    ASSERT_TRUE(st.ok()) << st.message();
    EXPECT_EQ(set.samples().size(), 1u);
    EXPECT_EQ(set.Find("node_selinux_enabled"), 0.0);
  } else {
    EXPECT_EQ(set.Find("node_selinux_enabled"), 1.0);
  }
}

TEST(SelinuxCollectorTest, DisabledSystemExportsOnlyEnabled) {
  auto made = NewSelinuxCollectorForSystem(Context{}, SelinuxSystem{});
  ASSERT_TRUE(made.ok());
  expo::MetricSet set;
  ASSERT_TRUE((*made)->Collect(set).ok());
  EXPECT_EQ(set.samples().size(), 1u);
  EXPECT_EQ(set.Find("node_selinux_enabled"), 0.0);
}

TEST(SelinuxCollectorTest, HandWrittenSelinuxfs) {
  auto collector = MakeFor(kHand);
  expo::MetricSet set;
  Status st = collector->Collect(set);
  ASSERT_TRUE(st.ok()) << st.message() << " (run from the repository root)";
  EXPECT_EQ(set.samples().size(), 14u);
  EXPECT_EQ(set.Find("node_selinux_enabled"), 1.0);
  EXPECT_EQ(set.Find("node_selinux_config_mode"), 0.0);
  EXPECT_EQ(set.Find("node_selinux_current_mode"), 1.0);
  EXPECT_EQ(set.Find("node_selinux_avc_lookups_total"), 2410312.0 + 1876101.0);
  EXPECT_EQ(set.Find("node_selinux_avc_frees_total"), 140.0);
  EXPECT_EQ(set.Find("node_selinux_avc_hash_entries"), 503.0);
  EXPECT_EQ(set.Find("node_selinux_avc_hash_buckets_used"), 282.0);
  EXPECT_EQ(set.Find("node_selinux_avc_hash_buckets_available"), 512.0);
  EXPECT_EQ(set.Find("node_selinux_avc_hash_longest_chain"), 5.0);
  EXPECT_EQ(set.Find("node_selinux_avc_threshold"), 512.0);
}

TEST(SelinuxCollectorTest, RereadsEnforceEveryScrape) {
  testing::ScratchTree dir("selinux_reread");
  CopyHand(dir);
  auto collector = MakeFor(dir.root());
  expo::MetricSet set;
  ASSERT_TRUE(collector->Collect(set).ok());
  EXPECT_EQ(set.Find("node_selinux_current_mode"), 1.0);
  {
    std::ofstream out(dir.Path("fs/selinux/enforce"), std::ios::binary | std::ios::in);
    out << "0";
  }
  set.Clear();
  ASSERT_TRUE(collector->Collect(set).ok());
  EXPECT_EQ(set.Find("node_selinux_current_mode"), 0.0);
}

TEST(SelinuxCollectorTest, MissingConfigAndEnforceGiveMinusOne) {
  testing::ScratchTree dir("selinux_noconfig");
  CopyHand(dir);
  std::filesystem::remove(dir.Path("config"));
  std::filesystem::remove(dir.Path("fs/selinux/enforce"));
  auto collector = MakeFor(dir.root());
  expo::MetricSet set;
  ASSERT_TRUE(collector->Collect(set).ok());
  EXPECT_EQ(set.Find("node_selinux_config_mode"), -1.0);
  EXPECT_EQ(set.Find("node_selinux_current_mode"), -1.0);
}

TEST(SelinuxCollectorTest, BrokenAvcStatsFailAfterTheModes) {
  testing::ScratchTree dir("selinux_broken");
  CopyHand(dir);
  dir.Write("fs/selinux/avc/cache_stats", "h\n1 2 3\n");
  auto collector = MakeFor(dir.root());
  expo::MetricSet set;
  EXPECT_EQ(collector->Collect(set).code(), StatusCode::kError);
  EXPECT_EQ(set.samples().size(), 3u);  // enabled, config_mode, current_mode.

  std::filesystem::remove(dir.Path("fs/selinux/avc/cache_stats"));
  set.Clear();
  EXPECT_EQ(collector->Collect(set).code(), StatusCode::kError);

  testing::ScratchTree threshold("selinux_threshold");
  CopyHand(threshold);
  threshold.Write("fs/selinux/avc/cache_threshold", "lots\n");
  collector = MakeFor(threshold.root());
  set.Clear();
  EXPECT_EQ(collector->Collect(set).code(), StatusCode::kError);
}

}  // namespace
}  // namespace nodex::collectors
