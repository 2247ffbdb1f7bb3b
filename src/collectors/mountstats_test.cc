#include "collectors/mountstats.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "collectors/testing/kit.h"
#include "collectors/testing/scratch.h"
#include "expo/metric_set.h"

namespace nodex::collectors {
namespace {

constexpr char kHandWritten[] = "src/collectors/testdata/mountstats/nfs";

std::string NfsMount(std::string_view statvers, std::string_view xprt, std::string_view extra_line = "") {
  std::string s = "device srv:/x mounted on /mnt with fstype nfs statvers=";
  s += statvers;
  s += "\n\topts:\trw,vers=3\n\tage:\t10\n";
  s += extra_line;
  s += "\tevents:\t0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n\tbytes:\t0 0 0 0 0 0 0 0\n";
  s += "\txprt:\t";
  s += xprt;
  s += "\n\tper-op statistics\n\t        NULL: 0 0 0 0 0 0 0 0\n\n";
  return s;
}

TEST(ParseMountStatsTest, RealCaptureFromThisMachineHasNoNfs) {
  std::string content = testing::ReadTestdata("src/collectors/testdata/mountstats/real/self/mountstats");
  MountStats stats;
  ASSERT_TRUE(ParseMountStats(content, &stats).ok());
  ASSERT_EQ(stats.mounts.size(), 21u);
  EXPECT_EQ(stats.mounts[0].device, "proc");
  EXPECT_EQ(stats.mounts[0].mount_point, "/proc");
  EXPECT_EQ(stats.mounts[5].fs_type, "ext4");
  for (const auto& m : stats.mounts) EXPECT_FALSE(m.has_nfs_stats);
}

TEST(ParseMountStatsTest, HandWrittenNfsMounts) {
  std::string content = testing::ReadTestdata(std::string(kHandWritten) + "/self/mountstats");
  MountStats stats;
  Status st = ParseMountStats(content, &stats);
  ASSERT_TRUE(st.ok()) << st.message();
  ASSERT_EQ(stats.mounts.size(), 6u);

  const MountStatsEntry& home = stats.mounts[2];
  EXPECT_TRUE(home.has_nfs_stats);
  EXPECT_EQ(home.device, "filer:/home");
  EXPECT_EQ(home.fs_type, "nfs4");
  EXPECT_EQ(home.stat_version, "1.1");
  EXPECT_DOUBLE_EQ(home.age_seconds, 86400);
  EXPECT_EQ(home.bytes.read, 100u);
  EXPECT_EQ(home.bytes.write_pages, 800u);
  EXPECT_EQ(home.events[kNfsEventInodeRevalidate], 1u);
  EXPECT_EQ(home.events[kNfsEventCongestionWait], 19u);
  EXPECT_EQ(home.events[kNfsEventPnfsWrite], 27u);
  auto transports = stats.Transports(home);
  ASSERT_EQ(transports.size(), 2u);
  EXPECT_EQ(transports[0].protocol, "tcp");
  EXPECT_EQ(transports[0].port, 901u);
  EXPECT_EQ(transports[0].connect, 2u);
  EXPECT_EQ(transports[0].idle_time_seconds, 4u);
  EXPECT_EQ(transports[0].sends, 1000u);
  EXPECT_EQ(transports[0].cumulative_backlog, 7u);
  EXPECT_EQ(transports[0].maximum_rpc_slots_used, 16u);
  EXPECT_EQ(transports[0].cumulative_pending_queue, 9u);
  EXPECT_EQ(transports[1].port, 902u);
  auto ops = stats.Operations(home);
  ASSERT_EQ(ops.size(), 3u);
  EXPECT_EQ(ops[1].operation, "READ");
  EXPECT_EQ(ops[1].major_timeouts, 1u);
  EXPECT_EQ(ops[1].request_milliseconds, 125u);
  EXPECT_EQ(ops[1].errors, 2u);

  EXPECT_DOUBLE_EQ(stats.mounts[3].age_seconds, 12.5);

  const MountStatsEntry& scratch = stats.mounts[4];
  ASSERT_EQ(stats.Transports(scratch).size(), 1u);
  const NfsTransportStats& rdma = stats.Transports(scratch)[0];
  EXPECT_EQ(rdma.protocol, "rdma");
  EXPECT_EQ(rdma.connect, 1u);
  EXPECT_EQ(rdma.idle_time_seconds, 3u);
  EXPECT_EQ(rdma.sends, 20u);
  EXPECT_EQ(rdma.cumulative_backlog, 2u);
  EXPECT_EQ(rdma.maximum_rpc_slots_used, 0u);  // rdma has no queue fields.
  ASSERT_EQ(stats.Operations(scratch).size(), 1u);
  EXPECT_EQ(stats.Operations(scratch)[0].errors, 0u);  // Eight-counter per-op line.
  EXPECT_FALSE(stats.mounts[5].has_nfs_stats);
}

TEST(ParseMountStatsTest, TransportLayoutsPerStatVersion) {
  MountStats stats;
  ASSERT_TRUE(ParseMountStats(NfsMount("1.0", "udp 700 1 50 49 2 3 4"), &stats).ok());
  const NfsTransportStats& udp10 = stats.transports[0];
  EXPECT_EQ(udp10.bind, 1u);
  EXPECT_EQ(udp10.connect, 0u);
  EXPECT_EQ(udp10.sends, 50u);
  EXPECT_EQ(udp10.receives, 49u);
  EXPECT_EQ(udp10.cumulative_backlog, 4u);
  EXPECT_EQ(udp10.maximum_rpc_slots_used, 0u);

  ASSERT_TRUE(ParseMountStats(NfsMount("1.0", "tcp 700 1 2 3 4 50 49 2 3 4"), &stats).ok());
  EXPECT_EQ(stats.transports[0].idle_time_seconds, 4u);
  EXPECT_EQ(stats.transports[0].maximum_rpc_slots_used, 0u);

  ASSERT_TRUE(ParseMountStats(NfsMount("1.1", "udp 700 1 50 49 2 3 4 24 26 5726"), &stats).ok());
  EXPECT_EQ(stats.transports[0].sends, 50u);
  EXPECT_EQ(stats.transports[0].maximum_rpc_slots_used, 24u);
  EXPECT_EQ(stats.transports[0].cumulative_pending_queue, 5726u);
}

TEST(ParseMountStatsTest, QuirksMirroredFromProcfs) {
  MountStats stats;
  // Unknown keys inside the block and a device line without statvers are fine.
  ASSERT_TRUE(ParseMountStats("device a:/b mounted on /c with fstype nfs\n", &stats).ok());
  EXPECT_FALSE(stats.mounts[0].has_nfs_stats);
  // "statvers=" is optional in front of the version.
  ASSERT_TRUE(
      ParseMountStats("device a:/b mounted on /c with fstype nfs 1.1\n\txprt:\tudp 1 2 3 4 5 6 7 8 9 10\n", &stats)
          .ok());
  EXPECT_EQ(stats.transports.size(), 1u);
  // A block without a per-op header ends at the blank line, and the per-op
  // table then takes the next line: a device line there is an error.
  EXPECT_FALSE(ParseMountStats("device a:/b mounted on /c with fstype nfs statvers=1.1\n\tage:\t1\n\n"
                               "device proc mounted on /proc with fstype proc\n",
                               &stats)
                   .ok());
  // ...but the end of the file is not.
  EXPECT_TRUE(ParseMountStats("device a:/b mounted on /c with fstype nfs statvers=1.1\n\tage:\t1\n", &stats).ok());
  // Non-device lines outside blocks are skipped.
  EXPECT_TRUE(ParseMountStats("garbage here\n\n  \n", &stats).ok());
  EXPECT_TRUE(stats.mounts.empty());
  // An empty file is zero mounts.
  EXPECT_TRUE(ParseMountStats("", &stats).ok());
}

TEST(ParseMountStatsTest, RejectsMalformedInput) {
  const std::string bad[] = {
      "device a:/b mounted on /c with\n",                           // Truncated device line.
      "device a:/b mounted at /c with fstype nfs\n",                // Wrong word.
      "device a:/b mounted on /c with fstype ext4 statvers=1.1\n",  // Stats for a non-NFS type.
      NfsMount("1.1", "tcp 1 2 3"),                                 // Short tcp line.
      NfsMount("1.1", "udp 1 2 3 4 5 6 7"),                         // 1.0 udp length under 1.1.
      NfsMount("1.0", "rdma 1 2 3 4 5 6 7 8 9 10"),                 // rdma needs 1.1.
      NfsMount("1.1", "rdma 1 2 3 4 5 6 7 8 9 10"),                 // rdma too short.
      NfsMount("1.1", "rdma 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0"),  // > 31.
      NfsMount("1.2", "tcp 1 2 3 4 5 6 7 8 9 10 11 12 13"),                                     // Unknown statvers.
      NfsMount("1.1", "sctp 1 2 3 4 5 6 7 8 9 10 11 12 13"),                                    // Unknown protocol.
      NfsMount("1.1", "tcp 1 2 3 4 5 6 7 8 9 10 11 12 x"),                                      // Non-numeric.
      NfsMount("1.1", "tcp 1 2 3 4 5 6 7 8 9 10 11 12 18446744073709551616"),                   // Overflows uint64.
      NfsMount("1.1", "tcp 1 2 3 4 5 6 7 8 9 10 11 12 -1"),                                     // Negative.
      NfsMount("1.1", "tcp"),                                                                   // Protocol only.
      NfsMount("1.1", "tcp 1 2 3 4 5 6 7 8 9 10 11 12 13", "\tbytes:\t1 2 3\n"),
      NfsMount("1.1", "tcp 1 2 3 4 5 6 7 8 9 10 11 12 13", "\tevents:\t1 2 3\n"),
      NfsMount("1.1", "tcp 1 2 3 4 5 6 7 8 9 10 11 12 13", "\tage:\t1h\n"),
      NfsMount("1.1", "tcp 1 2 3 4 5 6 7 8 9 10 11 12 13", "\tage:\t99999999999999999999\n"),
      NfsMount("1.1", "tcp 1 2 3 4 5 6 7 8 9 10 11 12 13", "\tage:\n"),
      NfsMount("1.1", "tcp 1 2 3 4 5 6 7 8 9 10 11 12 13", "\topts:\n"),
      "device a:/b mounted on /c with fstype nfs statvers=1.1\n\tper-op statistics\n\tREAD: 1 2 3\n",
      "device a:/b mounted on /c with fstype nfs statvers=1.1\n\tper-op statistics\n\tREAD: 1 2 3 4 5 6 7 x\n",
  };
  MountStats stats;
  for (const std::string& input : bad) EXPECT_FALSE(ParseMountStats(input, &stats).ok()) << input;
}

TEST(MountAddrOptionTest, FollowsProcfsOptionMap) {
  EXPECT_EQ(MountAddrOption("rw,vers=3,addr=192.168.1.1"), "192.168.1.1");
  EXPECT_EQ(MountAddrOption("addr=1.1.1.1,rw,addr=2.2.2.2"), "2.2.2.2");
  EXPECT_EQ(MountAddrOption("rw,mountaddr=10.0.0.1"), "");
  EXPECT_EQ(MountAddrOption("rw,addr"), "");
  EXPECT_EQ(MountAddrOption("addr=fe80::1=x"), "fe80::1=x");
  EXPECT_EQ(MountAddrOption(""), "");
}

TEST(MountstatsCollectorTest, HandWrittenTreeWithDuplicates) {
  auto collector = testing::MustCreate(NewMountstatsCollector, testing::ProcContext(kHandWritten));
  ASSERT_NE(collector, nullptr);
  expo::MetricSet set;
  Status st = collector->Collect(set);
  ASSERT_TRUE(st.ok()) << st.message();

  // /home and /srv/home share export, protocol and addr: both get an info
  // series, only /home's statistics are exported.
  EXPECT_EQ(set.Count("node_mountstats_nfs_mountpoint_info"), 3u);
  EXPECT_EQ(set.Find("node_mountstats_nfs_mountpoint_info", {{"mountpoint", "/srv/home"}, {"mountaddr", "10.0.0.1"}}),
            1);
  EXPECT_EQ(set.Count("node_mountstats_nfs_age_seconds_total"), 2u);
  EXPECT_EQ(set.Find("node_mountstats_nfs_age_seconds_total", {{"export", "filer:/home"}}), 86400);
  EXPECT_EQ(set.Find("node_mountstats_nfs_age_seconds_total", {{"export", "ib:/scratch"}, {"protocol", "rdma"}}), 42);

  // Two transports for /home, labelled by index.
  EXPECT_EQ(set.Count("node_mountstats_nfs_transport_sends_total"), 3u);
  EXPECT_EQ(set.Find("node_mountstats_nfs_transport_sends_total", {{"export", "filer:/home"}, {"transport", "0"}}),
            1000);
  // Idle time is reduced modulo 2^53 like node_exporter.
  EXPECT_EQ(set.Find("node_mountstats_nfs_transport_idle_time_seconds", {{"transport", "1"}}),
            9007199254741000.0 - 9007199254740992.0);

  EXPECT_EQ(set.Count("node_mountstats_nfs_operations_requests_total"), 4u);
  EXPECT_DOUBLE_EQ(set.Find("node_mountstats_nfs_operations_request_time_seconds_total", {{"operation", "READ"}}),
                   0.125);
  EXPECT_DOUBLE_EQ(set.Find("node_mountstats_nfs_operations_queue_time_seconds_total", {{"operation", "LOOKUP"}}),
                   1.0);  // 9007199254741992 mod 2^53 = 1000 ms.
  EXPECT_EQ(set.Find("node_mountstats_nfs_event_vfs_open_total", {{"export", "filer:/home"}}), 5);
  EXPECT_EQ(set.Find("node_mountstats_nfs_event_pnfs_write_total", {{"export", "filer:/home"}}), 27);
  EXPECT_EQ(set.Find("node_mountstats_nfs_total_write_bytes_total", {{"export", "filer:/home"}}), 600);
  EXPECT_EQ(set.Find("node_mountstats_nfs_read_pages_total", {{"export", "ib:/scratch"}}), 7);

  // A second scrape gives the same result (buffers are reused).
  size_t first = set.samples().size();
  set.Clear();
  ASSERT_TRUE(collector->Collect(set).ok());
  EXPECT_EQ(set.samples().size(), first);
}

TEST(MountstatsCollectorTest, RealCaptureGivesNoSamples) {
  auto collector =
      testing::MustCreate(NewMountstatsCollector, testing::ProcContext("src/collectors/testdata/mountstats/real"));
  expo::MetricSet set;
  ASSERT_TRUE(collector->Collect(set).ok());
  EXPECT_EQ(set.samples().size(), 0u);
}

TEST(MountstatsCollectorTest, MountinfoShorterThanMountstatsLeavesAddrEmpty) {
  testing::ScratchTree dir("mountstats_short_mountinfo");
  dir.Write("self/mountstats", NfsMount("1.1", "tcp 1 2 3 4 5 6 7 8 9 10 11 12 13"));
  dir.Write("self/mountinfo", "");
  auto collector = testing::MustCreate(NewMountstatsCollector, testing::ProcContext(dir.root()));
  expo::MetricSet set;
  ASSERT_TRUE(collector->Collect(set).ok());
  EXPECT_EQ(set.Find("node_mountstats_nfs_age_seconds_total", {{"mountaddr", ""}, {"protocol", "tcp"}}), 10);
}

TEST(MountstatsCollectorTest, MissingOrMalformedFilesFail) {
  testing::ScratchTree dir("mountstats_missing");
  auto collector = testing::MustCreate(NewMountstatsCollector, testing::ProcContext(dir.root()));
  expo::MetricSet set;
  EXPECT_EQ(collector->Collect(set).code(), StatusCode::kError);

  dir.Write("self/mountstats", "device proc mounted on /proc with fstype proc\n");
  EXPECT_EQ(collector->Collect(set).code(), StatusCode::kError);  // No mountinfo.

  dir.Write("self/mountinfo", "not a mountinfo line\n");
  EXPECT_EQ(collector->Collect(set).code(), StatusCode::kError);

  dir.Write("self/mountinfo", "17 1 0:4 / /proc rw - proc proc rw\n");
  EXPECT_TRUE(collector->Collect(set).ok());

  dir.Write("self/mountstats", NfsMount("1.1", "tcp 1 2"));
  set.Clear();
  EXPECT_EQ(collector->Collect(set).code(), StatusCode::kError);
  EXPECT_EQ(set.samples().size(), 0u);
}

TEST(MountstatsCollectorTest, MatchesNodeExporterOnConformanceFixtures) {
  NODEX_REQUIRE_KIT(kit);
  testing::ScopedKitDir in_kit(kit);
  FlagValues flags;
  Logger log(LogLevel::kError);
  auto collector = NewMountstatsCollector(testing::KitContext(&flags, &log));
  ASSERT_TRUE(collector.ok());
  expo::MetricSet set;
  Status st = (*collector)->Collect(set);
  ASSERT_TRUE(st.ok()) << st.message();
  const std::vector<std::string> families = {
      "node_mountstats_nfs_age_seconds_total",
      "node_mountstats_nfs_direct_read_bytes_total",
      "node_mountstats_nfs_direct_write_bytes_total",
      "node_mountstats_nfs_event_attribute_invalidate_total",
      "node_mountstats_nfs_event_data_invalidate_total",
      "node_mountstats_nfs_event_dnode_revalidate_total",
      "node_mountstats_nfs_event_inode_revalidate_total",
      "node_mountstats_nfs_event_jukebox_delay_total",
      "node_mountstats_nfs_event_pnfs_read_total",
      "node_mountstats_nfs_event_pnfs_write_total",
      "node_mountstats_nfs_event_short_read_total",
      "node_mountstats_nfs_event_short_write_total",
      "node_mountstats_nfs_event_silly_rename_total",
      "node_mountstats_nfs_event_truncation_total",
      "node_mountstats_nfs_event_vfs_access_total",
      "node_mountstats_nfs_event_vfs_file_release_total",
      "node_mountstats_nfs_event_vfs_flush_total",
      "node_mountstats_nfs_event_vfs_fsync_total",
      "node_mountstats_nfs_event_vfs_getdents_total",
      "node_mountstats_nfs_event_vfs_lock_total",
      "node_mountstats_nfs_event_vfs_lookup_total",
      "node_mountstats_nfs_event_vfs_open_total",
      "node_mountstats_nfs_event_vfs_read_page_total",
      "node_mountstats_nfs_event_vfs_read_pages_total",
      "node_mountstats_nfs_event_vfs_setattr_total",
      "node_mountstats_nfs_event_vfs_update_page_total",
      "node_mountstats_nfs_event_vfs_write_page_total",
      "node_mountstats_nfs_event_vfs_write_pages_total",
      "node_mountstats_nfs_event_write_extension_total",
      "node_mountstats_nfs_mountpoint_info",
      "node_mountstats_nfs_operations_major_timeouts_total",
      "node_mountstats_nfs_operations_queue_time_seconds_total",
      "node_mountstats_nfs_operations_received_bytes_total",
      "node_mountstats_nfs_operations_request_time_seconds_total",
      "node_mountstats_nfs_operations_requests_total",
      "node_mountstats_nfs_operations_response_time_seconds_total",
      "node_mountstats_nfs_operations_sent_bytes_total",
      "node_mountstats_nfs_operations_transmissions_total",
      "node_mountstats_nfs_read_bytes_total",
      "node_mountstats_nfs_read_pages_total",
      "node_mountstats_nfs_total_read_bytes_total",
      "node_mountstats_nfs_total_write_bytes_total",
      "node_mountstats_nfs_transport_backlog_queue_total",
      "node_mountstats_nfs_transport_bad_transaction_ids_total",
      "node_mountstats_nfs_transport_bind_total",
      "node_mountstats_nfs_transport_connect_total",
      "node_mountstats_nfs_transport_idle_time_seconds",
      "node_mountstats_nfs_transport_maximum_rpc_slots",
      "node_mountstats_nfs_transport_pending_queue_total",
      "node_mountstats_nfs_transport_receives_total",
      "node_mountstats_nfs_transport_sending_queue_total",
      "node_mountstats_nfs_transport_sends_total",
      "node_mountstats_nfs_write_bytes_total",
      "node_mountstats_nfs_write_pages_total",
  };
  std::vector<std::string> expected = testing::ExpectedLines(kit, families);
  EXPECT_EQ(expected.size(), 54u + 149u);
  EXPECT_EQ(testing::RenderedLines(set, families), expected);
}

}  // namespace
}  // namespace nodex::collectors
