#include "collectors/fibrechannel.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "collectors/testing/kit.h"
#include "collectors/testing/scratch.h"

namespace nodex::collectors {
namespace {

TEST(ParseFibreChannelCounterTest, HexAndDecimal) {
  EXPECT_EQ(ParseFibreChannelCounter("0x13\n"), 19u);
  EXPECT_EQ(ParseFibreChannelCounter("42"), 42u);
  EXPECT_EQ(ParseFibreChannelCounter("0xffffffffffffffff\n"), ~uint64_t{0});
  EXPECT_FALSE(FibreChannelCounterImplemented(*ParseFibreChannelCounter("0xffffffffffffffff")));
  for (const char* bad : {"", "\n", "0x", "-1", "0x1ffffffffffffffff", "12abc", "0xZZ", "1 2"}) {
    EXPECT_FALSE(ParseFibreChannelCounter(bad).has_value()) << bad;
  }
}

TEST(FibreChannelStripHexPrefixTest, DropsTwoCharactersOnlyWhenLonger) {
  EXPECT_EQ(FibreChannelStripHexPrefix("0x000002"), "000002");
  EXPECT_EQ(FibreChannelStripHexPrefix("0x0"), "0");
  EXPECT_EQ(FibreChannelStripHexPrefix("0x"), "0x");
  EXPECT_EQ(FibreChannelStripHexPrefix(""), "");
}

TEST(FibrechannelCollectorTest, HandWrittenTree) {
  auto c = testing::MustCreate(NewFibrechannelCollector, testing::SysContext("src/collectors/testdata/fibrechannel/sys"));
  ASSERT_NE(c, nullptr);
  for (int scrape = 0; scrape < 2; ++scrape) {
    expo::MetricSet set;
    ASSERT_TRUE(c->Collect(set).ok());
    EXPECT_EQ(set.Find("node_fibrechannel_info", {{"fc_host", "host3"},
                                                  {"port_id", "010a00"},
                                                  {"port_name", "100000109b12345678"},
                                                  {"fabric_name", "200000051e0a0b0c"},
                                                  {"speed", "32 Gbit"},
                                                  {"dev_loss_tmo", "60"}}),
              1);
    EXPECT_EQ(set.Find("node_fibrechannel_info", {{"fc_host", "host4"}, {"port_state", "Linkdown"}, {"speed", ""}}), 1);
    EXPECT_EQ(set.Find("node_fibrechannel_rx_frames_total", {{"fc_host", "host3"}}), 120000);
    EXPECT_EQ(set.Find("node_fibrechannel_seconds_since_last_reset_total", {{"fc_host", "host3"}}), 3600);
    EXPECT_EQ(set.Find("node_fibrechannel_fcp_packet_aborts_total", {{"fc_host", "host3"}}), 42);
    // All-ones: not implemented by the firmware, left out.
    EXPECT_EQ(set.Count("node_fibrechannel_dumped_frames_total"), 1u);
    // host4 has only tx_frames; the others are 0.
    EXPECT_EQ(set.Find("node_fibrechannel_tx_frames_total", {{"fc_host", "host4"}}), 5);
    EXPECT_EQ(set.Find("node_fibrechannel_nos_total", {{"fc_host", "host4"}}), 0);
  }
}

TEST(FibrechannelCollectorTest, MalformedCounterFails) {
  testing::ScratchTree dir("fc_bad");
  dir.Write("class/fc_host/host0/statistics/rx_frames", "lots\n");
  auto c = testing::MustCreate(NewFibrechannelCollector, testing::SysContext(dir.root()));
  expo::MetricSet set;
  EXPECT_EQ(c->Collect(set).code(), StatusCode::kError);
  EXPECT_EQ(set.samples().size(), 0u);
  // An unknown statistic is read but never parsed.
  dir.Write("class/fc_host/host0/statistics/rx_frames", "0x1\n");
  dir.Write("class/fc_host/host0/statistics/fc_seq_not_found", "garbage\n");
  set.Clear();
  EXPECT_TRUE(c->Collect(set).ok());
}

TEST(FibrechannelCollectorTest, MissingClassOrStatisticsIsNoData) {
  testing::ScratchTree dir("fc_missing");
  auto c = testing::MustCreate(NewFibrechannelCollector, testing::SysContext(dir.root()));
  expo::MetricSet set;
  EXPECT_EQ(c->Collect(set).code(), StatusCode::kNoData);
  dir.Write("class/fc_host/host0/port_state", "Online\n");
  EXPECT_EQ(c->Collect(set).code(), StatusCode::kNoData);
  EXPECT_EQ(set.samples().size(), 0u);
}

TEST(FibrechannelCollectorTest, MatchesNodeExporterOnConformanceFixtures) {
  NODEX_REQUIRE_KIT(kit);
  testing::ScopedKitDir cd(kit);
  FlagValues flags;
  Logger log;
  auto c = NewFibrechannelCollector(testing::KitContext(&flags, &log));
  ASSERT_TRUE(c.ok());
  expo::MetricSet set;
  ASSERT_TRUE((*c)->Collect(set).ok());
  const std::vector<std::string> families = {
      "node_fibrechannel_dumped_frames_total",   "node_fibrechannel_error_frames_total",
      "node_fibrechannel_fcp_packet_aborts_total", "node_fibrechannel_info",
      "node_fibrechannel_invalid_crc_total",     "node_fibrechannel_invalid_tx_words_total",
      "node_fibrechannel_link_failure_total",    "node_fibrechannel_loss_of_signal_total",
      "node_fibrechannel_loss_of_sync_total",    "node_fibrechannel_nos_total",
      "node_fibrechannel_rx_frames_total",       "node_fibrechannel_rx_words_total",
      "node_fibrechannel_seconds_since_last_reset_total", "node_fibrechannel_tx_frames_total",
      "node_fibrechannel_tx_words_total"};
  std::vector<std::string> expected = testing::ExpectedLines(kit, families);
  EXPECT_EQ(expected.size(), 15u + 28u);
  EXPECT_EQ(testing::RenderedLines(set, families), expected);
}

}  // namespace
}  // namespace nodex::collectors
