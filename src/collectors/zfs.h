// The zfs collector (mirrors node_exporter's collector/zfs_linux.go): ZFS on
// Linux kstats from /proc/spl/kstat/zfs as untyped node_zfs_<subsystem>_<name>
// samples (arcstats -> node_zfs_arc_*, dmu_tx -> node_zfs_dmu_tx_*, ...), the
// per-pool io, objset-* and state files as node_zfs_zpool_*,
// node_zfs_zpool_dataset_* and node_zfs_zpool_state.
#ifndef NODEX_COLLECTORS_ZFS_H_
#define NODEX_COLLECTORS_ZFS_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>

#include "collectors/collector.h"

namespace nodex::collectors {

// Receives one kstat value: its name (column 1) and value (converted to a
// float, as node_exporter exports it).
using ZfsValueSink = std::function<void(std::string_view name, double value)>;

// Parses a "named" kstat file such as /proc/spl/kstat/zfs/arcstats:
//   6 1 0x01 91 4368 5266997922 97951858082072
//   name                            type data
//   hits                            4    8772612
//   erpt-dropped                    4    18
// Lines before the "name type data" header are skipped (the first is the
// kstat header). Rows of type 3 (int64: arcstats' memory_available_bytes goes
// negative under memory pressure) must hold a signed decimal, rows of type 4
// (uint64) an unsigned one; other types (strings, ...) and rows with fewer
// than three fields are ignored. Fails on a bad value or without a header.
[[nodiscard]] Status ParseZfsKstat(std::string_view content, const ZfsValueSink& sink);

// Parses a pool's io kstat (/proc/spl/kstat/zfs/<pool>/io):
//   12 3 0x00 1 80 79205351707403 395818011156865
//   nread    nwritten reads    writes   wtime    wlentime ... rcnt
//   1884160  3206144  22       132      7155162  104112268 ... 0
// The header row starts with "nread" and has at least 12 columns; every
// later row must have a value for each column. No header: no values.
[[nodiscard]] Status ParseZfsPoolIo(std::string_view content, const ZfsValueSink& sink);

// Receives one objset value with the dataset name current at that row.
using ZfsObjsetSink = std::function<void(std::string_view dataset, std::string_view name, double value)>;

// Parses a dataset kstat (/proc/spl/kstat/zfs/<pool>/objset-0x<id>):
//   name                            type data
//   dataset_name                    7    pool3/dataset with  space
//   writes                          4    4
// The dataset name is the rest of the row from its first word on (spaces
// kept, as node_exporter does); only type 4 rows are values. Fails without
// a "name type data" header or on a bad value.
[[nodiscard]] Status ParseZfsObjset(std::string_view content, const ZfsObjsetSink& sink);

// The state a pool's state file (/proc/spl/kstat/zfs/<pool>/state, e.g.
// "ONLINE\n") reports: its first line, lower-cased into *out ("" if empty).
void ParseZfsPoolState(std::string_view content, std::string* out);

StatusOr<std::unique_ptr<Collector>> NewZfsCollector(const Context& ctx);

}  // namespace nodex::collectors

#endif  // NODEX_COLLECTORS_ZFS_H_
