// The cpufreq collector (mirrors node_exporter's cpufreq collector,
// collector/cpufreq_linux.go, on procfs' sysfs/system_cpu.go): per-CPU
// frequencies and governors from /sys/devices/system/cpu/cpu<N>/cpufreq/:
//   node_cpu_frequency_hertz, node_cpu_frequency_{min,max}_hertz (cpuinfo_*),
//   node_cpu_scaling_frequency_hertz, node_cpu_scaling_frequency_{min,max}_hertz,
//   node_cpu_scaling_governor{cpu,governor}.
// The cpu collector's cpuinfo-based node_cpu_frequency_hertz{package,core,cpu}
// is a different series set and stays there.
#ifndef NODEX_COLLECTORS_CPUFREQ_H_
#define NODEX_COLLECTORS_CPUFREQ_H_

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "collectors/collector.h"

namespace nodex::collectors {

StatusOr<std::unique_ptr<Collector>> NewCpufreqCollector(const Context& ctx);

// Parses one numeric cpufreq attribute (cpuinfo_cur_freq, scaling_min_freq,
// cpuinfo_transition_latency, ...), a single kHz (or ns) value:
//   1699981
//   800000
// Surrounding whitespace is trimmed; the rest must be a decimal uint64, as
// procfs' ParseUint requires. Drivers without a hardware read-back (e.g.
// intel_pstate in passive mode, most VMs) have no cpuinfo_cur_freq at all,
// and it is root-only (0400) where it exists; the collector treats both as
// absent, like procfs.
[[nodiscard]] std::optional<uint64_t> ParseCpufreqValue(std::string_view attr);

// Splits scaling_available_governors ("performance powersave") on single
// spaces after trimming, exactly like Go's strings.Split(s, " "): an empty
// attribute gives one empty name and doubled spaces give empty names, which
// node_exporter exports as governor="". *out is cleared first.
void ParseGovernors(std::string_view available, std::vector<std::string_view>* out);

}  // namespace nodex::collectors

#endif  // NODEX_COLLECTORS_CPUFREQ_H_
