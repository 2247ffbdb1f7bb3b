// Fuzzes ParseZoneinfo (/proc/zoneinfo): every accepted zone must have a
// non-empty numeric node and zone name, and its protection range must lie
// inside the shared array.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "collectors/zoneinfo.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  nodex::collectors::Zoneinfo info;
  if (!nodex::collectors::ParseZoneinfo(input, &info).ok()) return 0;
  for (const auto& z : info.zones) {
    if (z.node.empty() || z.zone.empty()) std::abort();
    if (z.node.find_first_not_of("0123456789") != std::string_view::npos) std::abort();
    if (z.protection_begin + z.protection_count > info.protection.size()) std::abort();
  }
  return 0;
}
