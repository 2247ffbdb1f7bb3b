#include "base/memory_trim.h"

#include <errno.h>
#include <sys/mman.h>

#include <cstring>
#include <optional>
#include <set>
#include <string>

#include "base/file_reader.h"
#include "base/parse.h"
#include "base/split.h"

namespace nodex {
namespace {

struct Mapping {
  uintptr_t start = 0;
  uintptr_t end = 0;
  std::string_view perms;
  std::string_view path;
  std::optional<uint64_t> rss_kib;
  std::optional<uint64_t> anonymous_kib;
};

// "start-end perms offset dev inode [path]", the path possibly with spaces.
std::optional<Mapping> ParseHeader(std::string_view line) {
  std::string_view range, perms, offset, dev, inode;
  if (!NextField(&line, &range) || !NextField(&line, &perms) || !NextField(&line, &offset) || !NextField(&line, &dev) ||
      !NextField(&line, &inode)) {
    return std::nullopt;
  }
  size_t dash = range.find('-');
  if (dash == std::string_view::npos || perms.size() != 4) return std::nullopt;
  std::optional<uint64_t> start = ParseInt<uint64_t>(range.substr(0, dash), 16);
  std::optional<uint64_t> end = ParseInt<uint64_t>(range.substr(dash + 1), 16);
  std::optional<uint64_t> ino = ParseU64(inode);
  if (!start || !end || !ino || *end <= *start) return std::nullopt;
  Mapping m;
  m.start = *start;
  m.end = *end;
  m.perms = perms;
  // Anonymous and special mappings ([heap], [vdso], ...) have inode 0 or no path.
  std::string_view path = TrimSpace(line);
  if (*ino != 0 && path.starts_with('/')) m.path = path;
  return m;
}

// "Rss:   3204 kB" -> 3204.
std::optional<uint64_t> KibValue(std::string_view rest) {
  std::string_view number, unit;
  if (!NextField(&rest, &number) || !NextField(&rest, &unit) || unit != "kB") return std::nullopt;
  return ParseU64(number);
}

}  // namespace

std::vector<TrimRange> ChooseTrimRanges(std::string_view smaps) {
  std::vector<Mapping> mappings;
  std::string_view line;
  while (NextLine(&smaps, &line)) {
    std::string_view rest = line, first;
    if (!NextField(&rest, &first)) continue;
    if (first.ends_with(':')) {
      if (mappings.empty()) continue;
      if (first == "Rss:") mappings.back().rss_kib = KibValue(rest);
      if (first == "Anonymous:") mappings.back().anonymous_kib = KibValue(rest);
      continue;
    }
    // An unparsable header must not lend its attributes to the mapping before it.
    if (std::optional<Mapping> m = ParseHeader(line)) {
      mappings.push_back(*m);
    } else {
      mappings.push_back(Mapping{});
    }
  }

  // ELF objects the loader mapped: files with code. Read-only data files,
  // memfds and the like are left alone.
  std::set<std::string_view> objects;
  for (const Mapping& m : mappings) {
    if (!m.path.empty() && m.perms[2] == 'x') objects.insert(m.path);
  }
  std::vector<TrimRange> chosen;
  for (const Mapping& m : mappings) {
    if (m.path.empty() || !objects.contains(m.path)) continue;
    if (m.perms[1] == 'w' || m.perms[3] != 'p') continue;
    // A missing Anonymous: line means we cannot tell; skip rather than swap.
    if (!m.anonymous_kib || *m.anonymous_kib != 0 || !m.rss_kib || *m.rss_kib == 0) continue;
    chosen.push_back(TrimRange{m.start, m.end, *m.rss_kib, m.path});
  }
  return chosen;
}

TrimResult PageOutStartupMemory(Logger* log) {
  TrimResult result;
  std::string smaps;
  Status read = ReadFileOnce("/proc/self/smaps", &smaps);
  if (!read.ok()) {
    log->Debug("Not paging out startup memory", {{"err", read.message()}});
    return result;
  }
  std::vector<TrimRange> ranges = ChooseTrimRanges(smaps);
  for (const TrimRange& r : ranges) {
    // The addresses come from /proc as numbers.
    void* start = reinterpret_cast<void*>(r.start);  // NOLINT(performance-no-int-to-ptr)
    if (madvise(start, r.end - r.start, MADV_PAGEOUT) != 0) {
      if (result.error == 0) result.error = errno;
      // A kernel before 5.4 does not know the advice: every range would fail.
      if (errno == EINVAL) break;
      continue;
    }
    ++result.mappings;
    result.rss_kib += r.rss_kib;
  }
  if (result.error != 0) {
    log->Debug("Paging out startup memory failed", {{"err", std::strerror(result.error)}});
  } else {
    log->Debug("Paged out startup memory",
               {{"mappings", std::to_string(result.mappings)}, {"rss_kib", std::to_string(result.rss_kib)}});
  }
  return result;
}

}  // namespace nodex
