// Fuzzes ParseSlabinfo (/proc/slabinfo): whatever it accepts must have names
// that view the input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "collectors/slabinfo.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::vector<nodex::collectors::SlabinfoEntry> out;
  if (!nodex::collectors::ParseSlabinfo(input, &out).ok()) return 0;
  for (const auto& s : out) {
    if (!s.name.empty() &&
        (s.name.data() < input.data() || s.name.data() + s.name.size() > input.data() + input.size())) {
      std::abort();
    }
  }
  return 0;
}
