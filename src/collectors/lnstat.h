// The lnstat collector (mirrors node_exporter's lnstat collector,
// collector/lnstat_linux.go, and procfs' net_stat.go): the per-CPU network
// cache statistics in every file of /proc/net/stat/ as
// node_lnstat_<column>_total{subsystem="<file>",cpu="<n>"}.
#ifndef NODEX_COLLECTORS_LNSTAT_H_
#define NODEX_COLLECTORS_LNSTAT_H_

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "collectors/collector.h"

namespace nodex::collectors {

struct LnstatSample {
  std::string_view column;  // Points into the parsed content.
  uint32_t cpu = 0;
  uint64_t value = 0;
};

// Parses one /proc/net/stat/<file> and appends its samples to *out:
//   entries  allocs destroys hash_grows  lookups hits  res_failed ...
//   00000014  00000001 00000002 00000003  00000004 00000005  00000006 ...
//   00000014  0000000d 0000000e 0000000f  00000010 00000011  00000012 ...
// The first line names the columns; every further line is one CPU's hex
// counters. As in procfs, a column's "cpu" is the number of values it has
// received so far (short rows therefore shift later CPUs), columns sharing a
// name share one sequence, and empty lines are skipped. A value that is not
// 64-bit hex, or a row with more values than there are column names (procfs
// would panic), is an error. Column names are not validated here.
Status ParseLnstat(std::string_view content, std::vector<LnstatSample>* out);

StatusOr<std::unique_ptr<Collector>> NewLnstatCollector(const Context& ctx);

}  // namespace nodex::collectors

#endif  // NODEX_COLLECTORS_LNSTAT_H_
