// The cgroups collector (mirrors node_exporter's cgroups collector,
// collector/cgroups_linux.go on top of procfs' CgroupSummarys; off by
// default): node_cgroups_cgroups{subsys_name} and
// node_cgroups_enabled{subsys_name} from /proc/cgroups.
#ifndef NODEX_COLLECTORS_CGROUPS_H_
#define NODEX_COLLECTORS_CGROUPS_H_

#include <cstdint>
#include <string_view>
#include <vector>

#include "collectors/collector.h"

namespace nodex::collectors {

// One controller line of /proc/cgroups; subsys_name views the parsed buffer.
struct CgroupSummary {
  std::string_view subsys_name;
  int64_t hierarchy = 0;
  int64_t cgroups = 0;
  int64_t enabled = 0;
};

// Parses /proc/cgroups (cgroup v1 controller summary):
//   #subsys_name	hierarchy	num_cgroups	enabled
//   cpuset	3	1	1
//   memory	4	38	1
// Lines starting with '#' are skipped. Every other line needs at least four
// whitespace-separated fields whose 2nd-4th are integers (Go's Atoi: an
// optional sign, decimal digits, 64-bit range), as procfs requires; extra
// fields are ignored and a blank line is an error. On cgroup v2-only hosts the
// file still lists controllers with hierarchy 0; the file was deprecated in
// Linux 6.x but is still present. *out is cleared first.
[[nodiscard]] Status ParseCgroups(std::string_view content, std::vector<CgroupSummary>* out);

StatusOr<std::unique_ptr<Collector>> NewCgroupsCollector(const Context& ctx);

}  // namespace nodex::collectors

#endif  // NODEX_COLLECTORS_CGROUPS_H_
