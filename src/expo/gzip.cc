#include "expo/gzip.h"

#include <libdeflate.h>

#include <algorithm>
#include <cstdint>
#include <cstring>

namespace nodex::expo {
namespace {

// A scrape is a few hundred KiB; anything that inflates beyond this is not a
// response we produced.
constexpr size_t kMaxDecompressed = 256u << 20;

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    char y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// RFC 9110 qvalue: "0" or "1" optionally followed by up to three decimals.
// Returns -1 when malformed.
int ParseQMillis(std::string_view q) {
  if (q.empty() || (q[0] != '0' && q[0] != '1')) return -1;
  int millis = (q[0] - '0') * 1000;
  if (q.size() == 1) return millis;
  if (q[1] != '.' || q.size() > 5) return -1;
  int scale = 100;
  for (size_t i = 2; i < q.size(); ++i, scale /= 10) {
    if (q[i] < '0' || q[i] > '9') return -1;
    millis += (q[i] - '0') * scale;
  }
  return millis > 1000 ? -1 : millis;
}

}  // namespace

GzipCompressor::GzipCompressor(int level) : compressor_(libdeflate_alloc_compressor(level)) {}

GzipCompressor::~GzipCompressor() {
  if (compressor_ != nullptr) libdeflate_free_compressor(compressor_);
}

bool GzipCompressor::Compress(std::string_view in, std::string* out) {
  if (compressor_ == nullptr) return false;
  const size_t bound = libdeflate_gzip_compress_bound(compressor_, in.size());
  // A scrape compresses about 5:1 and its ratio barely moves between scrapes;
  // a quarter and 4 KiB of slack keep a second pass rare.
  size_t room = bound;
  if (last_in_ != 0) {
    const double guess =
        static_cast<double>(in.size()) * static_cast<double>(last_out_) / static_cast<double>(last_in_);
    room = std::min(bound, static_cast<size_t>(guess * 1.25) + 4096);
  }
  while (true) {
    out->resize(room);
    const size_t n = libdeflate_gzip_compress(compressor_, in.data(), in.size(), out->data(), out->size());
    if (n != 0) {
      out->resize(n);
      last_in_ = in.size();
      last_out_ = n;
      return true;
    }
    if (room == bound) break;
    room = bound;
  }
  out->clear();
  return false;
}

bool GzipDecompress(std::string_view in, std::string* out) {
  out->clear();
  // The trailer's ISIZE (size mod 2^32) is a good first guess; a lying one
  // only costs extra rounds of growth.
  size_t size = 4096;
  if (in.size() >= 18) {
    uint32_t isize = 0;
    for (int i = 0; i < 4; ++i) isize |= static_cast<uint32_t>(static_cast<uint8_t>(in[in.size() - 4 + i])) << (8 * i);
    if (isize > size && isize <= kMaxDecompressed) size = isize;
  }
  libdeflate_decompressor* d = libdeflate_alloc_decompressor();
  if (d == nullptr) return false;
  bool ok = false;
  while (true) {
    out->resize(size);
    size_t actual = 0;
    const libdeflate_result r = libdeflate_gzip_decompress(d, in.data(), in.size(), out->data(), out->size(), &actual);
    if (r == LIBDEFLATE_SUCCESS) {
      out->resize(actual);
      ok = true;
      break;
    }
    if (r != LIBDEFLATE_INSUFFICIENT_SPACE || size >= kMaxDecompressed) break;
    size = size * 2 > kMaxDecompressed ? kMaxDecompressed : size * 2;
  }
  libdeflate_free_decompressor(d);
  if (!ok) out->clear();
  return ok;
}

// Accept-Encoding: a comma-separated list of codings with optional ";q=".
// An explicit gzip entry decides; otherwise "*" stands in for it.
bool AcceptsGzip(std::string_view accept_encoding) {
  int gzip_q = -1;
  int star_q = -1;
  std::string_view rest = accept_encoding;
  while (!rest.empty()) {
    size_t comma = rest.find(',');
    std::string_view element = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);

    size_t semi = element.find(';');
    const std::string_view coding = Trim(element.substr(0, semi));
    int q = 1000;
    while (semi != std::string_view::npos) {
      element.remove_prefix(semi + 1);
      semi = element.find(';');
      const std::string_view param = Trim(element.substr(0, semi));
      const size_t eq = param.find('=');
      if (eq == std::string_view::npos) continue;
      if (EqualsIgnoreCase(Trim(param.substr(0, eq)), "q")) q = ParseQMillis(Trim(param.substr(eq + 1)));
    }
    if (q < 0) continue;  // A malformed entry accepts nothing.
    if (EqualsIgnoreCase(coding, "gzip") || EqualsIgnoreCase(coding, "x-gzip")) {
      gzip_q = std::max(gzip_q, q);
    } else if (coding == "*") {
      star_q = std::max(star_q, q);
    }
  }
  if (gzip_q >= 0) return gzip_q > 0;
  return star_q > 0;
}

}  // namespace nodex::expo
