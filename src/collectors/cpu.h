// The cpu collector (mirrors node_exporter's cpu collector, cpu_linux.go):
//   node_cpu_seconds_total{cpu,mode}, node_cpu_guest_seconds_total{cpu,mode}
//     from /proc/stat (see proc_stat.h);
//   node_cpu_info{...}, node_cpu_frequency_hertz{package,core,cpu},
//     node_cpu_flag_info{flag}, node_cpu_bug_info{bug} from /proc/cpuinfo;
//   node_cpu_core_throttles_total{package,core},
//     node_cpu_package_throttles_total{package},
//     node_cpu_online{cpu} from /sys/devices/system/cpu/cpu*/;
//   node_cpu_isolated{cpu} from /sys/devices/system/cpu/isolated.
#ifndef NODEX_COLLECTORS_CPU_H_
#define NODEX_COLLECTORS_CPU_H_

#include <cstdint>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "collectors/collector.h"
#include "collectors/proc_stat.h"

namespace nodex::collectors {

// --collector.cpu.* options, as node_exporter names them.
inline constexpr FlagDef kCpuFlags[] = {
    {"collector.cpu.guest", FlagKind::kBool, "true", "Export guest (VM) CPU time as node_cpu_guest_seconds_total."},
    {"collector.cpu.info", FlagKind::kBool, "false",
     "Export node_cpu_info, node_cpu_frequency_hertz and the flag/bug info families from cpuinfo."},
    {"collector.cpu.info.flags-include", FlagKind::kString, "",
     "RE2 pattern: cpuinfo flags that match become node_cpu_flag_info series."},
    {"collector.cpu.info.bugs-include", FlagKind::kString, "",
     "RE2 pattern: cpuinfo bugs that match become node_cpu_bug_info series."},
};

StatusOr<std::unique_ptr<Collector>> NewCpuCollector(const Context& ctx);

// One processor block of /proc/cpuinfo. Text fields are the raw text after
// "key<tabs>: " (not trimmed, as procfs keeps them) and view the parsed
// buffer, so they are valid only while that buffer is.
struct CpuInfo {
  uint32_t processor = 0;
  std::string_view vendor_id;
  std::string_view cpu_family;
  std::string_view model;
  std::string_view model_name;
  std::string_view stepping;
  std::string_view microcode;
  std::string_view cache_size;
  std::string_view physical_id;
  std::string_view core_id;
  double cpu_mhz = 0;
  std::string_view flags;  // Space-separated; split with NextField.
  std::string_view bugs;   // Space-separated; split with NextField.
};

// Parses /proc/cpuinfo in its x86 layout (procfs parseCPUInfoX86), one block
// per logical CPU separated by blank lines:
//   processor	: 0
//   vendor_id	: GenuineIntel
//   cpu MHz		: 799.998
//   flags		: fpu vme de pse tsc msr pae mce cx8 apic sep mtrr
// The first non-blank line must be a "processor" line. Lines without ": "
// (e.g. "power management:" with no value) are skipped; unknown keys are
// ignored. Numeric keys (processor, cpu MHz, siblings, cpu cores, cpuid
// level, bogomips, clflush size, cache_alignment) must parse, like procfs;
// integer keys accept Go's base prefixes (0x, 0o, 0b, leading 0 = octal).
// Quirks: older kernels have no "bugs" line; VMs often lack "microcode" and
// report a nominal "cpu MHz"; other architectures use different layouts
// (arm64 "Features", s390x) which this parser does not handle. *out is
// cleared first and its capacity reused.
Status ParseCpuInfo(std::string_view content, std::vector<CpuInfo>* out);

// Parses a sysfs CPU list such as /sys/devices/system/cpu/isolated:
//   1,3-5,9
// (an empty line means none). Values above 65535 are rejected: procfs stores
// them as uint16 and would silently wrap. *out is cleared first.
Status ParseCpuList(std::string_view content, std::vector<uint16_t>* out);

// What happened to the kept counters of one CPU in MergeCpuTimes.
struct CpuMergeResult {
  bool reset = false;      // Idle fell by >= kCpuJumpBackSeconds: counters restarted.
  uint16_t backwards = 0;  // Bit i set: field i (user, nice, ... guest_nice order) fell and was held.
};

// node_exporter's idle jump-back limit: a bigger drop means a hotplugged CPU.
inline constexpr double kCpuJumpBackSeconds = 3.0;

// Folds a fresh /proc/stat reading into the counters exported last time,
// as node_exporter's updateCPUStats does: if idle dropped by at least
// kCpuJumpBackSeconds the CPU was replaced (hotplug) and all counters restart
// from the fresh values; otherwise every field only moves forward, and a
// field that went backwards (a known kernel accounting glitch on some
// hypervisors) keeps its previous value so counters stay monotonic.
CpuMergeResult MergeCpuTimes(const CpuTimes& fresh, CpuTimes* kept);

}  // namespace nodex::collectors

#endif  // NODEX_COLLECTORS_CPU_H_
