// The sysctl collector (mirrors node_exporter's sysctl collector,
// collector/sysctl_linux.go on top of procfs' sysctl.go): exports the sysctls
// named by --collector.sysctl.include (numeric, node_sysctl_<name>) and
// --collector.sysctl.include-info (text, node_sysctl_info{name,value,index}).
// Both flags repeat. "name:key1,key2" splits a multi-value numeric sysctl
// into node_sysctl_<name>_<key> series instead of one series per index.
#ifndef NODEX_COLLECTORS_SYSCTL_H_
#define NODEX_COLLECTORS_SYSCTL_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/collector.h"

namespace nodex::collectors {

inline constexpr FlagDef kSysctlFlags[] = {
    {"collector.sysctl.include", FlagKind::kList, "",
     "Numeric sysctl to export, e.g. vm.swappiness; \"name:a,b,c\" names each value of a multi-value sysctl. "
     "Repeatable."},
    {"collector.sysctl.include-info", FlagKind::kList, "",
     "Text sysctl to export as node_sysctl_info labels, e.g. kernel.seccomp.actions_avail. Repeatable."},
};

// One --collector.sysctl.include[-info] value.
struct SysctlSpec {
  std::string name;               // Dotted sysctl name, e.g. "fs.file-nr".
  std::vector<std::string> keys;  // From "name:k1,k2"; empty without ':'.
  bool numeric = true;            // include (true) or include-info (false).
};

// Splits "name" or "name:k1,k2,..." at the first ':' and the keys at every
// ',' (so "name:" gives one empty key, as node_exporter's strings.Split does).
SysctlSpec ParseSysctlInclude(std::string_view include, bool numeric);

// node_exporter's SanitizeMetricName: every run of characters outside
// [A-Za-z0-9_], with the underscores around it, becomes one '_':
// "fs.file-nr" -> "fs_file_nr", "a_.b" -> "a_b".
std::string SanitizeSysctlName(std::string_view name);

// Parses the text of /proc/sys/<name with '.' -> '/'> as whitespace-separated
// integers, like procfs' SysctlInts:
//   1024	0	1631329
//   7801
// Each field is a Go ParseInt(base 0) integer: optional sign, then decimal,
// 0x/0X hex, 0o/0O or leading-0 octal, or 0b/0B binary, within int64.
// (Go's '_' digit separators are not accepted; /proc/sys never prints them.)
// A non-integer field fails; an empty file gives no values (the collector
// then fails, as node_exporter does).
[[nodiscard]] Status ParseSysctlInts(std::string_view content, std::vector<int64_t>* out);

// Splits the text of a sysctl into whitespace-separated words (procfs'
// SysctlStrings):
//   kill_process kill_thread trap errno user_notif trace log allow
// Views point into content. Never fails.
void ParseSysctlStrings(std::string_view content, std::vector<std::string_view>* out);

// Unlike procfs, which reads at most 128 bytes of a sysctl and silently
// drops the rest, nodex reads the whole file.
StatusOr<std::unique_ptr<Collector>> NewSysctlCollector(const Context& ctx);

}  // namespace nodex::collectors

#endif  // NODEX_COLLECTORS_SYSCTL_H_
