// The bcachefs collector (mirrors node_exporter's bcachefs collector,
// collector/bcachefs_linux.go, on top of procfs' bcachefs package): per
// mounted filesystem under /sys/fs/bcachefs/<uuid>, node_bcachefs_info, the
// btree cache size, compression, error and btree write statistics, one
// node_bcachefs_<counter>_total per file in counters/, and per-member-device
// (dev-<n>/) info, bucket, durability and IO metrics.
//
// Quirks kept from node_exporter:
//   - Sizes use bcachefs' human-readable units ("2.05G", "28.2k"): powers of
//     1024, the product truncated to an integer as Go's uint64(float) does.
//   - A missing attribute file is treated as absent (zero or no samples); a
//     file that exists but does not parse fails the whole collector.
//   - Keyed tables behave like Go maps: a repeated key keeps the last value.
#ifndef NODEX_COLLECTORS_BCACHEFS_H_
#define NODEX_COLLECTORS_BCACHEFS_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "collectors/collector.h"
#include "collectors/metric_name.h"

namespace nodex::collectors {

// One row of a keyed bcachefs table. `key2` is only used by io_done (the
// data type under the operation in `key`); `a`/`b` hold the row's values.
struct BcachefsRow {
  std::string key;
  std::string key2;
  uint64_t a = 0;
  uint64_t b = 0;
};

// A reusable keyed table: Clear() keeps every row's string capacity, so a
// steady-state scrape does not allocate. Rows keep first-insertion order.
class BcachefsTable {
 public:
  void Clear() { size_ = 0; }
  size_t size() const { return size_; }
  const BcachefsRow& operator[](size_t i) const { return rows_[i]; }
  // The row for (key, key2), added if absent (a Go map assignment).
  BcachefsRow& Upsert(std::string_view key, std::string_view key2 = {});

 private:
  std::vector<BcachefsRow> rows_;
  size_t size_ = 0;
};

// A bcachefs human-readable size: a decimal number with an optional unit
// suffix k/M/G/T/P/E (either case, powers of 1024), e.g. "2.05G" -> 2201170739,
// "720" -> 720. Surrounding whitespace is ignored. nullopt for "" or garbage.
[[nodiscard]] std::optional<uint64_t> ParseBcachefsHumanBytes(std::string_view s);

// compression_stats; the first line is a header:
//   typetype          compressed    uncompressed     average extent size
//   lz4                    48.9G           71.2G                   62.5k
//   incompressible         10.8T           10.8T                   90.4k
// Rows with fewer than three fields are skipped. key = algorithm (a trailing
// ':' removed), a = compressed bytes, b = uncompressed bytes.
[[nodiscard]] Status ParseBcachefsCompressionStats(std::string_view content, BcachefsTable* out);

// errors:
//   btree_node_data_missing                         2       1753593586
//   alloc_key_to_missing_lru_entry                  4517    1771754289
// Columns run together when a count is wide ("11299659571772285102" is then
// a single field, as node_exporter reads it). key = error type, a = count,
// b = timestamp (0 if absent). Lines with fewer than two fields are skipped.
[[nodiscard]] Status ParseBcachefsErrors(std::string_view content, BcachefsTable* out);

// btree_write_stats; the first line is a header:
//                      nr        size
//   initial:           3298401   100k
//   interior:          3035363   1.26k
// key = write type (':' removed), a = count, b = average size in bytes.
[[nodiscard]] Status ParseBcachefsBtreeWriteStats(std::string_view content, BcachefsTable* out);

// One file of counters/:
//   since mount:                   302707
//   since filesystem creation:     1515147
// Values may carry units ("44.5T"). Returns the "since filesystem creation"
// value (0 if only "since mount" is present); fails when neither line is.
[[nodiscard]] StatusOr<uint64_t> ParseBcachefsCounter(std::string_view content);

// dev-<n>/io_done:
//   read:
//   sb          :       86016
//   user        :610019098624
//   write:
//   sb          :      677376
// key = operation ("read"/"write"), key2 = data type, a = bytes. Lines before
// the first operation header and lines without ':' are skipped.
[[nodiscard]] Status ParseBcachefsIoDone(std::string_view content, BcachefsTable* out);

// dev-<n>/io_errors; only the first section is used:
//   IO errors since filesystem creation
//     read:    18828
//     checksum:5
//   IO errors since 8 y ago
//     read:    18828
// key = error type, a = count.
[[nodiscard]] Status ParseBcachefsIoErrors(std::string_view content, BcachefsTable* out);

StatusOr<std::unique_ptr<Collector>> NewBcachefsCollector(const Context& ctx);

}  // namespace nodex::collectors

#endif  // NODEX_COLLECTORS_BCACHEFS_H_
