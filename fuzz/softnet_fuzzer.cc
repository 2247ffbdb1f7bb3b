// Fuzzes ParseSoftnetStat (/proc/net/softnet_stat): it must never crash, and
// every accepted line must have produced one entry.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "collectors/softnet.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::vector<nodex::collectors::SoftnetCpuStats> stats;
  if (!nodex::collectors::ParseSoftnetStat(input, &stats).ok()) return 0;
  size_t lines = 0;
  for (size_t i = 0; i < size; ++i) lines += input[i] == '\n';
  if (size > 0 && input.back() != '\n') ++lines;
  if (stats.size() != lines) std::abort();
  return 0;
}
