// The nvme collector (mirrors node_exporter's nvme collector,
// collector/nvme_linux.go, on top of procfs' sysfs/class_nvme.go):
// node_nvme_info per controller under /sys/class/nvme/<ctrl>, and per
// namespace directory below it (nvme0n1, or nvme0c0n1 on multipath setups)
// node_nvme_namespace_{info,capacity_bytes,size_bytes,used_bytes,
// logical_block_size_bytes}.
//
// Quirks kept from node_exporter:
//   - A controller attribute (firmware_rev, model, serial, state, cntlid) or
//     a namespace's nuse/size/queue/logical_block_size that is missing makes
//     the whole collector report "no data"; ana_state is optional ("unknown").
//   - Namespace numbers that do not parse count as 0, silently.
//   - size and nuse are multiplied by the logical block size, as procfs does,
//     and capacity equals size.
#ifndef NODEX_COLLECTORS_NVME_H_
#define NODEX_COLLECTORS_NVME_H_

#include <cstdint>
#include <memory>
#include <string_view>

#include "base/status.h"
#include "collectors/collector.h"

namespace nodex::collectors {

// The namespace id of a controller subdirectory: the digits after the last
// 'n' of the first "nvme<N>[c<M>]n<ID>" in `name` ("nvme0n1" -> "1",
// "nvme0c2n13" -> "13"); empty when `name` is not a namespace directory.
[[nodiscard]] std::string_view NvmeNamespaceId(std::string_view name);

// Parses one numeric namespace attribute, e.g.
//   nvme0n1/size                      -> "3906250000\n"
//   nvme0n1/nuse                      -> "488281250\n"
//   nvme0n1/queue/logical_block_size  -> "4096\n"
// Trimmed, then Go's strconv.ParseUint(s, 10, 64); anything that does not
// parse is 0, as in procfs.
[[nodiscard]] uint64_t ParseNvmeNamespaceNumber(std::string_view content);

StatusOr<std::unique_ptr<Collector>> NewNvmeCollector(const Context& ctx);

}  // namespace nodex::collectors

#endif  // NODEX_COLLECTORS_NVME_H_
