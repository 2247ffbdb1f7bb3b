// gzip for /metrics responses, through libdeflate (one compressor kept per
// server thread: allocating it costs more than compressing a scrape).
#ifndef NODEX_EXPO_GZIP_H_
#define NODEX_EXPO_GZIP_H_

#include <string>
#include <string_view>

struct libdeflate_compressor;

namespace nodex::expo {

class GzipCompressor {
 public:
  explicit GzipCompressor(int level = 1);
  ~GzipCompressor();
  GzipCompressor(const GzipCompressor&) = delete;
  GzipCompressor& operator=(const GzipCompressor&) = delete;

  // Compresses `in` into *out (replacing its contents). False on failure.
  // *out is sized from the previous call's compression ratio rather than
  // libdeflate's worst-case bound (about the size of `in`), so a fresh string
  // ends up about as large as what it holds; output that outgrew that guess
  // is compressed again into the bound.
  bool Compress(std::string_view in, std::string* out);

 private:
  libdeflate_compressor* compressor_;
  // Input and output size of the last successful call; 0: none yet.
  size_t last_in_ = 0;
  size_t last_out_ = 0;
};

// Decompresses a gzip member; for tests. False on malformed input.
bool GzipDecompress(std::string_view in, std::string* out);

// True if an Accept-Encoding header value accepts gzip (q > 0).
bool AcceptsGzip(std::string_view accept_encoding);

}  // namespace nodex::expo

#endif  // NODEX_EXPO_GZIP_H_
