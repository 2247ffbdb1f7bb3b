// Fuzzes ParseNetstat (/proc/net/netstat, /proc/net/snmp) and ParseSnmp6
// (/proc/net/snmp6) on the same input: neither may crash, and accepted
// values must be finite.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "collectors/netstat.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::vector<nodex::collectors::NetstatField> fields;
  uint32_t block = 0;
  if (nodex::collectors::ParseNetstat(input, &fields, &block).ok()) {
    for (const auto& f : fields) {
      if (!std::isfinite(f.value) || f.block >= block) std::abort();
    }
  }
  fields.clear();
  if (nodex::collectors::ParseSnmp6(input, &fields, &block).ok()) {
    for (const auto& f : fields) {
      if (!std::isfinite(f.value) || f.protocol.empty() || f.protocol.back() != '6') std::abort();
    }
  }
  return 0;
}
