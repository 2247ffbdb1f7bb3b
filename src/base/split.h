// Non-allocating tokenisers over string_view. They never write into the input
// and never copy it: every returned view points into the caller's buffer.
#ifndef NODEX_BASE_SPLIT_H_
#define NODEX_BASE_SPLIT_H_

#include <cstddef>
#include <string_view>

namespace nodex {

inline bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

inline std::string_view TrimSpace(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

// Takes the next line (without its '\n') off the front of *rest. Returns false
// when *rest is empty. A final line without '\n' is still returned.
inline bool NextLine(std::string_view* rest, std::string_view* line) {
  if (rest->empty()) return false;
  size_t nl = rest->find('\n');
  if (nl == std::string_view::npos) {
    *line = *rest;
    *rest = {};
  } else {
    *line = rest->substr(0, nl);
    rest->remove_prefix(nl + 1);
  }
  return true;
}

// Takes the next whitespace-separated field off the front of *rest, like Go's
// strings.Fields. Returns false when only whitespace is left.
inline bool NextField(std::string_view* rest, std::string_view* field) {
  size_t i = 0;
  while (i < rest->size() && IsSpace((*rest)[i])) ++i;
  if (i == rest->size()) {
    *rest = {};
    return false;
  }
  size_t j = i;
  while (j < rest->size() && !IsSpace((*rest)[j])) ++j;
  *field = rest->substr(i, j - i);
  rest->remove_prefix(j);
  return true;
}

// Splits s on whitespace into at most `max` fields stored in out[]; returns the
// number of fields found, which may exceed `max` (extra fields are counted but
// not stored) so callers can check the exact count before indexing.
inline size_t SplitFields(std::string_view s, std::string_view* out, size_t max) {
  size_t n = 0;
  std::string_view field;
  while (NextField(&s, &field)) {
    if (n < max) out[n] = field;
    ++n;
  }
  return n;
}

// Splits "key<sep>value" at the first sep. Returns false if sep is absent.
inline bool SplitOnce(std::string_view s, char sep, std::string_view* key, std::string_view* value) {
  size_t pos = s.find(sep);
  if (pos == std::string_view::npos) return false;
  *key = s.substr(0, pos);
  *value = s.substr(pos + 1);
  return true;
}

}  // namespace nodex

#endif  // NODEX_BASE_SPLIT_H_
