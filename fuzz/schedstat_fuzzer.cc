// Fuzzes ParseSchedstat (/proc/schedstat): every reported cpu label is a
// non-empty run of digits inside the input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "collectors/schedstat.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::vector<nodex::collectors::SchedstatCpu> cpus;
  nodex::collectors::ParseSchedstat(input, &cpus);
  for (const auto& c : cpus) {
    if (c.cpu.empty() || c.cpu.data() < input.data() || c.cpu.data() + c.cpu.size() > input.data() + size) std::abort();
    for (char ch : c.cpu) {
      if (ch < '0' || ch > '9') std::abort();
    }
  }
  return 0;
}
