// The entropy collector (mirrors node_exporter's entropy collector,
// collector/entropy_linux.go on procfs' kernel_random.go):
// node_entropy_available_bits and node_entropy_pool_size_bits.
#ifndef NODEX_COLLECTORS_ENTROPY_H_
#define NODEX_COLLECTORS_ENTROPY_H_

#include <cstdint>
#include <string_view>

#include "collectors/collector.h"

namespace nodex::collectors {

// Parses one of /proc/sys/kernel/random/{entropy_avail,poolsize}: a single
// unsigned decimal and a newline, e.g.
//   256
//   4096
// Surrounding whitespace is ignored (procfs trims it); anything else fails.
// Since Linux 5.18 the pool is 256 bits and entropy_avail reads 256 once the
// RNG is seeded.
[[nodiscard]] StatusOr<uint64_t> ParseEntropyValue(std::string_view content);

StatusOr<std::unique_ptr<Collector>> NewEntropyCollector(const Context& ctx);

}  // namespace nodex::collectors

#endif  // NODEX_COLLECTORS_ENTROPY_H_
