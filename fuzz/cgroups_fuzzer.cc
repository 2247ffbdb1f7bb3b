// Fuzzes ParseCgroups (/proc/cgroups): whatever it accepts must have a
// non-empty controller name that lies inside the input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "collectors/cgroups.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::vector<nodex::collectors::CgroupSummary> out;
  if (!nodex::collectors::ParseCgroups(input, &out).ok()) return 0;
  for (const auto& s : out) {
    if (s.subsys_name.empty()) std::abort();
    if (s.subsys_name.data() < input.data() || s.subsys_name.data() + s.subsys_name.size() > input.data() + input.size()) {
      std::abort();
    }
  }
  return 0;
}
