// Go encoding/json's decoding rules for the few field types the qdisc and wifi
// collectors' --collector.*.fixtures files use, over nlohmann::json values
// (node_exporter defines those fixture files as the JSON of its Go structs).
// All functions return false for a value Go would refuse to decode and leave
// *out alone for null, as Go does. None of them throws.
#ifndef NODEX_COLLECTORS_GO_JSON_H_
#define NODEX_COLLECTORS_GO_JSON_H_

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace nodex::collectors {

// Go matches an object key to a struct field case-insensitively (ASCII here:
// every field name we decode is ASCII).
inline bool GoJsonKeyIs(std::string_view key, std::string_view field) {
  if (key.size() != field.size()) return false;
  for (size_t i = 0; i < key.size(); ++i) {
    char a = key[i], b = field[i];
    if (a >= 'A' && a <= 'Z') a = static_cast<char>(a - 'A' + 'a');
    if (b >= 'A' && b <= 'Z') b = static_cast<char>(b - 'A' + 'a');
    if (a != b) return false;
  }
  return true;
}

// An unsigned integer field of type T: only an integer literal in range.
template <typename T>
bool GoJsonUint(const nlohmann::json& v, T* out) {
  if (v.is_null()) return true;
  if (v.is_number_unsigned()) {
    uint64_t u = v.get<uint64_t>();
    if (u > std::numeric_limits<T>::max()) return false;
    *out = static_cast<T>(u);
    return true;
  }
  if (v.is_number_integer() && v.get<int64_t>() >= 0) {
    if (static_cast<uint64_t>(v.get<int64_t>()) > std::numeric_limits<T>::max()) return false;
    *out = static_cast<T>(v.get<int64_t>());
    return true;
  }
  return false;
}

// An int / int64 / time.Duration field.
inline bool GoJsonInt(const nlohmann::json& v, int64_t* out) {
  if (v.is_null()) return true;
  if (v.is_number_integer() && !v.is_number_unsigned()) {
    *out = v.get<int64_t>();
    return true;
  }
  if (v.is_number_unsigned()) {
    uint64_t u = v.get<uint64_t>();
    if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return false;
    *out = static_cast<int64_t>(u);
    return true;
  }
  return false;
}

inline bool GoJsonString(const nlohmann::json& v, std::string* out) {
  if (v.is_null()) return true;
  if (!v.is_string()) return false;
  *out = v.get_ref<const std::string&>();
  return true;
}

}  // namespace nodex::collectors

#endif  // NODEX_COLLECTORS_GO_JSON_H_
