#include "collectors/cpu.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <re2/re2.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "base/file_reader.h"
#include "base/log.h"
#include "base/parse.h"
#include "base/split.h"
#include "collectors/go_strconv.h"
#include "collectors/procfs_helpers.h"
#include "collectors/sysfs_attrs.h"

namespace nodex::collectors {
namespace {

using expo::Desc;
using expo::MetricType;

constexpr Desc kSecondsDesc{"node_cpu_seconds_total", "Seconds each CPU spent in each mode, from /proc/stat.",
                            MetricType::kCounter};
constexpr Desc kGuestDesc{"node_cpu_guest_seconds_total",
                          "Seconds each CPU spent running guest VMs, by mode (already included in user and nice).",
                          MetricType::kCounter};
constexpr Desc kInfoDesc{"node_cpu_info", "Identity of each logical CPU as listed in /proc/cpuinfo; always 1.",
                         MetricType::kGauge};
constexpr Desc kFrequencyDesc{"node_cpu_frequency_hertz", "Clock of each logical CPU from /proc/cpuinfo, in hertz.",
                              MetricType::kGauge};
constexpr Desc kFlagDesc{"node_cpu_flag_info", "A selected flag of the first CPU in /proc/cpuinfo; always 1.",
                         MetricType::kGauge};
constexpr Desc kBugDesc{"node_cpu_bug_info", "A selected bug of the first CPU in /proc/cpuinfo; always 1.",
                        MetricType::kGauge};
constexpr Desc kCoreThrottleDesc{"node_cpu_core_throttles_total", "Times a CPU core has been thermally throttled.",
                                 MetricType::kCounter};
constexpr Desc kPackageThrottleDesc{"node_cpu_package_throttles_total",
                                    "Times a CPU package has been thermally throttled.", MetricType::kCounter};
constexpr Desc kIsolatedDesc{"node_cpu_isolated", "1 for each CPU listed in /sys/devices/system/cpu/isolated.",
                             MetricType::kGauge};
constexpr Desc kOnlineDesc{"node_cpu_online", "1 if the CPU is online and being scheduled, 0 if it is offline.",
                           MetricType::kGauge};

// CpuTimes fields in MergeCpuTimes bit order, with the names node_exporter
// uses in its log lines.
constexpr double CpuTimes::*kFields[] = {&CpuTimes::user,   &CpuTimes::nice,      &CpuTimes::system,  &CpuTimes::idle,
                                         &CpuTimes::iowait, &CpuTimes::irq,       &CpuTimes::softirq, &CpuTimes::steal,
                                         &CpuTimes::guest,  &CpuTimes::guest_nice};
constexpr std::string_view kFieldLogNames[] = {"User", "Nice",    "System", "Idle",  "Iowait",
                                               "IRQ",  "SoftIRQ", "Steal",  "Guest", "GuestNice"};
// node_cpu_seconds_total modes: the first eight fields.
constexpr std::string_view kModes[] = {"user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal"};

// Go's strconv.ParseUint(s, 0, 32): a base prefix selects hex, octal or
// binary, and a bare leading 0 means octal.
std::optional<uint32_t> ParseGoUint32(std::string_view s) {
  std::optional<uint64_t> v = GoParseUint(s, 0, 32);
  if (!v) return std::nullopt;
  return static_cast<uint32_t>(*v);
}

Status BadCpuInfo(std::string_view what, std::string_view line) {
  std::string msg = "malformed /proc/cpuinfo: ";
  msg.append(what);
  msg.append(": \"");
  msg.append(line.substr(0, 128));
  msg.append("\"");
  return Status::Error(std::move(msg));
}

// bufio.ScanLines, which procfs uses, drops one '\r' before the newline.
std::string_view StripCr(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

std::optional<uint16_t> ParseCpuNumber(std::string_view s) {
  auto v = ParseInt<uint32_t>(s);
  if (!v || *v > 0xffff) return std::nullopt;
  return static_cast<uint16_t>(*v);
}

bool BoolFlag(const Context& ctx, std::string_view name, bool default_value) {
  if (ctx.flags == nullptr || !ctx.flags->Has(name)) return default_value;
  return ctx.flags->GetBool(name);
}

std::string_view StringFlag(const Context& ctx, std::string_view name) {
  if (ctx.flags == nullptr) return {};
  return ctx.flags->GetString(name);
}

std::string_view FormatU64(char (&buf)[24], uint64_t v) {
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return std::string_view(buf, static_cast<size_t>(end - buf));
}

std::string_view FormatDouble(char (&buf)[32], double v) {
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return std::string_view(buf, ec == std::errc() ? static_cast<size_t>(end - buf) : 0);
}

// A missing /proc file fails the collector as an ordinary error, as it does
// in node_exporter (only its explicit ErrNoData is downgraded).
Status AsError(Status st) {
  if (st.code() == StatusCode::kNoData) return Status::Error(st.message());
  return st;
}

struct DirCloser {
  void operator()(DIR* d) const { ::closedir(d); }
};

class CpuCollector final : public Collector {
 public:
  explicit CpuCollector(const Context& ctx)
      : log_(ctx.log),
        guest_(BoolFlag(ctx, "collector.cpu.guest", true)),
        info_(BoolFlag(ctx, "collector.cpu.info", false)),
        // node_exporter emits node_cpu_frequency_hertz only while the
        // cpufreq collector is enabled (it is by default).
        frequency_(BoolFlag(ctx, "collector.cpufreq", true)),
        stat_file_(ctx.Proc("stat"), ReadEnd::OneRecord()),
        cpuinfo_file_(ctx.Proc("cpuinfo")),
        cpu_dir_path_(ctx.Sys("devices/system/cpu")) {}

  Status Init(const Context& ctx);
  Status Collect(expo::MetricSet& out) override;

 private:
  struct KeptCpu {
    int64_t id;
    std::string label;
    CpuTimes times;
    bool seen;
  };
  struct PackageThrottle {
    uint64_t package;
    uint64_t count;
  };
  struct CoreThrottle {
    uint64_t package;
    uint64_t core;
    uint64_t count;
  };

  Status CollectInfo(expo::MetricSet& out);
  Status CollectStat(expo::MetricSet& out);
  KeptCpu& FindOrAddCpu(int64_t id);
  void LogMerge(const KeptCpu& cpu, const CpuTimes& fresh, double old_idle, const CpuMergeResult& r);
  size_t ListCpuDirs();
  void CollectThrottles(expo::MetricSet& out, size_t cpu_count);
  void CollectOnline(expo::MetricSet& out, size_t cpu_count);
  int ReadCpuAttr(const std::string& cpu, std::string_view attr, std::string_view* value);
  std::optional<uint64_t> ReadCpuUint(const std::string& cpu, std::string_view attr);

  Logger* log_;
  const bool guest_;
  bool info_;
  const bool frequency_;
  std::unique_ptr<RE2> flags_re_;
  std::unique_ptr<RE2> bugs_re_;

  std::mutex mu_;  // Scrapes may overlap; the kept counters must not.
  KeptOpenFile stat_file_;
  KeptOpenFile cpuinfo_file_;
  ProcStat stat_;
  std::vector<CpuInfo> cpuinfo_;
  std::vector<KeptCpu> kept_;  // Sorted by id.

  bool has_isolated_ = false;
  std::vector<std::string> isolated_labels_;

  std::string cpu_dir_path_;
  std::unique_ptr<DIR, DirCloser> cpu_dir_;
  std::vector<std::string> cpu_names_;  // First ListCpuDirs() entries valid.
  // The per-CPU topology, thermal_throttle and online attributes are re-read
  // every scrape through kept-open fds: opening them was most of the cpu
  // collector's system calls (5 per CPU per scrape).
  sysfs::AttrFiles attrs_;
  std::string attr_path_;
  std::vector<PackageThrottle> package_throttles_;
  std::vector<CoreThrottle> core_throttles_;
};

Status CpuCollector::Init(const Context& ctx) {
  std::string_view flags_pattern = StringFlag(ctx, "collector.cpu.info.flags-include");
  std::string_view bugs_pattern = StringFlag(ctx, "collector.cpu.info.bugs-include");
  if ((!flags_pattern.empty() || !bugs_pattern.empty()) && !info_) {
    // The include filters are useless without cpuinfo, so node_exporter
    // turns it on rather than silently ignoring them.
    info_ = true;
    if (log_ != nullptr) {
      log_->Info("enabling --collector.cpu.info because a cpuinfo flags/bugs include filter is set");
    }
  }
  Status st = procfs_helpers::CompileFlagRegex("collector.cpu.info.flags-include", flags_pattern, true, &flags_re_);
  if (!st.ok()) return st;
  st = procfs_helpers::CompileFlagRegex("collector.cpu.info.bugs-include", bugs_pattern, true, &bugs_re_);
  if (!st.ok()) return st;

  // Like node_exporter, the isolated set is read once: it only changes at boot
  // (isolcpus=) and a missing file just means no isolation support.
  std::string content;
  st = ReadFileOnce(ctx.Sys("devices/system/cpu/isolated"), &content);
  if (st.code() == StatusCode::kNoData) {
    if (log_ != nullptr) log_->Debug("no isolated cpu file", {{"error", st.message()}});
    return Status::Ok();
  }
  if (!st.ok()) return Status::Error("unable to get isolated cpus: " + st.message());
  std::vector<uint16_t> isolated;
  st = ParseCpuList(content, &isolated);
  if (!st.ok()) return Status::Error("unable to get isolated cpus: " + st.message());
  has_isolated_ = true;
  for (uint16_t cpu : isolated) isolated_labels_.push_back(std::to_string(cpu));
  return Status::Ok();
}

Status CpuCollector::Collect(expo::MetricSet& out) {
  std::lock_guard<std::mutex> lock(mu_);
  if (info_) {
    Status st = CollectInfo(out);
    if (!st.ok()) return st;
  }
  Status st = CollectStat(out);
  if (!st.ok()) return st;
  if (has_isolated_) {
    for (const std::string& cpu : isolated_labels_) out.Add(kIsolatedDesc, 1, {{"cpu", cpu}});
  }
  size_t cpu_count = ListCpuDirs();
  CollectThrottles(out, cpu_count);
  CollectOnline(out, cpu_count);
  attrs_.Sweep();  // Closes the fds of CPUs that went away.
  return Status::Ok();
}

// Reads one small attribute of `cpu` (below devices/system/cpu) with one
// bounded read, as node_exporter's readUintFromFile and the online check do.
// Returns 0 with *value trimmed, or the errno.
int CpuCollector::ReadCpuAttr(const std::string& cpu, std::string_view attr, std::string_view* value) {
  attr_path_.assign(cpu_dir_path_).append("/").append(cpu).append("/").append(attr);
  int err = attrs_.Read(attr_path_, sysfs::kSysReadFileSize, value);
  if (err == 0) *value = TrimSpace(*value);
  return err;
}

// node_exporter's readUintFromFile: the trimmed content as a decimal uint64.
std::optional<uint64_t> CpuCollector::ReadCpuUint(const std::string& cpu, std::string_view attr) {
  std::string_view value;
  if (ReadCpuAttr(cpu, attr, &value) != 0) return std::nullopt;
  return ParseU64(value);
}

void AddMatching(expo::MetricSet& out, const Desc& desc, std::string_view label, std::string_view list,
                 const RE2* filter) {
  if (filter == nullptr) return;
  std::string_view item;
  while (NextField(&list, &item)) {
    if (RE2::PartialMatch(re2::StringPiece(item.data(), item.size()), *filter)) {
      out.Add(desc, 1, {{label, item}});
    }
  }
}

Status CpuCollector::CollectInfo(expo::MetricSet& out) {
  std::string_view content;
  Status st = cpuinfo_file_.Read(&content);
  if (!st.ok()) return AsError(std::move(st));
  st = ParseCpuInfo(content, &cpuinfo_);
  if (!st.ok()) return st;
  for (const CpuInfo& c : cpuinfo_) {
    char buf[24];
    std::string_view cpu = FormatU64(buf, c.processor);
    out.Add(kInfoDesc, 1,
            {{"package", c.physical_id},
             {"core", c.core_id},
             {"cpu", cpu},
             {"vendor", c.vendor_id},
             {"family", c.cpu_family},
             {"model", c.model},
             {"model_name", c.model_name},
             {"microcode", c.microcode},
             {"stepping", c.stepping},
             {"cachesize", c.cache_size}});
  }
  if (frequency_) {
    for (const CpuInfo& c : cpuinfo_) {
      char buf[24];
      out.Add(kFrequencyDesc, c.cpu_mhz * 1e6,
              {{"package", c.physical_id}, {"core", c.core_id}, {"cpu", FormatU64(buf, c.processor)}});
    }
  }
  // Flags and bugs are the same on every core in practice; node_exporter
  // reports the first one's to keep the series count small.
  if (!cpuinfo_.empty()) {
    AddMatching(out, kFlagDesc, "flag", cpuinfo_.front().flags, flags_re_.get());
    AddMatching(out, kBugDesc, "bug", cpuinfo_.front().bugs, bugs_re_.get());
  }
  return Status::Ok();
}

CpuCollector::KeptCpu& CpuCollector::FindOrAddCpu(int64_t id) {
  auto it = std::lower_bound(kept_.begin(), kept_.end(), id, [](const KeptCpu& k, int64_t v) { return k.id < v; });
  if (it != kept_.end() && it->id == id) return *it;
  // A CPU seen for the first time (startup or hotplug): the only allocation,
  // its label, happens here and is reused on every later scrape.
  return *kept_.insert(it, KeptCpu{id, std::to_string(id), CpuTimes{}, false});
}

void CpuCollector::LogMerge(const KeptCpu& cpu, const CpuTimes& fresh, double old_idle, const CpuMergeResult& r) {
  if (log_ == nullptr || !log_->Enabled(LogLevel::kDebug)) return;
  char old_buf[32], new_buf[32];
  if (r.reset) {
    log_->Debug("CPU idle counter jumped backwards by 3 seconds or more, possible hotplug event, resetting CPU stats",
                {{"cpu", cpu.label},
                 {"old_value", FormatDouble(old_buf, old_idle)},
                 {"new_value", FormatDouble(new_buf, fresh.idle)}});
  }
  for (size_t i = 0; i < std::size(kFields); ++i) {
    if ((r.backwards & (1u << i)) == 0) continue;
    std::string msg = "CPU " + std::string(kFieldLogNames[i]) + " counter jumped backwards";
    log_->Debug(msg, {{"cpu", cpu.label},
                      {"old_value", FormatDouble(old_buf, cpu.times.*kFields[i])},
                      {"new_value", FormatDouble(new_buf, fresh.*kFields[i])}});
  }
}

Status CpuCollector::CollectStat(expo::MetricSet& out) {
  std::string_view content;
  Status st = stat_file_.Read(&content);
  if (!st.ok()) return AsError(std::move(st));
  st = ParseProcStat(content, &stat_);
  if (!st.ok()) return st;

  for (const CpuLine& line : stat_.cpus) {
    KeptCpu& cpu = FindOrAddCpu(line.id);
    double old_idle = cpu.times.idle;
    CpuMergeResult r = MergeCpuTimes(line.times, &cpu.times);
    cpu.seen = true;
    if (r.reset || r.backwards != 0) LogMerge(cpu, line.times, old_idle, r);
  }
  // A CPU missing from /proc/stat went offline; dropping it stops its stale
  // series from being exported (node_exporter does the same since 1.6).
  std::erase_if(kept_, [](const KeptCpu& k) { return !k.seen; });

  for (KeptCpu& cpu : kept_) {
    cpu.seen = false;
    for (size_t i = 0; i < std::size(kModes); ++i) {
      out.Add(kSecondsDesc, cpu.times.*kFields[i], {{"cpu", cpu.label}, {"mode", kModes[i]}});
    }
    if (guest_) {
      out.Add(kGuestDesc, cpu.times.guest, {{"cpu", cpu.label}, {"mode", "user"}});
      out.Add(kGuestDesc, cpu.times.guest_nice, {{"cpu", cpu.label}, {"mode", "nice"}});
    }
  }
  return Status::Ok();
}

// Lists devices/system/cpu/cpu[0-9]* into cpu_names_, sorted like Go's
// filepath.Glob. The directory stays open; rewinddir makes the kernel list it
// afresh, so CPUs that come and go are seen without reopening.
size_t CpuCollector::ListCpuDirs() {
  if (cpu_dir_ == nullptr) {
    int fd = ::open(cpu_dir_path_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return 0;
    DIR* dir = ::fdopendir(fd);
    if (dir == nullptr) {
      ::close(fd);
      return 0;
    }
    cpu_dir_.reset(dir);
  } else {
    ::rewinddir(cpu_dir_.get());
  }
  size_t n = 0;
  while (const dirent* entry = ::readdir(cpu_dir_.get())) {
    std::string_view name(entry->d_name);
    if (name.size() < 4 || !name.starts_with("cpu") || name[3] < '0' || name[3] > '9') continue;
    if (n == cpu_names_.size()) cpu_names_.emplace_back();
    cpu_names_[n++].assign(name);  // Short names fit the small-string buffer.
  }
  std::sort(cpu_names_.begin(), cpu_names_.begin() + static_cast<std::ptrdiff_t>(n));
  return n;
}

void CpuCollector::CollectThrottles(expo::MetricSet& out, size_t cpu_count) {
  package_throttles_.clear();
  core_throttles_.clear();
  if (cpu_count == 0) return;
  bool debug = log_ != nullptr && log_->Enabled(LogLevel::kDebug);
  for (size_t i = 0; i < cpu_count; ++i) {
    const std::string& cpu = cpu_names_[i];
    auto package = ReadCpuUint(cpu, "topology/physical_package_id");
    if (!package) {
      if (debug) log_->Debug("CPU is missing physical_package_id", {{"cpu", cpu}});
      continue;
    }
    auto core = ReadCpuUint(cpu, "topology/core_id");
    if (!core) {
      if (debug) log_->Debug("CPU is missing core_id", {{"cpu", cpu}});
      continue;
    }
    // Hyperthread siblings share a core's counter, and every CPU of a
    // package shares the package counter: read each only once. A failed
    // read is retried on the next sibling, as node_exporter does. Core
    // counters come first because some CPU/kernel pairs have only those.
    bool have_core = std::any_of(core_throttles_.begin(), core_throttles_.end(),
                                 [&](const CoreThrottle& t) { return t.package == *package && t.core == *core; });
    if (!have_core) {
      if (auto count = ReadCpuUint(cpu, "thermal_throttle/core_throttle_count")) {
        core_throttles_.push_back({*package, *core, *count});
      } else if (debug) {
        log_->Debug("CPU is missing core_throttle_count", {{"cpu", cpu}});
      }
    }
    bool have_package = std::any_of(package_throttles_.begin(), package_throttles_.end(),
                                    [&](const PackageThrottle& t) { return t.package == *package; });
    if (!have_package) {
      if (auto count = ReadCpuUint(cpu, "thermal_throttle/package_throttle_count")) {
        package_throttles_.push_back({*package, *count});
      } else if (debug) {
        log_->Debug("CPU is missing package_throttle_count", {{"cpu", cpu}});
      }
    }
  }
  for (const PackageThrottle& t : package_throttles_) {
    char buf[24];
    out.Add(kPackageThrottleDesc, static_cast<double>(t.count), {{"package", FormatU64(buf, t.package)}});
  }
  for (const CoreThrottle& t : core_throttles_) {
    char package_buf[24], core_buf[24];
    out.Add(kCoreThrottleDesc, static_cast<double>(t.count),
            {{"package", FormatU64(package_buf, t.package)}, {"core", FormatU64(core_buf, t.core)}});
  }
}

void CpuCollector::CollectOnline(expo::MetricSet& out, size_t cpu_count) {
  if (cpu_count == 0) return;
  std::string_view value;
  // The boot CPU usually cannot be unplugged and then has no "online" file;
  // node_exporter takes that as "no hotplug support" and exports nothing.
  if (ReadCpuAttr(cpu_names_[0], "online", &value) == ENOENT) return;
  for (size_t i = 0; i < cpu_count; ++i) {
    const std::string& cpu = cpu_names_[i];
    bool online = ReadCpuAttr(cpu, "online", &value) == 0 && value == "1";
    out.Add(kOnlineDesc, online ? 1 : 0, {{"cpu", std::string_view(cpu).substr(3)}});
  }
}

}  // namespace

CpuMergeResult MergeCpuTimes(const CpuTimes& fresh, CpuTimes* kept) {
  CpuMergeResult result;
  if (kept->idle - fresh.idle >= kCpuJumpBackSeconds) {
    *kept = CpuTimes{};
    result.reset = true;
  }
  for (size_t i = 0; i < std::size(kFields); ++i) {
    if (fresh.*kFields[i] >= kept->*kFields[i]) {
      kept->*kFields[i] = fresh.*kFields[i];
    } else {
      result.backwards = static_cast<uint16_t>(result.backwards | (1u << i));
    }
  }
  return result;
}

Status ParseCpuInfo(std::string_view content, std::vector<CpuInfo>* out) {
  out->clear();
  std::string_view line;
  bool found = false;
  while (NextLine(&content, &line)) {
    line = StripCr(line);
    if (!TrimSpace(line).empty()) {
      found = true;
      break;
    }
  }
  if (!found) return BadCpuInfo("no processor line", "");
  size_t sep = line.find(": ");
  if (!line.starts_with("processor") || sep == std::string_view::npos) {
    return BadCpuInfo("first line is not a processor line", line);
  }
  auto first = ParseGoUint32(line.substr(sep + 2));
  if (!first) return BadCpuInfo("bad processor number", line);
  out->push_back(CpuInfo{});
  out->back().processor = *first;

  while (NextLine(&content, &line)) {
    line = StripCr(line);
    // A line without ": " has no value ("power management:") or is a blank
    // separator; procfs never matches a key on those.
    sep = line.find(": ");
    if (sep == std::string_view::npos) continue;
    std::string_view key = TrimSpace(line.substr(0, sep));
    std::string_view value = line.substr(sep + 2);
    if (key == "processor") {
      auto v = ParseGoUint32(value);
      if (!v) return BadCpuInfo("bad processor number", line);
      out->push_back(CpuInfo{});
      out->back().processor = *v;
      continue;
    }
    CpuInfo& cpu = out->back();
    if (key == "vendor" || key == "vendor_id") {
      cpu.vendor_id = value;
    } else if (key == "cpu family") {
      cpu.cpu_family = value;
    } else if (key == "model") {
      cpu.model = value;
    } else if (key == "model name") {
      cpu.model_name = value;
    } else if (key == "stepping") {
      cpu.stepping = value;
    } else if (key == "microcode") {
      cpu.microcode = value;
    } else if (key == "cpu MHz") {
      auto v = ParseDouble(value);
      if (!v) return BadCpuInfo("bad cpu MHz", line);
      cpu.cpu_mhz = *v;
    } else if (key == "cache size") {
      cpu.cache_size = value;
    } else if (key == "physical id") {
      cpu.physical_id = value;
    } else if (key == "core id") {
      cpu.core_id = value;
    } else if (key == "flags") {
      cpu.flags = value;
    } else if (key == "bugs") {
      cpu.bugs = value;
    } else if (key == "siblings" || key == "cpu cores" || key == "cpuid level" || key == "clflush size" ||
               key == "cache_alignment") {
      // Not exported, but procfs fails the whole file on a bad one.
      if (!ParseGoUint32(value)) return BadCpuInfo("bad integer", line);
    } else if (key == "bogomips") {
      if (!ParseDouble(value)) return BadCpuInfo("bad bogomips", line);
    }
  }
  return Status::Ok();
}

Status ParseCpuList(std::string_view content, std::vector<uint16_t>* out) {
  out->clear();
  if (content.ends_with('\n')) content.remove_suffix(1);
  while (true) {
    size_t comma = content.find(',');
    std::string_view item = content.substr(0, comma);
    if (!item.empty()) {
      std::string_view first, last;
      if (SplitOnce(item, '-', &first, &last)) {
        auto lo = ParseCpuNumber(first);
        auto hi = ParseCpuNumber(last);
        if (!lo || !hi) return Status::Error("invalid cpu range \"" + std::string(item.substr(0, 64)) + "\"");
        for (uint32_t cpu = *lo; cpu <= *hi; ++cpu) out->push_back(static_cast<uint16_t>(cpu));
      } else {
        auto cpu = ParseCpuNumber(item);
        if (!cpu) return Status::Error("invalid cpu number \"" + std::string(item.substr(0, 64)) + "\"");
        out->push_back(*cpu);
      }
    }
    if (comma == std::string_view::npos) break;
    content.remove_prefix(comma + 1);
  }
  return Status::Ok();
}

StatusOr<std::unique_ptr<Collector>> NewCpuCollector(const Context& ctx) {
  auto collector = std::make_unique<CpuCollector>(ctx);
  Status st = collector->Init(ctx);
  if (!st.ok()) return st;
  return std::unique_ptr<Collector>(std::move(collector));
}

}  // namespace nodex::collectors
