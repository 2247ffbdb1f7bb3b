#include "collectors/drbd.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "collectors/testing/kit.h"
#include "collectors/testing/scratch.h"
#include "expo/metric_set.h"

namespace nodex::collectors {
namespace {

// This machine has no DRBD module, so there is no real capture; the fixture
// is hand-written in DRBD 8.4's format.
constexpr char kTwoDevices[] = "src/collectors/testdata/drbd/two_devices";

TEST(ParseDrbdTest, HandWrittenTwoDevices) {
  std::string content = testing::ReadTestdata(std::string(kTwoDevices) + "/drbd");
  expo::MetricSet set;
  Status st = ParseDrbd(content, &set);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(set.Find("node_drbd_connected", {{"device", "drbd0"}}), 1);
  EXPECT_EQ(set.Find("node_drbd_connected", {{"device", "drbd7"}}), 0);
  EXPECT_EQ(set.Find("node_drbd_node_role_is_primary", {{"device", "drbd0"}, {"node", "local"}}), 0);
  EXPECT_EQ(set.Find("node_drbd_node_role_is_primary", {{"device", "drbd0"}, {"node", "remote"}}), 1);
  EXPECT_EQ(set.Find("node_drbd_disk_state_is_up_to_date", {{"device", "drbd7"}, {"node", "local"}}), 1);
  EXPECT_EQ(set.Find("node_drbd_disk_state_is_up_to_date", {{"device", "drbd7"}, {"node", "remote"}}), 0);
  // KiB counters become bytes, except nr (node_exporter multiplies it by 1).
  EXPECT_EQ(set.Find("node_drbd_network_sent_bytes_total", {{"device", "drbd7"}}), 10240);
  EXPECT_EQ(set.Find("node_drbd_network_received_bytes_total", {{"device", "drbd0"}}), 2048);
  EXPECT_EQ(set.Find("node_drbd_disk_written_bytes_total", {{"device", "drbd0"}}), 4096 * 1024.0);
  EXPECT_EQ(set.Find("node_drbd_disk_read_bytes_total", {{"device", "drbd7"}}), 200 * 1024.0);
  EXPECT_EQ(set.Find("node_drbd_out_of_sync_bytes", {{"device", "drbd7"}}), 512 * 1024.0);
  EXPECT_EQ(set.Find("node_drbd_activitylog_writes_total", {{"device", "drbd7"}}), 3);
  EXPECT_EQ(set.Find("node_drbd_bitmap_writes_total", {{"device", "drbd7"}}), 4);
  EXPECT_EQ(set.Find("node_drbd_local_pending", {{"device", "drbd7"}}), 1);
  EXPECT_EQ(set.Find("node_drbd_remote_pending", {{"device", "drbd7"}}), 2);
  EXPECT_EQ(set.Find("node_drbd_remote_unacknowledged", {{"device", "drbd7"}}), 3);
  EXPECT_EQ(set.Find("node_drbd_application_pending", {{"device", "drbd7"}}), 4);
  EXPECT_EQ(set.Find("node_drbd_epochs", {{"device", "drbd0"}}), 1);
  EXPECT_EQ(set.Count("node_drbd_epochs"), 2u);
  EXPECT_EQ(set.Count("node_drbd_node_role_is_primary"), 4u);
}

TEST(ParseDrbdTest, WordRules) {
  expo::MetricSet set;
  // Counters before any device line belong to "unknown"; "01:" is drbd1.
  ASSERT_TRUE(ParseDrbd("al:5 01: al:6 a:b:c ns ro:Primary/Secondary/Extra wo:d", &set).ok());
  EXPECT_EQ(set.Find("node_drbd_activitylog_writes_total", {{"device", "unknown"}}), 5);
  EXPECT_EQ(set.Find("node_drbd_activitylog_writes_total", {{"device", "drbd1"}}), 6);
  EXPECT_EQ(set.Find("node_drbd_node_role_is_primary", {{"device", "drbd1"}, {"node", "remote"}}), 0);
  // DRBD 9 and empty files: no samples, no error.
  set.Clear();
  ASSERT_TRUE(
      ParseDrbd(
          "version: 9.2.4 (api:2/proto:86-122)\nGIT-hash: abc build by x, 2023\nTransports (api:18): tcp (9.2.4)\n",
          &set)
          .ok());
  ASSERT_TRUE(ParseDrbd("", &set).ok());
  EXPECT_EQ(set.samples().size(), 0u);
  // The largest minor still formats.
  ASSERT_TRUE(ParseDrbd("18446744073709551615: ep:1", &set).ok());
  EXPECT_EQ(set.Find("node_drbd_epochs", {{"device", "drbd18446744073709551615"}}), 1);
}

TEST(ParseDrbdTest, RejectsMalformedCounters) {
  for (const char* bad :
       {"0: ns:abc", "0: ns:", "0: oos:1e999", "0: lo:0x10", "0: ro:Primary", "0: ds:", "0: ep:nan", "0: dr:12,5"}) {
    expo::MetricSet set;
    EXPECT_FALSE(ParseDrbd(bad, &set).ok()) << bad;
  }
}

TEST(DrbdCollectorTest, MissingFileIsNoData) {
  testing::ScratchTree dir("drbd_missing");
  auto collector = testing::MustCreate(NewDrbdCollector, testing::ProcContext(dir.root()));
  expo::MetricSet set;
  EXPECT_EQ(collector->Collect(set).code(), StatusCode::kNoData);
  EXPECT_EQ(set.samples().size(), 0u);
}

TEST(DrbdCollectorTest, ReadsFixtureAndFailsOnMalformedFile) {
  auto collector = testing::MustCreate(NewDrbdCollector, testing::ProcContext(kTwoDevices));
  expo::MetricSet set;
  ASSERT_TRUE(collector->Collect(set).ok());
  EXPECT_EQ(set.Count("node_drbd_connected"), 2u);

  testing::ScratchTree dir("drbd_malformed");
  dir.Write("drbd", " 1: cs:Connected ro:Primary\n");
  auto bad = testing::MustCreate(NewDrbdCollector, testing::ProcContext(dir.root()));
  set.Clear();
  EXPECT_EQ(bad->Collect(set).code(), StatusCode::kError);
}

TEST(DrbdCollectorTest, MatchesNodeExporterOnConformanceFixtures) {
  NODEX_REQUIRE_KIT(kit);
  testing::ScopedKitDir in_kit(kit);
  FlagValues flags;
  Logger log(LogLevel::kError);
  auto collector = NewDrbdCollector(testing::KitContext(&flags, &log));
  ASSERT_TRUE(collector.ok());
  expo::MetricSet set;
  Status st = (*collector)->Collect(set);
  ASSERT_TRUE(st.ok()) << st.message();
  const std::vector<std::string> families = {
      "node_drbd_activitylog_writes_total",
      "node_drbd_application_pending",
      "node_drbd_bitmap_writes_total",
      "node_drbd_connected",
      "node_drbd_disk_read_bytes_total",
      "node_drbd_disk_state_is_up_to_date",
      "node_drbd_disk_written_bytes_total",
      "node_drbd_epochs",
      "node_drbd_local_pending",
      "node_drbd_network_received_bytes_total",
      "node_drbd_network_sent_bytes_total",
      "node_drbd_node_role_is_primary",
      "node_drbd_out_of_sync_bytes",
      "node_drbd_remote_pending",
      "node_drbd_remote_unacknowledged",
  };
  std::vector<std::string> expected = testing::ExpectedLines(kit, families);
  EXPECT_EQ(expected.size(), 15u + 17u);
  EXPECT_EQ(testing::RenderedLines(set, families), expected);
}

}  // namespace
}  // namespace nodex::collectors
