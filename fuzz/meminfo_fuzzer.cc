// Fuzzes ParseMeminfo (/proc/meminfo) and checks that whatever it accepts
// yields only finite, non-negative byte counts.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "collectors/meminfo.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  nodex::collectors::MeminfoValues values;
  if (!nodex::collectors::ParseMeminfo(input, &values).ok()) return 0;
  for (size_t i = 0; i < values.value.size(); ++i) {
    if (values.present[i] && !(std::isfinite(values.value[i]) && values.value[i] >= 0)) std::abort();
  }
  return 0;
}
