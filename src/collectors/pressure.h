// The pressure collector (mirrors node_exporter's pressure collector,
// collector/pressure_linux.go, on procfs' proc_psi.go): pressure stall totals
// from /proc/pressure/{cpu,io,memory,irq} as node_pressure_*_seconds_total.
#ifndef NODEX_COLLECTORS_PRESSURE_H_
#define NODEX_COLLECTORS_PRESSURE_H_

#include <cstdint>
#include <string_view>

#include "base/status.h"
#include "collectors/collector.h"

namespace nodex::collectors {

StatusOr<std::unique_ptr<Collector>> NewPressureCollector(const Context& ctx);

struct PsiLine {
  double avg10 = 0;
  double avg60 = 0;
  double avg300 = 0;
  uint64_t total = 0;  // Microseconds.
};

struct PsiStats {
  bool has_some = false;
  bool has_full = false;
  PsiLine some;
  PsiLine full;
};

// Parses one /proc/pressure/<resource> file, up to two lines:
//   some avg10=0.18 avg60=0.34 avg300=0.10 total=159886802
//   full avg10=0.18 avg60=0.34 avg300=0.10 total=159229614
// A line whose first space-separated word is "some" or "full" must continue
// with avg10=, avg60=, avg300= (decimal numbers) and total= (unsigned
// integer) in that order; anything after total is ignored, as procfs' Sscanf
// does. Lines with other first words are skipped so that new kinds do not
// break scrapes. Quirks: cpu gained a "full" line in 5.13 (all zero at system
// level); irq (6.1+, CONFIG_IRQ_TIME_ACCOUNTING) has only "full"; with psi=0
// on the kernel command line opening the files fails with EOPNOTSUPP.
[[nodiscard]] StatusOr<PsiStats> ParsePressure(std::string_view content);

}  // namespace nodex::collectors

#endif  // NODEX_COLLECTORS_PRESSURE_H_
