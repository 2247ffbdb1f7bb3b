// Fuzzes ParseNfsd (/proc/net/rpc/nfsd): no crash on any input.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "collectors/nfsd.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  nodex::collectors::NfsdStats stats;
  (void)nodex::collectors::ParseNfsd(input, &stats);
  return 0;
}
