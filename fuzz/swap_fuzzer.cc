// Fuzzes ParseSwaps (/proc/swaps) and checks that every view it returns lies
// inside the input and is a non-empty field.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "collectors/swap.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  static std::vector<nodex::collectors::SwapArea> areas;  // Reused, as the collector does.
  if (!nodex::collectors::ParseSwaps(input, &areas).ok()) return 0;
  for (const auto& a : areas) {
    for (std::string_view f : {a.filename, a.type}) {
      if (f.empty() || f.data() < input.data() || f.data() + f.size() > input.data() + input.size()) std::abort();
    }
  }
  return 0;
}
