// Fuzzes ParseDmiAttribute: the first line names the file, the rest is its
// content. Accepted values must be valid UTF-8 (they become label values).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "collectors/dmi.h"
#include "collectors/sysfs_attrs.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  size_t nl = input.find('\n');
  std::string_view file = input.substr(0, nl);
  std::string_view content = nl == std::string_view::npos ? std::string_view() : input.substr(nl + 1);
  nodex::collectors::DmiInfo info;
  nodex::collectors::ParseDmiAttribute(file, content, &info);
  for (const auto& v : info.values) {
    if (!v) continue;
    std::string again;
    nodex::collectors::sysfs::AppendValidUtf8(*v, &again);
    if (again != *v) std::abort();  // Sanitising must be idempotent.
  }
  return 0;
}
