#include "collectors/bcachefs.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "base/file_reader.h"
#include "base/split.h"
#include "collectors/testing/kit.h"
#include "collectors/testing/scratch.h"

namespace nodex::collectors {
namespace {

constexpr std::string_view kUuid = "0b9e4d5c-1111-4a2b-9c3d-5e6f7a8b9c0d";

TEST(ParseBcachefsHumanBytesTest, Units) {
  EXPECT_EQ(ParseBcachefsHumanBytes("720"), 720u);
  EXPECT_EQ(ParseBcachefsHumanBytes("2.05G"), 2201170739u);  // Truncated, not rounded.
  EXPECT_EQ(ParseBcachefsHumanBytes("28.2k"), 28876u);
  EXPECT_EQ(ParseBcachefsHumanBytes(" 44.5T\n"), 48928267436032u);
  EXPECT_EQ(ParseBcachefsHumanBytes("1m"), 1048576u);
  EXPECT_EQ(ParseBcachefsHumanBytes("1E"), uint64_t{1} << 60);
  for (const char* bad : {"", " ", "k", "1.2.3", "abc", "12x", "0x10", "--1"}) {
    EXPECT_FALSE(ParseBcachefsHumanBytes(bad).has_value()) << bad;
  }
}

TEST(ParseBcachefsTest, CompressionStatsSkipsHeaderAndShortRows) {
  BcachefsTable t;
  ASSERT_TRUE(ParseBcachefsCompressionStats("typetype compressed uncompressed average extent size\n"
                                            "lz4_old 0 0 0\n"
                                            "short 1\n"
                                            "zstd 226G 603G 115k\n",
                                            &t)
                  .ok());
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(t[1].key, "zstd");
  EXPECT_EQ(t[1].a, 242665652224u);
  EXPECT_EQ(t[1].b, 647466319872u);
  EXPECT_FALSE(ParseBcachefsCompressionStats("h\nlz4 1G xG 0\n", &t).ok());
  EXPECT_FALSE(ParseBcachefsCompressionStats("h\nlz4 1G 1G bad\n", &t).ok());
  EXPECT_TRUE(ParseBcachefsCompressionStats("", &t).ok());
  EXPECT_EQ(t.size(), 0u);
}

TEST(ParseBcachefsTest, ErrorsWithRunTogetherColumns) {
  BcachefsTable t;
  ASSERT_TRUE(ParseBcachefsErrors("bset_bad_csum   2   1767112063\n"
                                  "extent_io_opts_not_set   11299659571772285102\n"
                                  "lonely\n"
                                  "bset_bad_csum   5   1767112064\n",
                                  &t)
                  .ok());
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(t[0].a, 5u);  // Repeated key: last one wins, like a Go map.
  EXPECT_EQ(t[1].a, 11299659571772285102u);
  EXPECT_EQ(t[1].b, 0u);
  EXPECT_FALSE(ParseBcachefsErrors("x -1 0\n", &t).ok());
  EXPECT_FALSE(ParseBcachefsErrors("x 99999999999999999999 0\n", &t).ok());
  EXPECT_FALSE(ParseBcachefsErrors("x 1 ts\n", &t).ok());
}

TEST(ParseBcachefsTest, BtreeWriteStats) {
  BcachefsTable t;
  ASSERT_TRUE(ParseBcachefsBtreeWriteStats("  nr  size\ninitial: 3298401 100k\ninterior: 3035363 1.26k\n", &t).ok());
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(t[0].key, "initial");
  EXPECT_EQ(t[0].b, 102400u);
  EXPECT_EQ(t[1].b, 1290u);
  EXPECT_FALSE(ParseBcachefsBtreeWriteStats("h\ninitial: 1.5 100k\n", &t).ok());
}

TEST(ParseBcachefsTest, Counter) {
  EXPECT_EQ(*ParseBcachefsCounter("since mount:   475G\nsince filesystem creation:     44.5T\n"), 48928267436032u);
  EXPECT_EQ(*ParseBcachefsCounter("since mount: 3\n"), 0u);
  EXPECT_FALSE(ParseBcachefsCounter("").ok());
  EXPECT_FALSE(ParseBcachefsCounter("something else\n").ok());
  EXPECT_FALSE(ParseBcachefsCounter("since mount: lots\n").ok());
  EXPECT_FALSE(ParseBcachefsCounter("since filesystem creation:\n").ok());
}

TEST(ParseBcachefsTest, IoDoneAndIoErrors) {
  BcachefsTable t;
  ASSERT_TRUE(ParseBcachefsIoDone("ignored: 1\nread:\nsb   :  86016\nuser :610019098624\nwrite:\nsb : 677376\n", &t).ok());
  ASSERT_EQ(t.size(), 3u);
  EXPECT_EQ(t[1].key, "read");
  EXPECT_EQ(t[1].key2, "user");
  EXPECT_EQ(t[1].a, 610019098624u);
  EXPECT_EQ(t[2].key, "write");
  EXPECT_FALSE(ParseBcachefsIoDone("read:\nsb : many\n", &t).ok());

  ASSERT_TRUE(ParseBcachefsIoErrors("IO errors since filesystem creation\n  read:    18828\n  checksum:5\n"
                                    "IO errors since 8 y ago\n  read:    1\n",
                                    &t)
                  .ok());
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(t[0].a, 18828u);
  EXPECT_EQ(t[1].key, "checksum");
  EXPECT_FALSE(ParseBcachefsIoErrors("IO errors since filesystem creation\n  read: -1\n", &t).ok());
  ASSERT_TRUE(ParseBcachefsIoErrors("", &t).ok());
  EXPECT_EQ(t.size(), 0u);
}

TEST(AppendSanitizedMetricNameTest, MatchesNodeExporter) {
  auto sanitize = [](std::string_view s) {
    std::string out;
    AppendSanitizedMetricName(s, &out);
    return out;
  };
  EXPECT_EQ(sanitize("data_read"), "data_read");
  EXPECT_EQ(sanitize("a-b"), "a_b");
  EXPECT_EQ(sanitize("a__-.__b"), "a_b");
  EXPECT_EQ(sanitize("a-_-b"), "a__b");
  EXPECT_EQ(sanitize("-x-"), "_x_");
}

TEST(BcachefsCollectorTest, HandWrittenTree) {
  auto c = testing::MustCreate(NewBcachefsCollector, testing::SysContext("src/collectors/testdata/bcachefs/sys"));
  ASSERT_NE(c, nullptr);
  for (int scrape = 0; scrape < 2; ++scrape) {  // The second scrape re-reads the kept-open fds.
    expo::MetricSet set;
    ASSERT_TRUE(c->Collect(set).ok());
    EXPECT_EQ(set.Find("node_bcachefs_info", {{"uuid", kUuid}}), 1);
    EXPECT_EQ(set.Find("node_bcachefs_btree_cache_size_bytes"), 524288);
    EXPECT_EQ(set.Find("node_bcachefs_compression_uncompressed_bytes", {{"algorithm", "lz4"}}), 3145728);
    EXPECT_EQ(set.Find("node_bcachefs_errors_total", {{"error_type", "journal_entry_bad_csum"}}), 3);
    EXPECT_EQ(set.Find("node_bcachefs_data_read_total"), 1536);
    EXPECT_EQ(set.Find("node_bcachefs_fsync_total"), 0);
    EXPECT_EQ(set.Find("node_bcachefs_btree_write_average_size_bytes", {{"type", "initial"}}), 2048);
    EXPECT_EQ(set.Find("node_bcachefs_device_info", {{"device", "0"}, {"label", "ssd1"}}), 1);
    EXPECT_EQ(set.Find("node_bcachefs_device_bucket_size_bytes"), 262144);
    EXPECT_EQ(set.Find("node_bcachefs_device_durability"), 2);
    EXPECT_EQ(set.Find("node_bcachefs_device_io_done_bytes_total", {{"operation", "write"}, {"data_type", "user"}}),
              65536);
    EXPECT_EQ(set.Find("node_bcachefs_device_io_errors_total", {{"type", "checksum"}}), 1);
    EXPECT_EQ(set.Count("node_bcachefs_device_io_errors_total"), 3u);
  }
}

TEST(BcachefsCollectorTest, MissingFilesAreAbsent) {
  testing::ScratchTree dir("bcachefs_sparse");
  dir.MakeDir("fs/bcachefs/u1/dev-3");
  auto c = testing::MustCreate(NewBcachefsCollector, testing::SysContext(dir.root()));
  expo::MetricSet set;
  ASSERT_TRUE(c->Collect(set).ok());
  EXPECT_EQ(set.Find("node_bcachefs_btree_cache_size_bytes", {{"uuid", "u1"}}), 0);
  EXPECT_EQ(set.Find("node_bcachefs_device_info", {{"device", "3"}, {"label", ""}, {"state", ""}}), 1);
  EXPECT_EQ(set.Find("node_bcachefs_device_buckets", {{"device", "3"}}), 0);
  EXPECT_EQ(set.Count("node_bcachefs_errors_total"), 0u);
}

TEST(BcachefsCollectorTest, MissingOrEmptyClassIsNoData) {
  testing::ScratchTree dir("bcachefs_missing");
  auto c = testing::MustCreate(NewBcachefsCollector, testing::SysContext(dir.root()));
  expo::MetricSet set;
  EXPECT_EQ(c->Collect(set).code(), StatusCode::kNoData);
  dir.MakeDir("fs/bcachefs");
  dir.Write("fs/bcachefs/not-a-filesystem", "x\n");
  EXPECT_EQ(c->Collect(set).code(), StatusCode::kNoData);
  EXPECT_EQ(set.samples().size(), 0u);
}

TEST(BcachefsCollectorTest, MalformedFilesFail) {
  const std::pair<const char*, const char*> cases[] = {
      {"btree_cache_size", "lots\n"},
      {"compression_stats", "header\nlz4 1G ?? 0\n"},
      {"errors", "x 1.5 0\n"},
      {"btree_write_stats", "header\ninitial: 1 big\n"},
      {"counters/fsync", "\n"},
      {"counters/fsync", "since mount: 99999999999999999999999999E\nsince mount: x\n"},
      {"dev-0/nbuckets", "\n"},
      {"dev-0/durability", "-1\n"},
      {"dev-0/bucket_size", "k\n"},
      {"dev-0/io_done", "read:\nuser : 1e3\n"},
      {"dev-0/io_errors", "IO errors since filesystem creation\n read: x\n"},
  };
  for (const auto& [file, content] : cases) {
    testing::ScratchTree dir("bcachefs_bad");
    dir.MakeDir("fs/bcachefs/u1/dev-0");
    dir.Write(std::string("fs/bcachefs/u1/") + file, content);
    auto c = testing::MustCreate(NewBcachefsCollector, testing::SysContext(dir.root()));
    expo::MetricSet set;
    EXPECT_EQ(c->Collect(set).code(), StatusCode::kError) << file << ": " << content;
    EXPECT_EQ(set.samples().size(), 0u);
  }
}

// Every node_bcachefs_* family of the expected output, in file order.
std::vector<std::string> KitFamilies(const std::string& kit, std::string_view prefix) {
  std::string text;
  std::vector<std::string> names;
  if (!ReadFileOnce(kit + "/e2e-output.txt", &text).ok()) return names;
  std::string_view rest = text, line;
  while (NextLine(&rest, &line)) {
    if (line.rfind("# TYPE ", 0) != 0) continue;
    line.remove_prefix(7);
    std::string_view name = line.substr(0, line.find(' '));
    if (name.substr(0, prefix.size()) == prefix) names.emplace_back(name);
  }
  return names;
}

TEST(BcachefsCollectorTest, MatchesNodeExporterOnConformanceFixtures) {
  NODEX_REQUIRE_KIT(kit);
  testing::ScopedKitDir cd(kit);
  FlagValues flags;
  Logger log;
  auto c = NewBcachefsCollector(testing::KitContext(&flags, &log));
  ASSERT_TRUE(c.ok());
  expo::MetricSet set;
  ASSERT_TRUE((*c)->Collect(set).ok());
  std::vector<std::string> families = KitFamilies(kit, "node_bcachefs_");
  EXPECT_EQ(families.size(), 143u);
  std::vector<std::string> expected = testing::ExpectedLines(kit, families);
  EXPECT_EQ(expected.size(), 143u + 305u);
  EXPECT_EQ(testing::RenderedLines(set, families), expected);
  // And nothing beyond those families.
  for (const auto& f : set.families()) {
    if (set.Count(f.name) == 0) continue;
    EXPECT_NE(std::find(families.begin(), families.end(), f.name), families.end()) << f.name;
  }
}

}  // namespace
}  // namespace nodex::collectors
