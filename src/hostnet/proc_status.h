// Pure parsers for the few per-process procfs fields that host-network
// awareness needs. All of them are readable by an unprivileged process for
// every pid (unlike /proc/<pid>/ns/* or /proc/<pid>/fd, which need ptrace
// access).
//
//   /proc/<pid>/stat     "1 (systemd) S 0 1 1 0 -1 4194560 ..."   comm and ppid
//   /proc/<pid>/status   "NSpid:\t4242\t1"                       PID in each namespace
//                        "CapEff:\t0000000000000400"              effective capabilities
//   /proc/<pid>/cmdline  "python3\0-m\0http.server\0"             argv, NUL-separated
//
// Quirks: comm may contain spaces and ')' (split at the last ')'); NSpid
// exists since Linux 4.1; kernel threads have an empty cmdline.
#ifndef NODEX_HOSTNET_PROC_STATUS_H_
#define NODEX_HOSTNET_PROC_STATUS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace nodex::hostnet {

struct StatHead {
  std::string_view comm;  // Without the parentheses; views the input.
  char state = '?';
  int64_t ppid = 0;
};

// Parses the start of /proc/<pid>/stat up to the parent pid.
[[nodiscard]] std::optional<StatHead> ParseStatHead(std::string_view stat);

// The number of PID namespaces the process is visible in, counted from the
// namespace of the procfs it was read through down to its own: 1 means the
// process lives in that procfs's PID namespace. nullopt when the NSpid line
// is absent (kernels before 4.1) or malformed.
[[nodiscard]] std::optional<size_t> ParseNsPidDepth(std::string_view status);

// The effective capability mask from the CapEff line.
[[nodiscard]] std::optional<uint64_t> ParseCapEff(std::string_view status);

// Capability numbers from <linux/capability.h>, for ParseCapEff masks.
inline constexpr int kCapNetBindService = 10;
inline constexpr int kCapSysTime = 25;

// A command for messages: argv joined by spaces, cut at `max_size` bytes
// with "...", or "[comm]" when argv is empty (kernel threads, zombies).
std::string FormatCommand(std::string_view cmdline, std::string_view comm, size_t max_size = 120);

}  // namespace nodex::hostnet

#endif  // NODEX_HOSTNET_PROC_STATUS_H_
