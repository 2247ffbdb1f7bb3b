// Fuzzes ParseVmstat (/proc/vmstat): accepted input gives finite values and
// names that view the input.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "collectors/vmstat.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::vector<nodex::collectors::VmstatField> fields;
  if (!nodex::collectors::ParseVmstat(input, &fields).ok()) return 0;
  for (const auto& f : fields) {
    if (!std::isfinite(f.value) || f.name.empty()) std::abort();
    if (f.name.data() < input.data() || f.name.data() + f.name.size() > input.data() + input.size()) std::abort();
  }
  return 0;
}
