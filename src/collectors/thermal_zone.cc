#include "collectors/thermal_zone.h"

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "base/split.h"
#include "collectors/sysfs_attrs.h"

namespace nodex::collectors {
namespace {

constexpr expo::MetricType kGauge = expo::MetricType::kGauge;
constexpr expo::Desc kZoneTemp{"node_thermal_zone_temp", "Thermal zone temperature in degrees Celsius.", kGauge};
constexpr expo::Desc kCurState{"node_cooling_device_cur_state", "Current throttle state of the cooling device.", kGauge};
constexpr expo::Desc kMaxState{"node_cooling_device_max_state", "Highest throttle state of the cooling device.", kGauge};

constexpr std::string_view kZonePrefix = "thermal_zone";
constexpr std::string_view kCoolingPrefix = "cooling_device";

// What became of one attribute read.
enum class Read { kOk, kSkipDevice, kFail };

class ThermalZoneCollector : public Collector {
 public:
  explicit ThermalZoneCollector(const Context& ctx) : dir_(ctx.Sys("class/thermal")) {}

  Status Collect(expo::MetricSet& out) override {
    size_t count = 0;
    int err = sysfs::ListDir(dir_, &entries_, &count);
    // Go's filepath.Glob ignores a missing or unreadable directory.
    if (err != 0) count = 0;
    Status st = CollectZones(out, count);
    if (st.ok()) st = CollectCoolingDevices(out, count);
    files_.Sweep();
    return st;
  }

 private:
  // Reads one attribute. Open failures skip the device (procfs ignores
  // *PathError); read failures skip it only for the errnos procfs ignores.
  Read ReadAttr(const std::string& device, std::string_view attr, bool zone, std::string_view* content,
                Status* st) {
    path_.assign(dir_).append("/").append(device).append("/").append(attr);
    int err = files_.Read(path_, sysfs::kSysReadFileSize, content);
    if (err == 0) return Read::kOk;
    bool skip = files_.last_error_was_open() ? (zone || err == ENOENT || err == EACCES || err == EPERM ||
                                                err == EINVAL)
                                             : (zone ? (err == ENODATA || err == EAGAIN) : err == EINVAL);
    if (skip) return Read::kSkipDevice;
    *st = Status::Error("failed to read \"" + path_ + "\": " + std::strerror(err));
    return Read::kFail;
  }

  Status CollectZones(expo::MetricSet& out, size_t count) {
    Status st;
    for (size_t i = 0; i < count; ++i) {
      const std::string& name = entries_[i].name;
      if (!sysfs::MatchesDigitGlob(name, kZonePrefix)) continue;
      std::string_view content;
      path_.assign(dir_).append("/").append(name).append("/mode");
      int err = files_.Read(path_, sysfs::kSysReadFileSize, &content);
      if (err == 0 && ThermalZoneDisabled(content)) continue;
      if (err != 0 && err != ENOENT && err != EACCES && err != EPERM) continue;
      Read r = ReadAttr(name, "type", true, &content, &st);
      if (r == Read::kFail) return st;
      if (r == Read::kSkipDevice) continue;
      type_.assign(TrimSpace(content));
      r = ReadAttr(name, "policy", true, &content, &st);
      if (r == Read::kFail) return st;
      if (r == Read::kSkipDevice) continue;
      r = ReadAttr(name, "temp", true, &content, &st);
      if (r == Read::kFail) return st;
      if (r == Read::kSkipDevice) continue;
      StatusOr<int64_t> millis = ParseThermalInt(content);
      if (!millis.ok()) return Status::Error("thermal zone " + name + " temp: " + millis.status().message());
      path_.assign(dir_).append("/").append(name).append("/passive");
      err = files_.Read(path_, sysfs::kSysReadFileSize, &content);
      if (err == 0) {
        if (!sysfs::ParseGoUint(TrimSpace(content))) {
          return Status::Error("thermal zone " + name + ": invalid passive value");
        }
      } else if (err != ENOENT && err != EACCES && err != EPERM) {
        continue;
      }
      std::string_view zone = std::string_view(name).substr(kZonePrefix.size());
      out.Add(kZoneTemp, static_cast<double>(*millis) / 1000.0, {{"zone", zone}, {"type", type_}});
    }
    return st;
  }

  Status CollectCoolingDevices(expo::MetricSet& out, size_t count) {
    Status st;
    for (size_t i = 0; i < count; ++i) {
      const std::string& name = entries_[i].name;
      if (!sysfs::MatchesDigitGlob(name, kCoolingPrefix)) continue;
      std::string_view content;
      Read r = ReadAttr(name, "type", false, &content, &st);
      if (r == Read::kFail) return st;
      if (r == Read::kSkipDevice) continue;
      type_.assign(TrimSpace(content));
      r = ReadAttr(name, "max_state", false, &content, &st);
      if (r == Read::kFail) return st;
      if (r == Read::kSkipDevice) continue;
      StatusOr<int64_t> max_state = ParseThermalInt(content);
      if (!max_state.ok()) return Status::Error("cooling device " + name + " max_state: " + max_state.status().message());
      r = ReadAttr(name, "cur_state", false, &content, &st);
      if (r == Read::kFail) return st;
      if (r == Read::kSkipDevice) continue;
      StatusOr<int64_t> cur_state = ParseThermalInt(content);
      if (!cur_state.ok()) return Status::Error("cooling device " + name + " cur_state: " + cur_state.status().message());
      std::string_view id = std::string_view(name).substr(kCoolingPrefix.size());
      out.Add(kCurState, static_cast<double>(*cur_state), {{"name", id}, {"type", type_}});
      out.Add(kMaxState, static_cast<double>(*max_state), {{"name", id}, {"type", type_}});
    }
    return st;
  }

  std::string dir_;
  std::string path_;
  std::string type_;
  std::vector<sysfs::DirEntry> entries_;
  sysfs::AttrFiles files_;
};

}  // namespace

StatusOr<int64_t> ParseThermalInt(std::string_view content) {
  std::string_view value = TrimSpace(content);
  std::optional<int64_t> v = sysfs::ParseGoDecimalInt(value);
  if (!v) return Status::Error("invalid integer \"" + std::string(value) + "\"");
  return *v;
}

bool ThermalZoneDisabled(std::string_view mode_content) { return TrimSpace(mode_content) == "disabled"; }

StatusOr<std::unique_ptr<Collector>> NewThermalZoneCollector(const Context& ctx) {
  return std::unique_ptr<Collector>(std::make_unique<ThermalZoneCollector>(ctx));
}

}  // namespace nodex::collectors
