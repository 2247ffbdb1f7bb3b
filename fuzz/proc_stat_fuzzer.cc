// Fuzzes ParseProcStat (/proc/stat, shared by the cpu and stat collectors)
// and feeds what it accepts through the cpu collector's counter merge.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "collectors/cpu.h"
#include "collectors/proc_stat.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using nodex::collectors::CpuTimes;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  static nodex::collectors::ProcStat stat;  // Reused, as the collectors do.
  if (!nodex::collectors::ParseProcStat(input, &stat).ok()) return 0;
  CpuTimes kept;
  for (const auto& cpu : stat.cpus) {
    if (cpu.id < 0) __builtin_trap();
    // ParseDouble never yields NaN or Inf; /100 keeps them finite.
    if (!std::isfinite(cpu.times.user) || !std::isfinite(cpu.times.guest_nice)) __builtin_trap();
    CpuTimes before = kept;
    auto r = nodex::collectors::MergeCpuTimes(cpu.times, &kept);
    // Without a reset, kept counters never decrease.
    if (!r.reset && (kept.user < before.user || kept.idle < before.idle || kept.steal < before.steal)) {
      __builtin_trap();
    }
  }
  return 0;
}
