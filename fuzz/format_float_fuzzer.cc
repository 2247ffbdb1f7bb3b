// Fuzzes the Go-compatible float formatter: every finite double must come back
// bit-for-bit from strtod, in the exponent form exactly when Go would use it.
// The first 8 bytes are a double's bits; the whole input is also tried as
// decimal text, so the corpus can hold readable numbers.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

#include "expo/format_float.h"

namespace {

void Check(double v) {
  using nodex::expo::FormatGoFloat;
  using nodex::expo::FormatSampleValue;
  using nodex::expo::kFloatBufferSize;
  char buf[kFloatBufferSize + 1];
  const size_t n = FormatGoFloat(v, buf);
  if (n == 0 || n >= kFloatBufferSize) __builtin_trap();
  buf[n] = '\0';
  if (std::memchr(buf, '\0', n) != nullptr) __builtin_trap();

  char sample[kFloatBufferSize + 1];
  const size_t sn = FormatSampleValue(v, sample);
  if (sn == 0 || sn >= kFloatBufferSize) __builtin_trap();
  sample[sn] = '\0';

  if (std::isnan(v)) {
    if (std::strcmp(buf, "NaN") != 0 || std::strcmp(sample, "NaN") != 0) __builtin_trap();
    return;
  }
  if (std::isinf(v)) {
    const char* want = v > 0 ? "+Inf" : "-Inf";
    if (std::strcmp(buf, want) != 0 || std::strcmp(sample, want) != 0) __builtin_trap();
    return;
  }

  char* end = nullptr;
  const double back = std::strtod(buf, &end);
  if (end != buf + n) __builtin_trap();
  uint64_t a;
  uint64_t b;
  std::memcpy(&a, &v, 8);
  std::memcpy(&b, &back, 8);
  if (a != b) __builtin_trap();

  // FormatSampleValue differs only for -0, which it writes as "0".
  const double sample_back = std::strtod(sample, &end);
  if (end != sample + sn || sample_back != v) __builtin_trap();
  if (v != 0 && std::strcmp(buf, sample) != 0) __builtin_trap();

  const double mag = std::fabs(v);
  const bool exponent_form = std::strchr(buf, 'e') != nullptr;
  if (mag != 0 && exponent_form != (mag < 1e-4 || mag >= 1e6)) __builtin_trap();
  // Go never writes a trailing zero after a decimal point, nor a "+" mantissa.
  const char* mantissa_end = exponent_form ? std::strchr(buf, 'e') : buf + n;
  if (std::memchr(buf, '.', static_cast<size_t>(mantissa_end - buf)) != nullptr && mantissa_end[-1] == '0') {
    __builtin_trap();
  }
  if (buf[0] == '+') __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  uint64_t bits = 0;
  if (size > 0) std::memcpy(&bits, data, size < 8 ? size : 8);
  double v;
  std::memcpy(&v, &bits, 8);
  Check(v);

  if (size > 0 && size < 400) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    Check(std::strtod(text.c_str(), nullptr));
  }
  return 0;
}
