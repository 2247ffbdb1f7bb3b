// Integer parsing with Go's strconv semantics, for the procfs/sysfs parsers
// that node_exporter runs through strconv.ParseInt/ParseUint with base 0 or
// an explicit bit size. Matching them keeps nodex's accept/reject decisions
// identical on the inputs the kernel really writes ("0x1022", "-1", "+3").
// Differences from Go: digit separators ("1_000") are rejected.
#ifndef NODEX_COLLECTORS_GO_STRCONV_H_
#define NODEX_COLLECTORS_GO_STRCONV_H_

#include <cstdint>
#include <optional>
#include <string_view>

#include "base/parse.h"

namespace nodex::collectors {

// strconv.ParseUint(s, base, bits): base 0 picks the base from a prefix
// ("0x"/"0X" hex, "0o"/"0O" or a bare leading "0" octal, "0b"/"0B" binary);
// the value must fit in `bits` bits. No sign is accepted.
[[nodiscard]] inline std::optional<uint64_t> GoParseUint(std::string_view s, int base, int bits) {
  if (base == 0) {
    base = 10;
    if (s.size() >= 2 && s[0] == '0') {
      char p = s[1];
      if (p == 'x' || p == 'X') {
        base = 16;
        s.remove_prefix(2);
      } else if (p == 'o' || p == 'O') {
        base = 8;
        s.remove_prefix(2);
      } else if (p == 'b' || p == 'B') {
        base = 2;
        s.remove_prefix(2);
      } else {
        base = 8;
        s.remove_prefix(1);
      }
    }
  }
  std::optional<uint64_t> v = ParseInt<uint64_t>(s, base);
  if (!v) return std::nullopt;
  if (bits < 64 && *v > ((uint64_t{1} << bits) - 1)) return std::nullopt;
  return v;
}

// strconv.ParseInt(s, base, bits): an optional leading '+' or '-', then
// GoParseUint's syntax; the value must fit in a signed `bits`-bit integer.
[[nodiscard]] inline std::optional<int64_t> GoParseInt(std::string_view s, int base, int bits) {
  bool negative = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  std::optional<uint64_t> magnitude = GoParseUint(s, base, 64);
  if (!magnitude) return std::nullopt;
  const uint64_t limit = uint64_t{1} << (bits - 1);  // |min| for this size.
  if (negative) {
    if (*magnitude > limit) return std::nullopt;
    return static_cast<int64_t>(0 - *magnitude);
  }
  if (*magnitude >= limit) return std::nullopt;
  return static_cast<int64_t>(*magnitude);
}

}  // namespace nodex::collectors

#endif  // NODEX_COLLECTORS_GO_STRCONV_H_
