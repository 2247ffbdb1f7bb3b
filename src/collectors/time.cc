#include "collectors/time.h"

#include <dirent.h>
#include <time.h>

#include <algorithm>
#include <string>
#include <vector>

#include "base/file_reader.h"
#include "base/split.h"

namespace nodex::collectors {
namespace {

constexpr expo::Desc kSeconds{"node_time_seconds", "System time in seconds since the Unix epoch.",
                              expo::MetricType::kGauge};
constexpr expo::Desc kZoneOffset{"node_time_zone_offset_seconds", "Offset of the local time zone from UTC, in seconds.",
                                 expo::MetricType::kGauge};
constexpr expo::Desc kAvailable{"node_time_clocksource_available_info",
                                "Clock sources the kernel can use, per clocksource device.", expo::MetricType::kGauge};
constexpr expo::Desc kCurrent{"node_time_clocksource_current_info",
                              "Clock source the kernel currently uses, per clocksource device.",
                              expo::MetricType::kGauge};

struct ClocksourceDevice {
  KeptOpenFile available;
  KeptOpenFile current;
};

class TimeCollector : public Collector {
 public:
  explicit TimeCollector(const Context& ctx) : dir_(ctx.Sys("devices/system/clocksource")) {
    // localtime_r does not re-read TZ by itself; node_exporter (Go) also
    // fixes the local zone at start-up.
    tzset();
    Scan();
  }

  Status Collect(expo::MetricSet& out) override {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    // Whole nanoseconds divided once, as Go's float64(UnixNano())/1e9.
    const int64_t nanos = static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
    out.Add(kSeconds, static_cast<double>(nanos) / 1e9);
    struct tm local;
    time_t secs = ts.tv_sec;
    if (localtime_r(&secs, &local) != nullptr) {
      out.Add(kZoneOffset, static_cast<double>(local.tm_gmtoff),
              {{"time_zone", local.tm_zone != nullptr ? std::string_view(local.tm_zone) : std::string_view()}});
    }

    // The clocksource devices are fixed at boot, so the directory is listed
    // once; it is listed again only when a device vanished or none existed.
    if (rescan_) Scan();
    // All devices are read before any sample is added: like node_exporter,
    // one unreadable device fails the clocksource part as a whole.
    contents_.resize(devices_.size() * 2);
    for (size_t i = 0; i < devices_.size(); ++i) {
      Status st = devices_[i].available.Read(&contents_[2 * i]);
      if (st.ok()) st = devices_[i].current.Read(&contents_[2 * i + 1]);
      if (!st.ok()) {
        rescan_ = true;
        return Status::Error("couldn't get clocksources: " + st.message());
      }
    }
    for (size_t i = 0; i < devices_.size(); ++i) {
      char buf[24];
      AddClocksourceInfo(expo::IntLabel(buf, static_cast<int64_t>(i)), contents_[2 * i], contents_[2 * i + 1], out);
    }
    return Status::Ok();
  }

 private:
  // Lists clocksource[0-9]* in byte order, as Go's filepath.Glob does. A
  // missing or unreadable directory yields no devices and no error, also as
  // Glob does.
  void Scan() {
    devices_.clear();
    std::vector<std::string> names;
    if (DIR* dir = opendir(dir_.c_str())) {
      while (struct dirent* entry = readdir(dir)) {
        std::string_view name(entry->d_name);
        constexpr std::string_view kPrefix = "clocksource";
        if (name.size() > kPrefix.size() && name.substr(0, kPrefix.size()) == kPrefix && name[kPrefix.size()] >= '0' &&
            name[kPrefix.size()] <= '9') {
          names.emplace_back(name);
        }
      }
      closedir(dir);
    }
    std::sort(names.begin(), names.end());
    devices_.reserve(names.size());
    for (const std::string& name : names) {
      std::string base = JoinPath(dir_, name);
      devices_.push_back({KeptOpenFile(JoinPath(base, "available_clocksource"), ReadEnd::OneRecord()),
                          KeptOpenFile(JoinPath(base, "current_clocksource"), ReadEnd::OneRecord())});
    }
    rescan_ = devices_.empty();
  }

  std::string dir_;
  std::vector<ClocksourceDevice> devices_;
  std::vector<std::string_view> contents_;
  bool rescan_ = false;
};

}  // namespace

void AddClocksourceInfo(std::string_view device, std::string_view available, std::string_view current,
                        expo::MetricSet& out) {
  std::string_view name;
  while (NextField(&available, &name)) out.Add(kAvailable, 1, {{"device", device}, {"clocksource", name}});
  out.Add(kCurrent, 1, {{"device", device}, {"clocksource", TrimSpace(current)}});
}

StatusOr<std::unique_ptr<Collector>> NewTimeCollector(const Context& ctx) {
  return std::unique_ptr<Collector>(std::make_unique<TimeCollector>(ctx));
}

}  // namespace nodex::collectors
