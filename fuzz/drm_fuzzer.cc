// Fuzzes the drm parsers. The first line of the input names a
// card<N>/device attribute ("uevent" and "chip" feed DrmUeventIsAmdgpu and
// DrmChipName), the rest is the content.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "collectors/drm.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace nodex::collectors;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  size_t nl = input.find('\n');
  std::string_view name = input.substr(0, nl);
  std::string_view content = nl == std::string_view::npos ? std::string_view() : input.substr(nl + 1);
  if (name == "uevent") {
    (void)DrmUeventIsAmdgpu(content);
  } else if (name == "chip") {
    std::string chip;
    DrmChipName(content, &chip);
    for (char c : chip) {
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == ':' || c == '_')) std::abort();
    }
    if (!chip.empty() && (chip.front() == '_' || chip.back() == '_')) std::abort();
  } else {
    DrmCardStats stats;
    (void)ApplyDrmCardAttribute(name, content, &stats);
  }
  return 0;
}
