// The slabinfo collector (mirrors node_exporter's slabinfo collector,
// collector/slabinfo_linux.go on top of procfs' slab.go; off by default):
// node_slabinfo_{active_objects,objects,object_size_bytes,objects_per_slab,
// pages_per_slab}{slab} from /proc/slabinfo, filtered by slab name.
#ifndef NODEX_COLLECTORS_SLABINFO_H_
#define NODEX_COLLECTORS_SLABINFO_H_

#include <cstdint>
#include <string_view>
#include <vector>

#include "collectors/collector.h"

namespace nodex::collectors {

// --collector.slabinfo.* options, as node_exporter names them. A slab is
// exported when it matches slabs-include and does not match slabs-exclude
// (unanchored RE2 searches; an empty pattern disables that test).
inline constexpr FlagDef kSlabinfoFlags[] = {
    {"collector.slabinfo.slabs-include", FlagKind::kString, ".*",
     "RE2 pattern: only slab caches whose name matches are exported."},
    {"collector.slabinfo.slabs-exclude", FlagKind::kString, "",
     "RE2 pattern: slab caches whose name matches are not exported."},
};

// One cache line of /proc/slabinfo; name views the parsed buffer.
struct SlabinfoEntry {
  std::string_view name;
  int64_t active_objs = 0;
  int64_t num_objs = 0;
  int64_t objsize = 0;
  int64_t objperslab = 0;
  int64_t pagesperslab = 0;
  int64_t limit = 0;
  int64_t batchcount = 0;
  int64_t sharedfactor = 0;
  int64_t active_slabs = 0;
  int64_t num_slabs = 0;
  int64_t sharedavail = 0;
};

// Parses /proc/slabinfo, format version 2.1 (stable since Linux 2.6.10;
// the file is mode 0400, so only root can read it):
//   slabinfo - version: 2.1
//   # name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab> : tunables ...
//   kmalloc-8192  132  148  8192  4  8 : tunables  0  0  0 : slabdata  37  37  0
// Lines containing "slabinfo -" or "# name" are headers and skipped. Like
// procfs, every other line is split on whitespace runs, keeping an empty
// field for leading or trailing whitespace, and must have exactly 16 fields;
// fields 2-6, 9-11 and 14-16 are decimal int64 (an optional sign allowed),
// the ":", "tunables" and "slabdata" words are not checked. A blank line is
// an error; an empty file is no slabs. SLUB kernels print 0 for the
// tunables. *out is cleared first.
[[nodiscard]] Status ParseSlabinfo(std::string_view content, std::vector<SlabinfoEntry>* out);

StatusOr<std::unique_ptr<Collector>> NewSlabinfoCollector(const Context& ctx);

}  // namespace nodex::collectors

#endif  // NODEX_COLLECTORS_SLABINFO_H_
