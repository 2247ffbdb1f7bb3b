// Fuzzes ParseXfrmStat (/proc/net/xfrm_stat). It must not crash, and input
// without any digit can only parse if it has no lines at all.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "collectors/xfrm.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto stats = nodex::collectors::ParseXfrmStat(text);
  if (stats.ok()) {
    bool digit = false;
    for (char c : text) digit |= c >= '0' && c <= '9';
    if (!digit && !text.empty()) std::abort();
  }
  return 0;
}
