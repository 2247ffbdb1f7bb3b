// The infiniband collector (mirrors node_exporter's infiniband collector,
// collector/infiniband_linux.go, and procfs' sysfs/class_infiniband.go):
// per-device info and per-port state, rate and traffic/error counters from
// /sys/class/infiniband/<device>/ports/<port>/{state,phys_state,rate,
// counters/,counters_ext/,hw_counters/}.
#ifndef NODEX_COLLECTORS_INFINIBAND_H_
#define NODEX_COLLECTORS_INFINIBAND_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "collectors/collector.h"

namespace nodex::collectors {

// Parses a port's `state` or `phys_state` attribute, "<id>: <name>":
//   4: ACTIVE
//   5: LinkUp
// The text must contain exactly one ':'; the id is a decimal that fits in
// 32 bits (surrounding whitespace allowed).
[[nodiscard]] StatusOr<uint32_t> ParseInfinibandState(std::string_view content);

// Parses a port's `rate` attribute into bytes per second:
//   40 Gb/sec (4X QDR)
//   2.5 Gb/sec (1X SDR)
// The number before the first space is read as a 32-bit float, as procfs
// does, and multiplied by 125000000. Unlike Go (which converts whatever
// the float is), Inf, NaN and negative rates are rejected.
[[nodiscard]] StatusOr<uint64_t> ParseInfinibandRate(std::string_view content);

// Outcome of parsing one counter attribute (counters/*, counters_ext/*,
// hw_counters/*), e.g. "4631917" or "N/A (no PMA)". procfs reads it with
// Go's ParseUint(s, 0, 64) after trimming whitespace; a value containing
// "N/A (no PMA)" (old kernels without a performance-management agent) is
// skipped rather than treated as an error.
enum class InfinibandCounterResult { kValue, kNotAvailable, kInvalid };
[[nodiscard]] InfinibandCounterResult ParseInfinibandCounter(std::string_view content, uint64_t* value);

StatusOr<std::unique_ptr<Collector>> NewInfinibandCollector(const Context& ctx);

}  // namespace nodex::collectors

#endif  // NODEX_COLLECTORS_INFINIBAND_H_
