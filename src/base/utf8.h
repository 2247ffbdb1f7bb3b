// UTF-8 validity as Go's unicode/utf8 defines it (no overlong forms, no
// surrogates, nothing past U+10FFFF). The exposition format requires label
// values to be UTF-8, and client_golang drops a metric whose values are not,
// so the writer, the textfile parser and sysfs label readers share this.
#ifndef NODEX_BASE_UTF8_H_
#define NODEX_BASE_UTF8_H_

#include <cstddef>
#include <string_view>

namespace nodex {

// Length of the valid UTF-8 sequence starting at s[i] (1-4), or 0 when the
// bytes there are not one. Requires i < s.size().
inline size_t Utf8SequenceLength(std::string_view s, size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) return 1;
  size_t len = 0;
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
  } else {
    return 0;  // Continuation byte, overlong lead (C0, C1) or past U+10FFFF.
  }
  if (i + len > s.size()) return 0;
  // The second byte's range excludes overlong forms (E0, F0), surrogates (ED)
  // and code points past U+10FFFF (F4).
  unsigned char lo = 0x80, hi = 0xBF;
  if (c == 0xE0) lo = 0xA0;
  if (c == 0xED) hi = 0x9F;
  if (c == 0xF0) lo = 0x90;
  if (c == 0xF4) hi = 0x8F;
  const auto c1 = static_cast<unsigned char>(s[i + 1]);
  if (c1 < lo || c1 > hi) return 0;
  for (size_t k = 2; k < len; ++k) {
    const auto ck = static_cast<unsigned char>(s[i + k]);
    if (ck < 0x80 || ck > 0xBF) return 0;
  }
  return len;
}

inline bool IsValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    if (static_cast<unsigned char>(s[i]) < 0x80) {  // The common case: ASCII.
      ++i;
      continue;
    }
    const size_t len = Utf8SequenceLength(s, i);
    if (len == 0) return false;
    i += len;
  }
  return true;
}

}  // namespace nodex

#endif  // NODEX_BASE_UTF8_H_
