// Fuzzes the bcache parsers: the whole input as priority_stats and as
// writeback_rate_debug, and each line as a humanized value.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "base/split.h"
#include "collectors/bcache.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace nodex::collectors;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  BcachePriorityStats ps;
  (void)ParseBcachePriorityStats(input, &ps);
  BcacheWritebackRateDebug wrd;
  (void)ParseBcacheWritebackRateDebug(input, &wrd);
  std::string_view rest = input, line;
  while (nodex::NextLine(&rest, &line)) {
    (void)ParseBcacheValue(line);
    (void)ParseBcacheSignedValue(line);
  }
  return 0;
}
