// Fuzzes ParseLoadavg (/proc/loadavg) and checks that accepted input gives
// finite numbers.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "collectors/loadavg.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto loads = nodex::collectors::ParseLoadavg(input);
  if (!loads.ok()) return 0;
  if (!std::isfinite(loads->load1) || !std::isfinite(loads->load5) || !std::isfinite(loads->load15)) std::abort();
  return 0;
}
