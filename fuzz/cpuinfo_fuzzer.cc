// Fuzzes ParseCpuInfo (/proc/cpuinfo) and ParseCpuList (sysfs CPU lists such
// as devices/system/cpu/isolated), both used by the cpu collector.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "base/split.h"
#include "collectors/cpu.h"

namespace {

// Every view the parser hands out must point into the input buffer.
void CheckInside(std::string_view input, std::string_view v) {
  if (v.empty()) return;
  if (v.data() < input.data() || v.data() + v.size() > input.data() + input.size()) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  static std::vector<nodex::collectors::CpuInfo> info;
  if (nodex::collectors::ParseCpuInfo(input, &info).ok()) {
    if (info.empty()) __builtin_trap();
    for (const auto& cpu : info) {
      for (std::string_view v : {cpu.vendor_id, cpu.cpu_family, cpu.model, cpu.model_name, cpu.stepping, cpu.microcode,
                                 cpu.cache_size, cpu.physical_id, cpu.core_id, cpu.flags, cpu.bugs}) {
        CheckInside(input, v);
      }
      std::string_view flags = cpu.flags, flag;
      while (nodex::NextField(&flags, &flag)) CheckInside(input, flag);
    }
  }
  static std::vector<uint16_t> cpus;
  if (nodex::collectors::ParseCpuList(input, &cpus).ok() && cpus.size() > 65536u * (size / 2 + 1)) {
    __builtin_trap();
  }
  return 0;
}
