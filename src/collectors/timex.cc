#include "collectors/timex.h"

#include <errno.h>
#include <string.h>

#include <string>

namespace nodex::collectors {
namespace {

constexpr int kTimeError = 5;  // TIME_ERROR: the clock is not synchronised.
constexpr long kStaNano = 0x2000;
constexpr double kNanoSeconds = 1e9;
constexpr double kMicroSeconds = 1e6;
constexpr double kPpm16Frac = 1000000.0 * 65536.0;  // Scaled-ppm fields: ppm * 2^16.

constexpr expo::MetricType kGauge = expo::MetricType::kGauge;
constexpr expo::MetricType kCounter = expo::MetricType::kCounter;

constexpr expo::Desc kSyncStatus{"node_timex_sync_status",
                                 "Whether the kernel considers the clock synchronised (1) or not (0).", kGauge};
constexpr expo::Desc kOffset{"node_timex_offset_seconds", "Clock offset from the reference clock.", kGauge};
constexpr expo::Desc kFreq{"node_timex_frequency_adjustment_ratio",
                           "Frequency correction applied to the local clock, as a ratio.", kGauge};
constexpr expo::Desc kMaxError{"node_timex_maxerror_seconds", "Upper bound of the clock error.", kGauge};
constexpr expo::Desc kEstError{"node_timex_estimated_error_seconds", "Estimated clock error.", kGauge};
constexpr expo::Desc kStatus{"node_timex_status", "Clock status bits (STA_*).", kGauge};
constexpr expo::Desc kConstant{"node_timex_loop_time_constant", "Time constant of the phase-locked loop.", kGauge};
constexpr expo::Desc kTick{"node_timex_tick_seconds", "Time between clock ticks.", kGauge};
constexpr expo::Desc kPpsFreq{"node_timex_pps_frequency_hertz", "Frequency measured from the PPS signal.", kGauge};
constexpr expo::Desc kJitter{"node_timex_pps_jitter_seconds", "Jitter of the PPS signal.", kGauge};
constexpr expo::Desc kShift{"node_timex_pps_shift_seconds", "Length of the PPS calibration interval.", kGauge};
constexpr expo::Desc kStabil{"node_timex_pps_stability_hertz", "Stability of the PPS frequency.", kGauge};
constexpr expo::Desc kJitCnt{"node_timex_pps_jitter_total", "PPS samples that exceeded the jitter limit.", kCounter};
constexpr expo::Desc kCalCnt{"node_timex_pps_calibration_total", "PPS calibration intervals.", kCounter};
constexpr expo::Desc kErrCnt{"node_timex_pps_error_total", "PPS calibration errors.", kCounter};
constexpr expo::Desc kStbCnt{"node_timex_pps_stability_exceeded_total",
                             "PPS samples that exceeded the stability limit.", kCounter};
constexpr expo::Desc kTai{"node_timex_tai_offset_seconds", "Offset of TAI from UTC.", kGauge};

class TimexCollector : public Collector {
 public:
  Status Collect(expo::MetricSet& out) override {
    struct timex tx;
    memset(&tx, 0, sizeof(tx));  // modes = 0: read only.
    int state = ::adjtimex(&tx);
    if (state < 0) {
      int err = errno;
      if (err == EPERM) return Status::NoData("not collecting timex metrics: " + std::string(strerror(err)));
      return Status::Error("failed to retrieve adjtimex stats: " + std::string(strerror(err)));
    }
    const TimexValues v = ConvertTimex(tx, state);
    out.Add(kSyncStatus, v.sync_status);
    out.Add(kOffset, v.offset_seconds);
    out.Add(kFreq, v.frequency_adjustment_ratio);
    out.Add(kMaxError, v.maxerror_seconds);
    out.Add(kEstError, v.estimated_error_seconds);
    out.Add(kStatus, v.status);
    out.Add(kConstant, v.loop_time_constant);
    out.Add(kTick, v.tick_seconds);
    out.Add(kPpsFreq, v.pps_frequency_hertz);
    out.Add(kJitter, v.pps_jitter_seconds);
    out.Add(kShift, v.pps_shift_seconds);
    out.Add(kStabil, v.pps_stability_hertz);
    out.Add(kJitCnt, v.pps_jitter_total);
    out.Add(kCalCnt, v.pps_calibration_total);
    out.Add(kErrCnt, v.pps_error_total);
    out.Add(kStbCnt, v.pps_stability_exceeded_total);
    out.Add(kTai, v.tai_offset_seconds);
    return Status::Ok();
  }
};

}  // namespace

TimexValues ConvertTimex(const struct timex& tx, int clock_state) {
  const double divisor = (tx.status & kStaNano) != 0 ? kNanoSeconds : kMicroSeconds;
  TimexValues v;
  v.sync_status = clock_state == kTimeError ? 0 : 1;
  v.offset_seconds = static_cast<double>(tx.offset) / divisor;
  v.frequency_adjustment_ratio = 1 + static_cast<double>(tx.freq) / kPpm16Frac;
  v.maxerror_seconds = static_cast<double>(tx.maxerror) / kMicroSeconds;
  v.estimated_error_seconds = static_cast<double>(tx.esterror) / kMicroSeconds;
  v.status = static_cast<double>(tx.status);
  v.loop_time_constant = static_cast<double>(tx.constant);
  v.tick_seconds = static_cast<double>(tx.tick) / kMicroSeconds;
  v.pps_frequency_hertz = static_cast<double>(tx.ppsfreq) / kPpm16Frac;
  v.pps_jitter_seconds = static_cast<double>(tx.jitter) / divisor;
  v.pps_shift_seconds = static_cast<double>(tx.shift);
  v.pps_stability_hertz = static_cast<double>(tx.stabil) / kPpm16Frac;
  v.pps_jitter_total = static_cast<double>(tx.jitcnt);
  v.pps_calibration_total = static_cast<double>(tx.calcnt);
  v.pps_error_total = static_cast<double>(tx.errcnt);
  v.pps_stability_exceeded_total = static_cast<double>(tx.stbcnt);
  v.tai_offset_seconds = static_cast<double>(tx.tai);
  return v;
}

StatusOr<std::unique_ptr<Collector>> NewTimexCollector(const Context& /*ctx*/) {
  return std::unique_ptr<Collector>(std::make_unique<TimexCollector>());
}

}  // namespace nodex::collectors
