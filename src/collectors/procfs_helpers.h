// Small helpers shared by the /proc and /sys counter collectors (cpufreq,
// vmstat, pressure, schedstat, softirqs, interrupts, processes): flag lookup
// with node_exporter's defaults, RE2 compilation that names the bad flag, and
// bounded single reads of sysfs attributes.
#ifndef NODEX_COLLECTORS_PROCFS_HELPERS_H_
#define NODEX_COLLECTORS_PROCFS_HELPERS_H_

#include <errno.h>
#include <fcntl.h>
#include <re2/re2.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <string_view>

#include "base/split.h"
#include "base/status.h"
#include "collectors/collector.h"

namespace nodex::collectors::procfs_helpers {

// The flag's value, or `default_value` when it was not given (tests and
// embedders may pass no FlagValues at all).
inline std::string_view StringFlagOr(const Context& ctx, std::string_view name, std::string_view default_value) {
  if (ctx.flags == nullptr || !ctx.flags->Has(name)) return default_value;
  return ctx.flags->GetString(name);
}

inline bool BoolFlagOr(const Context& ctx, std::string_view name, bool default_value) {
  if (ctx.flags == nullptr || !ctx.flags->Has(name)) return default_value;
  return ctx.flags->GetBool(name);
}

// Compiles `pattern` for --`flag`. An empty pattern leaves *re null (node_exporter
// treats an empty filter flag as "no filter"); a bad one is an error naming the
// flag, so the factory can refuse to start the collector.
inline Status CompileFlagRegex(std::string_view flag, std::string_view pattern, bool empty_means_none,
                               std::unique_ptr<RE2>* re) {
  re->reset();
  if (pattern.empty() && empty_means_none) return Status::Ok();
  RE2::Options options;
  options.set_log_errors(false);
  auto compiled = std::make_unique<RE2>(re2::StringPiece(pattern.data(), pattern.size()), options);
  if (!compiled->ok()) {
    return Status::Error("--" + std::string(flag) + ": invalid regular expression \"" + std::string(pattern) +
                         "\": " + compiled->error());
  }
  *re = std::move(compiled);
  return Status::Ok();
}

// Go's regexp.MatchString: an unanchored search.
inline bool Matches(const RE2& re, std::string_view s) {
  return RE2::PartialMatch(re2::StringPiece(s.data(), s.size()), re);
}

// Reads one sysfs attribute below dir_fd with a single bounded read (sysfs
// attributes are at most one page) and trims surrounding whitespace. Returns 0
// or the errno; a full buffer is reported as EFBIG rather than truncated.
template <size_t N>
int ReadAttrAt(int dir_fd, const char* rel_path, char (&buf)[N], std::string_view* value) {
  int fd = ::openat(dir_fd, rel_path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errno;
  ssize_t n;
  do {
    n = ::read(fd, buf, N);
  } while (n < 0 && errno == EINTR);
  int err = n < 0 ? errno : 0;
  ::close(fd);
  if (err != 0) return err;
  if (static_cast<size_t>(n) == N) return EFBIG;
  *value = TrimSpace(std::string_view(buf, static_cast<size_t>(n)));
  return 0;
}

}  // namespace nodex::collectors::procfs_helpers

#endif  // NODEX_COLLECTORS_PROCFS_HELPERS_H_
