// Fuzzes ParseSockstat (/proc/net/sockstat and sockstat6): it must never
// crash, and every protocol name must point into the input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "collectors/sockstat.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  nodex::collectors::Sockstat stat;
  if (!nodex::collectors::ParseSockstat(input, &stat).ok()) return 0;
  for (const auto& p : stat.protocols) {
    if (!p.name.empty() && (p.name.data() < input.data() || p.name.data() + p.name.size() > input.data() + size)) {
      std::abort();
    }
  }
  return 0;
}
