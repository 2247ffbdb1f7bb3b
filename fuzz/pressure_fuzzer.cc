// Fuzzes ParsePressure (/proc/pressure/*): accepted input gives finite
// averages, and a line kind is reported only if it was present.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "collectors/pressure.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto stats = nodex::collectors::ParsePressure(input);
  if (!stats.ok()) return 0;
  for (const auto* line : {&stats->some, &stats->full}) {
    if (!std::isfinite(line->avg10) || !std::isfinite(line->avg60) || !std::isfinite(line->avg300)) std::abort();
  }
  if (stats->has_some && input.find("some") == std::string_view::npos) std::abort();
  if (stats->has_full && input.find("full") == std::string_view::npos) std::abort();
  return 0;
}
