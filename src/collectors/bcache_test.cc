#include "collectors/bcache.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "collectors/testing/kit.h"
#include "collectors/testing/scratch.h"

namespace nodex::collectors {
namespace {

TEST(ParseBcacheValueTest, PlainAndHumanizedNumbers) {
  EXPECT_EQ(ParseBcacheValue("0"), 0u);
  EXPECT_EQ(ParseBcacheValue("512"), 512u);
  EXPECT_EQ(ParseBcacheValue("18446744073709551615"), 0x8000000000000000u);  // Go's float->uint64 overflow.
  EXPECT_EQ(ParseBcacheValue("1.1M"), 1150976u);        // (1 + 1/10.24) * 2^20
  EXPECT_EQ(ParseBcacheValue("20.4G"), 21894266880u);   // (20 + 4/10.24) * 2^30
  EXPECT_EQ(ParseBcacheValue("427.5k"), 437748u);
  EXPECT_EQ(ParseBcacheValue("790.0k"), 808960u);
  EXPECT_EQ(ParseBcacheValue("3k"), 3072u);
  EXPECT_EQ(ParseBcacheValue("2.10k"), 3048u);  // ".10" reads as ten tenths: (2 + 10/10.24) KiB, bch_hprint's quirk.
  EXPECT_EQ(ParseBcacheValue("7x"), 0u);  // An unknown suffix multiplies by zero.
  EXPECT_FALSE(ParseBcacheValue("7%").has_value());  // '%' sorts below '9': not a suffix, so not a number.
  EXPECT_EQ(ParseBcacheValue("-1"), 18446744073709551615u);  // Negative values wrap as Go's conversion does.
  EXPECT_EQ(ParseBcacheSignedValue("-920.7M"), -int64_t{965406720});
  EXPECT_EQ(ParseBcacheSignedValue("--5"), 5);  // One '-' is stripped, the rest parses as Go would.
  EXPECT_EQ(ParseBcacheSignedValue("5"), 5);
}

TEST(ParseBcacheValueTest, RejectsMalformed) {
  for (const char* bad : {"", "k", "x1", "1.x", "1..", ".5k", "--1", "1 2", "0x10"}) {
    EXPECT_FALSE(ParseBcacheValue(bad).has_value()) << "input: '" << bad << "'";
  }
  EXPECT_FALSE(ParseBcacheSignedValue("-").has_value());
}

TEST(ParseBcachePriorityStatsTest, HandWrittenCapture) {
  BcachePriorityStats ps;
  ASSERT_TRUE(ParseBcachePriorityStats(testing::ReadTestdata("src/collectors/testdata/bcache/priority_stats"), &ps).ok());
  EXPECT_EQ(ps.unused_percent, 71u);
  EXPECT_EQ(ps.metadata_percent, 1u);
  BcachePriorityStats empty;
  EXPECT_TRUE(ParseBcachePriorityStats("", &empty).ok());
  EXPECT_EQ(empty.unused_percent, 0u);
}

TEST(ParseBcachePriorityStatsTest, RejectsMalformed) {
  for (const char* bad : {"Unused:\t-1%", "Unused:", "Metadata:\tlots", "Unused:\t99999999999999999999%",
                          "Metadata:\t1.5%"}) {
    BcachePriorityStats ps;
    EXPECT_FALSE(ParseBcachePriorityStats(bad, &ps).ok()) << "input: '" << bad << "'";
  }
}

TEST(ParseBcacheWritebackRateDebugTest, NegativeTermsAndUnits) {
  BcacheWritebackRateDebug w;
  ASSERT_TRUE(
      ParseBcacheWritebackRateDebug(testing::ReadTestdata("src/collectors/testdata/bcache/writeback_rate_debug"), &w)
          .ok());
  EXPECT_EQ(w.rate, 500u);  // "-0.5k": the integer part is -0, the fraction 5/10.24 KiB.
  EXPECT_EQ(w.target, ParseBcacheValue("36.7G"));
  EXPECT_EQ(w.proportional, -int64_t{965406720});
  EXPECT_EQ(w.change, 0);
  EXPECT_EQ(w.next_io_ms, -7969);
}

TEST(ParseBcacheWritebackRateDebugTest, RejectsMalformed) {
  for (const char* bad : {"rate:\tfast/sec", "target:", "next io:\t1.5ms", "integral:\t-", "dirty:\t1,5"}) {
    BcacheWritebackRateDebug w;
    EXPECT_FALSE(ParseBcacheWritebackRateDebug(bad, &w).ok()) << "input: '" << bad << "'";
  }
}

void WriteCacheSet(const testing::ScratchTree& t, const std::string& uuid) {
  const std::string b = "fs/bcache/" + uuid + "/";
  for (const char* f : {"average_key_size", "btree_cache_size", "cache_available_percent", "congested",
                        "root_usage_percent", "tree_depth", "internal/active_journal_entries", "internal/btree_nodes",
                        "internal/btree_read_average_duration_us", "internal/cache_read_races"}) {
    t.Write(b + f, "2\n");
  }
  for (const char* d : {"stats_five_minute/", "stats_total/", "bdev0/stats_five_minute/"}) {
    for (const char* f : {"bypassed", "cache_bypass_hits", "cache_bypass_misses", "cache_hits",
                          "cache_miss_collisions", "cache_misses", "cache_readaheads"}) {
      t.Write(b + d + f, "0\n");
    }
  }
  t.Write(b + "stats_total/cache_hits", "1.5M\n");  // (1 + 5/10.24) MiB
  t.Write(b + "bdev0/dirty_data", "4.0k\n");
  t.Write(b + "bdev0/writeback_rate_debug", "rate:\t\t1.0k/sec\ntarget:\t\t2G\n");
  t.Write(b + "cache0/io_errors", "0\n");
  t.Write(b + "cache0/metadata_written", "1.0M\n");
  t.Write(b + "cache0/written", "3\n");
  t.Write(b + "cache0/priority_stats", "Unused:\t\t50%\nMetadata:\t2%\n");
  t.Write("fs/bcache/register", "");
}

TEST(BcacheCollectorTest, ReadsCacheSetWithoutAndWithPriorityStats) {
  testing::ScratchTree sys("bcache_set");
  WriteCacheSet(sys, "11111111-2222-3333-4444-555555555555");
  for (bool prio : {false, true}) {
    FlagValues flags;
    flags.Set("collector.bcache.priorityStats", prio ? "true" : "false");
    auto collector = testing::MustCreate(NewBcacheCollector, testing::SysContext(sys.root(), &flags));
    expo::MetricSet set;
    ASSERT_TRUE(collector->Collect(set).ok());
    EXPECT_DOUBLE_EQ(set.Find("node_bcache_tree_depth"), 2);
    EXPECT_DOUBLE_EQ(set.Find("node_bcache_cache_hits_total", {{"backing_device", "bdev0"}}), 1560576);
    EXPECT_DOUBLE_EQ(set.Find("node_bcache_dirty_target_bytes"), 2147483648.0);
    EXPECT_DOUBLE_EQ(set.Find("node_bcache_metadata_written_bytes_total", {{"cache_device", "cache0"}}), 1048576);
    EXPECT_EQ(set.Count("node_bcache_cache_readaheads_total"), 0u);  // Zero readaheads are left out.
    EXPECT_EQ(set.Count("node_bcache_priority_stats_unused_percent"), prio ? 1u : 0u);
  }
}

TEST(BcacheCollectorTest, MissingIsNoSamplesAndBrokenFileFailsEverything) {
  testing::ScratchTree empty("bcache_none");
  auto none = testing::MustCreate(NewBcacheCollector, testing::SysContext(empty.root()));
  expo::MetricSet set;
  EXPECT_TRUE(none->Collect(set).ok());
  EXPECT_EQ(set.samples().size(), 0u);

  testing::ScratchTree sys("bcache_broken");
  WriteCacheSet(sys, "aaaaaaaa-0000");
  WriteCacheSet(sys, "bbbbbbbb-0000");
  sys.Write("fs/bcache/bbbbbbbb-0000/cache0/written", "lots\n");
  auto broken = testing::MustCreate(NewBcacheCollector, testing::SysContext(sys.root()));
  EXPECT_EQ(broken->Collect(set).code(), StatusCode::kError);
  EXPECT_EQ(set.samples().size(), 0u);
  sys.Write("fs/bcache/bbbbbbbb-0000/cache0/written", "");
  EXPECT_EQ(broken->Collect(set).code(), StatusCode::kError);
}

TEST(BcacheCollectorTest, MatchesNodeExporterOnConformanceFixtures) {
  NODEX_REQUIRE_KIT(kit);
  testing::ScopedKitDir cd(kit);
  FlagValues flags;
  flags.Set("collector.bcache.priorityStats", "true");  // As in node_exporter's e2e flags.
  Logger log;
  auto c = NewBcacheCollector(testing::KitContext(&flags, &log));
  ASSERT_TRUE(c.ok());
  expo::MetricSet set;
  ASSERT_TRUE(c.value()->Collect(set).ok());
  std::vector<std::string> families;
  for (const expo::MetricSet::Family& f : set.families()) families.push_back(f.name);
  ASSERT_EQ(families.size(), 28u);
  std::vector<std::string> expected = testing::ExpectedLines(kit, families);
  EXPECT_EQ(expected.size(), 56u);
  EXPECT_EQ(testing::RenderedLines(set, families), expected);
}

}  // namespace
}  // namespace nodex::collectors
