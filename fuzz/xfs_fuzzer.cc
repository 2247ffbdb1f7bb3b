// Fuzzes ParseXfsStats (/proc/fs/xfs/stat, /sys/fs/xfs/<dev>/stats/stats).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "collectors/xfs.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  nodex::collectors::XfsStats stats;
  (void)nodex::collectors::ParseXfsStats(input, &stats);
  return 0;
}
