// JSON string literals for the hand-written JSON that nodex emits (JSON log
// lines, `nodex lint` reports, `nodex doctor --json`).
#ifndef NODEX_BASE_JSON_H_
#define NODEX_BASE_JSON_H_

#include <string>
#include <string_view>

namespace nodex {

// Appends `s` to *out as a JSON string literal, quotes included: '"', '\\',
// '\n', '\t' and '\r' get their short escapes, other control characters
// (< 0x20) become \u00XX, and with `escape_del` so does DEL (0x7f). Other
// bytes, including non-ASCII UTF-8, are copied unchanged.
void AppendJsonString(std::string* out, std::string_view s, bool escape_del = false);

}  // namespace nodex

#endif  // NODEX_BASE_JSON_H_
