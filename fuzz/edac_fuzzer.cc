// Fuzzes the edac collector's pure helpers: the input is used as a counter
// file, as a ch<N>_dimm_label file and as a csrow file name.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "collectors/edac.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  (void)nodex::collectors::ParseEdacCount(input);
  std::string label;
  nodex::collectors::FormatEdacDimmLabel(input, &label);
  std::string_view channel = nodex::collectors::EdacChannelNumber(input);
  if (channel.data() != nullptr &&
      (channel.data() < input.data() || channel.data() + channel.size() > input.data() + input.size())) {
    __builtin_trap();
  }
  return 0;
}
