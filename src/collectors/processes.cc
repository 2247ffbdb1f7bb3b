#include "collectors/processes.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "base/file_reader.h"
#include "base/log.h"
#include "base/parse.h"
#include "base/split.h"

namespace nodex::collectors {
namespace {

using expo::Desc;
using expo::MetricType;

constexpr Desc kThreads{"node_processes_threads", "Threads in the system (sum of num_threads over all processes).",
                        MetricType::kGauge};
constexpr Desc kMaxThreads{"node_processes_max_threads", "System-wide thread limit, /proc/sys/kernel/threads-max.",
                           MetricType::kGauge};
constexpr Desc kState{"node_processes_state", "Processes per scheduler state.", MetricType::kGauge};
constexpr Desc kThreadState{"node_processes_threads_state", "Threads per scheduler state.", MetricType::kGauge};
constexpr Desc kPids{"node_processes_pids", "Processes in the system.", MetricType::kGauge};
constexpr Desc kMaxProcesses{"node_processes_max_processes", "Largest pid plus one, /proc/sys/kernel/pid_max.",
                             MetricType::kGauge};

// Signedness of the 41 numeric fields procfs scans after the state.
// ppid..tpgid, flags..stime, cutime..nice, num_threads + itrealvalue,
// starttime + vsize, rss, rsslimit, startcode..cnswap, exit_signal,
// processor..policy, delayacct_blkio_ticks, guest_time + cguest_time.
constexpr char kFieldKinds[] =
    "sssss"
    "uuuuuuu"
    "ssss"
    "ss"
    "uu"
    "s"
    "u"
    "uuuuuuuuuuuu"
    "s"
    "uuu"
    "u"
    "ss";
static_assert(sizeof(kFieldKinds) - 1 == 41);

bool IsDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// Errors procfs callers treat as "the process went away".
bool Vanished(int err) { return err == ENOENT || err == ESRCH; }

struct DirCloser {
  void operator()(DIR* d) const { ::closedir(d); }
};

class ProcessesCollector final : public Collector {
 public:
  explicit ProcessesCollector(const Context& ctx)
      : log_(ctx.log),
        proc_path_(ctx.Proc("")),
        threads_max_(ctx.Proc("sys/kernel/threads-max")),
        pid_max_(ctx.Proc("sys/kernel/pid_max")) {}

  Status Collect(expo::MetricSet& out) override {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& s : proc_states_) s.count = 0;
    for (auto& s : thread_states_) s.count = 0;
    int64_t pids = 0, threads = 0;
    Status st = Walk(&pids, &threads);
    if (!st.ok()) return Status::Error("unable to retrieve number of allocated threads: " + st.message());

    out.Add(kThreads, static_cast<double>(threads));
    std::optional<uint64_t> max_threads;
    st = ReadUint(threads_max_, &max_threads);
    if (!st.ok()) return Status::Error("unable to retrieve limit number of threads: " + st.message());
    out.Add(kMaxThreads, static_cast<double>(*max_threads));
    for (const auto& s : proc_states_) {
      if (s.count > 0) out.Add(kState, static_cast<double>(s.count), {{"state", s.state}});
    }
    for (const auto& s : thread_states_) {
      if (s.count > 0) out.Add(kThreadState, static_cast<double>(s.count), {{"thread_state", s.state}});
    }
    std::optional<uint64_t> pid_max;
    st = ReadUint(pid_max_, &pid_max);
    if (!st.ok()) return Status::Error("unable to retrieve limit number of maximum pids allowed: " + st.message());
    out.Add(kPids, static_cast<double>(pids));
    out.Add(kMaxProcesses, static_cast<double>(*pid_max));
    return Status::Ok();
  }

 private:
  struct StateCount {
    std::string state;
    int64_t count;
  };

  static void Count(std::vector<StateCount>* states, std::string_view state) {
    for (auto& s : *states) {
      if (s.state == state) {
        ++s.count;
        return;
      }
    }
    states->push_back(StateCount{std::string(state), 1});  // First sighting of this state only.
  }

  // Reads and parses <dir_fd>/<rel>/stat. Returns 0, the errno, or -1 with
  // *error set for a parse failure.
  int ReadStat(int dir_fd, std::string_view rel, PidStat* stat, Status* error) {
    char path[64];
    int len = std::snprintf(path, sizeof path, "%.*s/stat", static_cast<int>(rel.size()), rel.data());
    if (len < 0 || static_cast<size_t>(len) >= sizeof path) return ENAMETOOLONG;
    int fd = ::openat(dir_fd, path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return errno;
    long n = ReadFdFromStart(fd, &buffer_);
    ::close(fd);
    if (n < 0) return static_cast<int>(-n);
    StatusOr<PidStat> parsed = ParsePidStat(std::string_view(buffer_.data(), static_cast<size_t>(n)));
    if (!parsed.ok()) {
      *error = parsed.status();
      return -1;
    }
    *stat = *parsed;
    return 0;
  }

  Status Walk(int64_t* pids, int64_t* threads) {
    if (proc_dir_ == nullptr) {
      DIR* d = ::opendir(proc_path_.c_str());
      if (d == nullptr) return Status::Error("unable to list all processes: " + proc_path_ + ": " + strerror(errno));
      proc_dir_.reset(d);
    } else {
      ::rewinddir(proc_dir_.get());
    }
    int proc_fd = ::dirfd(proc_dir_.get());
    while (dirent* e = ::readdir(proc_dir_.get())) {
      std::string_view pid(e->d_name);
      if (!IsDigits(pid)) continue;
      PidStat stat;
      Status parse_error;
      int err = ReadStat(proc_fd, pid, &stat, &parse_error);
      if (Vanished(err)) continue;
      if (err != 0) {
        std::string msg = "error reading stat for pid " + std::string(pid) + ": ";
        return Status::Error(msg + (err < 0 ? parse_error.message() : strerror(err)));
      }
      ++*pids;
      Count(&proc_states_, stat.state);
      *threads += stat.num_threads;
      // stat.state views buffer_, which the thread walk reuses.
      state_.assign(stat.state);
      Status st = WalkThreads(proc_fd, pid);
      if (!st.ok()) return st;
    }
    return Status::Ok();
  }

  Status WalkThreads(int proc_fd, std::string_view pid) {
    char path[64];
    int len = std::snprintf(path, sizeof path, "%.*s/task", static_cast<int>(pid.size()), pid.data());
    if (len < 0 || static_cast<size_t>(len) >= sizeof path) return Status::Ok();
    int task_fd = ::openat(proc_fd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (task_fd < 0) {
      if (Vanished(errno)) return Status::Ok();
      return Status::Error("error reading task for pid " + std::string(pid) + ": " + strerror(errno));
    }
    std::unique_ptr<DIR, DirCloser> task_dir(::fdopendir(task_fd));
    if (task_dir == nullptr) {
      ::close(task_fd);
      return Status::Error("unable to list all threads for pid: " + std::string(pid));
    }
    while (dirent* e = ::readdir(task_dir.get())) {
      std::string_view tid(e->d_name);
      if (!IsDigits(tid)) continue;
      if (tid == pid) {
        Count(&thread_states_, state_);
        continue;
      }
      PidStat stat;
      Status parse_error;
      int err = ReadStat(::dirfd(task_dir.get()), tid, &stat, &parse_error);
      if (Vanished(err)) continue;
      if (err != 0) {
        return Status::Error("error reading stat for pid:" + std::string(pid) + " thread:" + std::string(tid) +
                             " err:" + (err < 0 ? parse_error.message() : std::string(strerror(err))));
      }
      Count(&thread_states_, stat.state);
    }
    return Status::Ok();
  }

  // node_exporter's readUintFromFile: the trimmed content as a uint64.
  static Status ReadUint(KeptOpenFile& file, std::optional<uint64_t>* value) {
    std::string_view content;
    Status st = file.Read(&content);
    if (!st.ok()) return Status::Error(st.message());
    *value = ParseU64(TrimSpace(content));
    if (!*value) return Status::Error(file.path() + ": invalid unsigned integer");
    return Status::Ok();
  }

  Logger* log_;
  std::mutex mu_;
  std::string proc_path_;
  std::unique_ptr<DIR, DirCloser> proc_dir_;
  KeptOpenFile threads_max_;
  KeptOpenFile pid_max_;
  std::vector<char> buffer_;
  std::string state_;
  std::vector<StateCount> proc_states_;
  std::vector<StateCount> thread_states_;
};

}  // namespace

StatusOr<PidStat> ParsePidStat(std::string_view content) {
  size_t l = content.find('(');
  size_t r = content.rfind(')');
  if (l == std::string_view::npos || r == std::string_view::npos || l > r) {
    return Status::Error("unexpected format, couldn't extract comm");
  }
  if (r + 2 > content.size()) return Status::Error("unexpected end of stat after comm");
  std::string_view rest = content.substr(r + 2);
  PidStat stat;
  if (!NextField(&rest, &stat.state)) return Status::Error("missing state");
  for (size_t i = 0; i < sizeof(kFieldKinds) - 1; ++i) {
    std::string_view field;
    if (!NextField(&rest, &field)) return Status::Error("too few fields (" + std::to_string(i + 1) + ")");
    bool ok;
    if (kFieldKinds[i] == 'u') {
      ok = ParseU64(field).has_value();
    } else {
      std::optional<int64_t> v = ParseI64(field);
      ok = v.has_value();
      if (ok && i == 16) stat.num_threads = *v;
    }
    if (!ok)
      return Status::Error("invalid field " + std::to_string(i + 4) + ": \"" + std::string(field.substr(0, 32)) + "\"");
  }
  return stat;
}

StatusOr<std::unique_ptr<Collector>> NewProcessesCollector(const Context& ctx) {
  return std::unique_ptr<Collector>(std::make_unique<ProcessesCollector>(ctx));
}

}  // namespace nodex::collectors
