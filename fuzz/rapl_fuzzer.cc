// Fuzzes the rapl parsers: the first line is a zone name, the rest an
// energy_uj value. Sanitised metric names must only use [0-9A-Za-z_].
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <string>
#include <string_view>

#include "collectors/rapl.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  size_t nl = input.find('\n');
  std::string_view name = input.substr(0, nl);
  std::string_view value = nl == std::string_view::npos ? std::string_view() : input.substr(nl + 1);
  std::map<std::string, int64_t, std::less<>> seen;
  auto zn = nodex::collectors::ParseRaplZoneName(name, &seen);
  (void)nodex::collectors::ParseRaplZoneName(name, &seen);
  (void)nodex::collectors::ParseRaplMicrojoules(value);
  std::string metric;
  nodex::collectors::AppendSanitizedMetricName(zn.name, &metric);
  for (char c : metric) {
    bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    if (!ok) std::abort();
  }
  return 0;
}
