// Fuzzes the conntrack parsers: ParseConntrackStat (/proc/net/stat/nf_conntrack)
// and ParseConntrackValue (nf_conntrack_count / _max). Neither may crash, and
// a parsed stat must have summed at most one row per input line.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "collectors/conntrack.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto stats = nodex::collectors::ParseConntrackStat(text);
  if (stats.ok()) {
    size_t lines = 0;
    for (char c : text) lines += c == '\n';
    if (stats->cpus > lines + 1) std::abort();
  }
  (void)nodex::collectors::ParseConntrackValue(text);
  return 0;
}
