// Fuzzes ParseSoftirqs (/proc/softirqs): an accepted file never yields more
// counts in a row than the input has bytes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "collectors/softirqs.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  nodex::collectors::Softirqs s;
  if (!nodex::collectors::ParseSoftirqs(input, &s).ok()) return 0;
  for (const auto& row : s.counts) {
    if (row.size() > size) std::abort();
  }
  return 0;
}
