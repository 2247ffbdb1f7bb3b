// Fuzzes the selinux parsers on the same input: ParseAvcCacheStats and
// ParseAvcHashStats (selinuxfs avc/), ParseSelinuxEnforce (enforce) and
// ParseSelinuxConfigMode (/etc/selinux/config). Modes must stay in -1..1
// for the config and the parsers must never crash.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "collectors/selinux.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace c = nodex::collectors;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  c::AvcCacheStats cache;
  (void)c::ParseAvcCacheStats(input, &cache);
  c::AvcHashStats hash;
  (void)c::ParseAvcHashStats(input, &hash);
  (void)c::ParseSelinuxEnforce(input);
  int mode = c::ParseSelinuxConfigMode(input);
  if (mode < -1 || mode > 1) std::abort();
  return 0;
}
