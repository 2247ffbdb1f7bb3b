#include "collectors/cpufreq.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>

#include "base/file_reader.h"
#include "base/log.h"
#include "base/parse.h"
#include "base/split.h"
#include "collectors/cpu.h"
#include "collectors/procfs_helpers.h"

namespace nodex::collectors {
namespace {

using expo::Desc;
using expo::MetricType;

constexpr Desc kCurDesc{"node_cpu_frequency_hertz", "Current CPU frequency read back from hardware, in hertz.",
                        MetricType::kGauge};
constexpr Desc kMinDesc{"node_cpu_frequency_min_hertz", "Lowest frequency the CPU supports, in hertz.",
                        MetricType::kGauge};
constexpr Desc kMaxDesc{"node_cpu_frequency_max_hertz", "Highest frequency the CPU supports, in hertz.",
                        MetricType::kGauge};
constexpr Desc kScalingCurDesc{"node_cpu_scaling_frequency_hertz",
                               "Current CPU frequency as last set by the cpufreq governor, in hertz.",
                               MetricType::kGauge};
constexpr Desc kScalingMinDesc{"node_cpu_scaling_frequency_min_hertz",
                               "Lowest frequency the cpufreq governor may choose, in hertz.", MetricType::kGauge};
constexpr Desc kScalingMaxDesc{"node_cpu_scaling_frequency_max_hertz",
                               "Highest frequency the cpufreq governor may choose, in hertz.", MetricType::kGauge};
constexpr Desc kGovernorDesc{"node_cpu_scaling_governor", "1 for the CPU's active cpufreq governor, 0 for the others.",
                             MetricType::kGauge};

// procfs reads these in this order; all are optional, but present ones must
// parse. Only the first six are exported.
enum UintAttr { kCur, kMin, kMax, kScalingCur, kScalingMin, kScalingMax, kAvg, kLatency, kUintAttrCount };
constexpr const char* kUintAttrs[kUintAttrCount] = {"cpuinfo_cur_freq", "cpuinfo_min_freq",          "cpuinfo_max_freq",
                                                    "scaling_cur_freq", "scaling_min_freq",          "scaling_max_freq",
                                                    "cpuinfo_avg_freq", "cpuinfo_transition_latency"};
constexpr const Desc* kUintDescs[6] = {&kCurDesc,        &kMinDesc,        &kMaxDesc,
                                       &kScalingCurDesc, &kScalingMinDesc, &kScalingMaxDesc};
// Required text attributes: procfs fails the whole read if one is missing.
enum TextAttr { kAvailable, kDriver, kGovernor, kRelated, kSetspeed, kTextAttrCount };
constexpr const char* kTextAttrs[kTextAttrCount] = {"scaling_available_governors", "scaling_driver", "scaling_governor",
                                                    "related_cpus", "scaling_setspeed"};

// cpu[0-9]*, as filepath.Glob matches it.
bool IsCpuDir(std::string_view name) {
  return name.size() > 3 && name.substr(0, 3) == "cpu" && name[3] >= '0' && name[3] <= '9';
}

struct DirCloser {
  void operator()(DIR* d) const { ::closedir(d); }
};

class CpufreqCollector final : public Collector {
 public:
  explicit CpufreqCollector(const Context& ctx)
      : cpu_dir_path_(ctx.Sys("devices/system/cpu")),
        offline_(ctx.Sys("devices/system/cpu/offline"), ReadEnd::OneRecord()) {}

  Status Collect(expo::MetricSet& out) override {
    std::lock_guard<std::mutex> lock(mu_);
    Status st = ListCpus();
    if (!st.ok()) return st;
    st = DropOffline();
    if (!st.ok()) return st;
    if (cpu_count_ == 0) return Status::Error("could not find any cpufreq files: no cpu directories");
    int dir_fd = ::dirfd(cpu_dir_.get());
    for (size_t i = 0; i < cpu_count_; ++i) {
      st = CollectCpu(dir_fd, cpu_names_[i], out);
      if (!st.ok()) return st;
    }
    return Status::Ok();
  }

 private:
  // Lists cpu[0-9]* into cpu_names_[0, cpu_count_), sorted like Glob. The
  // directory stays open; rewinddir re-lists it, so hotplug is seen.
  Status ListCpus() {
    cpu_count_ = 0;
    if (cpu_dir_ == nullptr) {
      DIR* d = ::opendir(cpu_dir_path_.c_str());
      // Glob ignores I/O errors: no directory simply means no CPUs.
      if (d == nullptr) return Status::Ok();
      cpu_dir_.reset(d);
    } else {
      ::rewinddir(cpu_dir_.get());
    }
    while (dirent* e = ::readdir(cpu_dir_.get())) {
      std::string_view name(e->d_name);
      if (!IsCpuDir(name)) continue;
      if (cpu_names_.size() == cpu_count_) cpu_names_.emplace_back();
      cpu_names_[cpu_count_++].assign(name);
    }
    std::sort(cpu_names_.begin(), cpu_names_.begin() + static_cast<long>(cpu_count_));
    return Status::Ok();
  }

  Status DropOffline() {
    std::string_view content;
    Status st = offline_.Read(&content);
    if (!st.ok()) return Status::Error(st.message());
    if (TrimSpace(content).empty()) return Status::Ok();
    st = ParseCpuList(content, &offline_cpus_);
    if (!st.ok()) return Status::Error(offline_.path() + ": " + st.message());
    if (offline_cpus_.empty()) return Status::Ok();
    size_t kept = 0;
    for (size_t i = 0; i < cpu_count_; ++i) {
      std::optional<int64_t> n = ParseI64(std::string_view(cpu_names_[i]).substr(3));
      if (!n) return Status::Error("invalid cpu directory name \"" + cpu_names_[i] + "\"");
      // procfs compares as uint16, so numbers wrap the same way here.
      uint16_t cpu = static_cast<uint16_t>(*n);
      if (std::find(offline_cpus_.begin(), offline_cpus_.end(), cpu) != offline_cpus_.end()) continue;
      if (kept != i) std::swap(cpu_names_[kept], cpu_names_[i]);
      ++kept;
    }
    cpu_count_ = kept;
    return Status::Ok();
  }

  Status CollectCpu(int dir_fd, const std::string& cpu_name, expo::MetricSet& out) {
    char path[320];
    int len = std::snprintf(path, sizeof path, "%s/cpufreq", cpu_name.c_str());
    if (len < 0 || static_cast<size_t>(len) >= sizeof path) return Status::Error("cpu path too long");
    struct stat sb;
    if (::fstatat(dir_fd, path, &sb, 0) != 0) {
      if (errno == ENOENT) return Status::Ok();
      return Status::Error(cpu_dir_path_ + "/" + path + ": " + strerror(errno));
    }
    std::optional<uint64_t> values[kUintAttrCount];
    for (int a = 0; a < kUintAttrCount; ++a) {
      std::string_view text;
      int err = ReadAttr(dir_fd, cpu_name, kUintAttrs[a], &text);
      if (err == ENOENT || err == EACCES || err == EPERM) continue;
      if (err != 0) return AttrError(cpu_name, kUintAttrs[a], strerror(err));
      values[a] = ParseCpufreqValue(text);
      if (!values[a]) return AttrError(cpu_name, kUintAttrs[a], "invalid unsigned integer");
    }
    for (int a = 0; a < kTextAttrCount; ++a) {
      std::string_view text;
      int err = ReadAttr(dir_fd, cpu_name, kTextAttrs[a], &text);
      if (err != 0) return AttrError(cpu_name, kTextAttrs[a], strerror(err));
      text_[a].assign(text);
    }
    std::string_view cpu = std::string_view(cpu_name).substr(3);
    // sysfs reports kHz; node_exporter exports hertz.
    for (int a = 0; a < 6; ++a) {
      if (values[a]) out.Add(*kUintDescs[a], static_cast<double>(*values[a]) * 1000.0, {{"cpu", cpu}});
    }
    if (!text_[kGovernor].empty()) {
      ParseGovernors(text_[kAvailable], &governors_);
      for (std::string_view g : governors_) {
        out.Add(kGovernorDesc, g == text_[kGovernor] ? 1 : 0, {{"cpu", cpu}, {"governor", g}});
      }
    }
    return Status::Ok();
  }

  int ReadAttr(int dir_fd, const std::string& cpu_name, const char* attr, std::string_view* text) {
    char path[320];
    int len = std::snprintf(path, sizeof path, "%s/cpufreq/%s", cpu_name.c_str(), attr);
    if (len < 0 || static_cast<size_t>(len) >= sizeof path) return ENAMETOOLONG;
    return procfs_helpers::ReadAttrAt(dir_fd, path, attr_buf_, text);
  }

  Status AttrError(const std::string& cpu_name, const char* attr, std::string_view why) const {
    return Status::Error(cpu_dir_path_ + "/" + cpu_name + "/cpufreq/" + attr + ": " + std::string(why));
  }

  std::mutex mu_;
  std::string cpu_dir_path_;
  std::unique_ptr<DIR, DirCloser> cpu_dir_;
  std::vector<std::string> cpu_names_;
  size_t cpu_count_ = 0;
  KeptOpenFile offline_;
  std::vector<uint16_t> offline_cpus_;
  char attr_buf_[8192];
  std::string text_[kTextAttrCount];
  std::vector<std::string_view> governors_;
};

}  // namespace

std::optional<uint64_t> ParseCpufreqValue(std::string_view attr) { return ParseU64(TrimSpace(attr)); }

void ParseGovernors(std::string_view available, std::vector<std::string_view>* out) {
  out->clear();
  available = TrimSpace(available);
  while (true) {
    size_t sp = available.find(' ');
    out->push_back(available.substr(0, sp));
    if (sp == std::string_view::npos) break;
    available.remove_prefix(sp + 1);
  }
}

StatusOr<std::unique_ptr<Collector>> NewCpufreqCollector(const Context& ctx) {
  return std::unique_ptr<Collector>(std::make_unique<CpufreqCollector>(ctx));
}

}  // namespace nodex::collectors
