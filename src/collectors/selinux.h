// The selinux collector (mirrors node_exporter's selinux collector,
// collector/selinux_linux.go and selinux_stats_linux.go, which ask the
// opencontainers go-selinux library whether SELinux is on): node_selinux_enabled
// always; when enabled also node_selinux_config_mode, node_selinux_current_mode
// and the access vector cache (AVC) statistics node_selinux_avc_*.
//
// Like go-selinux, SELinux counts as enabled when a writable selinuxfs is
// mounted (/sys/fs/selinux, else the first selinuxfs in /proc/self/mountinfo)
// and this thread's label (/proc/thread-self/attr/current) is not "kernel".
// Those probes and /etc/selinux/config use the real root, not --path.*, as in
// node_exporter; the AVC files are read under --path.sysfs (fs/selinux/avc).
#ifndef NODEX_COLLECTORS_SELINUX_H_
#define NODEX_COLLECTORS_SELINUX_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "collectors/collector.h"

namespace nodex::collectors {

// Where SELinux lives on this system.
struct SelinuxSystem {
  std::string selinuxfs;                            // Mount point; "" means SELinux is disabled.
  std::string config_path = "/etc/selinux/config";  // SELINUX=enforcing|permissive|disabled.
};

// go-selinux's probe of the running system (statfs, /proc/filesystems,
// /proc/self/mountinfo, /proc/thread-self/attr/current).
SelinuxSystem DetectSelinux();

// The boot-time mode in /etc/selinux/config:
//   # comment
//   SELINUX=enforcing
//   SELINUXTYPE=targeted
// The first "SELINUX=" line counts (key matched exactly, value with '"'
// trimmed): enforcing 1, permissive 0, anything else or no line -1.
int ParseSelinuxConfigMode(std::string_view config);

// selinuxfs "enforce", written by the kernel as "%d" without a newline: "1"
// or "0". Like go-selinux (strconv.Atoi on the raw bytes) anything that is
// not exactly one integer gives -1.
int ParseSelinuxEnforce(std::string_view content);

struct AvcCacheStats {
  uint64_t lookups = 0, hits = 0, misses = 0, allocations = 0, reclaims = 0, frees = 0;
};

// selinuxfs avc/cache_stats: a header line, then one line per CPU:
//   lookups hits misses allocations reclaims frees
//   2410312 2409721 591 591 143 124
//   1876101 1875963 138 138 0 16
// Per-CPU lines are summed. The header is skipped unread; every other line
// must hold exactly six digit runs (node_exporter's \d+ regexp), each an
// integer in Go's base-0 syntax (so a leading 0 means octal) within uint64.
[[nodiscard]] Status ParseAvcCacheStats(std::string_view content, AvcCacheStats* out);

struct AvcHashStats {
  uint64_t entries = 0, buckets_used = 0, buckets_available = 0, longest_chain = 0;
};

// selinuxfs avc/hash_stats, three lines:
//   entries: 503
//   buckets used: 282/512
//   longest chain: 5
// Only the first three lines are read; a missing "buckets used: " or '/'
// fails (node_exporter would crash), as does a non-integer value.
[[nodiscard]] Status ParseAvcHashStats(std::string_view content, AvcHashStats* out);

// Probes the system with DetectSelinux() on the first scrape and keeps the
// answer, as go-selinux does.
StatusOr<std::unique_ptr<Collector>> NewSelinuxCollector(const Context& ctx);

// The same collector with a given system (tests; no probing).
StatusOr<std::unique_ptr<Collector>> NewSelinuxCollectorForSystem(const Context& ctx, SelinuxSystem system);

}  // namespace nodex::collectors

#endif  // NODEX_COLLECTORS_SELINUX_H_
