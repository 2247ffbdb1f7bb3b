#include "collectors/watchdog.h"

#include <cerrno>
#include <cstring>
#include <vector>

#include "collectors/sysfs_attrs.h"

namespace nodex::collectors {
namespace {

constexpr expo::MetricType kGauge = expo::MetricType::kGauge;
constexpr expo::Desc kBootstatus{"node_watchdog_bootstatus", "Watchdog bootstatus attribute: why the last reboot happened.", kGauge};
constexpr expo::Desc kFwVersion{"node_watchdog_fw_version", "Watchdog firmware version attribute.", kGauge};
constexpr expo::Desc kNowayout{"node_watchdog_nowayout", "Watchdog nowayout attribute: 1 if the watchdog cannot be stopped once started.", kGauge};
constexpr expo::Desc kTimeleft{"node_watchdog_timeleft_seconds", "Seconds left before the watchdog resets the system.", kGauge};
constexpr expo::Desc kTimeout{"node_watchdog_timeout_seconds", "Watchdog timeout in seconds.", kGauge};
constexpr expo::Desc kPretimeout{"node_watchdog_pretimeout_seconds", "Watchdog pretimeout in seconds.", kGauge};
constexpr expo::Desc kAccessCs0{"node_watchdog_access_cs0", "Watchdog access_cs0 attribute.", kGauge};
constexpr expo::Desc kInfo{"node_watchdog_info", "Watchdog device description; the value is always 1.", kGauge};

constexpr std::string_view kFiles[] = {"bootstatus", "options", "fw_version", "identity", "nowayout", "state",
                                       "status", "timeleft", "timeout", "pretimeout", "pretimeout_governor",
                                       "access_cs0"};

class WatchdogCollector : public Collector {
 public:
  explicit WatchdogCollector(const Context& ctx) : dir_(ctx.Sys("class/watchdog")) {}

  Status Collect(expo::MetricSet& out) override {
    size_t count = 0;
    int err = sysfs::ListDir(dir_, &entries_, &count);
    if (err != 0) {
      if (err == ENOENT || err == EACCES || err == EPERM) return Status::NoData("watchdog class not available");
      return Status::Error("failed to list watchdog devices at \"" + dir_ + "\": " + std::strerror(err));
    }
    // Parse every device first: like procfs, one unreadable device fails the
    // whole class before anything is exported.
    if (stats_.size() < count) stats_.resize(count);
    for (size_t i = 0; i < count; ++i) {
      WatchdogStats& wd = stats_[i];
      wd.Reset();
      for (std::string_view file : kFiles) {
        path_.assign(dir_).append("/").append(entries_[i].name).append("/").append(file);
        std::string_view content;
        err = files_.Read(path_, sysfs::kSysReadFileSize, &content);
        if (err == ENOENT) continue;
        if (err == EACCES || err == EPERM) return Status::NoData("watchdog attributes not readable");
        if (err != 0) return Status::Error("failed to read file \"" + path_ + "\": " + std::strerror(err));
        Status st = ParseWatchdogAttribute(file, content, &wd);
        if (!st.ok()) return st;
      }
    }
    files_.Sweep();
    for (size_t i = 0; i < count; ++i) {
      const WatchdogStats& wd = stats_[i];
      const std::string& name = entries_[i].name;
      auto add = [&](const expo::Desc& desc, const std::optional<int64_t>& v) {
        if (v) out.Add(desc, static_cast<double>(*v), {{"name", name}});
      };
      add(kBootstatus, wd.bootstatus);
      add(kFwVersion, wd.fw_version);
      add(kNowayout, wd.nowayout);
      add(kTimeleft, wd.timeleft);
      add(kTimeout, wd.timeout);
      add(kPretimeout, wd.pretimeout);
      add(kAccessCs0, wd.access_cs0);
      out.Add(kInfo, 1,
              {{"name", name},
               {"options", wd.options},
               {"identity", wd.identity},
               {"state", wd.state},
               {"status", wd.status},
               {"pretimeout_governor", wd.pretimeout_governor}});
    }
    return Status::Ok();
  }

 private:
  std::string dir_;
  std::string path_;
  std::vector<sysfs::DirEntry> entries_;
  std::vector<WatchdogStats> stats_;
  sysfs::AttrFiles files_;
};

}  // namespace

void WatchdogStats::Reset() {
  bootstatus.reset();
  fw_version.reset();
  nowayout.reset();
  timeleft.reset();
  timeout.reset();
  pretimeout.reset();
  access_cs0.reset();
  options.clear();
  identity.clear();
  state.clear();
  status.clear();
  pretimeout_governor.clear();
  has_options = has_identity = has_state = has_status = has_pretimeout_governor = false;
}

Status ParseWatchdogAttribute(std::string_view file, std::string_view content, WatchdogStats* out) {
  std::string_view value = TrimSpace(content);
  auto number = [&](std::optional<int64_t>* field) -> Status {
    std::optional<int64_t> v = sysfs::ParseGoInt(value);
    if (!v) return Status::Error("invalid watchdog " + std::string(file) + " value \"" + std::string(value) + "\"");
    *field = v;
    return Status::Ok();
  };
  auto text = [&](std::string* field, bool* has) {
    field->assign(value);
    *has = true;
    return Status::Ok();
  };
  if (file == "bootstatus") return number(&out->bootstatus);
  if (file == "fw_version") return number(&out->fw_version);
  if (file == "nowayout") return number(&out->nowayout);
  if (file == "timeleft") return number(&out->timeleft);
  if (file == "timeout") return number(&out->timeout);
  if (file == "pretimeout") return number(&out->pretimeout);
  if (file == "access_cs0") return number(&out->access_cs0);
  if (file == "options") return text(&out->options, &out->has_options);
  if (file == "identity") return text(&out->identity, &out->has_identity);
  if (file == "state") return text(&out->state, &out->has_state);
  if (file == "status") return text(&out->status, &out->has_status);
  if (file == "pretimeout_governor") return text(&out->pretimeout_governor, &out->has_pretimeout_governor);
  return Status::Ok();
}

StatusOr<std::unique_ptr<Collector>> NewWatchdogCollector(const Context& ctx) {
  return std::unique_ptr<Collector>(std::make_unique<WatchdogCollector>(ctx));
}

}  // namespace nodex::collectors
