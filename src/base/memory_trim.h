// Gives back, once startup is over, the file pages of nodex's executable and
// shared libraries that startup touched and serving does not need: flag
// parsing, collector setup, the ELF relocation tables, and the GnuTLS stack,
// which libmicrohttpd initialises when it loads even if TLS is off. A page
// that is needed again simply faults back in, so this trims exactly what the
// following scrapes never touch, without a list of libraries. (The startup and
// first-scrape code sit apart from the steady-state code in the executable,
// cmake/NodexTextOrder.cmake, so what faults back is a few dense 64 KiB
// windows.)
//
// Not cosmetic: these are page-cache pages. In the FROM scratch image nothing
// else maps nodex's files, so they are charged to nodex's cgroup (page cache
// counts in memory.current) and MADV_PAGEOUT evicts them from the page cache
// rather than just unmapping them. Pages other processes also map (libc on a
// host) are skipped by the kernel. Only read-only mappings without
// copy-on-write copies are chosen: relocated data (RELRO) is anonymous memory,
// which would go to swap. The kernel may reclaim all of these pages by itself
// under memory pressure at any time; this only does it early.
//
// The kernel pages out file pages only for a process that owns the file, may
// write it, or has CAP_FOWNER; otherwise madvise succeeds and does nothing. So
// in a container running as a non-root user, the executable and libraries
// must belong to that user (they stay read-only with readOnlyRootFilesystem).
// Kernels before 5.4 reject MADV_PAGEOUT. Neither is an error.
#ifndef NODEX_BASE_MEMORY_TRIM_H_
#define NODEX_BASE_MEMORY_TRIM_H_

#include <cstdint>
#include <string_view>
#include <vector>

#include "base/log.h"

namespace nodex {

struct TrimRange {
  uintptr_t start = 0;
  uintptr_t end = 0;
  uint64_t rss_kib = 0;
  std::string_view path;  // Points into the smaps text.
};

// The mappings worth paging out in SMAPS, the text of /proc/<pid>/smaps:
// private, non-writable mappings with resident pages and no anonymous ones,
// of files the process maps executable somewhere (the executable and the
// shared libraries; not data files, memfds or [vdso]).
//   5641c8dca000-5641c912f000 r-xp 00030000 fd:01 1311 /usr/bin/nodex
//   Rss:                3204 kB
//   Anonymous:             0 kB
[[nodiscard]] std::vector<TrimRange> ChooseTrimRanges(std::string_view smaps);

struct TrimResult {
  int mappings = 0;      // Mappings advised.
  uint64_t rss_kib = 0;  // Their resident size before; what the kernel frees may be less.
  int error = 0;         // errno of the first failure, 0 if none.
};

// Reads /proc/self/smaps and applies MADV_PAGEOUT to ChooseTrimRanges.
// Logs the outcome at debug level only.
TrimResult PageOutStartupMemory(Logger* log);

}  // namespace nodex

#endif  // NODEX_BASE_MEMORY_TRIM_H_
