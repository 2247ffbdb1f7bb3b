#include "expo/format_float.h"

#include <charconv>
#include <cmath>
#include <cstring>

namespace nodex::expo {
namespace {

size_t Put(char* buf, std::string_view s) {
  std::memcpy(buf, s.data(), s.size());
  return s.size();
}

}  // namespace

// std::to_chars without a precision yields the shortest digits that
// round-trip (libstdc++ uses Ryu), which are the digits Go's strconv picks.
// In scientific form its spelling is also Go's %e spelling ("1e-05",
// "1.8446744073709552e+19": at least two exponent digits, no trailing ".0"),
// so only the plain form has to be laid out here, from the same digits.
size_t FormatGoFloat(double v, char* buf) {
  if (std::isnan(v)) return Put(buf, "NaN");
  if (std::isinf(v)) return Put(buf, v > 0 ? "+Inf" : "-Inf");
  if (v == 0) return Put(buf, std::signbit(v) ? "-0" : "0");

  char sci[kFloatBufferSize];
  const auto res = std::to_chars(sci, sci + sizeof sci, v, std::chars_format::scientific);
  const char* end = res.ptr;
  const char* p = sci;
  const bool negative = *p == '-';
  if (negative) ++p;

  // Mantissa digits without the point, then the decimal exponent.
  char digits[kFloatBufferSize];
  int nd = 0;
  while (p < end && *p != 'e') {
    if (*p != '.') digits[nd++] = *p;
    ++p;
  }
  int exp = 0;
  if (p < end) {
    ++p;  // 'e'
    const bool exp_negative = *p == '-';
    ++p;  // sign
    for (; p < end; ++p) exp = exp * 10 + (*p - '0');
    if (exp_negative) exp = -exp;
  }

  // Go's 'g' with shortest precision switches to %e below 1e-4 and at 1e6.
  if (exp < -4 || exp >= 6) {
    const size_t n = static_cast<size_t>(end - sci);
    std::memcpy(buf, sci, n);
    return n;
  }

  char* out = buf;
  if (negative) *out++ = '-';
  const int point = exp + 1;  // Digits before the decimal point.
  if (point <= 0) {
    *out++ = '0';
    *out++ = '.';
    for (int i = point; i < 0; ++i) *out++ = '0';
    std::memcpy(out, digits, static_cast<size_t>(nd));
    out += nd;
  } else if (point >= nd) {
    std::memcpy(out, digits, static_cast<size_t>(nd));
    out += nd;
    for (int i = nd; i < point; ++i) *out++ = '0';
  } else {
    std::memcpy(out, digits, static_cast<size_t>(point));
    out += point;
    *out++ = '.';
    std::memcpy(out, digits + point, static_cast<size_t>(nd - point));
    out += nd - point;
  }
  return static_cast<size_t>(out - buf);
}

size_t FormatSampleValue(double v, char* buf) {
  // expfmt short-cuts these; the -0 case is the only one where the result
  // differs from FormatGoFloat.
  if (v == 0) return Put(buf, "0");
  if (v == 1) return Put(buf, "1");
  if (v == -1) return Put(buf, "-1");
  return FormatGoFloat(v, buf);
}

std::string GoFloat(double v) {
  char buf[kFloatBufferSize];
  return std::string(buf, FormatGoFloat(v, buf));
}

}  // namespace nodex::expo
