// Fuzzes ParseBuddyinfo (/proc/buddyinfo) and checks the invariants the
// collector relies on: every zone's counts lie inside the shared array and
// all zones have the same number of orders.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "collectors/buddyinfo.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  nodex::collectors::Buddyinfo info;
  if (!nodex::collectors::ParseBuddyinfo(input, &info).ok()) return 0;
  for (const auto& z : info.zones) {
    if (z.sizes_begin + z.sizes_count > info.sizes.size()) std::abort();
    if (z.sizes_count != info.zones.front().sizes_count) std::abort();
  }
  return 0;
}
