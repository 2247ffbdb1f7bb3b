// Fuzzes ParseCpuVulnerability (/sys/devices/system/cpu/vulnerabilities/*):
// it never fails, so check that the state is one of the four known strings
// and the mitigation never grows beyond the input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "collectors/cpu_vulnerabilities.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  nodex::collectors::CpuVulnerability v;
  nodex::collectors::ParseCpuVulnerability(input, &v);
  if (v.state != "not affected" && v.state != "vulnerable" && v.state != "mitigation" && v.state != "unknown") {
    std::abort();
  }
  if (v.mitigation.size() > input.size()) std::abort();
  return 0;
}
