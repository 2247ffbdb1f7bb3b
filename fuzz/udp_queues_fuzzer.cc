// Fuzzes ParseUdpQueues (/proc/net/udp and /proc/net/udp6). It must not
// crash, and a successful parse counts at most one socket per line.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "collectors/udp_queues.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto s = nodex::collectors::ParseUdpQueues(text);
  if (s.ok()) {
    size_t lines = 0;
    for (char c : text) lines += c == '\n';
    if (s->sockets > lines + 1) std::abort();
  }
  return 0;
}
