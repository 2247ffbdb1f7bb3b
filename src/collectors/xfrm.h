// The xfrm collector (mirrors node_exporter's xfrm collector,
// collector/xfrm.go, and procfs' net_xfrm.go): IPsec transformation error
// counters from /proc/net/xfrm_stat.
#ifndef NODEX_COLLECTORS_XFRM_H_
#define NODEX_COLLECTORS_XFRM_H_

#include <array>
#include <cstdint>
#include <memory>
#include <string_view>

#include "collectors/collector.h"

namespace nodex::collectors {

// The 28 counters node_exporter exports, in kernel order (XfrmInError ...
// XfrmAcquireError); see kXfrmFieldNames in xfrm.cc.
inline constexpr size_t kXfrmFieldCount = 28;
using XfrmStats = std::array<int64_t, kXfrmFieldCount>;

// Parses /proc/net/xfrm_stat, one "name<spaces/tab>value" pair per line:
//   XfrmInError             	0
//   XfrmInBufferError       	0
//   XfrmOutStateDirError    	0
// Every line must have exactly two fields and a value that parses as Go's
// strconv.Atoi (signed 64-bit decimal, optional sign). Names node_exporter
// does not export (XfrmOutStateDirError, XfrmInStateDirError,
// XfrmInIptfsError, XfrmOutNoQueueSpace on 6.x kernels) are skipped; a
// counter missing from the file stays 0.
[[nodiscard]] StatusOr<XfrmStats> ParseXfrmStat(std::string_view content);

StatusOr<std::unique_ptr<Collector>> NewXfrmCollector(const Context& ctx);

}  // namespace nodex::collectors

#endif  // NODEX_COLLECTORS_XFRM_H_
