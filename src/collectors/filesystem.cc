#include "collectors/filesystem.h"

#include <re2/re2.h>
#include <string.h>
#include <sys/statfs.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <limits>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <utility>

#include "base/file_reader.h"
#include "base/mount_table_file.h"
#include "base/parse.h"
#include "collectors/procfs_helpers.h"

namespace nodex::collectors {
namespace {

using Clock = std::chrono::steady_clock;
using procfs_helpers::CompileFlagRegex;
using procfs_helpers::Matches;
using procfs_helpers::StringFlagOr;

constexpr expo::MetricType kGauge = expo::MetricType::kGauge;
constexpr expo::Desc kSizeDesc{"node_filesystem_size_bytes", "Total size of the filesystem in bytes.", kGauge};
constexpr expo::Desc kFreeDesc{"node_filesystem_free_bytes", "Free space on the filesystem in bytes, including "
                               "blocks reserved for root.", kGauge};
constexpr expo::Desc kAvailDesc{"node_filesystem_avail_bytes",
                                "Space on the filesystem available to unprivileged users in bytes.", kGauge};
constexpr expo::Desc kFilesDesc{"node_filesystem_files", "Total number of inodes on the filesystem.", kGauge};
constexpr expo::Desc kFilesFreeDesc{"node_filesystem_files_free", "Number of free inodes on the filesystem.",
                                    kGauge};
constexpr expo::Desc kReadonlyDesc{"node_filesystem_readonly", "1 if the filesystem is mounted read-only.", kGauge};
constexpr expo::Desc kDeviceErrorDesc{"node_filesystem_device_error",
                                      "1 if statfs on the mount point failed or timed out.", kGauge};
constexpr expo::Desc kMountInfoDesc{"node_filesystem_mount_info",
                                    "Mounted filesystem, with its device numbers; always 1.", kGauge};

constexpr std::string_view kTimeoutError = "mountpoint timeout";
constexpr std::string_view kNoWorkerError = "no stat worker available";

// ---------------------------------------------------------------------------
// The statfs worker pool. State shared with the workers lives in a
// shared_ptr: a worker blocked in a hung statfs may outlive the collector.
//
// Hand-offs between threads cost more than the statfs calls themselves
// (each is a futex wake and a context switch), so a scrape wakes one worker,
// which runs the queued jobs one after another and wakes the scrape once,
// when the last job is resolved. Only a job still running kHelpAfter after
// it started (a slow or hung mount) makes the scrape wake one more worker for
// the jobs queued behind it, so slow mounts are still statted in parallel.

constexpr std::chrono::milliseconds kHelpAfter{2};

enum class JobState : uint8_t { kPending, kRunning, kDone, kTimedOut, kNoWorker };

struct Job {
  std::string path;         // statfs argument (rootfs-joined mount point).
  std::string mount_point;  // Stuck-set key.
  JobState state = JobState::kPending;
  int err = 0;
  struct statfs buf {};
};

struct Worker {
  bool busy = false;        // Inside statfs.
  bool timed_out = false;   // Its statfs missed the deadline; counted in stuck_workers.
  bool help_asked = false;  // The scrape already woke a helper for this job.
  uint64_t generation = 0;
  size_t job = 0;
  Clock::time_point started;
  // Copies, so a stuck worker never reads a job slot a later scrape reuses.
  std::string path;
  std::string mount_point;
  struct statfs buf {};
};

struct PoolState {
  explicit PoolState(size_t n, StatfsFunction fn) : workers(n), statfs_fn(std::move(fn)) {}

  std::mutex mu;
  std::condition_variable work_cv;  // Workers wait for jobs.
  std::condition_variable done_cv;  // The scrape waits for results.
  std::vector<Worker> workers;      // Fixed size; never resized.
  std::vector<Job> jobs;            // The current scrape's jobs, [0, job_count).
  size_t job_count = 0;
  size_t next_job = 0;
  size_t unresolved = 0;
  uint64_t generation = 0;
  bool active = false;
  bool stop = false;
  size_t stuck_workers = 0;
  // Mount points with an outstanding timed-out statfs, with how many.
  std::vector<std::pair<std::string, int>> stuck;
  StatfsFunction statfs_fn;

  bool IsStuck(std::string_view mount_point) const {
    for (const auto& s : stuck) {
      if (s.first == mount_point) return true;
    }
    return false;
  }
  void AddStuck(const std::string& mount_point) {
    for (auto& s : stuck) {
      if (s.first == mount_point) {
        ++s.second;
        return;
      }
    }
    stuck.emplace_back(mount_point, 1);
  }
  void RemoveStuck(const std::string& mount_point) {
    for (size_t i = 0; i < stuck.size(); ++i) {
      if (stuck[i].first == mount_point && --stuck[i].second == 0) {
        stuck.erase(stuck.begin() + static_cast<ptrdiff_t>(i));
        return;
      }
    }
  }
};

// Wakes the scrape waiting in RunStats; called when its last job resolved.
// Notifying without the lock lets the scrape take it without blocking.
void NotifyScrape(PoolState& s, std::unique_lock<std::mutex>& lock) {
  lock.unlock();
  s.done_cv.notify_one();
  lock.lock();
}

void WorkerLoop(std::shared_ptr<PoolState> state, size_t index) {
  PoolState& s = *state;
  std::unique_lock<std::mutex> lock(s.mu);
  Worker& w = s.workers[index];
  for (;;) {
    s.work_cv.wait(lock, [&] {
      if (s.stop) return true;
      if (!s.active) return false;
      while (s.next_job < s.job_count && s.jobs[s.next_job].state != JobState::kPending) ++s.next_job;
      return s.next_job < s.job_count;
    });
    if (s.stop) return;
    size_t index_job = s.next_job++;
    Job& job = s.jobs[index_job];
    if (s.IsStuck(job.mount_point)) {
      // Another entry for the same mount point hung earlier in this scrape.
      job.state = JobState::kTimedOut;
      if (--s.unresolved == 0) NotifyScrape(s, lock);
      continue;
    }
    job.state = JobState::kRunning;
    w.busy = true;
    w.timed_out = false;
    w.help_asked = false;
    w.generation = s.generation;
    w.job = index_job;
    w.started = Clock::now();
    w.path.assign(job.path);
    w.mount_point.assign(job.mount_point);
    lock.unlock();
    int rc = s.statfs_fn(w.path.c_str(), &w.buf);
    int err = rc == 0 ? 0 : (errno != 0 ? errno : EIO);
    lock.lock();
    w.busy = false;
    if (w.timed_out) {
      // The mount answered after all: retry it normally from the next scrape.
      // The worker is free again and takes queued jobs like any other.
      w.timed_out = false;
      --s.stuck_workers;
      s.RemoveStuck(w.mount_point);
    } else if (s.active && w.generation == s.generation && s.jobs[w.job].state == JobState::kRunning) {
      Job& done = s.jobs[w.job];
      done.state = JobState::kDone;
      done.err = err;
      done.buf = w.buf;
      if (--s.unresolved == 0) NotifyScrape(s, lock);
    }
  }
}

// ---------------------------------------------------------------------------

// One mount to report. The first fields come from the mount table and are
// kept while it does not change; the rest is this scrape's.
struct Mount {
  std::string device;
  std::string mount_point;
  std::string fs_type;
  std::string path;
  uint32_t major = 0;
  uint32_t minor = 0;
  bool read_only = false;

  std::string device_error;
  bool ok = false;  // statfs succeeded.
  struct statfs buf {};
  size_t job = SIZE_MAX;  // Index into the pool's jobs, if queued.

  void ResetScrape() {
    device_error.clear();
    ok = false;
    job = SIZE_MAX;
  }
};

constexpr uint32_t kNoMount = UINT32_MAX;

class FilesystemCollector : public Collector {
 public:
  FilesystemCollector(const Context& ctx, FilesystemFilters filters, std::chrono::nanoseconds timeout, size_t workers,
                      StatfsFunction statfs_fn)
      : log_(ctx.log),
        rootfs_(ctx.paths.rootfs),
        primary_(ctx.Proc("1/mountinfo")),
        fallback_(ctx.Proc("self/mountinfo")),
        filters_(std::move(filters)),
        timeout_(timeout),
        pool_(std::make_shared<PoolState>(workers, std::move(statfs_fn))) {}

  ~FilesystemCollector() override {
    {
      std::lock_guard<std::mutex> lock(pool_->mu);
      pool_->stop = true;
    }
    pool_->work_cv.notify_all();
    for (size_t i = 0; i < threads_.size(); ++i) {
      bool busy;
      {
        std::lock_guard<std::mutex> lock(pool_->mu);
        busy = pool_->workers[i].busy;
      }
      // A worker blocked in a hung statfs cannot be joined; it exits on its
      // own when the call returns, holding the shared state alive.
      if (busy) {
        threads_[i].detach();
      } else {
        threads_[i].join();
      }
    }
  }

  // Hands this scrape's statfs calls to the workers before the collectors
  // that run ahead of this one, so that by Collect they are usually done:
  // the scrape thread then neither sleeps nor is woken for them (a futex
  // wait and a pair of context switches a scrape saved).
  void Prepare() override {
    std::lock_guard<std::mutex> collect_lock(collect_mu_);
    begin_status_ = Begin();
    prepared_ = true;
  }

  Status Collect(expo::MetricSet& out) override {
    std::lock_guard<std::mutex> collect_lock(collect_mu_);
    if (!prepared_) begin_status_ = Begin();
    prepared_ = false;
    if (!begin_status_.ok()) return begin_status_;
    WaitStats();
    Emit(out);
    return Status::Ok();
  }

 private:
  // Brings mounts_ up to date with the mount table. The table is parsed and
  // filtered again only when it may have changed: /proc/1/mountinfo reports
  // no change since the table mounts_ were built from. The fallback gives no
  // such promise and is parsed every time.
  Status LoadMounts() {
    std::string_view content;
    bool changed = true;
    Status st = primary_.Read(&content, &changed);
    const bool from_primary = st.ok();
    if (!from_primary) {
      // hidepid or a restricted /proc/1: use our own mount namespace's view.
      Status fb = fallback_.Read(&content);
      if (!fb.ok()) {
        mounts_from_primary_ = false;
        return Status::Error("failed to read mountinfo: " + st.message() + "; " + fb.message());
      }
    }
    if (from_primary && !changed && mounts_from_primary_) return Status::Ok();
    mounts_from_primary_ = false;
    st = ParseMountInfo(content, &entries_);
    if (!st.ok()) {
      primary_.Invalidate();
      return st;
    }
    BuildMounts();
    mounts_from_primary_ = from_primary;
    return Status::Ok();
  }

  void BuildMounts() {
    mount_count_ = 0;
    for (const MountInfoEntry& e : entries_) {
      DecodeMountPoint(e.mount_point, &decoded_);
      std::string_view mount_point = StripRootfsPrefix(decoded_, rootfs_);
      if (filters_.MountPointIgnored(mount_point)) continue;
      if (filters_.FsTypeIgnored(e.fs_type)) continue;
      if (mount_count_ == mounts_.size()) mounts_.emplace_back();
      Mount& m = mounts_[mount_count_++];
      m.device.assign(e.source);
      m.mount_point.assign(mount_point);
      m.fs_type.assign(e.fs_type);
      m.path.assign(JoinPath(rootfs_, m.mount_point));
      m.major = e.major;
      m.minor = e.minor;
      m.read_only = IsReadOnlyMount(e.mount_options, e.super_options);
    }
    FindDuplicates();
  }

  void StartWorkers() {
    if (!threads_.empty()) return;
    threads_.reserve(pool_->workers.size());
    for (size_t i = 0; i < pool_->workers.size(); ++i) threads_.emplace_back(WorkerLoop, pool_, i);
  }

  // Brings the mount table up to date and queues its statfs jobs.
  Status Begin() {
    // A Prepare without its Collect (not done by the Scraper) leaves jobs
    // queued: resolve them first, their results are dropped.
    if (queued_) WaitStats();
    Status st = LoadMounts();
    if (!st.ok()) return st;
    for (size_t i = 0; i < mount_count_; ++i) mounts_[i].ResetScrape();
    StartWorkers();
    QueueStats();
    return Status::Ok();
  }

  void QueueStats() {
    PoolState& s = *pool_;
    std::unique_lock<std::mutex> lock(s.mu);
    ++s.generation;
    s.job_count = 0;
    s.next_job = 0;
    const size_t n_workers = s.workers.size();
    for (size_t i = 0; i < mount_count_; ++i) {
      Mount& m = mounts_[i];
      if (s.IsStuck(m.mount_point)) {
        m.device_error.assign(kTimeoutError);
        continue;
      }
      if (s.stuck_workers == n_workers) {
        m.device_error.assign(kNoWorkerError);
        continue;
      }
      if (s.job_count == s.jobs.size()) s.jobs.emplace_back();
      Job& job = s.jobs[s.job_count];
      job.path.assign(m.path);
      job.mount_point.assign(m.mount_point);
      job.state = JobState::kPending;
      job.err = 0;
      m.job = s.job_count++;
    }
    s.unresolved = s.job_count;
    s.active = true;
    queued_ = true;
    start_ = Clock::now();
    last_wake_ = start_;
    if (s.unresolved > 0) {
      lock.unlock();
      s.work_cv.notify_one();
    }
  }

  // Waits until every job QueueStats queued is done, timed out or left
  // without a worker, and stores the results in mounts_.
  void WaitStats() {
    PoolState& s = *pool_;
    std::unique_lock<std::mutex> lock(s.mu);
    queued_ = false;
    const size_t n_workers = s.workers.size();
    const Clock::time_point start_deadline = start_ + timeout_;
    Clock::time_point last_wake = last_wake_;
    size_t wake_workers = 0;
    while (s.unresolved > 0) {
      if (wake_workers > 0) {
        lock.unlock();
        for (; wake_workers > 0; --wake_workers) s.work_cv.notify_one();
        lock.lock();
        last_wake = Clock::now();
      }
      Clock::time_point now = Clock::now();
      Clock::time_point wake = start_deadline;
      // Helpers are worth waking only while jobs wait and a worker idles.
      size_t idle = n_workers;
      for (const Worker& w : s.workers) {
        if (w.busy) --idle;
      }
      const bool queued = s.next_job < s.job_count && idle > 0;
      bool in_charge = false;  // A worker runs a job that is not (yet) slow.
      for (Worker& w : s.workers) {
        if (!w.busy || w.timed_out || w.generation != s.generation) continue;
        Clock::time_point deadline = w.started + timeout_;
        if (now >= deadline) {
          w.timed_out = true;
          ++s.stuck_workers;
          s.AddStuck(w.mount_point);
          s.jobs[w.job].state = JobState::kTimedOut;
          --s.unresolved;
          if (log_ != nullptr) {
            log_->Debug("Mount point timed out, skipping it until statfs returns",
                        {{"collector", "filesystem"}, {"mountpoint", w.mount_point}});
          }
          continue;
        }
        wake = std::min(wake, deadline);
        if (queued && !w.help_asked) {
          // This job is slow: one more worker for the jobs behind it.
          if (now >= w.started + kHelpAfter) {
            w.help_asked = true;
            ++wake_workers;
          } else {
            in_charge = true;
            wake = std::min(wake, w.started + kHelpAfter);
          }
        }
      }
      if (queued && !in_charge && wake_workers == 0) {
        // The last worker woken has not started a job yet (a busy machine,
        // or the wake-up went nowhere): wake another if that lasts.
        if (now >= last_wake + kHelpAfter) {
          ++wake_workers;
        } else {
          wake = std::min(wake, last_wake + kHelpAfter);
        }
      }
      if (s.stuck_workers == n_workers || now >= start_deadline) {
        for (size_t j = s.next_job; j < s.job_count; ++j) {
          if (s.jobs[j].state == JobState::kPending) {
            s.jobs[j].state = JobState::kNoWorker;
            --s.unresolved;
          }
        }
        s.next_job = s.job_count;
      }
      if (s.unresolved == 0) break;
      if (wake_workers > 0) continue;
      s.done_cv.wait_until(lock, wake);
    }
    s.active = false;

    for (size_t i = 0; i < mount_count_; ++i) {
      Mount& m = mounts_[i];
      if (m.job == SIZE_MAX) continue;
      const Job& job = s.jobs[m.job];
      switch (job.state) {
        case JobState::kDone:
          if (job.err == 0) {
            m.ok = true;
            m.buf = job.buf;
          } else {
            m.device_error.assign(ErrnoText(job.err));
          }
          break;
        case JobState::kNoWorker: m.device_error.assign(kNoWorkerError); break;
        default: m.device_error.assign(kTimeoutError); break;
      }
    }
  }

  const std::string& ErrnoText(int err) {
    auto it = errno_text_.find(err);
    if (it == errno_text_.end()) it = errno_text_.emplace(err, GoErrnoString(err)).first;
    return it->second;
  }

  // node_exporter sends each label set once; a repeated one (the same device
  // mounted twice on one mount point, e.g. an overmount or a bind mount of a
  // mount onto itself) keeps its first occurrence in mountinfo order. The
  // mount_info labels come from the table alone, so their duplicates are
  // found here; the other families' labels include this scrape's
  // device_error, so only the candidates (earlier mounts with the same
  // device, mount point and fs type) are found here, and checked per scrape.
  void FindDuplicates() {
    order_.clear();
    for (uint32_t i = 0; i < mount_count_; ++i) order_.push_back(i);
    auto stat_key = [this](uint32_t i) {
      const Mount& m = mounts_[i];
      return std::tie(m.device, m.mount_point, m.fs_type);
    };
    std::sort(order_.begin(), order_.end(), [&](uint32_t a, uint32_t b) {
      auto ka = stat_key(a), kb = stat_key(b);
      return ka != kb ? ka < kb : a < b;
    });
    same_stat_key_before_.assign(mount_count_, kNoMount);
    for (size_t k = 1; k < order_.size(); ++k) {
      if (stat_key(order_[k]) == stat_key(order_[k - 1])) same_stat_key_before_[order_[k]] = order_[k - 1];
    }
    auto info_key = [this](uint32_t i) {
      const Mount& m = mounts_[i];
      return std::tie(m.device, m.major, m.minor, m.mount_point);
    };
    std::sort(order_.begin(), order_.end(), [&](uint32_t a, uint32_t b) {
      auto ka = info_key(a), kb = info_key(b);
      return ka != kb ? ka < kb : a < b;
    });
    dup_info_.assign(mount_count_, false);
    for (size_t k = 1; k < order_.size(); ++k) {
      if (info_key(order_[k]) == info_key(order_[k - 1])) dup_info_[order_[k]] = true;
    }
  }

  bool DuplicateStats(size_t i) const {
    for (uint32_t j = same_stat_key_before_[i]; j != kNoMount; j = same_stat_key_before_[j]) {
      if (mounts_[j].device_error == mounts_[i].device_error) return true;
    }
    return false;
  }

  void Emit(expo::MetricSet& out) {
    for (size_t i = 0; i < mount_count_; ++i) {
      const Mount& m = mounts_[i];
      const expo::Label labels[] = {{"device", m.device},
                                    {"mountpoint", m.mount_point},
                                    {"fstype", m.fs_type},
                                    {"device_error", m.device_error}};
      if (!DuplicateStats(i)) {
        out.Add(kDeviceErrorDesc, m.ok ? 0 : 1, labels);
        // Mounts never statted (timeouts) report 0, like node_exporter's
        // stuck-mount branch; a statfs error still reports the options.
        bool statted = m.ok || (m.device_error != kTimeoutError && m.device_error != kNoWorkerError);
        out.Add(kReadonlyDesc, statted && m.read_only ? 1 : 0, labels);
        if (m.ok) {
          double bsize = static_cast<double>(m.buf.f_bsize);
          out.Add(kSizeDesc, static_cast<double>(m.buf.f_blocks) * bsize, labels);
          out.Add(kFreeDesc, static_cast<double>(m.buf.f_bfree) * bsize, labels);
          out.Add(kAvailDesc, static_cast<double>(m.buf.f_bavail) * bsize, labels);
          out.Add(kFilesDesc, static_cast<double>(m.buf.f_files), labels);
          out.Add(kFilesFreeDesc, static_cast<double>(m.buf.f_ffree), labels);
        }
      }
      if (m.ok && !dup_info_[i]) {
        char major[24], minor[24];
        out.Add(kMountInfoDesc, 1,
                {{"device", m.device}, {"major", expo::IntLabel(major, m.major)},
                 {"minor", expo::IntLabel(minor, m.minor)}, {"mountpoint", m.mount_point}});
      }
    }
  }

  Logger* log_;
  std::string rootfs_;
  MountTableFile primary_;
  KeptOpenFile fallback_;
  FilesystemFilters filters_;
  std::chrono::nanoseconds timeout_;
  std::shared_ptr<PoolState> pool_;
  std::vector<std::thread> threads_;
  std::mutex collect_mu_;
  // Prepare's Begin, for this scrape's Collect.
  bool prepared_ = false;
  Status begin_status_;
  // QueueStats' jobs, until WaitStats resolves them.
  bool queued_ = false;
  Clock::time_point start_, last_wake_;

  std::vector<MountInfoEntry> entries_;
  std::string decoded_;
  std::vector<Mount> mounts_;  // [0, mount_count_) are the current table's.
  size_t mount_count_ = 0;
  // mounts_ were built from primary_'s current content (not the fallback's,
  // and the build succeeded).
  bool mounts_from_primary_ = false;
  std::vector<uint32_t> order_;
  // Per mount: the previous one with the same device, mount point and fs
  // type, or kNoMount.
  std::vector<uint32_t> same_stat_key_before_;
  std::vector<bool> dup_info_;
  std::unordered_map<int, std::string> errno_text_;
};

std::optional<uint32_t> ParseDevNumber(std::string_view s) {
  // Go's Sscanf("%d") accepts a sign; the kernel never prints one.
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  return ParseInt<uint32_t>(s);
}

}  // namespace

Status ParseMountInfo(std::string_view content, std::vector<MountInfoEntry>* out) {
  out->clear();
  std::string_view line;
  while (NextLine(&content, &line)) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);  // bufio.Scanner drops it.
    // procfs splits on single spaces; only the first six and the last four
    // fields matter, whatever number of optional fields sits between them.
    const size_t n = static_cast<size_t>(std::count(line.begin(), line.end(), ' ')) + 1;
    if (n < 10) return Status::Error("malformed mountinfo line (too few fields): \"" + std::string(line) + "\"");
    std::string_view head[6];
    std::string_view rest = line;
    for (std::string_view& f : head) {
      size_t sp = rest.find(' ');
      f = rest.substr(0, sp);
      rest.remove_prefix(sp + 1);
    }
    std::string_view tail[4];  // "-", fs type, source, super options.
    rest = line;
    for (int i = 3; i >= 0; --i) {
      size_t sp = rest.rfind(' ');
      tail[i] = rest.substr(sp + 1);
      rest = rest.substr(0, sp);
    }
    if (tail[0] != "-") {
      return Status::Error("malformed mountinfo line (no \"-\" separator before the last three fields): \"" +
                           std::string(line) + "\"");
    }
    if (!ParseInt<int64_t>(head[0]) || !ParseInt<int64_t>(head[1])) {
      return Status::Error("malformed mountinfo line (mount id): \"" + std::string(line) + "\"");
    }
    std::string_view maj, min;
    std::optional<uint32_t> major, minor;
    if (SplitOnce(head[2], ':', &maj, &min)) {
      major = ParseDevNumber(maj);
      minor = ParseDevNumber(min);
    }
    if (!major || !minor) {
      return Status::Error("malformed mount point MajorMinorVer: \"" + std::string(head[2]) + "\"");
    }
    MountInfoEntry& e = out->emplace_back();
    e.major = *major;
    e.minor = *minor;
    e.root = head[3];
    e.mount_point = head[4];
    e.mount_options = head[5];
    e.fs_type = tail[1];
    e.source = tail[2];
    e.super_options = tail[3];
  }
  return Status::Ok();
}

void DecodeMountPoint(std::string_view raw, std::string* out) {
  out->clear();
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '\\' && raw.substr(i, 4) == "\\040") {
      out->push_back(' ');
      i += 3;
    } else if (raw[i] == '\\' && raw.substr(i, 4) == "\\011") {
      out->push_back('\t');
      i += 3;
    } else {
      out->push_back(raw[i]);
    }
  }
}

std::string_view StripRootfsPrefix(std::string_view mount_point, std::string_view rootfs) {
  if (rootfs == "/") return mount_point;
  if (mount_point.substr(0, rootfs.size()) == rootfs) mount_point.remove_prefix(rootfs.size());
  if (mount_point.empty()) return "/";
  return mount_point;
}

bool IsReadOnlyMount(std::string_view mount_options, std::string_view super_options) {
  // procfs keys options by the text before the first '=', and node_exporter
  // re-joins key[=value]: "ro" and "ro=" both come back as "ro".
  auto has_ro = [](std::string_view opts) {
    std::string_view opt;
    while (!opts.empty()) {
      size_t comma = opts.find(',');
      opt = opts.substr(0, comma);
      opts = comma == std::string_view::npos ? std::string_view() : opts.substr(comma + 1);
      if (opt == "ro") return true;
      if (opt.substr(0, 3) == "ro=") {
        std::string_view value = opt.substr(3);
        if (value.empty() || value.front() == '=') return true;
      }
    }
    return false;
  };
  return has_ro(mount_options) || has_ro(super_options);
}

StatusOr<std::chrono::nanoseconds> ParseGoDuration(std::string_view s) {
  const std::string original(s);
  auto bad = [&] { return Status::Error("invalid duration \"" + original + "\""); };
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (!s.empty() && s.front() == '-') return Status::Error("negative duration \"" + original + "\"");
  if (s == "0") return std::chrono::nanoseconds(0);
  if (s.empty()) return bad();
  long double total = 0;
  while (!s.empty()) {
    size_t i = 0;
    long double value = 0;
    bool digits = false;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      value = value * 10 + (s[i] - '0');
      digits = true;
      ++i;
    }
    if (i < s.size() && s[i] == '.') {
      ++i;
      long double scale = 0.1L;
      while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
        value += (s[i] - '0') * scale;
        scale /= 10;
        digits = true;
        ++i;
      }
    }
    if (!digits) return bad();
    size_t u = i;
    while (u < s.size() && !(s[u] >= '0' && s[u] <= '9') && s[u] != '.') ++u;
    std::string_view unit = s.substr(i, u - i);
    long double mult;
    if (unit == "ns") {
      mult = 1;
    } else if (unit == "us" || unit == "\xC2\xB5s" || unit == "\xCE\xBCs") {
      mult = 1e3L;
    } else if (unit == "ms") {
      mult = 1e6L;
    } else if (unit == "s") {
      mult = 1e9L;
    } else if (unit == "m") {
      mult = 60e9L;
    } else if (unit == "h") {
      mult = 3600e9L;
    } else {
      return bad();
    }
    total += value * mult;
    s.remove_prefix(u);
  }
  if (total > static_cast<long double>(std::numeric_limits<int64_t>::max())) return bad();
  return std::chrono::nanoseconds(static_cast<int64_t>(total));
}

std::string GoErrnoString(int err) {
  char buf[256];
  // GNU strerror_r: returns a pointer, possibly to a static string.
  const char* text = strerror_r(err, buf, sizeof(buf));
  std::string s(text != nullptr ? text : "");
  if (s.empty() || s.rfind("Unknown error", 0) == 0) return "errno " + std::to_string(err);
  if (s.size() >= 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'a' && s[1] <= 'z') s[0] = static_cast<char>(s[0] - 'A' + 'a');
  return s;
}

// ---------------------------------------------------------------------------

struct FilesystemFilters::Impl {
  std::unique_ptr<RE2> mount_exclude, mount_include, type_exclude, type_include;
};

FilesystemFilters::FilesystemFilters(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
FilesystemFilters::FilesystemFilters(FilesystemFilters&&) noexcept = default;
FilesystemFilters& FilesystemFilters::operator=(FilesystemFilters&&) noexcept = default;
FilesystemFilters::~FilesystemFilters() = default;

namespace {

// One include/exclude pair with node_exporter's rules (newMountPointsFilter /
// newFSTypeFilter). "Set" means "differs from the default": nodex's flag
// table does not record whether a flag was given.
Status BuildPair(const Context& ctx, const FlagDef& exclude_def, const FlagDef& include_def,
                 const FlagDef& deprecated_def, std::unique_ptr<RE2>* exclude_re, std::unique_ptr<RE2>* include_re) {
  std::string exclude(StringFlagOr(ctx, exclude_def.name, exclude_def.default_value));
  const bool exclude_set = exclude != exclude_def.default_value;
  const std::string deprecated(StringFlagOr(ctx, deprecated_def.name, ""));
  if (!deprecated.empty()) {
    if (exclude_set) {
      return Status::Error("--" + std::string(deprecated_def.name) + " and --" + std::string(exclude_def.name) +
                           " are mutually exclusive");
    }
    if (ctx.log != nullptr) {
      ctx.log->Warn("--" + std::string(deprecated_def.name) + " is DEPRECATED, use --" +
                    std::string(exclude_def.name));
    }
    exclude = deprecated;
  }
  const std::string include(StringFlagOr(ctx, include_def.name, ""));
  if (!include.empty() && !exclude_set) exclude.clear();
  if (!exclude.empty() && !include.empty()) {
    return Status::Error("--" + std::string(exclude_def.name) + " and --" + std::string(include_def.name) +
                         " are mutually exclusive");
  }
  Status st = CompileFlagRegex(exclude_def.name, exclude, true, exclude_re);
  if (!st.ok()) return st;
  return CompileFlagRegex(include_def.name, include, true, include_re);
}

bool Ignored(const std::unique_ptr<RE2>& exclude, const std::unique_ptr<RE2>& include, std::string_view name) {
  return (exclude != nullptr && Matches(*exclude, name)) || (include != nullptr && !Matches(*include, name));
}

}  // namespace

StatusOr<FilesystemFilters> FilesystemFilters::FromFlags(const Context& ctx) {
  auto impl = std::make_unique<Impl>();
  Status st = BuildPair(ctx, kFilesystemFlags[0], kFilesystemFlags[1], kFilesystemFlags[6], &impl->mount_exclude,
                        &impl->mount_include);
  if (!st.ok()) return Status::Error("unable to parse mount points filter flags: " + st.message());
  st = BuildPair(ctx, kFilesystemFlags[2], kFilesystemFlags[3], kFilesystemFlags[7], &impl->type_exclude,
                 &impl->type_include);
  if (!st.ok()) return Status::Error("unable to parse fs types filter flags: " + st.message());
  return FilesystemFilters(std::move(impl));
}

bool FilesystemFilters::MountPointIgnored(std::string_view mount_point) const {
  return Ignored(impl_->mount_exclude, impl_->mount_include, mount_point);
}

bool FilesystemFilters::FsTypeIgnored(std::string_view fs_type) const {
  return Ignored(impl_->type_exclude, impl_->type_include, fs_type);
}

StatusOr<std::unique_ptr<Collector>> NewFilesystemCollectorWithStatfs(const Context& ctx, StatfsFunction statfs_fn) {
  StatusOr<FilesystemFilters> filters = FilesystemFilters::FromFlags(ctx);
  if (!filters.ok()) return filters.status();
  const FlagDef& timeout_def = kFilesystemFlags[4];
  StatusOr<std::chrono::nanoseconds> timeout =
      ParseGoDuration(StringFlagOr(ctx, timeout_def.name, timeout_def.default_value));
  if (!timeout.ok()) return Status::Error("--" + std::string(timeout_def.name) + ": " + timeout.status().message());
  const FlagDef& workers_def = kFilesystemFlags[5];
  std::string_view workers_text = StringFlagOr(ctx, workers_def.name, workers_def.default_value);
  std::optional<int64_t> workers = ParseI64(workers_text);
  if (!workers) {
    return Status::Error("--" + std::string(workers_def.name) + ": not an integer: \"" + std::string(workers_text) +
                         "\"");
  }
  // node_exporter runs at least one worker whatever the flag says.
  size_t worker_count = static_cast<size_t>(std::max<int64_t>(*workers, 1));
  return std::unique_ptr<Collector>(std::make_unique<FilesystemCollector>(ctx, std::move(*filters), *timeout,
                                                                          worker_count, std::move(statfs_fn)));
}

StatusOr<std::unique_ptr<Collector>> NewFilesystemCollector(const Context& ctx) {
  return NewFilesystemCollectorWithStatfs(ctx, [](const char* path, struct statfs* buf) {
    int rc;
    do {
      rc = ::statfs(path, buf);
    } while (rc != 0 && errno == EINTR);
    return rc;
  });
}

}  // namespace nodex::collectors
