// Fuzzes ParseThermalInt and ThermalZoneDisabled with one attribute's content.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "collectors/thermal_zone.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  (void)nodex::collectors::ParseThermalInt(input);
  (void)nodex::collectors::ThermalZoneDisabled(input);
  return 0;
}
