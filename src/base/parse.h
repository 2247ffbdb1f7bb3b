// Strict number parsing for kernel text: a token parses only if every byte of
// it is consumed, so "12abc", "" and " 12" are all rejected.
#ifndef NODEX_BASE_PARSE_H_
#define NODEX_BASE_PARSE_H_

#include <charconv>
#include <cstdint>
#include <optional>
#include <string_view>
#include <system_error>

namespace nodex {

template <typename T>
[[nodiscard]] inline std::optional<T> ParseInt(std::string_view s, int base = 10) {
  T value{};
  const char* end = s.data() + s.size();
  auto [ptr, ec] = std::from_chars(s.data(), end, value, base);
  if (s.empty() || ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

[[nodiscard]] inline std::optional<uint64_t> ParseU64(std::string_view s) { return ParseInt<uint64_t>(s); }
[[nodiscard]] inline std::optional<int64_t> ParseI64(std::string_view s) { return ParseInt<int64_t>(s); }

// Parses a decimal floating point number ("1.5", "-3", "1e9"). Rejects hex
// floats, "inf" and "nan": the kernel never prints those.
[[nodiscard]] inline std::optional<double> ParseDouble(std::string_view s) {
  if (s.empty()) return std::nullopt;
  double value = 0;
  const char* end = s.data() + s.size();
  auto [ptr, ec] = std::from_chars(s.data(), end, value, std::chars_format::general);
  if (ec != std::errc() || ptr != end) return std::nullopt;
  if (value != value || value - value != 0) return std::nullopt;  // NaN or Inf spelled out
  return value;
}

// Parses an unsigned integer but returns it as a double: most kernel counters
// are exported as floats, and values above 2^53 lose precision exactly as
// node_exporter's float64 conversion does.
[[nodiscard]] inline std::optional<double> ParseU64AsDouble(std::string_view s) {
  auto v = ParseU64(s);
  if (!v) return std::nullopt;
  return static_cast<double>(*v);
}

}  // namespace nodex

#endif  // NODEX_BASE_PARSE_H_
