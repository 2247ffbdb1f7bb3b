// The bcache collector (mirrors node_exporter's collector/bcache_linux.go,
// which uses procfs' bcache package): cache-set, backing-device and
// cache-device statistics from /sys/fs/bcache/<uuid>/ as node_bcache_*.
//
// Layout read per cache set (every file is required; one unreadable or
// unparsable file fails the whole scrape, as in procfs):
//   <uuid>/{average_key_size,btree_cache_size,cache_available_percent,
//           congested,root_usage_percent,tree_depth}
//   <uuid>/internal/{active_journal_entries,btree_nodes,
//           btree_read_average_duration_us,cache_read_races}
//   <uuid>/stats_{five_minute,total}/{bypassed,cache_hits,...}
//   <uuid>/bdev<N>/{dirty_data,writeback_rate_debug,stats_five_minute/*}
//   <uuid>/cache<N>/{io_errors,metadata_written,written[,priority_stats]}
// Quirk kept from procfs: a backing device's "total" counters are read from
// the cache set's stats_total directory, not the device's own.
#ifndef NODEX_COLLECTORS_BCACHE_H_
#define NODEX_COLLECTORS_BCACHE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "collectors/collector.h"

namespace nodex::collectors {

inline constexpr FlagDef kBcacheFlags[] = {
    {"collector.bcache.priorityStats", FlagKind::kBool, "false",
     "Also read each cache device's priority_stats (slow: the kernel walks every bucket)."},
};

// Parses one bcache attribute value as printed by the kernel's bch_hprint():
// a plain number ("512", "0") or a number with a binary unit suffix
// ("1.1M", "20.4G", "427.5k"; k M G T P E Z Y = 2^10 ... 2^80). Quirks kept
// from procfs' dehumanize: the digits after the '.' are a tenths-of-1024
// fraction, read as their integer value / 10.24 (so ".10" > ".9"); any other
// trailing non-digit byte multiplies by 0; the result is truncated to an
// unsigned integer the way Go converts float64 to uint64 on amd64. The input
// must not include the trailing newline. Empty or non-numeric input fails.
[[nodiscard]] std::optional<uint64_t> ParseBcacheValue(std::string_view s);

// As ParseBcacheValue, with one leading '-' allowed (negative controller
// terms in writeback_rate_debug: "proportional: -920.7M").
[[nodiscard]] std::optional<int64_t> ParseBcacheSignedValue(std::string_view s);

struct BcachePriorityStats {
  uint64_t unused_percent = 0;
  uint64_t metadata_percent = 0;
};

// Parses <uuid>/cache<N>/priority_stats:
//   Unused:		99%
//   Metadata:	0%
//   Average:	10473
//   Quantiles:	[0 0 0 ... 20946]
// Only the Unused and Metadata lines are read (last field, one '%' removed,
// unsigned decimal); other lines are ignored. Fails on a bad number.
[[nodiscard]] Status ParseBcachePriorityStats(std::string_view content, BcachePriorityStats* out);

struct BcacheWritebackRateDebug {
  uint64_t rate = 0;
  uint64_t dirty = 0;
  uint64_t target = 0;
  int64_t proportional = 0;
  int64_t integral = 0;
  int64_t change = 0;
  int64_t next_io_ms = 0;
};

// Parses <uuid>/bdev<N>/writeback_rate_debug:
//   rate:           1.1M/sec
//   target:         20.4G
//   proportional:   427.5k
//   next io:        17ms
// Each known line's last field is a ParseBcacheValue ("/sec" dropped from
// rate and change; proportional, integral and change may be negative);
// "next io" is a signed decimal with "ms" dropped. Unknown lines (older
// kernels print fewer, newer ones more) are ignored. Fails on a bad number.
[[nodiscard]] Status ParseBcacheWritebackRateDebug(std::string_view content, BcacheWritebackRateDebug* out);

StatusOr<std::unique_ptr<Collector>> NewBcacheCollector(const Context& ctx);

}  // namespace nodex::collectors

#endif  // NODEX_COLLECTORS_BCACHE_H_
