// The cpu_vulnerabilities collector (mirrors node_exporter's
// cpu_vulnerabilities collector, collector/cpu_vulnerabilities_linux.go on
// top of procfs' sysfs/vulnerability.go): one node_cpu_vulnerabilities_info
// series per file in /sys/devices/system/cpu/vulnerabilities, with labels
// codename (the file name), state and mitigation.
#ifndef NODEX_COLLECTORS_CPU_VULNERABILITIES_H_
#define NODEX_COLLECTORS_CPU_VULNERABILITIES_H_

#include <string>
#include <string_view>

#include "collectors/collector.h"

namespace nodex::collectors {

struct CpuVulnerability {
  std::string_view state;  // "not affected", "vulnerable", "mitigation" or "unknown".
  std::string mitigation;  // Reused between parses: keeps its capacity.
};

// Parses one file of /sys/devices/system/cpu/vulnerabilities, one line:
//   Not affected
//   Vulnerable: Clear CPU buffers attempted, no microcode; SMT vulnerable
//   Mitigation: usercopy/swapgs barriers and __user pointer sanitization
// The state is the case-insensitive prefix ("Not affected", "Vulnerable",
// "Mitigation", "Unknown"); for the last three the mitigation is every
// whitespace-separated word after the first, joined by single spaces
// ("Vulnerable" alone gives ""). Text with no known prefix is kept whole as
// the mitigation with state "unknown", as procfs does, so parsing never fails;
// new kernels add files (gather_data_sampling 6.5, tsa 6.16, vmscape 6.17)
// and wordings freely.
void ParseCpuVulnerability(std::string_view content, CpuVulnerability* out);

StatusOr<std::unique_ptr<Collector>> NewCpuVulnerabilitiesCollector(const Context& ctx);

}  // namespace nodex::collectors

#endif  // NODEX_COLLECTORS_CPU_VULNERABILITIES_H_
