// Fuzzes ParsePidStat (/proc/<pid>/stat): an accepted line has a non-empty
// state token that views the input after the last ')'.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "collectors/processes.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto stat = nodex::collectors::ParsePidStat(input);
  if (!stat.ok()) return 0;
  size_t r = input.rfind(')');
  if (stat->state.empty() || r == std::string_view::npos || stat->state.data() <= input.data() + r ||
      stat->state.data() + stat->state.size() > input.data() + size) {
    std::abort();
  }
  return 0;
}
