// The vmstat collector (mirrors node_exporter's vmstat collector,
// collector/vmstat_linux.go): one untyped node_vmstat_<field> sample per
// /proc/vmstat field whose name matches --collector.vmstat.fields.
#ifndef NODEX_COLLECTORS_VMSTAT_H_
#define NODEX_COLLECTORS_VMSTAT_H_

#include <string_view>
#include <vector>

#include "base/status.h"
#include "collectors/collector.h"

namespace nodex::collectors {

inline constexpr std::string_view kVmstatDefaultFields = "^(oom_kill|pgpg|pswp|pg.*fault).*";

inline constexpr FlagDef kVmstatFlags[] = {
    {"collector.vmstat.fields", FlagKind::kString, kVmstatDefaultFields,
     "RE2 pattern (unanchored search) selecting the /proc/vmstat fields to export."},
};

StatusOr<std::unique_ptr<Collector>> NewVmstatCollector(const Context& ctx);

struct VmstatField {
  std::string_view name;  // Views the parsed buffer.
  double value;
};

// Parses /proc/vmstat, one "name value" pair per line:
//   nr_free_pages 977769
//   pgfault 2320168809
//   oom_kill 0
// Like node_exporter, every line's second field must parse as a number (even
// for fields the filter will drop) and extra fields are ignored; a line with
// fewer than two fields is an error (node_exporter would index out of range).
// Field names are used in metric names, so a name with characters outside
// [a-zA-Z0-9_:] is rejected. The set of fields differs between kernels
// (oom_kill since 4.13, nr_alloc_batch gone in 4.8, ...), which is why the
// collector exports whatever is present. *out is cleared first, capacity kept.
Status ParseVmstat(std::string_view content, std::vector<VmstatField>* out);

}  // namespace nodex::collectors

#endif  // NODEX_COLLECTORS_VMSTAT_H_
