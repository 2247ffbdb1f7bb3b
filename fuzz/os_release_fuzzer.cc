// Fuzzes the os collector's parsers: ParseOsRelease (go-envparse rules),
// then ParseOsVersion and ParseSupportEnd on what it extracted and on the raw
// input.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "collectors/os.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace nodex::collectors;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto raw_version = ParseOsVersion(input);
  if (raw_version.ok() && !(std::isfinite(*raw_version) && *raw_version >= 0)) std::abort();
  (void)ParseSupportEnd(input);

  OsRelease release;
  if (!ParseOsRelease(input, &release).ok()) return 0;
  // Unquoting only ever shrinks the text, except \uXXXX which stays within
  // its six bytes.
  if (release.name.size() > size || release.pretty_name.size() > size) std::abort();
  auto version = ParseOsVersion(release.version_id);
  if (version.ok() && !(std::isfinite(*version) && *version >= 0)) std::abort();
  (void)ParseSupportEnd(release.support_end);
  return 0;
}
