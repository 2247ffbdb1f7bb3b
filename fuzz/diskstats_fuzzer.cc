// Fuzzes ParseDiskstats (/proc/diskstats) and ParseUdevProperties (udev
// database files): neither may crash, accepted lines must have a counter
// count procfs would accept, and every view must point into the input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "collectors/diskstats.h"

namespace {

bool Inside(std::string_view part, std::string_view whole) {
  return part.empty() || (part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::vector<nodex::collectors::DiskstatsLine> lines;
  if (nodex::collectors::ParseDiskstats(input, &lines).ok()) {
    for (const auto& line : lines) {
      if (line.stat_count < 11 || line.stat_count > 17 || !Inside(line.device, input)) std::abort();
    }
  }
  nodex::collectors::UdevProperties props;
  nodex::collectors::ParseUdevProperties(input, &props);
  for (const auto& v : props.values) {
    if (v && !Inside(*v, input)) std::abort();
  }
  char buf[65];
  if (size >= 8) {
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v = (v << 8) | data[i];
    std::string_view bits = nodex::collectors::FormatRotational(v, buf);
    if (bits.empty() || bits.size() > 64) std::abort();
  }
  return 0;
}
