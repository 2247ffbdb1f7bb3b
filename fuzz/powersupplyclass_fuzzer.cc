// Fuzzes ParsePowerSupplyAttribute: the first line names the attribute file,
// the rest is its content.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "collectors/powersupplyclass.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  size_t nl = input.find('\n');
  std::string_view file = input.substr(0, nl);
  std::string_view content = nl == std::string_view::npos ? std::string_view() : input.substr(nl + 1);
  nodex::collectors::PowerSupply ps;
  (void)nodex::collectors::ParsePowerSupplyAttribute(file, content, &ps);
  return 0;
}
