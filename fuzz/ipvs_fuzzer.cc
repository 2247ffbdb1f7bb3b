// Fuzzes the ipvs parsers: ParseIpvsStats (/proc/net/ip_vs_stats) and
// ParseIpvsBackends (/proc/net/ip_vs), plus address formatting of whatever
// the backend parser accepted. Nothing may crash, and every parsed backend
// must come from a "->" line.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/ipvs.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)nodex::collectors::ParseIpvsStats(text);
  std::vector<nodex::collectors::IpvsBackend> backends;
  if (nodex::collectors::ParseIpvsBackends(text, &backends).ok()) {
    size_t arrows = 0;
    for (size_t pos = text.find("->"); pos != std::string_view::npos; pos = text.find("->", pos + 1)) ++arrows;
    if (backends.size() > arrows) std::abort();
    std::string s;
    for (const auto& b : backends) {
      nodex::collectors::AppendIpvsAddress(b.local_address, &s);
      nodex::collectors::AppendIpvsAddress(b.remote_address, &s);
    }
  }
  return 0;
}
