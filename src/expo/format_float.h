// Float formatting compatible with Go, so sample values are byte-identical to
// node_exporter's.
#ifndef NODEX_EXPO_FORMAT_FLOAT_H_
#define NODEX_EXPO_FORMAT_FLOAT_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace nodex::expo {

// Large enough for any output of the functions below.
inline constexpr size_t kFloatBufferSize = 32;

// Go's strconv.FormatFloat(v, 'g', -1, 64): the shortest digits that
// round-trip, in exponent form (1.234567e+06, 1e-05) when the decimal exponent
// is < -4 or >= 6, else plain (123456, 0.0001); "NaN", "+Inf", "-Inf".
// Returns the number of bytes written to buf (not NUL-terminated).
size_t FormatGoFloat(double v, char* buf);

// The exposition format's value spelling (expfmt's writeFloat): like
// FormatGoFloat, but 0, 1 and -1 are written as integers and -0 as "0".
size_t FormatSampleValue(double v, char* buf);

// Convenience for tests and non-hot paths.
std::string GoFloat(double v);

}  // namespace nodex::expo

#endif  // NODEX_EXPO_FORMAT_FLOAT_H_
