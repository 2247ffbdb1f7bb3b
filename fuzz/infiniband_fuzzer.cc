// Fuzzes the infiniband attribute parsers: ParseInfinibandState (state,
// phys_state), ParseInfinibandRate (rate) and ParseInfinibandCounter
// (counters/*). None may crash; a parsed counter must not come from input
// without a digit.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "collectors/infiniband.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)nodex::collectors::ParseInfinibandState(text);
  (void)nodex::collectors::ParseInfinibandRate(text);
  uint64_t value = 0;
  if (nodex::collectors::ParseInfinibandCounter(text, &value) == nodex::collectors::InfinibandCounterResult::kValue) {
    bool digit = false;
    for (char c : text) digit |= c >= '0' && c <= '9';
    if (!digit) std::abort();
  }
  return 0;
}
