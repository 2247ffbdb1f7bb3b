// Fuzzes ParseLnstat (/proc/net/stat/*). It must not crash; every sample's
// column must be a header field, and no column can have more CPUs than the
// input has lines.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "collectors/lnstat.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<nodex::collectors::LnstatSample> samples;
  if (nodex::collectors::ParseLnstat(text, &samples).ok()) {
    size_t lines = 1;
    for (char c : text) lines += c == '\n';
    size_t header_end = text.find('\n');
    for (const auto& s : samples) {
      if (s.cpu >= lines * 256) std::abort();
      if (s.column.empty() || s.column.data() < text.data() ||
          (header_end != std::string_view::npos && s.column.data() + s.column.size() > text.data() + header_end)) {
        std::abort();
      }
    }
  }
  return 0;
}
