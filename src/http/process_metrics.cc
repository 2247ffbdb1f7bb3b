#include "http/process_metrics.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/resource.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <cstring>
#include <utility>

#include "base/parse.h"
#include "base/split.h"

namespace nodex::http {
namespace {

using expo::Desc;
using expo::MetricType;

constexpr Desc kCpuSeconds{"process_cpu_seconds_total", "User and system CPU time used by nodex, in seconds.",
                           MetricType::kCounter};
constexpr Desc kOpenFds{"process_open_fds", "File descriptors nodex has open.", MetricType::kGauge};
constexpr Desc kMaxFds{"process_max_fds", "Soft limit on file descriptors nodex may open.", MetricType::kGauge};
constexpr Desc kVirtualMemory{"process_virtual_memory_bytes", "Size of nodex's virtual address space, in bytes.",
                              MetricType::kGauge};
constexpr Desc kVirtualMemoryMax{"process_virtual_memory_max_bytes",
                                 "Soft limit on nodex's virtual address space, in bytes.", MetricType::kGauge};
constexpr Desc kResidentMemory{"process_resident_memory_bytes", "Resident set size of nodex, in bytes.",
                               MetricType::kGauge};
constexpr Desc kStartTime{"process_start_time_seconds", "When nodex started, in seconds since the Unix epoch.",
                          MetricType::kGauge};

// Fields after the command name, counted from the state (index 0).
constexpr size_t kUtime = 11;
constexpr size_t kStime = 12;
constexpr size_t kStartTimeField = 19;
constexpr size_t kVsize = 20;
constexpr size_t kRss = 21;
constexpr size_t kNeeded = kRss + 1;

// RLIM_INFINITY is all ones; client_golang reports that value as is.
double RlimitValue(rlim_t v) { return static_cast<double>(static_cast<uint64_t>(v)); }

}  // namespace

std::optional<PidStat> ParsePidStat(std::string_view content) {
  size_t open = content.find('(');
  size_t close = content.rfind(')');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open) return std::nullopt;
  if (!ParseI64(TrimSpace(content.substr(0, open)))) return std::nullopt;

  std::string_view fields[kNeeded];
  size_t n = SplitFields(content.substr(close + 1), fields, kNeeded);
  if (n < kNeeded) return std::nullopt;

  auto utime = ParseU64(fields[kUtime]);
  auto stime = ParseU64(fields[kStime]);
  auto start = ParseU64(fields[kStartTimeField]);
  auto vsize = ParseU64(fields[kVsize]);
  auto rss = ParseI64(fields[kRss]);
  if (!utime || !stime || !start || !vsize || !rss) return std::nullopt;
  return PidStat{*utime, *stime, *start, *vsize, *rss};
}

std::optional<uint64_t> ParseBootTime(std::string_view proc_stat) {
  std::string_view line;
  while (NextLine(&proc_stat, &line)) {
    std::string_view fields[3];
    if (SplitFields(line, fields, 3) != 2 || fields[0] != "btime") continue;
    return ParseU64(fields[1]);
  }
  return std::nullopt;
}

ProcessMetrics::ProcessMetrics(std::string proc_root)
    : proc_root_(std::move(proc_root)),
      stat_(proc_root_ + "/self/stat", ReadEnd::OneRecord()),
      ticks_per_second_(static_cast<double>(sysconf(_SC_CLK_TCK))),
      page_size_(static_cast<double>(sysconf(_SC_PAGESIZE))) {}

ProcessMetrics::~ProcessMetrics() {
  if (fd_dir_ != nullptr) closedir(fd_dir_);
}

Status ProcessMetrics::CountOpenFds(uint64_t* count) {
  if (fd_dir_ == nullptr) {
    std::string path = proc_root_ + "/self/fd";
    int fd = open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return Status::Error("open " + path + ": " + strerror(errno));
    // A test's fixture directory is not procfs: its size means nothing.
    struct statfs fs {};
    fd_dir_is_procfs_ = fstatfs(fd, &fs) == 0 && fs.f_type == PROC_SUPER_MAGIC;
    fd_dir_ = fdopendir(fd);
    if (fd_dir_ == nullptr) {
      int err = errno;
      close(fd);
      return Status::Error("fdopendir " + path + ": " + strerror(err));
    }
  } else {
    // Linux 6.2 and later report the number of open descriptors as the size
    // of /proc/<pid>/fd. Listing the directory instead formats one entry per
    // descriptor, and nodex keeps hundreds open (sysfs attributes, /proc
    // files): it was ~5 % of a scrape's CPU. Older kernels report 0; a
    // process stat-ing the directory has at least that descriptor open, so 0
    // always means "not supported" and the listing below is the fallback.
    struct stat st {};
    if (fd_dir_is_procfs_ && fstat(dirfd(fd_dir_), &st) == 0 && st.st_size > 0) {
      *count = static_cast<uint64_t>(st.st_size);
      return Status::Ok();
    }
    // procfs rebuilds the listing on every read from offset 0.
    rewinddir(fd_dir_);
  }
  // Like client_golang, the count includes the descriptor used to list the
  // directory itself (and so does the size above: it is open).
  uint64_t n = 0;
  errno = 0;
  while (dirent* entry = readdir(fd_dir_)) {
    if (std::strcmp(entry->d_name, ".") == 0 || std::strcmp(entry->d_name, "..") == 0) continue;
    ++n;
  }
  if (errno != 0) return Status::Error(proc_root_ + "/self/fd: readdir: " + strerror(errno));
  *count = n;
  return Status::Ok();
}

Status ProcessMetrics::Collect(expo::MetricSet* out) {
  Status result;

  std::string_view content;
  Status read = stat_.Read(&content);
  std::optional<PidStat> stat;
  if (!read.ok()) {
    result = read;
  } else if (!(stat = ParsePidStat(content))) {
    result = Status::Error("malformed " + stat_.path());
  }
  if (stat) {
    out->Add(kCpuSeconds, static_cast<double>(stat->utime_ticks + stat->stime_ticks) / ticks_per_second_);
    out->Add(kVirtualMemory, static_cast<double>(stat->vsize_bytes));
    out->Add(kResidentMemory, static_cast<double>(stat->rss_pages) * page_size_);
    if (!start_time_seconds_) {
      std::string path = proc_root_ + "/stat";
      Status boot = ReadFileOnce(path, &scratch_);
      std::optional<uint64_t> btime;
      if (boot.ok()) btime = ParseBootTime(scratch_);
      if (btime) {
        start_time_seconds_ = static_cast<double>(*btime) + static_cast<double>(stat->start_ticks) / ticks_per_second_;
      } else if (result.ok()) {
        result = boot.ok() ? Status::Error("no btime in " + path) : boot;
      }
      // The buffer is not needed again.
      std::string().swap(scratch_);
    }
    if (start_time_seconds_) out->Add(kStartTime, *start_time_seconds_);
  }

  uint64_t open_fds = 0;
  Status fds = CountOpenFds(&open_fds);
  if (fds.ok()) {
    out->Add(kOpenFds, static_cast<double>(open_fds));
  } else if (result.ok()) {
    result = fds;
  }

  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0) out->Add(kMaxFds, RlimitValue(limit.rlim_cur));
  if (getrlimit(RLIMIT_AS, &limit) == 0) out->Add(kVirtualMemoryMax, RlimitValue(limit.rlim_cur));
  return result;
}

}  // namespace nodex::http
