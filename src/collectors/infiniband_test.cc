#include "collectors/infiniband.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "collectors/testing/kit.h"
#include "collectors/testing/scratch.h"

namespace nodex::collectors {
namespace {

using testing::MustCreate;
using testing::ScratchTree;

TEST(ParseInfinibandStateTest, Values) {
  EXPECT_EQ(*ParseInfinibandState("4: ACTIVE\n"), 4u);
  EXPECT_EQ(*ParseInfinibandState(" 5 : LinkUp"), 5u);
  EXPECT_EQ(*ParseInfinibandState("4294967295: X"), 4294967295u);
  EXPECT_FALSE(ParseInfinibandState("").ok());
  EXPECT_FALSE(ParseInfinibandState("ACTIVE\n").ok());        // no ':'
  EXPECT_FALSE(ParseInfinibandState("4: ACT:IVE\n").ok());    // two ':'
  EXPECT_FALSE(ParseInfinibandState("x: ACTIVE\n").ok());     // not a number
  EXPECT_FALSE(ParseInfinibandState("-1: ACTIVE\n").ok());
  EXPECT_FALSE(ParseInfinibandState("4294967296: X").ok());   // > 32 bits
}

TEST(ParseInfinibandRateTest, Values) {
  EXPECT_EQ(*ParseInfinibandRate("40 Gb/sec (4X QDR)\n"), 5000000000u);
  EXPECT_EQ(*ParseInfinibandRate("10 Gb/sec (4X)\n"), 1250000000u);
  EXPECT_EQ(*ParseInfinibandRate("2.5 Gb/sec (1X SDR)"), 312500000u);
  EXPECT_EQ(*ParseInfinibandRate("100 Gb/sec (4X EDR)"), 12500000000u);
  EXPECT_FALSE(ParseInfinibandRate("40").ok());  // no space
  EXPECT_FALSE(ParseInfinibandRate("fast Gb/sec").ok());
  EXPECT_FALSE(ParseInfinibandRate("-1 Gb/sec").ok());
  EXPECT_FALSE(ParseInfinibandRate("inf Gb/sec").ok());
  EXPECT_FALSE(ParseInfinibandRate("1e400 Gb/sec").ok());
  EXPECT_FALSE(ParseInfinibandRate("").ok());
}

TEST(ParseInfinibandCounterTest, Values) {
  uint64_t v = 0;
  EXPECT_EQ(ParseInfinibandCounter("4631917\n", &v), InfinibandCounterResult::kValue);
  EXPECT_EQ(v, 4631917u);
  EXPECT_EQ(ParseInfinibandCounter("18446744073709551615", &v), InfinibandCounterResult::kValue);
  EXPECT_EQ(v, UINT64_MAX);
  EXPECT_EQ(ParseInfinibandCounter("0x10", &v), InfinibandCounterResult::kValue);  // Go base 0
  EXPECT_EQ(v, 16u);
  EXPECT_EQ(ParseInfinibandCounter("N/A (no PMA)\n", &v), InfinibandCounterResult::kNotAvailable);
  EXPECT_EQ(ParseInfinibandCounter("", &v), InfinibandCounterResult::kInvalid);
  EXPECT_EQ(ParseInfinibandCounter("12 packets", &v), InfinibandCounterResult::kInvalid);
  EXPECT_EQ(ParseInfinibandCounter("-1", &v), InfinibandCounterResult::kInvalid);
  EXPECT_EQ(ParseInfinibandCounter("18446744073709551616", &v), InfinibandCounterResult::kInvalid);
}

// A device like mlx5 with counters and hw_counters, and an irdma device with
// only hw_counters.
void WriteTree(const ScratchTree& t) {
  t.Write("class/infiniband/mlx5_0/fw_ver", "16.35.2000\n");
  t.Write("class/infiniband/mlx5_0/board_id", "MT_0000000012\n");
  t.Write("class/infiniband/mlx5_0/hca_type", "MT4119\n");
  t.Write("class/infiniband/mlx5_0/ports/1/state", "4: ACTIVE\n");
  t.Write("class/infiniband/mlx5_0/ports/1/phys_state", "5: LinkUp\n");
  t.Write("class/infiniband/mlx5_0/ports/1/rate", "100 Gb/sec (4X EDR)\n");
  t.Write("class/infiniband/mlx5_0/ports/1/counters/port_rcv_data", "1000\n");
  t.Write("class/infiniband/mlx5_0/ports/1/counters/symbol_error", "3\n");
  t.Write("class/infiniband/mlx5_0/ports/1/counters/VL15_dropped", "N/A (no PMA)\n");
  t.Write("class/infiniband/mlx5_0/ports/1/counters/unknown_counter", "whatever\n");
  t.Write("class/infiniband/mlx5_0/ports/1/hw_counters/lifespan", "12\n");
  t.Write("class/infiniband/mlx5_0/ports/1/hw_counters/out_of_buffer", "7\n");
  t.Write("class/infiniband/irdma0/fw_ver", "1.52\n");
  t.Write("class/infiniband/irdma0/ports/1/state", "1: DOWN\n");
  t.Write("class/infiniband/irdma0/ports/1/phys_state", "3: Disabled\n");
  t.Write("class/infiniband/irdma0/ports/1/rate", "25 Gb/sec (1X EDR)\n");
  t.Write("class/infiniband/irdma0/ports/1/hw_counters/rx_read_requests", "9\n");
}

TEST(InfinibandCollectorTest, ReadsTree) {
  ScratchTree tree("infiniband");
  WriteTree(tree);
  auto c = MustCreate(NewInfinibandCollector, testing::SysContext(tree.root()));
  ASSERT_NE(c, nullptr);
  expo::MetricSet set;
  Status st = c->Collect(set);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(set.Find("node_infiniband_info", {{"device", "irdma0"}, {"board_id", ""}, {"hca_type", ""},
                                               {"firmware_version", "1.52"}}),
            1);
  EXPECT_EQ(set.Find("node_infiniband_port_data_received_bytes_total", {{"device", "mlx5_0"}, {"port", "1"}}), 4000);
  EXPECT_EQ(set.Find("node_infiniband_symbol_error_total", {{"device", "mlx5_0"}}), 3);
  EXPECT_EQ(set.Count("node_infiniband_vl15_dropped_total"), 0u);
  EXPECT_EQ(set.Find("node_infiniband_lifespan_seconds", {{"device", "mlx5_0"}}), 0);  // 12 ms / 1000
  EXPECT_EQ(set.Find("node_infiniband_out_of_buffer_drops_total", {{"device", "mlx5_0"}}), 7);
  EXPECT_EQ(set.Find("node_infiniband_rx_read_requests_total", {{"device", "irdma0"}}), 9);
  EXPECT_EQ(set.Find("node_infiniband_rate_bytes_per_second", {{"device", "irdma0"}}), 3125000000.0);
  EXPECT_EQ(set.Find("node_infiniband_state_id", {{"device", "irdma0"}}), 1);
  EXPECT_EQ(set.Find("node_infiniband_physical_state_id", {{"device", "irdma0"}}), 3);
  // Second scrape through the kept-open attribute fds.
  set.Clear();
  ASSERT_TRUE(c->Collect(set).ok());
  EXPECT_EQ(set.Count("node_infiniband_state_id"), 2u);
}

TEST(InfinibandCollectorTest, MissingClassIsNoData) {
  ScratchTree tree("infiniband_missing");
  tree.MakeDir("class");
  auto c = MustCreate(NewInfinibandCollector, testing::SysContext(tree.root()));
  ASSERT_NE(c, nullptr);
  expo::MetricSet set;
  EXPECT_EQ(c->Collect(set).code(), StatusCode::kNoData);
  EXPECT_EQ(set.samples().size(), 0u);
}

TEST(InfinibandCollectorTest, MissingHwCountersOnMlx5IsNoData) {
  // procfs requires hw_counters/ for mlx5 and wraps the ENOENT, which
  // node_exporter then reports as "no data".
  ScratchTree tree("infiniband_nohw");
  tree.Write("class/infiniband/mlx5_0/fw_ver", "1\n");
  tree.Write("class/infiniband/mlx5_0/ports/1/state", "4: ACTIVE\n");
  tree.Write("class/infiniband/mlx5_0/ports/1/phys_state", "5: LinkUp\n");
  tree.Write("class/infiniband/mlx5_0/ports/1/rate", "100 Gb/sec (4X EDR)\n");
  tree.Write("class/infiniband/mlx5_0/ports/1/counters/link_downed", "0\n");
  auto c = MustCreate(NewInfinibandCollector, testing::SysContext(tree.root()));
  ASSERT_NE(c, nullptr);
  expo::MetricSet set;
  EXPECT_EQ(c->Collect(set).code(), StatusCode::kNoData);
  EXPECT_EQ(set.samples().size(), 0u);
}

TEST(InfinibandCollectorTest, MalformedFailsWithoutPartialOutput) {
  for (auto [file, content] : std::vector<std::pair<std::string, std::string>>{
           {"ports/1/state", "ACTIVE\n"},
           {"ports/1/phys_state", "x: LinkUp\n"},
           {"ports/1/rate", "fast\n"},
           {"ports/1/counters/link_downed", "lots\n"},
           {"ports/1/counters_ext/port_rcv_data_64", "-5\n"},
       }) {
    ScratchTree tree("infiniband_bad");
    tree.Write("class/infiniband/mlx4_0/fw_ver", "2.31.5050\n");
    tree.Write("class/infiniband/mlx4_0/ports/1/state", "4: ACTIVE\n");
    tree.Write("class/infiniband/mlx4_0/ports/1/phys_state", "5: LinkUp\n");
    tree.Write("class/infiniband/mlx4_0/ports/1/rate", "40 Gb/sec (4X QDR)\n");
    tree.Write("class/infiniband/mlx4_0/ports/1/counters/link_downed", "0\n");
    tree.Write("class/infiniband/mlx4_0/" + file, content);
    auto c = MustCreate(NewInfinibandCollector, testing::SysContext(tree.root()));
    ASSERT_NE(c, nullptr);
    expo::MetricSet set;
    EXPECT_EQ(c->Collect(set).code(), StatusCode::kError) << file;
    EXPECT_EQ(set.samples().size(), 0u);
  }
}

TEST(InfinibandCollectorTest, BadPortNameFails) {
  ScratchTree tree("infiniband_badport");
  tree.Write("class/infiniband/mlx4_0/fw_ver", "2.31.5050\n");
  tree.MakeDir("class/infiniband/mlx4_0/ports/one");
  auto c = MustCreate(NewInfinibandCollector, testing::SysContext(tree.root()));
  ASSERT_NE(c, nullptr);
  expo::MetricSet set;
  EXPECT_EQ(c->Collect(set).code(), StatusCode::kError);
}

TEST(InfinibandCollectorTest, MatchesNodeExporterOnConformanceFixtures) {
  NODEX_REQUIRE_KIT(kit);
  testing::ScopedKitDir cd(kit);
  FlagValues flags;
  Logger log;
  auto c = NewInfinibandCollector(testing::KitContext(&flags, &log));
  ASSERT_TRUE(c.ok()) << c.status().message();
  expo::MetricSet set;
  Status st = c.value()->Collect(set);
  ASSERT_TRUE(st.ok()) << st.message();
  const std::vector<std::string> families = {
      "node_infiniband_info",
      "node_infiniband_legacy_data_received_bytes_total",
      "node_infiniband_legacy_data_transmitted_bytes_total",
      "node_infiniband_legacy_multicast_packets_received_total",
      "node_infiniband_legacy_multicast_packets_transmitted_total",
      "node_infiniband_legacy_packets_received_total",
      "node_infiniband_legacy_packets_transmitted_total",
      "node_infiniband_legacy_unicast_packets_received_total",
      "node_infiniband_legacy_unicast_packets_transmitted_total",
      "node_infiniband_link_downed_total",
      "node_infiniband_link_error_recovery_total",
      "node_infiniband_multicast_packets_received_total",
      "node_infiniband_multicast_packets_transmitted_total",
      "node_infiniband_physical_state_id",
      "node_infiniband_port_constraint_errors_received_total",
      "node_infiniband_port_constraint_errors_transmitted_total",
      "node_infiniband_port_data_received_bytes_total",
      "node_infiniband_port_data_transmitted_bytes_total",
      "node_infiniband_port_discards_received_total",
      "node_infiniband_port_discards_transmitted_total",
      "node_infiniband_port_errors_received_total",
      "node_infiniband_port_packets_received_total",
      "node_infiniband_port_packets_transmitted_total",
      "node_infiniband_port_transmit_wait_total",
      "node_infiniband_rate_bytes_per_second",
      "node_infiniband_state_id",
      "node_infiniband_unicast_packets_received_total",
      "node_infiniband_unicast_packets_transmitted_total",
  };
  std::vector<std::string> expected = testing::ExpectedLines(kit, families);
  EXPECT_EQ(expected.size(), 51u + 28u);
  EXPECT_EQ(testing::RenderedLines(set, families), expected);
  // Nothing outside the expected families (e.g. N/A counters of i40iw0).
  size_t total = 0;
  for (const std::string& f : families) total += set.Count(f);
  EXPECT_EQ(set.samples().size(), total);
}

}  // namespace
}  // namespace nodex::collectors
