// Fuzzes the hwmon collector's pure parsers: the input is used as a sensor
// file name, as a name/label file to clean, and as a sensor value.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "collectors/hwmon.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  if (auto f = nodex::collectors::ExplodeHwmonFilename(input)) {
    // The parts are views into the input and cover it in order.
    if (f->type.data() != input.data() || f->type.empty()) __builtin_trap();
    (void)nodex::collectors::IsHwmonSensorType(f->type);
  }
  std::string cleaned;
  nodex::collectors::CleanHwmonName(input, &cleaned);
  if (!cleaned.empty() && (cleaned.front() == '_' || cleaned.back() == '_')) __builtin_trap();
  (void)nodex::collectors::ParseHwmonValue(input);
  return 0;
}
