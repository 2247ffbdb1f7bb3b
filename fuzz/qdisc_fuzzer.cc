// Fuzzes the qdisc collector's two parsers: the RTM_GETQDISC dump decoder
// (input = raw recvmsg() bytes) and the results.json fixture loader
// (input = JSON text). Both must reject garbage without crashing or throwing.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "collectors/qdisc.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using nodex::collectors::QdiscInfo;
  std::vector<QdiscInfo> qdiscs;
  size_t count = 0;
  (void)nodex::collectors::DecodeQdiscDump(std::span<const uint8_t>(data, size), 0, &qdiscs, &count);
  (void)nodex::collectors::ParseQdiscFixture(std::string_view(reinterpret_cast<const char*>(data), size), &qdiscs);
  return 0;
}
