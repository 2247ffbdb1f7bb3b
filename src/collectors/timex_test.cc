#include "collectors/timex.h"

#include <gtest/gtest.h>
#include <string.h>

#include <cmath>

namespace nodex::collectors {
namespace {

struct timex Zero() {
  struct timex tx;
  memset(&tx, 0, sizeof(tx));
  return tx;
}

TEST(ConvertTimexTest, MicrosecondMode) {
  struct timex tx = Zero();
  tx.status = 0x0001;    // STA_PLL
  tx.offset = 250000;    // us
  tx.freq = 65536 * 12;  // 12 ppm
  tx.maxerror = 16000000;
  tx.esterror = 16000;
  tx.constant = 7;
  tx.tick = 10000;
  tx.ppsfreq = -65536;
  tx.jitter = 500;
  tx.shift = 4;
  tx.stabil = 65536 * 2;
  tx.jitcnt = 1;
  tx.calcnt = 2;
  tx.errcnt = 3;
  tx.stbcnt = 4;
  tx.tai = 37;
  TimexValues v = ConvertTimex(tx, 0 /* TIME_OK */);
  EXPECT_EQ(v.sync_status, 1);
  EXPECT_DOUBLE_EQ(v.offset_seconds, 0.25);
  EXPECT_DOUBLE_EQ(v.frequency_adjustment_ratio, 1.000012);
  EXPECT_EQ(v.frequency_adjustment_ratio, 1 + (65536.0 * 12) / (1000000.0 * 65536.0));
  EXPECT_DOUBLE_EQ(v.maxerror_seconds, 16);
  EXPECT_DOUBLE_EQ(v.estimated_error_seconds, 0.016);
  EXPECT_EQ(v.status, 1);
  EXPECT_EQ(v.loop_time_constant, 7);
  EXPECT_DOUBLE_EQ(v.tick_seconds, 0.01);
  EXPECT_DOUBLE_EQ(v.pps_frequency_hertz, -1e-6);
  EXPECT_DOUBLE_EQ(v.pps_jitter_seconds, 0.0005);
  EXPECT_EQ(v.pps_shift_seconds, 4);
  EXPECT_DOUBLE_EQ(v.pps_stability_hertz, 2e-6);
  EXPECT_EQ(v.pps_jitter_total, 1);
  EXPECT_EQ(v.pps_calibration_total, 2);
  EXPECT_EQ(v.pps_error_total, 3);
  EXPECT_EQ(v.pps_stability_exceeded_total, 4);
  EXPECT_EQ(v.tai_offset_seconds, 37);
}

TEST(ConvertTimexTest, NanosecondModeAndTimeError) {
  struct timex tx = Zero();
  tx.status = 0x2000 | 0x0040;  // STA_NANO | STA_UNSYNC
  tx.offset = -250000;          // ns
  tx.jitter = 1000;
  TimexValues v = ConvertTimex(tx, 5 /* TIME_ERROR */);
  EXPECT_EQ(v.sync_status, 0);
  EXPECT_DOUBLE_EQ(v.offset_seconds, -0.00025);
  EXPECT_DOUBLE_EQ(v.pps_jitter_seconds, 1e-6);
  EXPECT_EQ(v.status, 0x2040);
  EXPECT_EQ(v.frequency_adjustment_ratio, 1);
}

TEST(ConvertTimexTest, OtherStatesCountAsSynchronised) {
  struct timex tx = Zero();
  for (int state : {0, 1, 2, 3, 4}) EXPECT_EQ(ConvertTimex(tx, state).sync_status, 1) << state;
}

TEST(TimexCollectorTest, ReadsThisMachine) {
  // The kit disables timex, so this is the live check: adjtimex(2) with
  // modes = 0 needs no privilege and must give all 17 families.
  auto made = NewTimexCollector(Context{});
  ASSERT_TRUE(made.ok());
  expo::MetricSet set;
  Status st = (*made)->Collect(set);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(set.samples().size(), 17u);
  double sync = set.Find("node_timex_sync_status");
  EXPECT_TRUE(sync == 0 || sync == 1);
  EXPECT_GT(set.Find("node_timex_tick_seconds"), 0);
  EXPECT_GT(set.Find("node_timex_frequency_adjustment_ratio"), 0.99);
  EXPECT_LT(set.Find("node_timex_frequency_adjustment_ratio"), 1.01);
  EXPECT_TRUE(std::isfinite(set.Find("node_timex_offset_seconds")));
  EXPECT_EQ(set.Count("node_timex_pps_stability_exceeded_total"), 1u);
}

}  // namespace
}  // namespace nodex::collectors
