// Fuzzes the sysctl parsers on the same input: ParseSysctlInts and
// ParseSysctlStrings (/proc/sys/*), plus the flag-side helpers
// ParseSysctlInclude and SanitizeSysctlName. Accepted integers must match
// the word count, and sanitized names may only hold [A-Za-z0-9_].
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "collectors/sysctl.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace c = nodex::collectors;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::vector<int64_t> ints;
  std::vector<std::string_view> words;
  c::ParseSysctlStrings(input, &words);
  if (c::ParseSysctlInts(input, &ints).ok() && ints.size() != words.size()) std::abort();
  c::SysctlSpec spec = c::ParseSysctlInclude(input, true);
  if (spec.name.size() > input.size()) std::abort();
  for (char ch : c::SanitizeSysctlName(input)) {
    bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_';
    if (!ok) std::abort();
  }
  return 0;
}
