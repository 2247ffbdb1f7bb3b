// Fuzzes ParseTcpDiagBuffer, the bounds-checked decoder of SOCK_DIAG dump
// replies, with any sequence number and with the one in the first header.
// It must not crash or read outside the buffer (run under ASan), and the
// socket states it counts cannot exceed the number of 72-byte messages that
// fit in the input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <span>

#include "collectors/tcpstat.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> buf(data, size);
  nodex::collectors::TcpStateCounts counts;
  (void)nodex::collectors::ParseTcpDiagBuffer(buf, 0, &counts);
  double sockets = 0;
  for (int s = 0; s < 256; ++s) {
    if (s != 12 && s != 13) sockets += counts.value[s];
  }
  if (sockets > static_cast<double>(size / 88)) std::abort();  // 16-byte header + 72-byte message
  if (size >= 12) {
    uint32_t seq;
    std::memcpy(&seq, data + 8, 4);
    counts.Clear();
    (void)nodex::collectors::ParseTcpDiagBuffer(buf, seq, &counts);
  }
  return 0;
}
