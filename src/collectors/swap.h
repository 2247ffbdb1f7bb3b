// The swap collector (mirrors node_exporter 1.12.1's swap collector,
// collector/swap_linux.go, and prometheus/procfs' swaps.go parser): one
// series per swap area in <procfs>/swaps, labelled device and type:
//   node_swap_size_bytes   size of the area (the file's KiB x 1024)
//   node_swap_used_bytes   space in use (KiB x 1024)
//   node_swap_priority     the area's priority (negative when the kernel
//                          assigned it)
#ifndef NODEX_COLLECTORS_SWAP_H_
#define NODEX_COLLECTORS_SWAP_H_

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "collectors/collector.h"

namespace nodex::collectors {

// One line of /proc/swaps. Views point into the parsed buffer.
struct SwapArea {
  std::string_view filename;  // As printed: spaces etc. stay octal-escaped.
  std::string_view type;      // "partition" or "file".
  int64_t size_kib = 0;
  int64_t used_kib = 0;
  int64_t priority = 0;
};

// Parses /proc/swaps:
//   Filename				Type		Size		Used		Priority
//   /dev/zram0                              partition	8388604		76		100
//   /swapfile                               file		2097148		0		-2
// Like procfs, the first line is skipped whatever it holds; every later line
// needs at least 5 whitespace-separated fields (extra ones are ignored), and
// size, used and priority must be decimal integers (Go's Atoi: optional sign,
// 64-bit range). A blank line after the header is an error, as in procfs. An
// empty file or a header alone gives no areas. *out is cleared first and
// keeps its capacity.
[[nodiscard]] Status ParseSwaps(std::string_view content, std::vector<SwapArea>* out);

StatusOr<std::unique_ptr<Collector>> NewSwapCollector(const Context& ctx);

}  // namespace nodex::collectors

#endif  // NODEX_COLLECTORS_SWAP_H_
