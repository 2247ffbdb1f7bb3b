// Fuzzes ParseNfsClient (/proc/net/rpc/nfs): no crash on any input.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "collectors/nfs.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  nodex::collectors::NfsClientStats stats;
  (void)nodex::collectors::ParseNfsClient(input, &stats);
  return 0;
}
