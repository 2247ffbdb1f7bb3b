#include "collectors/diskstats.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "collectors/testing/kit.h"
#include "collectors/testing/scratch.h"

namespace nodex::collectors {
namespace {

using testing::ScratchTree;

constexpr char kRealDir[] = "src/collectors/testdata/diskstats/real";

std::string ReadTestdata(const std::string& rel) {
  std::ifstream in(std::string(kRealDir) + "/" + rel);
  EXPECT_TRUE(in) << "run from the repository root";
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(ParseDiskstatsTest, RealCaptureFromThisMachine) {
  // /proc/diskstats of a Linux 6.18 VM: loop0-7, vda, zram0, 17 counters each.
  std::string content = ReadTestdata("proc/diskstats");
  std::vector<DiskstatsLine> lines;
  ASSERT_TRUE(ParseDiskstats(content, &lines).ok());
  ASSERT_EQ(lines.size(), 10u);
  const DiskstatsLine* vda = nullptr;
  for (const auto& l : lines) {
    if (l.device == "vda") vda = &l;
  }
  ASSERT_NE(vda, nullptr);
  EXPECT_EQ(vda->major, 254u);
  EXPECT_EQ(vda->minor, 0u);
  EXPECT_EQ(vda->stat_count, 17);
  EXPECT_GT(vda->stats[0], 0u);
}

TEST(ParseDiskstatsTest, OldAndNewKernelLayouts) {
  std::vector<DiskstatsLine> lines;
  ASSERT_TRUE(ParseDiskstats("   8       0 sda 1 2 3 4 5 6 7 8 9 10 11\n"
                             "   8      16 sdb 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15\n"
                             "   8      32 sdc 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19\n",
                             &lines)
                  .ok());
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0].stat_count, 11);
  EXPECT_EQ(lines[1].stat_count, 15);
  EXPECT_EQ(lines[2].stat_count, 17);  // Fields after the 20th are ignored.
  EXPECT_EQ(lines[2].stats[16], 17u);
  EXPECT_EQ(lines[1].minor, 16u);
}

TEST(ParseDiskstatsTest, ShortAndEmptyLinesAreSkipped) {
  std::vector<DiskstatsLine> lines;
  ASSERT_TRUE(ParseDiskstats("\n   8 1 sda1 1 2 3 4 5 6 7 8 9 10\n  \n8 0 sda 1 2 3 4 5 6 7 8 9 10 11", &lines).ok());
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].device, "sda");
  ASSERT_TRUE(ParseDiskstats("", &lines).ok());
  EXPECT_TRUE(lines.empty());
}

TEST(ParseDiskstatsTest, RejectsMalformedInput) {
  for (const char* bad : {
           "sda 8 0 1 2 3 4 5 6 7 8 9 10 11\n",                     // name first
           "8 0 sda 1 2 x 4 5 6 7 8 9 10 11\n",                     // non-numeric counter
           "8 0 sda 1 2 3\n8 x\n",                                  // truncated and non-numeric
           "8 0 sda 1 2 3 4 5 6 7 8 9 10 -11\n",                    // negative
           "4294967296 0 sda 1 2 3 4 5 6 7 8 9 10 11\n",            // major > uint32
           "8 0 sda 18446744073709551616 2 3 4 5 6 7 8 9 10 11\n",  // counter > uint64
           "8 0 sda 1 2 3 4 5 6 7 8 9 10 11 0x10\n",                // hex
       }) {
    std::vector<DiskstatsLine> lines;
    EXPECT_FALSE(ParseDiskstats(bad, &lines).ok()) << "input: '" << bad << "'";
  }
}

TEST(ParseUdevPropertiesTest, PropertiesOnly) {
  UdevProperties p;
  ParseUdevProperties(
      "S:disk/by-id/ata-INTEL_SSDS9X9SI0\n"
      "L:0\n"
      "E:ID_MODEL=first\n"
      "E:ID_MODEL=INTEL_SSDS9X9SI0\r\n"
      "E:ID_FS_LABEL=a=b\n"
      "E:ID_ATA_WRITE_CACHE=\n"
      "E:DM_NAME\n"
      "ID_PATH=not-a-property\n",
      &p);
  EXPECT_EQ(p.Get(UdevKey::kIdModel), "INTEL_SSDS9X9SI0");
  EXPECT_TRUE(p.Has(UdevKey::kIdAtaWriteCache));
  EXPECT_EQ(p.Get(UdevKey::kIdAtaWriteCache), "");
  EXPECT_FALSE(p.Has(UdevKey::kDmName));
  EXPECT_FALSE(p.Has(UdevKey::kIdPath));
}

TEST(FormatRotationalTest, BaseTwoLikeNodeExporter) {
  char buf[65];
  EXPECT_EQ(FormatRotational(0, buf), "0");
  EXPECT_EQ(FormatRotational(1, buf), "1");
  EXPECT_EQ(FormatRotational(2, buf), "10");
  EXPECT_EQ(FormatRotational(UINT64_MAX, buf), std::string(64, '1'));
}

// A sysfs queue directory with every attribute procfs reads.
void WriteQueue(const ScratchTree& tree, const std::string& dev, std::string_view rotational) {
  const std::string dir = "sys/block/" + dev + "/queue/";
  for (const char* name : {"add_random",
                           "dax",
                           "discard_granularity",
                           "discard_max_hw_bytes",
                           "discard_max_bytes",
                           "hw_sector_size",
                           "io_poll",
                           "io_timeout",
                           "iostats",
                           "logical_block_size",
                           "max_hw_sectors_kb",
                           "max_integrity_segments",
                           "max_sectors_kb",
                           "max_segments",
                           "max_segment_size",
                           "minimum_io_size",
                           "nomerges",
                           "nr_requests",
                           "optimal_io_size",
                           "physical_block_size",
                           "read_ahead_kb",
                           "rq_affinity",
                           "write_same_max_bytes",
                           "nr_zones",
                           "chunk_sectors",
                           "fua",
                           "max_discard_segments",
                           "write_zeroes_max_bytes"}) {
    tree.Write(dir + name, "0\n");
  }
  tree.Write(dir + "rotational", std::string(rotational) + "\n");
  tree.Write(dir + "io_poll_delay", "-1\n");
  tree.Write(dir + "wbt_lat_usec", "75000\n");
  tree.Write(dir + "write_cache", "write back\n");
  tree.Write(dir + "zoned", "none\n");
  tree.Write(dir + "scheduler", "none [mq-deadline] kyber bfq\n");
}

Context TreeContext(const ScratchTree& tree, const FlagValues* flags = nullptr) {
  Context ctx;
  ctx.paths.procfs = tree.Path("proc");
  ctx.paths.sysfs = tree.Path("sys");
  ctx.paths.udev_data = tree.Path("udev");
  ctx.flags = flags;
  return ctx;
}

constexpr std::string_view kTwoDisks =
    "   8       0 sda 100 2 3000 4000 5 6 7000 8000 1 9000 10000 11 12 13 14000 15 16000\n"
    "   8       1 sda1 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17\n"
    " 252       0 dm-0 1 0 8 2 3 0 16 4 0 5 6\n";

TEST(DiskstatsCollectorTest, RealCaptureThroughCollector) {
  Context ctx;
  ctx.paths.procfs = std::string(kRealDir) + "/proc";
  ctx.paths.sysfs = std::string(kRealDir) + "/sys";
  ctx.paths.udev_data = std::string(kRealDir) + "/no-udev-here";
  auto c = testing::MustCreate(NewDiskstatsCollector, ctx);
  ASSERT_NE(c, nullptr);
  expo::MetricSet set;
  ASSERT_TRUE(c->Collect(set).ok());
  // loop0-7 and zram0 match the default exclude pattern.
  EXPECT_EQ(set.Count("node_disk_info"), 1u);
  // This kernel has no queue/io_timeout, so procfs' queue stats fail and
  // node_exporter reports rotational="0" even for this rotational disk.
  EXPECT_EQ(set.Find("node_disk_info", {{"device", "vda"}, {"major", "254"}, {"rotational", "0"}}), 1);
  EXPECT_EQ(set.Count("node_disk_flush_requests_total"), 1u);
}

TEST(DiskstatsCollectorTest, CountersUdevAndQueue) {
  ScratchTree tree("diskstats_full");
  tree.Write("proc/diskstats", kTwoDisks);
  WriteQueue(tree, "sda", "1");
  tree.Write("udev/b8:0",
             "E:ID_ATA=1\nE:ID_ATA_WRITE_CACHE=1\nE:ID_ATA_WRITE_CACHE_ENABLED=0\nE:ID_ATA_ROTATION_RATE_RPM=x\n"
             "E:ID_PATH=pci-0000:00:1f.2-ata-1\nE:ID_SERIAL=long\nE:ID_SERIAL_SHORT=short\nE:ID_FS_TYPE=ext4\n"
             "E:ID_FS_UUID=1234\n");
  tree.Write("udev/b252:0", "E:DM_NAME=vg-root\nE:DM_VG_NAME=vg\nE:DM_LV_NAME=root\nE:DM_UUID=LVM-x\n");
  auto c = testing::MustCreate(NewDiskstatsCollector, TreeContext(tree));
  ASSERT_NE(c, nullptr);
  expo::MetricSet set;
  ASSERT_TRUE(c->Collect(set).ok());

  EXPECT_EQ(set.Count("node_disk_info"), 2u);  // sda1 is excluded by default.
  EXPECT_EQ(set.Find("node_disk_info",
                     {{"device", "sda"}, {"rotational", "1"}, {"serial", "short"}, {"path", "pci-0000:00:1f.2-ata-1"}}),
            1);
  EXPECT_EQ(set.Find("node_disk_info", {{"device", "dm-0"}, {"rotational", "0"}, {"serial", ""}}), 1);
  EXPECT_EQ(set.Find("node_disk_read_bytes_total", {{"device", "sda"}}), 3000 * 512.0);
  EXPECT_EQ(set.Find("node_disk_read_time_seconds_total", {{"device", "sda"}}), 4000 * (1.0 / 1000.0));
  EXPECT_EQ(set.Find("node_disk_discarded_sectors_total", {{"device", "sda"}}), 13);
  EXPECT_EQ(set.Find("node_disk_flush_requests_time_seconds_total", {{"device", "sda"}}), 16.0);
  // dm-0 has the 11 counters of an old kernel: no discard or flush series.
  EXPECT_EQ(set.Count("node_disk_discards_completed_total"), 1u);
  EXPECT_EQ(set.Count("node_disk_io_time_weighted_seconds_total"), 2u);

  EXPECT_EQ(set.Find("node_disk_filesystem_info", {{"device", "sda"}, {"type", "ext4"}, {"usage", ""}}), 1);
  EXPECT_EQ(set.Find("node_disk_device_mapper_info", {{"device", "dm-0"}, {"name", "vg-root"}, {"lv_layer", ""}}), 1);
  EXPECT_EQ(set.Find("node_disk_ata_write_cache", {{"device", "sda"}}), 1);
  EXPECT_EQ(set.Find("node_disk_ata_write_cache_enabled", {{"device", "sda"}}), 0);
  EXPECT_EQ(set.Count("node_disk_ata_rotation_rate_rpm"), 0u);  // "x" does not parse.

  // Kept-open attributes are re-read on every scrape.
  tree.Write("sys/block/sda/queue/rotational", "0\n");
  set.Clear();
  ASSERT_TRUE(c->Collect(set).ok());
  EXPECT_EQ(set.Find("node_disk_info", {{"device", "sda"}, {"rotational", "0"}}), 1);
}

TEST(DiskstatsCollectorTest, OneMissingQueueAttributeMeansNotRotational) {
  ScratchTree tree("diskstats_queue_gap");
  tree.Write("proc/diskstats", kTwoDisks);
  WriteQueue(tree, "sda", "1");
  std::filesystem::remove(tree.Path("sys/block/sda/queue/zoned"));
  auto c = testing::MustCreate(NewDiskstatsCollector, TreeContext(tree));
  ASSERT_NE(c, nullptr);
  expo::MetricSet set;
  ASSERT_TRUE(c->Collect(set).ok());
  // procfs' queue stats fail as a whole, so node_exporter says "0".
  EXPECT_EQ(set.Find("node_disk_info", {{"device", "sda"}, {"rotational", "0"}}), 1);
  tree.Write("sys/block/sda/queue/scheduler", "none\n");
  tree.Write("sys/block/sda/queue/zoned", "none\n");
  set.Clear();
  ASSERT_TRUE(c->Collect(set).ok());
  EXPECT_EQ(set.Find("node_disk_info", {{"device", "sda"}, {"rotational", "1"}}), 1);
}

TEST(DiskstatsCollectorTest, IncludeNeedsEmptyExclude) {
  ScratchTree tree("diskstats_include");
  tree.Write("proc/diskstats", kTwoDisks);
  FlagValues flags;
  flags.Set("collector.diskstats.device-exclude", std::string(kDiskstatsDefaultDeviceExclude));
  flags.Set("collector.diskstats.device-include", "^sda");
  EXPECT_FALSE(NewDiskstatsCollector(TreeContext(tree, &flags)).ok());

  flags.Set("collector.diskstats.device-exclude", "");
  auto c = testing::MustCreate(NewDiskstatsCollector, TreeContext(tree, &flags));
  ASSERT_NE(c, nullptr);
  expo::MetricSet set;
  ASSERT_TRUE(c->Collect(set).ok());
  EXPECT_EQ(set.Count("node_disk_info"), 2u);  // sda and sda1
  EXPECT_EQ(set.Find("node_disk_info", {{"device", "sda1"}}), 1);
}

TEST(DiskstatsCollectorTest, DeprecatedIgnoredDevicesFlag) {
  ScratchTree tree("diskstats_old_flag");
  tree.Write("proc/diskstats", kTwoDisks);
  FlagValues flags;
  flags.Set("collector.diskstats.device-exclude", std::string(kDiskstatsDefaultDeviceExclude));
  flags.Set("collector.diskstats.ignored-devices", "^dm-");
  auto c = testing::MustCreate(NewDiskstatsCollector, TreeContext(tree, &flags));
  ASSERT_NE(c, nullptr);
  expo::MetricSet set;
  ASSERT_TRUE(c->Collect(set).ok());
  EXPECT_EQ(set.Count("node_disk_info"), 2u);  // sda and sda1, not dm-0
  flags.Set("collector.diskstats.device-exclude", "^sd");
  EXPECT_FALSE(NewDiskstatsCollector(TreeContext(tree, &flags)).ok());
}

TEST(DiskstatsCollectorTest, BadPatternNamesTheFlag) {
  ScratchTree tree("diskstats_bad_re");
  FlagValues flags;
  flags.Set("collector.diskstats.device-exclude", "(");
  auto c = NewDiskstatsCollector(TreeContext(tree, &flags));
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("collector.diskstats.device-exclude"), std::string::npos);
}

TEST(DiskstatsCollectorTest, MissingOrMalformedFileFails) {
  ScratchTree tree("diskstats_missing");
  auto c = testing::MustCreate(NewDiskstatsCollector, TreeContext(tree));
  ASSERT_NE(c, nullptr);
  expo::MetricSet set;
  // node_exporter treats a missing /proc/diskstats as an error, not as no data.
  EXPECT_EQ(c->Collect(set).code(), StatusCode::kError);
  tree.Write("proc/diskstats", "8 0 sda 1 2 three 4 5 6 7 8 9 10 11\n");
  auto c2 = testing::MustCreate(NewDiskstatsCollector, TreeContext(tree));
  ASSERT_NE(c2, nullptr);
  EXPECT_EQ(c2->Collect(set).code(), StatusCode::kError);
  EXPECT_EQ(set.samples().size(), 0u);
}

TEST(DiskstatsCollectorTest, MatchesNodeExporterOnConformanceFixtures) {
  NODEX_REQUIRE_KIT(kit);
  testing::ScopedKitDir in_kit(kit);
  FlagValues flags;
  Logger log;
  auto c = NewDiskstatsCollector(testing::KitContext(&flags, &log));
  ASSERT_TRUE(c.ok()) << c.status().message();
  expo::MetricSet set;
  ASSERT_TRUE((*c)->Collect(set).ok());
  const std::vector<std::string> families = {
      "node_disk_ata_rotation_rate_rpm",
      "node_disk_ata_write_cache",
      "node_disk_ata_write_cache_enabled",
      "node_disk_device_mapper_info",
      "node_disk_discard_time_seconds_total",
      "node_disk_discarded_sectors_total",
      "node_disk_discards_completed_total",
      "node_disk_discards_merged_total",
      "node_disk_filesystem_info",
      "node_disk_flush_requests_time_seconds_total",
      "node_disk_flush_requests_total",
      "node_disk_info",
      "node_disk_io_now",
      "node_disk_io_time_seconds_total",
      "node_disk_io_time_weighted_seconds_total",
      "node_disk_read_bytes_total",
      "node_disk_read_time_seconds_total",
      "node_disk_reads_completed_total",
      "node_disk_reads_merged_total",
      "node_disk_write_time_seconds_total",
      "node_disk_writes_completed_total",
      "node_disk_writes_merged_total",
      "node_disk_written_bytes_total",
  };
  std::vector<std::string> expected = testing::ExpectedLines(kit, families);
  EXPECT_EQ(expected.size(), 23u + 215u);
  EXPECT_EQ(testing::RenderedLines(set, families), expected);
}

}  // namespace
}  // namespace nodex::collectors
