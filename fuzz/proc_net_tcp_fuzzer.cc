// Fuzzes ParseProcNetSockets (/proc/net/{tcp,udp}{,6}) as an IPv4 and as an
// IPv6 table, and checks that accepted rows are self-consistent.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "hostnet/listeners.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  for (bool ipv6 : {false, true}) {
    std::vector<nodex::hostnet::SocketRow> rows;
    if (!nodex::hostnet::ParseProcNetSockets(input, ipv6, &rows).ok()) continue;
    for (const nodex::hostnet::SocketRow& row : rows) {
      if (row.ipv6 != ipv6) std::abort();
      // IPv4 rows only use the first 4 address bytes.
      for (size_t i = 4; !ipv6 && i < row.local.size(); ++i) {
        if (row.local[i] != 0) std::abort();
      }
      if (nodex::hostnet::FormatAddress(row).empty()) std::abort();
    }
  }
  return 0;
}
