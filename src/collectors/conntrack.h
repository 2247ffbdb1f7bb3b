// The conntrack collector (mirrors node_exporter's conntrack collector,
// collector/conntrack_linux.go, and procfs' net_conntrackstat.go):
// node_nf_conntrack_entries and _entries_limit from
// /proc/sys/net/netfilter/nf_conntrack_{count,max}, and the per-CPU rows of
// /proc/net/stat/nf_conntrack summed into node_nf_conntrack_stat_<field>.
// All are gauges, as in node_exporter. When any of the three files is
// missing (nf_conntrack not loaded) the collector reports NoData.
#ifndef NODEX_COLLECTORS_CONNTRACK_H_
#define NODEX_COLLECTORS_CONNTRACK_H_

#include <cstdint>
#include <memory>
#include <string_view>

#include "base/status.h"
#include "collectors/collector.h"

namespace nodex::collectors {

// Sums over all CPUs. Counters wrap like Go's uint64 addition.
struct ConntrackStats {
  uint64_t found = 0;
  uint64_t invalid = 0;
  uint64_t ignore = 0;
  uint64_t insert = 0;
  uint64_t insert_failed = 0;
  uint64_t drop = 0;
  uint64_t early_drop = 0;
  uint64_t search_restart = 0;
  uint64_t cpus = 0;  // Rows summed.
};

// Parses /proc/net/stat/nf_conntrack, a header and one row per possible CPU
// of plain hexadecimal fields (no 0x prefix):
//   entries  searched found new invalid ignore delete delete_list insert insert_failed drop early_drop
//   icmp_error  expect_new expect_create expect_delete search_restart
//   00000021  00000000 00000000 00000000 00000003 0000588a 00000000 00000000 00000000 00000000 00000000 ...
// The header line is skipped unchecked. Every field of a row must parse,
// and a row must have 16 fields (before Linux 2.6.35, no search_restart) or
// 17. Column names changed over time (since 5.x: "clashres" for searched,
// "chainlength" for delete_list) but positions did not, and only positions
// are used: found=2 invalid=4 ignore=5 insert=8 insert_failed=9 drop=10
// early_drop=11 search_restart=16. An empty line is an error, as in procfs.
[[nodiscard]] StatusOr<ConntrackStats> ParseConntrackStat(std::string_view content);

// Parses nf_conntrack_count / nf_conntrack_max: one decimal uint64,
// surrounded by optional whitespace ("123\n").
[[nodiscard]] StatusOr<uint64_t> ParseConntrackValue(std::string_view content);

StatusOr<std::unique_ptr<Collector>> NewConntrackCollector(const Context& ctx);

}  // namespace nodex::collectors

#endif  // NODEX_COLLECTORS_CONNTRACK_H_
