// Go-compatible text for IP addresses (net.IP.String()), shared by the ipvs
// and network_route collectors so their labels match node_exporter's byte
// for byte. Header-only: no build change.
#ifndef NODEX_COLLECTORS_GOIP_H_
#define NODEX_COLLECTORS_GOIP_H_

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

namespace nodex::collectors::goip {

// Appends the address of `len` bytes at `b` as Go's net.IP.String() does:
// dotted quad for 4 bytes and for IPv4-mapped 16-byte addresses; RFC 5952
// text (lower-case hex, the leftmost longest run of two or more zero groups
// written "::") for other 16-byte addresses; "<nil>" for 0 bytes; "?"
// followed by lower-case hex for any other length.
inline void AppendIp(const uint8_t* b, size_t len, std::string* out) {
  char buf[24];
  if (len == 0) {
    out->append("<nil>");
    return;
  }
  if (len != 4 && len != 16) {
    static constexpr char kHex[] = "0123456789abcdef";
    out->push_back('?');
    for (size_t i = 0; i < len; ++i) {
      out->push_back(kHex[b[i] >> 4]);
      out->push_back(kHex[b[i] & 15]);
    }
    return;
  }
  static constexpr uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (len == 16 && std::memcmp(b, kMapped, 12) == 0) {
    b += 12;
    len = 4;
  }
  if (len == 4) {
    for (int i = 0; i < 4; ++i) {
      if (i > 0) out->push_back('.');
      auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), b[i]);
      out->append(buf, end);
    }
    return;
  }
  uint16_t words[8];
  for (int i = 0; i < 8; ++i) words[i] = static_cast<uint16_t>(b[2 * i] << 8 | b[2 * i + 1]);
  int zero_start = -1, zero_len = 0;
  for (int i = 0; i < 8;) {
    int j = i;
    while (j < 8 && words[j] == 0) ++j;
    if (j - i >= 2 && j - i > zero_len) {
      zero_start = i;
      zero_len = j - i;
    }
    i = j == i ? i + 1 : j;
  }
  for (int i = 0; i < 8; ++i) {
    if (i == zero_start) {
      out->append("::");
      i += zero_len - 1;
      continue;
    }
    if (i > 0 && i != zero_start + zero_len) out->push_back(':');
    auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), words[i], 16);
    out->append(buf, end);
  }
}

}  // namespace nodex::collectors::goip

#endif  // NODEX_COLLECTORS_GOIP_H_
