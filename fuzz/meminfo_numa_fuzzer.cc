// Fuzzes the meminfo_numa parsers. An input starting with byte 0x01 goes to
// ParseNumastat (/sys/devices/system/node/node<N>/numastat), anything else to
// ParseMeminfoNuma (.../meminfo). Accepted fields must be finite and their
// metric names must start with the family prefix.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "collectors/meminfo_numa.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::vector<nodex::collectors::NumaField> fields;
  nodex::Status st;
  if (!input.empty() && input[0] == '\x01') {
    st = nodex::collectors::ParseNumastat(input.substr(1), &fields);
  } else {
    st = nodex::collectors::ParseMeminfoNuma(input, &fields);
  }
  if (!st.ok()) return 0;
  for (const auto& f : fields) {
    if (!std::isfinite(f.value)) std::abort();
    if (nodex::collectors::MeminfoNumaMetricName(f.key).rfind("node_memory_numa_", 0) != 0) std::abort();
  }
  return 0;
}
