// Fuzzes ParseKsmdValue (/sys/kernel/mm/ksm/*). The first byte picks the
// file (and so signedness and scaling); the rest is the file's content.
// Accepted input must give a finite number.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "collectors/ksmd.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const auto& file = nodex::collectors::kKsmdFiles[data[0] % nodex::collectors::kKsmdFileCount];
  std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);
  auto v = nodex::collectors::ParseKsmdValue(file, input);
  if (v.ok() && !std::isfinite(*v)) std::abort();
  return 0;
}
