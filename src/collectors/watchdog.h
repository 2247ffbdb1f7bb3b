// The watchdog collector (mirrors node_exporter's watchdog collector,
// collector/watchdog.go, on top of procfs' sysfs/class_watchdog.go): one set
// of node_watchdog_* gauges per device under /sys/class/watchdog.
#ifndef NODEX_COLLECTORS_WATCHDOG_H_
#define NODEX_COLLECTORS_WATCHDOG_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "collectors/collector.h"

namespace nodex::collectors {

// The attributes of one /sys/class/watchdog/<name> directory. Absent files
// stay unset (older kernels and some drivers lack timeleft, pretimeout,
// pretimeout_governor and access_cs0).
struct WatchdogStats {
  std::optional<int64_t> bootstatus, fw_version, nowayout, timeleft, timeout, pretimeout, access_cs0;
  // Info strings; `has_*` distinguishes an absent file from an empty one.
  std::string options, identity, state, status, pretimeout_governor;
  bool has_options = false, has_identity = false, has_state = false, has_status = false,
       has_pretimeout_governor = false;

  void Reset();
};

// Parses one attribute file of a watchdog directory into *out. `file` is the
// attribute's name and `content` what one read of it returned, e.g.:
//   bootstatus  -> "0\n"
//   options     -> "0x8380\n"
//   identity    -> "iTCO_wdt\n"
// Content is whitespace-trimmed like procfs' SysReadFile. Numbers are parsed
// like Go's strconv.ParseInt(s, 0, 64), so "0x10" is 16; a value that does not
// parse fails the whole collector, as in node_exporter. Unknown file names
// are ignored.
[[nodiscard]] Status ParseWatchdogAttribute(std::string_view file, std::string_view content, WatchdogStats* out);

StatusOr<std::unique_ptr<Collector>> NewWatchdogCollector(const Context& ctx);

}  // namespace nodex::collectors

#endif  // NODEX_COLLECTORS_WATCHDOG_H_
