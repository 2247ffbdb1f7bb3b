// Fuzzes the cpufreq attribute parsers: ParseCpufreqValue and ParseGovernors
// on the same input, plus the sysfs cpu list parser the collector uses for
// devices/system/cpu/offline.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "collectors/cpu.h"
#include "collectors/cpufreq.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  (void)nodex::collectors::ParseCpufreqValue(input);
  std::vector<std::string_view> governors;
  nodex::collectors::ParseGovernors(input, &governors);
  if (governors.empty() || governors.size() > size + 1) std::abort();
  std::vector<uint16_t> cpus;
  (void)nodex::collectors::ParseCpuList(input.substr(0, 64), &cpus);
  return 0;
}
