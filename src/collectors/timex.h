// The timex collector (mirrors node_exporter's timex collector,
// collector/timex.go): the kernel clock discipline state from adjtimex(2),
// called read-only (modes = 0), as node_timex_* families.
#ifndef NODEX_COLLECTORS_TIMEX_H_
#define NODEX_COLLECTORS_TIMEX_H_

#include <sys/timex.h>

#include "collectors/collector.h"

namespace nodex::collectors {

// Every exported value, already converted to node_exporter's units.
struct TimexValues {
  double sync_status;                   // 0 when adjtimex returned TIME_ERROR (5), else 1.
  double offset_seconds;                // offset, in ns if STA_NANO is set, else in us.
  double frequency_adjustment_ratio;    // 1 + freq / 2^16 ppm.
  double maxerror_seconds;              // maxerror (us).
  double estimated_error_seconds;       // esterror (us).
  double status;                        // STA_* bits.
  double loop_time_constant;            // constant.
  double tick_seconds;                  // tick (us).
  double pps_frequency_hertz;           // ppsfreq / 2^16 ppm.
  double pps_jitter_seconds;            // jitter, ns or us like offset.
  double pps_shift_seconds;             // shift, exported as is.
  double pps_stability_hertz;           // stabil / 2^16 ppm.
  double pps_jitter_total;              // jitcnt.
  double pps_calibration_total;         // calcnt.
  double pps_error_total;               // errcnt.
  double pps_stability_exceeded_total;  // stbcnt.
  double tai_offset_seconds;            // tai.
};

// Converts what adjtimex(2) filled in, and its return value (the clock
// state: TIME_OK .. TIME_ERROR), to metric values. Pure: no syscall. Example:
// status 0x2001 (STA_PLL|STA_NANO) and offset 250000 give offset_seconds
// 0.00025; without STA_NANO the same offset is 0.25 s. freq 65536 is 1 ppm,
// a ratio of 1.000001. node_exporter 1.12's conversion, unit for unit.
TimexValues ConvertTimex(const struct timex& tx, int clock_state);

StatusOr<std::unique_ptr<Collector>> NewTimexCollector(const Context& ctx);

}  // namespace nodex::collectors

#endif  // NODEX_COLLECTORS_TIMEX_H_
