// Fuzzes ParseDrbd (/proc/drbd) and checks that every sample it accepts has a
// device label and a finite value.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "collectors/drbd.h"
#include "expo/metric_set.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  static nodex::expo::MetricSet set;  // Reused, as the scraper does.
  set.Clear();
  if (!nodex::collectors::ParseDrbd(input, &set).ok()) return 0;
  for (const auto& s : set.samples()) {
    if (s.label_count == 0 || !std::isfinite(s.value)) std::abort();
    if (set.LabelName(set.labels()[s.label_begin]) != "device") std::abort();
  }
  return 0;
}
