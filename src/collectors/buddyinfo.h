// The buddyinfo collector (mirrors node_exporter's buddyinfo collector,
// collector/buddyinfo.go on top of procfs' buddyinfo.go; off by default):
// node_buddyinfo_blocks{node,zone,size}, the number of free blocks of
// 2^size pages per NUMA node and memory zone.
#ifndef NODEX_COLLECTORS_BUDDYINFO_H_
#define NODEX_COLLECTORS_BUDDYINFO_H_

#include <cstdint>
#include <string_view>
#include <vector>

#include "collectors/collector.h"

namespace nodex::collectors {

// One line of /proc/buddyinfo. node and zone view the parsed buffer; the
// free-block counts are sizes[sizes_begin, sizes_begin + sizes_count) of the
// enclosing Buddyinfo, index = order (block size 2^order pages).
struct BuddyinfoZone {
  std::string_view node;
  std::string_view zone;
  uint32_t sizes_begin = 0;
  uint32_t sizes_count = 0;
};

// A whole parse; reused across scrapes so parsing does not allocate once the
// vectors have grown to the machine's zone count.
struct Buddyinfo {
  std::vector<BuddyinfoZone> zones;
  std::vector<double> sizes;
};

// Parses /proc/buddyinfo:
//   Node 0, zone      DMA      1      0      1      0      2      1      1      0      1      1      3
//   Node 0, zone    DMA32    759    572    791    475    194     45     12      0      0      0      0
//   Node 1, zone   Normal   4381   1093    185   1530    567    102      4      0      0      0      0
// Like procfs, each line needs at least four whitespace-separated fields; the
// words "Node" and "zone" are not checked, a trailing ',' is dropped from the
// node and zone fields, and every line must have as many counts as the first
// (MAX_ORDER is a build-time constant: 11 orders on most kernels, 13 since
// 6.8 on some configs). A blank line is an error, an empty file is no zones.
// Counts are decimal floats; "inf"/"nan", which Go would accept, are rejected
// since the kernel never prints them. *out is cleared first.
[[nodiscard]] Status ParseBuddyinfo(std::string_view content, Buddyinfo* out);

StatusOr<std::unique_ptr<Collector>> NewBuddyinfoCollector(const Context& ctx);

}  // namespace nodex::collectors

#endif  // NODEX_COLLECTORS_BUDDYINFO_H_
