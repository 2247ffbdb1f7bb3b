// The zoneinfo collector (mirrors node_exporter's zoneinfo collector,
// collector/zoneinfo_linux.go on top of procfs' zoneinfo.go; off by
// default): node_zoneinfo_<field>{node,zone} for a fixed set of
// /proc/zoneinfo fields, plus node_zoneinfo_protection_<i>{node,zone} for
// each entry of a zone's lowmem protection array.
#ifndef NODEX_COLLECTORS_ZONEINFO_H_
#define NODEX_COLLECTORS_ZONEINFO_H_

#include <array>
#include <bitset>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "collectors/collector.h"

namespace nodex::collectors {

// One /proc/zoneinfo key node_exporter exports.
struct ZoneinfoField {
  std::string_view key;  // First field of the line, e.g. "nr_free_pages".
  expo::Desc desc;       // Gauge, or counter (node_zoneinfo_*_total).
};

inline constexpr size_t kZoneinfoFieldCount = 34;
extern const std::array<ZoneinfoField, kZoneinfoFieldCount> kZoneinfoFields;

// One "Node N, zone NAME" block. node and zone view the parsed buffer;
// values are indexed like kZoneinfoFields; the protection array is
// Zoneinfo::protection[protection_begin, protection_begin + protection_count).
struct ZoneinfoZone {
  std::string_view node;
  std::string_view zone;
  std::array<int64_t, kZoneinfoFieldCount> value{};
  std::bitset<kZoneinfoFieldCount> present;
  uint32_t protection_begin = 0;
  uint32_t protection_count = 0;
};

// A whole parse; reused across scrapes so that parsing does not allocate in
// steady state.
struct Zoneinfo {
  std::vector<ZoneinfoZone> zones;
  std::vector<int64_t> protection;
};

// Parses /proc/zoneinfo:
//   Node 0, zone   Normal
//     pages free     4539739
//           min      15809
//           protection: (0, 0, 0, 0, 0)
//         nr_free_pages 4539739
// As in procfs, the file is cut into blocks at each "\nNode"; a block's
// node and zone come from the first line matching `(\d+), zone\s+(\w+)`, and
// every line whose first field is a known key sets that field from its second
// field (Go ParseInt base 0, so "0x10" is 16); unknown keys and lines with
// fewer than two fields are ignored, and a repeated key keeps its last value.
// Quirk kept from procfs: the "per-node stats" section (Linux 4.8+) sits in
// the node's first zone block, so per-node counters such as nr_active_anon
// and nr_dirtied are reported with that zone's label (usually DMA).
// "protection: (a, b, ...)" sets the protection array (one entry per zone
// type, MAX_NR_ZONES). Stricter than procfs, which silently drops such
// values: a known key with a non-integer value, an unparsable protection
// array, or a block with known keys but no "Node N, zone X" header fails the
// parse. Blocks with neither header nor known keys are skipped, so an empty
// file gives no zones. *out is cleared first.
[[nodiscard]] Status ParseZoneinfo(std::string_view content, Zoneinfo* out);

StatusOr<std::unique_ptr<Collector>> NewZoneinfoCollector(const Context& ctx);

}  // namespace nodex::collectors

#endif  // NODEX_COLLECTORS_ZONEINFO_H_
